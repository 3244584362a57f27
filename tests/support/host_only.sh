# Sourced by the source checks (test_lint.sh, test_analyze.sh): they read the same files in
# every build, so only the plain host run does them.  Usage: . host_only.sh "WHAT is done"
if [ -n "${DFD_TEST_VARIANT:-}" ]; then
  echo "ok - $1 by the plain run, not again in the $DFD_TEST_VARIANT build # SKIP"
  exit 0
fi
if [ -n "${TEST_RUNNER:-}" ]; then
  echo "ok - $1 by the host run, not again under emulation # SKIP"
  exit 0
fi

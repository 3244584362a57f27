#!/usr/bin/env bash
# make test-valgrind, second part: dfdiff itself under memcheck against real servers — a
# selection of tests/get (nginx TLS 1.3 with an RSA chain, openssl s_server over TLS 1.2
# and 1.3 with every certificate failure, chunked and oversized-header responses from the
# mock, a wrong CA, a server that never answers). Any memcheck error makes dfdiff exit 99,
# which fails the case. Counted by tests/run.sh.
#   tests/support/valgrind_get.sh BUILD_DIR "VALGRIND COMMAND"
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd) || exit 1
vg=${2:-valgrind -q --leak-check=full --errors-for-leak-kinds=definite}
wrapper=$build/dfdiff-under-valgrind
printf '#!/bin/sh\nexec %s --error-exitcode=99 "%s" "$@"\n' "$vg" "$build/dfdiff" >"$wrapper"
# tests/run.sh runs a script without arguments: this one holds the selection.
selection=$build/test_get_under_valgrind.sh
cat >"$selection" <<SH
#!/bin/sh
n=\$(DFDIFF="$wrapper" DFDIFF_BINARY="$build/dfdiff" BUILD="$build" TEST_RUNNER=valgrind \\
  python3 "$root/tests/get/test_get.py" "nginx TLS 1.3 RSA" "s_server" "mock TLS /f/chunked" \\
  "mock TLS /f/big-headers" "wrong CA" "silent TCP" | tee /dev/stderr | grep -c '^ok ')
[ "\$n" -ge 20 ] || { echo "not ok - only \$n cases ran (the selection no longer matches tests/get's names)"; exit 1; }
SH
chmod +x "$wrapper" "$selection"
exec "$root/tests/run.sh" "$selection" 2>&1

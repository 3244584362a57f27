#!/usr/bin/env bash
# The device images in `make test`: builds (or reuses) the reference images of `make cross`
# for every target whose cross toolchain is installed and checks each (check_image.sh):
# undefined symbols only from tests/cross/undefined-allowed.txt, no allocator, none of
# libc's allocating or stdio paths. Then shows the checks can fail (a probe image that calls
# malloc and gmtime, a symbol missing from the allowlist), and tests src/tls_time.c (the
# bare-metal gmtime) against the host's gmtime_r. Targets without a toolchain: # SKIP.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
BUILD=${BUILD:-$root/build}
if [ -n "${TEST_RUNNER:-}" ]; then
  echo "ok - device images are checked by the host run, not again under emulation # SKIP"
  exit 0
fi
fail=0
work=$BUILD/tests/cross
mkdir -p "$work"

# --- the bare-metal gmtime, on the host ------------------------------------------------
if ${CC:-cc} -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -Isrc -Ideps/mbedtls/include \
  -DMBEDTLS_CONFIG_FILE='"dfd_mbedtls_config.h"' -DDFD_MBEDTLS_BARE_METAL \
  tests/cross/test_tls_time.c src/tls_time.c -o "$work/test_tls_time" 2>"$work/cc.log"; then
  "$work/test_tls_time" || fail=1
else
  echo "not ok - tests/cross/test_tls_time.c does not build"
  sed 's/^/#   /' "$work/cc.log"
  fail=1
fi

# --- the images ----------------------------------------------------------------------------
targets=
for t in cm4 cm7 rv32imc; do
  case $t in
  rv32imc)
    cc=riscv64-unknown-elf-gcc
    have=$(echo 'int x;' | $cc --specs=picolibc.specs -march=rv32imc -mabi=ilp32 -x c -c - \
      -o /dev/null 2>/dev/null && echo yes)
    need="gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf"
    ;;
  *)
    cc=arm-none-eabi-gcc
    have=$(command -v $cc >/dev/null && echo yes)
    need="gcc-arm-none-eabi libnewlib-arm-none-eabi"
    ;;
  esac
  if [ "$have" = yes ]; then
    targets="$targets $t"
  else
    echo "ok - $t: no cross toolchain ($need): image not built # SKIP"
  fi
done

if [ -n "$targets" ]; then
  # a make of its own, not a sub-make of `make test`'s (no jobserver to share)
  if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -j"$(nproc)" \
    BUILD="$BUILD" CROSS_TARGETS="${targets# }" cross >"$work/make.log" 2>&1; then
    grep -E '^(ok|not ok|#)' "$work/make.log"
  else
    if grep -qE '^(ok|not ok)' "$work/make.log"; then
      grep -E '^(ok|not ok|#)' "$work/make.log"
    else
      echo "not ok - make cross failed"
      tail -30 "$work/make.log" | sed 's/^/#   /'
    fi
    fail=1
  fi
  for t in $targets; do
    nmf=$BUILD/cross/$t/reference.nm
    if grep -qE ' T mbedtls_platform_gmtime_r$' "$nmf" 2>/dev/null &&
      ! grep -qE ' (gmtime|gmtime_r|__assert_func)$' "$nmf"; then
      echo "ok - $t: certificate dates use src/tls_time.c, not the libc's gmtime"
    else
      echo "not ok - $t: mbedtls_platform_gmtime_r is not src/tls_time.c's, or gmtime is linked"
      fail=1
    fi
  done
fi

# --- the checks can fail --------------------------------------------------------------------
if [[ " $targets " == *" cm4 "* ]]; then
  probe=$work/probe
  rm -rf "$probe"
  mkdir -p "$probe"
  cat >"$probe/probe.c" <<'C'
#include <stdlib.h>
#include <time.h>
void Reset_Handler(void);
void Reset_Handler(void) {
  time_t t = 0;
  volatile void *p = malloc(16);
  volatile struct tm *tm = gmtime(&t);
  (void)p, (void)tm;
  for (;;) {
  }
}
C
  if arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 \
    --specs=nano.specs -Os -nostartfiles -T boards/reference/cortex-m.ld -Wl,--gc-sections \
    -Wl,--warn-unresolved-symbols "$probe/probe.c" -o "$probe/reference.elf" 2>"$probe/link.log"; then
    sed -n "s/.*undefined reference to \`\(.*\)'$/\1/p" "$probe/link.log" | LC_ALL=C sort -u \
      >"$probe/undefined.txt"
    arm-none-eabi-nm "$probe/reference.elf" >"$probe/reference.nm"
    out=$(tests/cross/check_image.sh probe "$probe" tests/cross/undefined-allowed.txt)
    if grep -q '^not ok - probe: the image holds or references an allocator' <<<"$out" &&
      grep -q '^not ok - probe: libc paths in the image:.*__assert_func' <<<"$out"; then
      echo "ok - the checks catch a probe image that calls malloc and newlib-nano's gmtime"
    else
      echo "not ok - the checks miss malloc or gmtime's __assert_func in a probe image"
      printf '%s\n' "$out" | sed 's/^/#   /'
      fail=1
    fi
  else
    echo "not ok - the probe image does not link"
    sed 's/^/#   /' "$probe/link.log" | tail -5
    fail=1
  fi

  fake=$work/newcomer
  rm -rf "$fake"
  mkdir -p "$fake"
  cp "$BUILD/cross/cm4/reference.elf" "$BUILD/cross/cm4/reference.nm" "$BUILD/cross/cm4/link.log" "$fake/"
  { cat "$BUILD/cross/cm4/undefined.txt"; echo dfd_newcomer_symbol; } | LC_ALL=C sort >"$fake/undefined.txt"
  out=$(tests/cross/check_image.sh cm4 "$fake" tests/cross/undefined-allowed.txt)
  if grep -q '^not ok - cm4: undefined symbols not on' <<<"$out" && grep -q 'dfd_newcomer_symbol' <<<"$out"; then
    echo "ok - an undefined symbol missing from the allowlist fails the check and is named"
  else
    echo "not ok - a symbol missing from the allowlist went unnoticed"
    fail=1
  fi
fi
exit $fail

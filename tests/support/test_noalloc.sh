#!/usr/bin/env bash
# Zero malloc: no project object may reference an allocator, and the wrappers every unit
# test links with must really catch an allocation (a check that can fail).
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../../build}
fail=0

for lib in "$BUILD/libdfd.a" "$BUILD/libdfd_posix.a"; do
  hits=$(nm -A -u "$lib" 2>/dev/null | grep -E ' U (malloc|calloc|realloc|free|strdup|strndup|reallocarray|posix_memalign|aligned_alloc)$')
  if [ -n "$hits" ]; then
    echo "not ok - $(basename "$lib") references an allocator"
    echo "$hits" | sed 's/^/#   /'
    fail=1
  else
    echo "ok - $(basename "$lib") references no allocator"
  fi
done

# mbedTLS: the only reference allowed is platform.c's pre-init default (calloc/free),
# replaced by the static pool before any TLS call.
hits=$(nm -A -u "$BUILD/libmbedtls_dfd.a" 2>/dev/null | grep -E ' U (malloc|calloc|realloc|free)$' | grep -v ':platform.o:')
if [ -n "$hits" ]; then
  echo "not ok - mbedTLS objects reference an allocator outside platform.o"
  echo "$hits" | sed 's/^/#   /'
  fail=1
else
  echo "ok - mbedTLS allocates only through its static pool"
fi

# The wrappers abort on a real allocation.
tmp=$(mktemp -d)
cat >"$tmp/alloc.c" <<'C'
#include <stdlib.h>
int main(void) { void *p = malloc(16); return p == NULL; }
C
if ${CC:-cc} -o "$tmp/alloc" "$tmp/alloc.c" "$BUILD/obj/tests/support/noalloc.o" \
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free 2>"$tmp/err"; then
  ${TEST_RUNNER:-} "$tmp/alloc" >/dev/null 2>&1 &
  wait $!
  rc=$?
  if [ "$rc" -eq 134 ]; then
    echo "ok - the allocator wrappers abort a program that allocates"
  else
    echo "not ok - a program that allocates exited $rc instead of aborting"
    fail=1
  fi
else
  echo "not ok - could not build the allocation probe"
  sed 's/^/#   /' "$tmp/err"
  fail=1
fi
rm -rf "$tmp"
exit $fail

#!/usr/bin/env bash
# check_image.sh TARGET DIR ALLOWLIST: checks one reference image built by `make cross`
# (DIR holds reference.elf, its nm listing reference.nm, the linker's warnings link.log and
# the undefined symbols undefined.txt). Prints ok/not ok lines; exits non-zero on a failure.
#  1. every undefined symbol is on ALLOWLIST (supplied by the RTOS or the board);
#  2. zero malloc: no allocator anywhere in the image, defined or referenced;
#  3. none of libc's paths that allocate or drag stdio in: strtod, the printf family,
#     gmtime (newlib-nano's asserts), assert, sbrk.
set -u
t=$1 dir=$2 allow=$3
fail=0
if ! [ -f "$dir/reference.elf" ] || ! [ -f "$dir/undefined.txt" ] || ! [ -f "$dir/reference.nm" ]; then
  echo "not ok - $t: no image in $dir (make cross)"
  exit 1
fi

allowed=$(sed 's/#.*//' "$allow" | tr -s ' \t' '\n' | grep -v '^$' | LC_ALL=C sort -u)
new=$(LC_ALL=C comm -23 "$dir/undefined.txt" <(echo "$allowed"))
n=$(grep -c . "$dir/undefined.txt")
if [ -z "$new" ]; then
  echo "ok - $t: all $n undefined symbols are the RTOS's or the board's ($allow)"
else
  echo "not ok - $t: undefined symbols not on $allow:"
  for s in $new; do
    from=$(grep -B1 "undefined reference to \`$s'" "$dir/link.log" |
      sed -n "s/.*in function \`\([^']*\)'.*/\1/p" | sort -u | head -4 | paste -sd, - | sed 's/,/, /g')
    echo "#   $s${from:+   (called from $from)}"
  done
  fail=1
fi

# nm lines end in the symbol name; the image's undefined symbols are in undefined.txt.
alloc='malloc|calloc|realloc|free|_malloc_r|_calloc_r|_realloc_r|_free_r|reallocf|_reallocf_r|memalign|_memalign_r|aligned_alloc|posix_memalign|__malloc_lock|__libc_malloc'
hits=$( (awk '{ print $NF }' "$dir/reference.nm"; cat "$dir/undefined.txt") | grep -xE "$alloc" | sort -u)
if [ -z "$hits" ]; then
  echo "ok - $t: zero malloc: no malloc, calloc, realloc, free or _r variant in the image"
else
  echo "not ok - $t: the image holds or references an allocator: $(paste -sd" " <<<"$hits")"
  fail=1
fi

paths='strtod|_strtod_r|strtof|strtold|printf|fprintf|sprintf|snprintf|vfprintf|vsnprintf|_printf_r|_vfprintf_r|_svfprintf_r|_vfiprintf_r|fiprintf|_fiprintf_r|__d_vfprintf|__f_vfprintf|__i_vfprintf|_dtoa_r|gmtime|gmtime_r|localtime|localtime_r|__assert_func|__assert_fail|__assert|sbrk|_sbrk|_sbrk_r|fflush|_fflush_r|__sinit'
hits=$( (awk '{ print $NF }' "$dir/reference.nm"; cat "$dir/undefined.txt") | grep -xE "$paths" | sort -u)
if [ -z "$hits" ]; then
  echo "ok - $t: no libc path that allocates or pulls stdio in (strtod, printf, gmtime, assert, sbrk)"
else
  echo "not ok - $t: libc paths in the image: $(paste -sd" " <<<"$hits")"
  fail=1
fi
exit $fail

#!/usr/bin/env bash
# bench_lwip.sh (make bench-lwip): the lwIP port measured, as Markdown.
#
# 1. Throughput: build/tests/lwip/bench_lwip fetches a BYTES body (default 1 MB) over TLS
#    through lwIP's loopback (port/lwip) and through the OS's loopback (port/posix), same
#    in-process mbedTLS server, interleaved, ROUNDS times each (default 5).
# 2. lwIP RAM for the client's connection: lwIP's heap (ram_heap) and pools
#    (memp_memory_*_base) as the compiler lays them out from lwIP's own declarations, for
#    the board's port/lwip/lwipopts.h (Cortex-M4 when arm-none-eabi-gcc is installed, and
#    x86-64) and for the test's port/lwip/test/lwipopts.h (the bench binary itself).
# 3. High-water marks of that run (LWIP_STATS of the test configuration).
# The tables are also saved as $BUILD/bench/lwip.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$root/build}
DEPS=${DEPS:-$root/deps}
BYTES=${BYTES:-1048576}
ROUNDS=${ROUNDS:-5}
bin=$BUILD/tests/lwip/bench_lwip
work=$BUILD/bench/lwip-ram
mkdir -p "$work"
lwip=$DEPS/lwip/src

out=$("$bin" "$BYTES" "$ROUNDS")
get() { awk -v k="$1" '$1 == k { print $2; exit }' <<<"$out"; }

# ram NM FILE...: "heap pbuf_pool other_pools" in bytes, from the symbol sizes
ram() {
  local nm=$1 heap=0 pool=0 other=0 size name
  shift
  while read -r _ size _ name; do
    case $name in
    ram_heap) heap=$((heap + 16#$size)) ;;
    memp_memory_PBUF_POOL_base) pool=$((pool + 16#$size)) ;;
    memp_memory_*_base) other=$((other + 16#$size)) ;;
    esac
  done < <("$nm" -S "$@" 2>/dev/null)
  echo "$heap $pool $other"
}

row() { # row LABEL heap pool other
  local total=$(($2 + $3 + $4))
  printf '| %s | %d B | %d B | %d B | **%d B (%.1f KB)** |\n' "$1" "$2" "$3" "$4" "$total" \
    "$(awk -v t="$total" 'BEGIN { print t / 1024 }')"
}

board_objs() { # board_objs CC ARCH_INCLUDE SUFFIX CFLAGS...
  local cc=$1 arch=$2 sfx=$3
  shift 3
  for f in mem memp; do
    "$cc" "$@" -std=c11 -w -D_DEFAULT_SOURCE -I"$root/port/lwip" -I"$arch" -I"$lwip/include" \
      -c "$lwip/core/$f.c" -o "$work/$f-$sfx.o"
  done
  echo "$work/mem-$sfx.o $work/memp-$sfx.o"
}

{
  p_best=$(get posix_ms_best)
  echo "### lwIP port: $((BYTES / 1024)) KB over TLS, one GET per connection (handshake included)"
  echo
  echo "$(get tls) $(awk '$1 == "tls" { print $3 }' <<<"$out"), in-process mbedTLS server," \
    "127.0.0.1, best and median of $ROUNDS."
  echo
  echo "| path | best | median | MB/s (best) | time vs POSIX |"
  echo "|---|---|---|---|---|"
  for p in lwip posix; do
    best=$(get ${p}_ms_best) med=$(get ${p}_ms_median)
    label="lwIP 2.2.1 loopback, port/lwip"
    [ $p = posix ] && label="OS loopback, port/posix"
    awk -v l="$label" -v b="$best" -v m="$med" -v n="$BYTES" -v ref="$p_best" 'BEGIN {
      printf "| %s | %.1f ms | %.1f ms | %.1f | %.2fx |\n", l, b, m, n / 1048576 / (b / 1000), b / ref }'
  done
  echo
  echo "### lwIP RAM (heap + pools, as laid out from lwIP's declarations)"
  echo
  echo "| lwipopts | heap (MEM_SIZE) | PBUF_POOL | other pools | total |"
  echo "|---|---|---|---|---|"
  if command -v arm-none-eabi-gcc >/dev/null; then
    objs=$(board_objs arm-none-eabi-gcc "$root/tests/lwip/cm4" cm4 -mcpu=cortex-m4 -mthumb -Os)
    # shellcheck disable=SC2046,SC2086
    row "board, Cortex-M4 (arm-none-eabi-gcc -Os)" $(ram arm-none-eabi-nm $objs)
  fi
  objs=$(board_objs cc "$DEPS/lwip/contrib/ports/unix/port/include" host -O2)
  # shellcheck disable=SC2046,SC2086
  row "board, x86-64" $(ram nm $objs)
  # shellcheck disable=SC2046
  row "test (loopback, both ends in one stack), x86-64" $(ram nm "$bin")
  if command -v arm-none-eabi-gcc >/dev/null; then
    mkdir -p "$work/cm4-all"
    for f in "$lwip"/core/*.c "$lwip"/core/ipv4/*.c "$lwip"/api/*.c "$lwip"/netif/ethernet.c; do
      arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=c11 -w -I"$root/port/lwip" \
        -I"$root/tests/lwip/cm4" -I"$lwip/include" -c "$f" -o "$work/cm4-all/$(basename "$f" .c).o"
    done
    all=$(arm-none-eabi-size -t "$work"/cm4-all/*.o | awk 'END { print $2 + $3 }')
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=c11 -Wall -Wextra -Werror \
      -ffunction-sections -I"$root/src" -I"$root/port" -I"$root/port/lwip" \
      -I"$DEPS/mbedtls/include" -DMBEDTLS_CONFIG_FILE='"dfd_mbedtls_config.h"' \
      -DDFD_MBEDTLS_BARE_METAL -isystem "$root/tests/lwip/cm4" -isystem "$lwip/include" \
      -c "$root/port/lwip/lwip_port.c" -o "$work/lwip_port-cm4.o"
    read -r ptext pdata pbss _ < <(arm-none-eabi-size "$work/lwip_port-cm4.o" | tail -1)
    echo
    echo "All of lwIP's static RAM with the board lwipopts on Cortex-M4 (core, IPv4, DHCP, DNS,"
    echo "sockets, Ethernet; .data + .bss): $all B ($(awk -v t="$all" 'BEGIN { printf "%.1f", t / 1024 }') KB)."
    echo "The port itself (port/lwip/lwip_port.c, Cortex-M4 -Os): $ptext B of code, $((pdata + pbss)) B of RAM."
  fi
  echo
  echo "### High-water marks of the lwIP run above (test lwipopts)"
  echo
  echo "Both ends of every connection are in this one stack, and loopback keeps a heap copy"
  echo "of every segment in flight, so these are upper bounds for the client alone."
  echo
  echo "| pool | elements x size | max used | failed allocations |"
  echo "|---|---|---|---|"
  echo "| heap | $(get lwip_mem_size) B | $(get lwip_mem_max) B | $(get lwip_mem_err) |"
  awk '$1 == "lwip_pool" { printf "| %s | %d x %d B | %d | %d |\n", $2, $3, $4, $5, $6 }' \
    <<<"$out"
  echo
  echo "TLS pool (client and server together): peak $(get tls_pool_peak) of" \
    "$(get tls_pool_size) B. sys_arch static blocks at peak: $(get sys_blocks_small_peak)" \
    "small, $(get sys_blocks_large_peak) large (mailboxes)."
} | tee "$BUILD/bench/lwip.md"

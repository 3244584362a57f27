#!/usr/bin/env bash
# Installs the build and test requirements on Debian 12 (bookworm) or later, and adds the
# trixie source entry that the pinned mbedTLS and lwIP source packages come from.
set -euo pipefail

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

src=/etc/apt/sources.list.d/dfdiff-src.sources
if ! [ -f "$src" ]; then
  $SUDO tee "$src" >/dev/null <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi

# Packages whose install would start a service (nginx) must not start one: the tests
# run their own servers on 127.0.0.1 only.
blocker=/usr/sbin/policy-rc.d
added_blocker=
if ! [ -e "$blocker" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$blocker" >/dev/null
  $SUDO chmod +x "$blocker"
  added_blocker=1
fi
trap '[ -n "$added_blocker" ] && $SUDO rm -f "$blocker"' EXIT

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential dpkg-dev git ca-certificates openssl python3 \
  nginx-light curl jq libcjson-dev valgrind time gdb clang-format clang-tidy cppcheck tinyproxy \
  clang libclang-rt-dev gcovr \
  gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross libc6-dev-armhf-cross qemu-user \
  gcc-arm-none-eabi libnewlib-arm-none-eabi gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf >/dev/null

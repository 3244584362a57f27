#!/usr/bin/env bash
# Fetches the pinned third-party sources into deps/ (git-ignored).
# First choice: Debian's source packages (apt verifies signatures and checksums).
# Fallback, for machines without apt: upstream git tags, checked against pinned commits.
# A no-op when the pinned versions are already present.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps=${DFD_DEPS_DIR:-$top/deps}

MBEDTLS_VERSION=3.6.6
MBEDTLS_DEB=3.6.6-0.1~deb13u1
MBEDTLS_COMMIT=0bebf8b8c7f07abe3571ded48a11aa907a1ffb20
LWIP_VERSION=2.2.1
LWIP_DEB=2.2.1+dfsg1-1+deb13u1
LWIP_COMMIT=77dcd25a72509eb83f72b033d219b1d40cd8eb95
JSMN_VERSION=1.1.0
JSMN_DEB=1.1.0-2
JSMN_COMMIT=fdcef3ebf886fa210d14956d3c068a653e76a24e
QRCODEGEN_VERSION=1.8.0
QRCODEGEN_DEB=1.8.0-1.2
QRCODEGEN_ORIG_SHA256=2ec0a4d33d6f521c942eeaf473d42d5fe139abcfa57d2beffe10c5cf7d34ae60
QRCODEGEN_COMMIT=720f62bddb7226106071d4728c292cb1df519ceb

mkdir -p "$deps"
cd "$deps"

have() { [ -f "$1/.dfd-version" ] && [ "$(cat "$1/.dfd-version")" = "$2" ]; }
mark() { echo "$2" >"$1/.dfd-version"; echo "deps: $1 $2 ($3)"; }

have_apt_source() {
  command -v apt-get >/dev/null && command -v dpkg-source >/dev/null &&
    apt-cache showsrc "$1" 2>/dev/null | grep -qx "Version: $2"
}

fetch_deb_source() { # name debversion dir
  local name=$1 ver=$2 dir=$3 tmp
  tmp=$(mktemp -d "$deps/.apt.XXXXXX")
  (cd "$tmp" && apt-get source -qq --download-only "$name=$ver" >/dev/null 2>&1 &&
    dpkg-source -q -x ./*.dsc src >/dev/null 2>&1) || { rm -rf "$tmp"; return 1; }
  rm -rf "$dir" && mv "$tmp/src" "$dir" && rm -rf "$tmp"
}

fetch_git() { # url tag commit dir
  local url=$1 tag=$2 commit=$3 dir=$4
  rm -rf "$dir"
  git clone -q --depth 1 --branch "$tag" --recurse-submodules --shallow-submodules "$url" "$dir"
  local got
  got=$(git -C "$dir" rev-parse HEAD)
  if [ "$got" != "$commit" ]; then
    echo "deps: $url $tag is $got, expected $commit" >&2
    rm -rf "$dir"
    return 1
  fi
}

if ! have mbedtls "$MBEDTLS_VERSION"; then
  if have_apt_source mbedtls "$MBEDTLS_DEB" && fetch_deb_source mbedtls "$MBEDTLS_DEB" mbedtls; then
    mark mbedtls "$MBEDTLS_VERSION" "Debian source package $MBEDTLS_DEB"
  else
    fetch_git https://github.com/Mbed-TLS/mbedtls.git "v$MBEDTLS_VERSION" "$MBEDTLS_COMMIT" mbedtls
    mark mbedtls "$MBEDTLS_VERSION" "git v$MBEDTLS_VERSION $MBEDTLS_COMMIT"
  fi
fi

if ! have lwip "$LWIP_VERSION"; then
  if have_apt_source lwip "$LWIP_DEB" && fetch_deb_source lwip "$LWIP_DEB" lwip; then
    mark lwip "$LWIP_VERSION" "Debian source package $LWIP_DEB"
  else
    fetch_git https://github.com/lwip-tcpip/lwip.git STABLE-2_2_1_RELEASE "$LWIP_COMMIT" lwip
    mark lwip "$LWIP_VERSION" "git STABLE-2_2_1_RELEASE $LWIP_COMMIT"
  fi
fi

if ! have jsmn "$JSMN_VERSION"; then
  tmp=$(mktemp -d "$deps/.apt.XXXXXX")
  if command -v apt-get >/dev/null &&
    (cd "$tmp" && apt-get download -qq "libjsmn-dev=$JSMN_DEB" >/dev/null 2>&1 &&
      dpkg-deb -x ./libjsmn-dev_*.deb x); then
    rm -rf jsmn && mkdir jsmn && cp "$tmp/x/usr/include/jsmn.h" jsmn/ && rm -rf "$tmp"
    mark jsmn "$JSMN_VERSION" "Debian package libjsmn-dev $JSMN_DEB"
  else
    rm -rf "$tmp"
    fetch_git https://github.com/zserge/jsmn.git "v$JSMN_VERSION" "$JSMN_COMMIT" jsmn
    mark jsmn "$JSMN_VERSION" "git v$JSMN_VERSION $JSMN_COMMIT"
  fi
fi

# qrcodegen (the display's QR code): the C library from Debian's source package
# qr-code-generator. Only its upstream tarball is needed; it is checked against a pinned
# SHA-256 as well as by apt.
if ! have qrcodegen "$QRCODEGEN_VERSION"; then
  tmp=$(mktemp -d "$deps/.apt.XXXXXX")
  orig=qr-code-generator_$QRCODEGEN_VERSION.orig.tar.gz
  if command -v apt-get >/dev/null &&
    (cd "$tmp" && apt-get source -qq --download-only "qr-code-generator=$QRCODEGEN_DEB" >/dev/null 2>&1
    [ -f "$orig" ] && echo "$QRCODEGEN_ORIG_SHA256  $orig" | sha256sum -c --quiet - &&
      tar xzf "$orig"); then
    rm -rf qrcodegen && mv "$tmp"/QR-Code-generator-"$QRCODEGEN_VERSION" qrcodegen && rm -rf "$tmp"
    mark qrcodegen "$QRCODEGEN_VERSION" "Debian source package qr-code-generator $QRCODEGEN_DEB"
  else
    rm -rf "$tmp"
    fetch_git https://github.com/nayuki/QR-Code-generator.git "v$QRCODEGEN_VERSION" \
      "$QRCODEGEN_COMMIT" qrcodegen
    mark qrcodegen "$QRCODEGEN_VERSION" "git v$QRCODEGEN_VERSION $QRCODEGEN_COMMIT"
  fi
fi

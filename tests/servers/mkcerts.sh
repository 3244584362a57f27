#!/usr/bin/env bash
# mkcerts.sh OUTDIR - writes a fresh throw-away PKI for the TLS tests into OUTDIR.
#
#   ca.pem ca.key             root CA, ECDSA P-256
#   other-ca.pem other-ca.key an unrelated root CA (wrong-CA tests), ECDSA P-256
#   int.pem int.key           intermediate CA, RSA-2048, signed by the root
#   ecdsa.pem/.key            localhost, P-256, signed directly by the root
#   rsa.pem/.key              localhost, RSA-2048, signed by the intermediate
#   rsa-chain.pem             rsa.pem + int.pem (what a server must send)
#   expired.pem/.key          localhost, root-signed, validity entirely in the past
#   future.pem/.key           localhost, root-signed, not valid yet
#   wronghost.pem/.key        root-signed, SAN DNS:wrong.example only
#   otherca-leaf.pem/.key     localhost, signed by other-ca
#
# "localhost" leaves carry SAN DNS:localhost, IP:127.0.0.1, IP:::1. Every leaf but rsa
# is ECDSA P-256. Needs bash, GNU date and the openssl CLI (3.0 works: dates are set
# with `openssl ca -startdate/-enddate`). Quiet on success; on failure it prints the
# failing step with openssl's output and exits 1. Each run replaces every file.
set -euo pipefail

die() { echo "mkcerts.sh: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: mkcerts.sh OUTDIR"
command -v openssl >/dev/null || die "openssl not found"

OUT=$1
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
W=$(mktemp -d "$OUT/.mkcerts.XXXXXX") || die "cannot create a work directory in $OUT"
trap 'rm -rf "$W"' EXIT

# run STEP CMD...: runs CMD with its output captured; shows it and fails on error.
run() {
  local step=$1
  shift
  if ! "$@" >"$W/log" 2>&1; then
    echo "mkcerts.sh: step failed: $step" >&2
    echo "  command: $*" >&2
    sed 's/^/  | /' "$W/log" >&2
    exit 1
  fi
}

# when OFFSET_DAYS -> a UTC time openssl ca accepts (YYYYMMDDHHMMSSZ)
when() { date -u -d "@$(($(date -u +%s) + $1 * 86400))" +%Y%m%d%H%M%SZ; }

cat >"$W/ca.cnf" <<EOF
[ ca ]
default_ca = mk_ca

[ mk_ca ]
database        = $W/index.txt
new_certs_dir   = $W/new
serial          = $W/serial
default_md      = sha256
policy          = mk_policy
unique_subject  = no
copy_extensions = none
email_in_dn     = no

[ mk_policy ]
commonName       = supplied
organizationName = optional

[ req ]
distinguished_name = mk_dn
prompt             = no
[ mk_dn ]
CN = unused

[ root_ext ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ int_ext ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ leaf_ec ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1

[ leaf_rsa ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1

[ leaf_wronghost ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
subjectAltName         = DNS:wrong.example
EOF
: >"$W/index.txt"
echo 01 >"$W/serial"
mkdir "$W/new"

eckey() { run "key $1" openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -pkeyopt ec_param_enc:named_curve -out "$W/$1.key"; }
rsakey() { run "key $1" openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
  -out "$W/$1.key"; }

# sign NAME CN EXT ISSUER(self|name) START_DAYS END_DAYS
sign() {
  local name=$1 cn=$2 ext=$3 issuer=$4 start=$5 end=$6
  run "csr $name" openssl req -new -config "$W/ca.cnf" -key "$W/$name.key" \
    -subj "/O=dfdiff tests/CN=$cn" -out "$W/$name.csr"
  local by=(-cert "$W/$issuer.pem" -keyfile "$W/$issuer.key")
  [ "$issuer" = self ] && by=(-selfsign -keyfile "$W/$name.key")
  run "sign $name" openssl ca -batch -notext -preserveDN -config "$W/ca.cnf" -rand_serial \
    -extensions "$ext" "${by[@]}" -startdate "$(when "$start")" -enddate "$(when "$end")" \
    -in "$W/$name.csr" -out "$W/$name.pem"
}

eckey ca
sign ca "dfdiff test root CA" root_ext self -400 3650
eckey other-ca
sign other-ca "dfdiff unrelated CA" root_ext self -400 3650
rsakey int
sign int "dfdiff test intermediate CA" int_ext ca -400 1825

eckey ecdsa
sign ecdsa localhost leaf_ec ca -1 825
rsakey rsa
sign rsa localhost leaf_rsa int -1 825
cat "$W/rsa.pem" "$W/int.pem" >"$W/rsa-chain.pem"
eckey expired
sign expired localhost leaf_ec ca -365 -30
eckey future
sign future localhost leaf_ec ca 30 395
eckey wronghost
sign wronghost wrong.example leaf_wronghost ca -1 825
eckey otherca-leaf
sign otherca-leaf localhost leaf_ec other-ca -1 825

# --- self-check: each file is what its name says -----------------------------------
# expect_verify WANT(ok|error-number) DESCRIPTION openssl-verify-args...
expect_verify() {
  local want=$1 what=$2
  shift 2
  local out got=ok
  out=$(cd "$W" && openssl verify "$@" 2>&1) || got=fail
  if [ "$want" = ok ]; then
    [ "$got" = ok ] || die "self-check failed: $what: $out"
  else
    { [ "$got" = fail ] && grep -q "error $want at" <<<"$out"; } ||
      die "self-check failed: $what: expected error $want, got: $out"
  fi
}
for n in ecdsa rsa expired future wronghost otherca-leaf int; do
  if ! a=$(openssl x509 -in "$W/$n.pem" -noout -pubkey) ||
    ! b=$(openssl pkey -in "$W/$n.key" -pubout); then
    die "self-check failed: cannot read $n"
  fi
  [ "$a" = "$b" ] || die "self-check failed: $n.key does not match $n.pem"
done
expect_verify ok "ecdsa by root" -CAfile ca.pem -verify_hostname localhost ecdsa.pem
expect_verify ok "ecdsa IPv4 SAN" -CAfile ca.pem -verify_ip 127.0.0.1 ecdsa.pem
expect_verify ok "ecdsa IPv6 SAN" -CAfile ca.pem -verify_ip ::1 ecdsa.pem
expect_verify ok "int by root" -CAfile ca.pem int.pem
expect_verify ok "rsa via intermediate" -CAfile ca.pem -untrusted int.pem \
  -verify_hostname localhost rsa.pem
expect_verify 20 "rsa without intermediate" -CAfile ca.pem rsa.pem
expect_verify 10 "expired" -CAfile ca.pem expired.pem
expect_verify 9 "future" -CAfile ca.pem future.pem
expect_verify ok "wronghost chain" -CAfile ca.pem wronghost.pem
expect_verify 62 "wronghost name" -CAfile ca.pem -verify_hostname localhost wronghost.pem
expect_verify ok "otherca-leaf by other-ca" -CAfile other-ca.pem otherca-leaf.pem
expect_verify 20 "otherca-leaf by root" -CAfile ca.pem otherca-leaf.pem
expect_verify 20 "ecdsa by other-ca" -CAfile other-ca.pem ecdsa.pem

for f in ca other-ca int ecdsa rsa expired future wronghost otherca-leaf; do
  chmod 644 "$W/$f.pem" "$W/$f.key"
  mv -f "$W/$f.pem" "$W/$f.key" "$OUT/"
done
chmod 644 "$W/rsa-chain.pem"
mv -f "$W/rsa-chain.pem" "$OUT/"

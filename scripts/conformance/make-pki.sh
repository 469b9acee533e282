#!/usr/bin/env bash
# Makes the conformance matrix's private PKI with openssl into OUT (first argument):
#   three roots: "ku" (basicConstraints + keyUsage + SKID, RFC 5280-conformant), "noku" (no keyUsage: Python 3.13's
#   strict flags reject it), "noski" (no subjectKeyIdentifier, so its intermediate has no authorityKeyIdentifier);
#   for each: an intermediate, a leaf for localhost / 127.0.0.1, and the served chain chain-<kind>.pem
#   (leaf + intermediate) with its key leaf-<kind>.key;
#   trust material the scenarios point at: ca-<kind>.pem (the root alone), bundle-ku.pem (this host's OS bundle plus
#   the root), bundle-rewritten.pem (the same bundle rewritten without the root), intermediate-ku.pem (the
#   intermediate alone), hashdir/ (the root with its <subject-hash>.0 link, as `openssl rehash` makes it),
#   plaindir/ (the root as a .pem, no hash link), os-certs/ (a copy of /etc/ssl/certs with the root added the way
#   update-ca-certificates adds it: a link, its hash link and the root appended to ca-certificates.crt).
set -euo pipefail
export LC_ALL=C TZ=UTC
out="${1:?usage: make-pki.sh OUT}"
mkdir -p "$out"
cd "$out"
days=3650

cnf() { # extension lines → an openssl config with a [v3] section (and what `req` needs)
  printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'
  printf '%s\n' "$@"
}

# --- roots
for kind in ku noku noski; do
  case "$kind" in
    ku) body=$'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always' ;;
    noku) body=$'basicConstraints=critical,CA:TRUE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always' ;;
    noski) body=$'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=none' ;;
  esac
  cnf "$body" >"root-$kind.cnf"
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "root-$kind.key" -out "root-$kind.pem" -days "$days" \
    -subj "/O=trustgate conformance/CN=Conformance Root $kind" -config "root-$kind.cnf" -extensions v3 2>/dev/null
  cp "root-$kind.pem" "ca-$kind.pem"

  # --- intermediate
  if [[ "$kind" == noski ]]; then akid='authorityKeyIdentifier=none'; else akid='authorityKeyIdentifier=keyid:always'; fi
  openssl req -new -newkey rsa:2048 -nodes -keyout "int-$kind.key" -out "int-$kind.csr" \
    -subj "/O=trustgate conformance/CN=Conformance Intermediate $kind" -config <(cnf) 2>/dev/null
  openssl x509 -req -in "int-$kind.csr" -CA "root-$kind.pem" -CAkey "root-$kind.key" -set_serial "0x1$RANDOM" \
    -days "$days" -out "int-$kind.pem" -extensions v3 -extfile <(printf '[v3]\n%s\n' \
    "basicConstraints=critical,CA:TRUE,pathlen:0" "keyUsage=critical,keyCertSign,cRLSign" \
    "subjectKeyIdentifier=hash" "$akid") 2>/dev/null

  # --- leaf
  openssl req -new -newkey rsa:2048 -nodes -keyout "leaf-$kind.key" -out "leaf-$kind.csr" \
    -subj "/O=trustgate conformance/CN=localhost" -config <(cnf) 2>/dev/null
  openssl x509 -req -in "leaf-$kind.csr" -CA "int-$kind.pem" -CAkey "int-$kind.key" -set_serial "0x2$RANDOM" \
    -days 800 -out "leaf-$kind.pem" -extensions v3 -extfile <(printf '[v3]\n%s\n' \
    "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always") 2>/dev/null
  cat "leaf-$kind.pem" "int-$kind.pem" >"chain-$kind.pem"
  rm -f ./*.csr ./*.cnf ./*.srl
  # Sanity: the chain verifies against its root with OpenSSL's default (non-strict) flags.
  openssl verify -CAfile "root-$kind.pem" -untrusted "int-$kind.pem" "leaf-$kind.pem" >/dev/null
done

cp int-ku.pem intermediate-ku.pem

os_bundle=/etc/ssl/certs/ca-certificates.crt
[[ -f "$os_bundle" ]] || { echo "make-pki: $os_bundle missing (install ca-certificates)" >&2; exit 1; }
cp "$os_bundle" bundle-rewritten.pem
cat "$os_bundle" root-ku.pem >bundle-ku.pem

hash="$(openssl x509 -in root-ku.pem -noout -subject_hash)"
rm -rf hashdir plaindir os-certs
mkdir hashdir plaindir
cp root-ku.pem hashdir/conformance-root.pem
ln -s conformance-root.pem "hashdir/$hash.0"
cp root-ku.pem plaindir/conformance-root.pem

# The OS store with the root installed as update-ca-certificates would: /usr/local/share/ca-certificates/x.crt
# linked from /etc/ssl/certs as x.pem, its hash link, and the bundle rewritten with it appended.
cp -a /etc/ssl/certs os-certs
chmod -R u+w os-certs
cp root-ku.pem os-certs/trustgate-conformance-root.pem
n=0
while [[ -e "os-certs/$hash.$n" ]]; do n=$((n + 1)); done
ln -s trustgate-conformance-root.pem "os-certs/$hash.$n"
cat "$os_bundle" root-ku.pem >os-certs/ca-certificates.crt
echo "make-pki: PKI in $out"

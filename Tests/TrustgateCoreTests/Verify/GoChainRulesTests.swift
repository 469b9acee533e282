import Foundation
import XCTest

@testable import TrustgateCore

/// Go's own chain rules against OpenSSL's, cell by cell with the real `go` (`go mod download` through a GOPROXY on
/// `openssl s_server`) and the real curl. Go's `CheckSignatureFrom` lets no version 3 issuer without basicConstraints
/// cA sign, nor one whose keyUsage lacks keyCertSign, and asks it of the root too; it never reads a leaf's keyUsage.
/// trustgate judged go by OpenSSL's `ssl_server` purpose: it said go verifies under a root without basicConstraints
/// (a false ok) and fails a leaf whose keyUsage is keyCertSign alone (a false FAIL).
final class GoChainRulesTests: XCTestCase {
  var scratch: TemporaryDirectory!
  var servers: LocalServers!
  var go = ""

  override func setUpWithError() throws {
    go = try XCTUnwrap(Shell.which("go"), "go is needed (Debian: golang-go; scripts/install-deps.sh --test)")
    scratch = try TemporaryDirectory()
    let script = #"""
      set -eu
      cd "$1"
      cat > x.cnf <<'EOF'
      [root]
      basicConstraints = critical,CA:TRUE
      keyUsage = critical,keyCertSign,cRLSign
      subjectKeyIdentifier = hash
      [root_no_constraints]
      subjectKeyIdentifier = hash
      [root_cert_sign_no_constraints]
      keyUsage = critical,keyCertSign,cRLSign
      subjectKeyIdentifier = hash
      [root_no_cert_sign]
      basicConstraints = critical,CA:TRUE
      keyUsage = critical,digitalSignature
      subjectKeyIdentifier = hash
      [inter_no_constraints]
      keyUsage = critical,keyCertSign,cRLSign
      subjectKeyIdentifier = hash
      authorityKeyIdentifier = keyid:always
      [inter_client_only]
      basicConstraints = critical,CA:TRUE
      keyUsage = critical,keyCertSign,cRLSign
      extendedKeyUsage = clientAuth
      subjectKeyIdentifier = hash
      authorityKeyIdentifier = keyid:always
      [leaf]
      basicConstraints = critical,CA:FALSE
      keyUsage = critical,digitalSignature
      extendedKeyUsage = serverAuth
      subjectAltName = DNS:localhost
      [leaf_cert_sign_only]
      basicConstraints = critical,CA:FALSE
      keyUsage = critical,keyCertSign
      extendedKeyUsage = serverAuth
      subjectAltName = DNS:localhost
      EOF
      key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
      # root NAME SECTION
      root() {
        key "$1"
        openssl req -new -x509 -key "$1.key" -subj "/CN=$1" -days 300 -config x.cnf -extensions "$2" -out "$1.pem"
      }
      # issue NAME SECTION ISSUER SUBJECT
      issue() {
        key "$1"
        openssl req -new -key "$1.key" -subj "/CN=$4" -out "$1.csr"
        openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 200 -extfile x.cnf \
          -extensions "$2" -out "$1.pem" 2>/dev/null
      }
      root good root
      root noconstraints root_no_constraints
      root nocertsign root_no_cert_sign
      root certsignnoconstraints root_cert_sign_no_constraints
      issue leaf-noconstraints leaf noconstraints localhost
      issue leaf-nocertsign leaf nocertsign localhost
      issue leaf-certsignnoconstraints leaf certsignnoconstraints localhost
      issue leaf-certsignonly leaf_cert_sign_only good localhost
      issue inter-noconstraints inter_no_constraints good inter
      issue leaf-under-noconstraints leaf inter-noconstraints localhost
      issue inter-clientonly inter_client_only good inter
      issue leaf-under-clientonly leaf inter-clientonly localhost
      for leaf in leaf-noconstraints leaf-nocertsign leaf-certsignonly leaf-certsignnoconstraints; do
        cp "$leaf.pem" "$leaf-chain.pem"
      done
      cat leaf-under-noconstraints.pem inter-noconstraints.pem > leaf-under-noconstraints-chain.pem
      cat leaf-under-clientonly.pem inter-clientonly.pem > leaf-under-clientonly-chain.pem
      """#
    let made = try Shell.run(["/bin/bash", "-c", script, "sh", scratch.path])
    XCTAssertEqual(made.status, 0, made.output)
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    try scratch.write("module/go.mod", "module probe\n\ngo 1.19\n")
    servers = LocalServers()
  }

  override func tearDown() {
    servers?.stopAll()
  }

  func testGoIsJudgedByItsOwnChainRules() throws {
    let curl = try XCTUnwrap(Shell.which("curl"))
    // (leaf, its intermediate, root, what go does, what curl does): each is checked against the real client first.
    let cells: [(leaf: String, inter: String?, root: String, go: String, curl: Bool)] = [
      // A version 3 root with keyCertSign and no basicConstraints: OpenSSL 3 takes it as a CA (X509_check_ca's
      // "tolerated" keyUsage case, not strict for the root), Go lets no v3 certificate without cA sign.
      ("leaf-certsignnoconstraints", nil, "certsignnoconstraints", "refused", true),
      // Where OpenSSL refuses as well: a root with neither, a root whose keyUsage lacks keyCertSign, an intermediate
      // without basicConstraints (strict for intermediates since OpenSSL 3).
      ("leaf-noconstraints", nil, "noconstraints", "refused", false),
      ("leaf-nocertsign", nil, "nocertsign", "refused", false),
      ("leaf-under-noconstraints", "inter-noconstraints", "good", "refused", false),
      // A leaf whose keyUsage is keyCertSign alone: OpenSSL's ssl_server purpose refuses it, Go never reads it.
      ("leaf-certsignonly", nil, "good", "accepted", false),
      // An intermediate for clientAuth only: both refuse (Go by its extended key usage walk).
      ("leaf-under-clientonly", "inter-clientonly", "good", "incompatible", false),
    ]
    for cell in cells {
      let port = try LocalServers.freePort()
      try servers.sServer(
        address: "127.0.0.1", port: port, certificate: scratch.path + "/\(cell.leaf).pem",
        key: scratch.path + "/\(cell.leaf).key", chain: cell.inter.map { scratch.path + "/\($0).pem" }, www: true)
      let root = scratch.path + "/\(cell.root).pem"
      var real = try GoVerificationTests.realGo(go, in: scratch.path, port: port, ["SSL_CERT_FILE": root])
      if real.contains("incompatible key usage") { real = "incompatible" }
      XCTAssertEqual(real, cell.go, "\(cell.leaf): the real go")
      let realCurl = try Shell.run(
        [curl, "-sS", "-o", "/dev/null", "--cacert", root, "https://localhost:\(port)/"],
        environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path])
      XCTAssertEqual(realCurl.status == 0, cell.curl, "\(cell.leaf): the real curl: \(realCurl.output)")
      let run = try CLI.run(
        ["verify", "--chain", scratch.path + "/\(cell.leaf)-chain.pem", "--host", "localhost", "--repo",
         scratch.path + "/repo", "--format", "json"],
        in: scratch.path + "/repo",
        environment: ["SSL_CERT_FILE": root, "CURL_CA_BUNDLE": root, "GOPROXY": "https://localhost:\(port)"])
      let items = try XCTUnwrap(
        JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      let ours = try XCTUnwrap(items.first { $0["client"] as? String == "go" }, run.stdout)
      XCTAssertEqual(ours["verifies"] as? Bool, cell.go == "accepted", "\(cell.leaf): \(ours)")
      if cell.go == "refused" && cell.curl {
        XCTAssertEqual(
          ours["error"] as? String, "parent certificate cannot sign this kind of certificate", "\(cell.leaf): \(ours)")
      }
      let curlVerdict = try XCTUnwrap(items.first { $0["client"] as? String == "curl" }, run.stdout)
      XCTAssertEqual(curlVerdict["verifies"] as? Bool, cell.curl, "\(cell.leaf): \(curlVerdict)")
    }
  }
}

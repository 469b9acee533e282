import Foundation
import XCTest

@testable import TrustgateCore

/// Each client's own chain rules against OpenSSL's, cell by cell on `openssl s_server` with the real go (`go mod
/// download` through a GOPROXY), java (the default SSL context), git (Debian's, on libcurl-gnutls), uv and curl
/// (OpenSSL, the reference). trustgate judged all of them by OpenSSL's `ssl_server` purpose:
/// - Go's `CheckSignatureFrom` lets no version 3 issuer without basicConstraints cA sign, the root too, and Go never
///   reads a leaf's keyUsage: go was said to verify under such a root (false ok) and to fail a leaf whose keyUsage is
///   keyCertSign alone (false FAIL).
/// - Java wants its trust anchor to be a CA ("TrustAnchor … is not a CA certificate"), applies no nameConstraints of
///   the anchor, and reads extended key usage on the leaf alone.
/// - GnuTLS reads no extended key usage, and takes a self-issued root without basicConstraints as a CA.
final class ChainRulesTests: XCTestCase {
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
      [root_name_constrained]
      basicConstraints = critical,CA:TRUE
      keyUsage = critical,keyCertSign,cRLSign
      nameConstraints = critical,permitted;DNS:example.com
      subjectKeyIdentifier = hash
      [root_critical]
      basicConstraints = critical,CA:TRUE
      keyUsage = critical,keyCertSign,cRLSign
      subjectKeyIdentifier = hash
      1.2.3.4.5.6.7 = critical,ASN1:NULL
      [root_path_length_zero]
      basicConstraints = critical,CA:TRUE,pathlen:0
      keyUsage = critical,keyCertSign,cRLSign
      subjectKeyIdentifier = hash
      [inter]
      basicConstraints = critical,CA:TRUE
      keyUsage = critical,keyCertSign,cRLSign
      subjectKeyIdentifier = hash
      authorityKeyIdentifier = keyid:always
      [inter_sgc]
      basicConstraints = critical,CA:TRUE
      keyUsage = critical,keyCertSign,cRLSign
      extendedKeyUsage = nsSGC
      subjectKeyIdentifier = hash
      authorityKeyIdentifier = keyid:always
      [leaf_sgc]
      basicConstraints = critical,CA:FALSE
      keyUsage = critical,digitalSignature
      extendedKeyUsage = msSGC
      subjectAltName = DNS:localhost
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
      [leaf_client_only]
      basicConstraints = critical,CA:FALSE
      keyUsage = critical,digitalSignature
      extendedKeyUsage = clientAuth
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
      root constrained root_name_constrained
      root critical root_critical
      root pathzero root_path_length_zero
      # A root whose dates are over (2020), made with `openssl ca -selfsign`, the one way OpenSSL 3.0 sets them.
      mkdir -p db && : > db/index.txt && echo 01 > db/serial
      printf '[ca]\ndefault_ca = c\n[c]\ndatabase = db/index.txt\nserial = db/serial\nnew_certs_dir = db\n' > ca.cnf
      printf 'default_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n' >> ca.cnf
      key expired
      openssl req -new -key expired.key -subj "/CN=expired" -out expired.csr
      openssl ca -batch -config ca.cnf -selfsign -keyfile expired.key -in expired.csr -startdate 20200101000000Z \
        -enddate 20210101000000Z -extfile x.cnf -extensions root -out expired.pem 2>/dev/null
      issue leaf-noconstraints leaf noconstraints localhost
      issue leaf-nocertsign leaf nocertsign localhost
      issue leaf-certsignnoconstraints leaf certsignnoconstraints localhost
      issue leaf-certsignonly leaf_cert_sign_only good localhost
      issue leaf-clientonly leaf_client_only good localhost
      issue leaf-constrained leaf constrained localhost
      issue leaf-critical leaf critical localhost
      issue leaf-expired leaf expired localhost
      issue inter-pathzero inter pathzero inter
      issue leaf-under-pathzero leaf inter-pathzero localhost
      issue inter-sgc inter_sgc good inter
      issue leaf-under-sgc leaf inter-sgc localhost
      issue leaf-sgc leaf_sgc good localhost
      issue inter-noconstraints inter_no_constraints good inter
      issue leaf-under-noconstraints leaf inter-noconstraints localhost
      issue inter-clientonly inter_client_only good inter
      issue leaf-under-clientonly leaf inter-clientonly localhost
      for leaf in leaf-noconstraints leaf-nocertsign leaf-certsignonly leaf-certsignnoconstraints leaf-clientonly \
        leaf-constrained leaf-critical leaf-expired leaf-sgc; do
        cp "$leaf.pem" "$leaf-chain.pem"
      done
      cat leaf-under-noconstraints.pem inter-noconstraints.pem > leaf-under-noconstraints-chain.pem
      cat leaf-under-clientonly.pem inter-clientonly.pem > leaf-under-clientonly-chain.pem
      cat leaf-under-pathzero.pem inter-pathzero.pem > leaf-under-pathzero-chain.pem
      cat leaf-under-sgc.pem inter-sgc.pem > leaf-under-sgc-chain.pem
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

  /// A certificate shape: what it shows, the leaf, its intermediate, the root, and what each real client does (each
  /// checked against the client before trustgate's verdict is compared with it).
  struct Cell {
    var name: String
    var leaf: String
    var inter: String?
    var root: String
    var curl: Bool
    var go: Bool
    var java: Bool
    var git: Bool
    var uv: Bool
  }

  static let cells: [Cell] = [
    // OpenSSL 3 takes a v3 root with keyCertSign and no basicConstraints as a CA (X509_check_ca's tolerated
    // keyUsage, not strict for the root); Go and Java let no v3 certificate without cA sign; GnuTLS takes any
    // self-issued one; webpki reads nothing of an anchor but its subject, key and name constraints.
    Cell(
      name: "root: keyCertSign, no basicConstraints", leaf: "leaf-certsignnoconstraints", root: "certsignnoconstraints",
      curl: true, go: false, java: false, git: true, uv: true),
    Cell(
      name: "root: neither basicConstraints nor keyUsage", leaf: "leaf-noconstraints", root: "noconstraints",
      curl: false, go: false, java: false, git: true, uv: true),
    Cell(
      name: "root: keyUsage without keyCertSign", leaf: "leaf-nocertsign", root: "nocertsign",
      curl: false, go: false, java: false, git: false, uv: true),
    Cell(
      name: "intermediate: no basicConstraints", leaf: "leaf-under-noconstraints", inter: "inter-noconstraints",
      root: "good", curl: false, go: false, java: false, git: false, uv: false),
    // OpenSSL's ssl_server purpose, Java's end-entity check and GnuTLS's handshake refuse it; Go and webpki never
    // read it.
    Cell(
      name: "leaf: keyUsage keyCertSign alone", leaf: "leaf-certsignonly", root: "good",
      curl: false, go: true, java: false, git: false, uv: true),
    // OpenSSL, Go and webpki read every extended key usage below the anchor, Java the leaf's, GnuTLS none.
    Cell(
      name: "intermediate: clientAuth only", leaf: "leaf-under-clientonly", inter: "inter-clientonly", root: "good",
      curl: false, go: false, java: true, git: true, uv: false),
    Cell(
      name: "leaf: clientAuth only", leaf: "leaf-clientonly", root: "good",
      curl: false, go: false, java: false, git: true, uv: false),
    // Java builds its trust anchor without the root's nameConstraints.
    Cell(
      name: "root: nameConstraints permit example.com only", leaf: "leaf-constrained", root: "constrained",
      curl: false, go: false, java: true, git: false, uv: false),
    // Neither a PKIX TrustAnchor (Java) nor webpki reads an anchor's dates, path length or critical extensions.
    Cell(
      name: "root: expired", leaf: "leaf-expired", root: "expired", curl: false, go: false, java: true, git: false,
      uv: true),
    Cell(
      name: "root: an unknown critical extension", leaf: "leaf-critical", root: "critical",
      curl: false, go: false, java: true, git: false, uv: true),
    Cell(
      name: "root: pathlen 0 above an intermediate", leaf: "leaf-under-pathzero", inter: "inter-pathzero",
      root: "pathzero", curl: false, go: false, java: true, git: false, uv: true),
    // OpenSSL and Java take an SGC usage for serverAuth; Go 1.19 and webpki do not; GnuTLS reads none.
    Cell(
      name: "intermediate: nsSGC only", leaf: "leaf-under-sgc", inter: "inter-sgc", root: "good",
      curl: true, go: false, java: true, git: true, uv: false),
    Cell(
      name: "leaf: msSGC only", leaf: "leaf-sgc", root: "good", curl: true, go: false, java: true, git: true,
      uv: false),
  ]

  /// Serves each cell's leaf; `client` says what the real client does at that port; then trustgate's verdict for
  /// `name` with `environment(root)` must say the same, and curl's must be the real curl's.
  func compare(
    _ name: String, expected: KeyPath<Cell, Bool>,
    environment: (String) -> [String: String], client: (Int, String) throws -> Bool
  ) throws {
    let curl = try XCTUnwrap(Shell.which("curl"))
    for cell in Self.cells {
      let port = try LocalServers.freePort()
      try servers.sServer(
        address: "127.0.0.1", port: port, certificate: scratch.path + "/\(cell.leaf).pem",
        key: scratch.path + "/\(cell.leaf).key", chain: cell.inter.map { scratch.path + "/\($0).pem" }, www: true)
      let root = scratch.path + "/\(cell.root).pem"
      let expectation = cell[keyPath: expected]
      XCTAssertEqual(try client(port, root), expectation, "\(cell.name): the real \(name)")
      let realCurl = try Shell.run(
        [curl, "-sS", "-o", "/dev/null", "--cacert", root, "https://localhost:\(port)/"],
        environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path])
      XCTAssertEqual(realCurl.status == 0, cell.curl, "\(cell.name): the real curl: \(realCurl.output)")
      let run = try CLI.run(
        ["verify", "--chain", scratch.path + "/\(cell.leaf)-chain.pem", "--host", "localhost", "--repo",
         scratch.path + "/repo", "--format", "json"],
        in: scratch.path + "/repo",
        environment: environment(root).merging(["CURL_CA_BUNDLE": root, "GOPROXY": "https://localhost:\(port)"]) {
          $1
        })
      let items = try XCTUnwrap(
        JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      let ours = try XCTUnwrap(items.first { $0["client"] as? String == name }, run.stdout)
      XCTAssertEqual(ours["verifies"] as? Bool, expectation, "\(cell.name): \(ours)")
      let curlVerdict = try XCTUnwrap(items.first { $0["client"] as? String == "curl" }, run.stdout)
      XCTAssertEqual(curlVerdict["verifies"] as? Bool, cell.curl, "\(cell.name): \(curlVerdict)")
    }
  }

  func testGoIsJudgedByItsOwnChainRules() throws {
    try compare("go", expected: \.go, environment: { ["SSL_CERT_FILE": $0] }) { port, root in
      try GoVerificationTests.realGo(self.go, in: self.scratch.path, port: port, ["SSL_CERT_FILE": root]) == "accepted"
    }
  }

  /// The real JDK's `java` and its `bin` folder, with JavaVerificationTests' probe compiled into the scratch.
  func javaProbe() throws -> (java: String, bin: String) {
    let java = try XCTUnwrap(JavaVerificationTests.realJava, "a JDK is needed (Debian: openjdk-17-jdk-headless)")
    let bin = (java as NSString).deletingLastPathComponent
    try scratch.write("probe/Probe.java", JavaVerificationTests.probe)
    let javac = try Shell.run([bin + "/javac", "-d", scratch.path + "/probe", scratch.path + "/probe/Probe.java"])
    XCTAssertEqual(javac.status, 0, javac.output)
    return (java, bin)
  }

  func testJavaIsJudgedByItsOwnChainRules() throws {
    let (java, bin) = try javaProbe()
    // A JKS store per root, made by keytool (JKS: no password needed to read its certificates).
    for root in Set(Self.cells.map(\.root)) {
      let made = try Shell.run(
        [bin + "/keytool", "-importcert", "-noprompt", "-alias", "corporate", "-file", scratch.path + "/\(root).pem",
         "-keystore", scratch.path + "/\(root).jks", "-storetype", "JKS", "-storepass", "changeit"])
      XCTAssertEqual(made.status, 0, made.output)
    }
    func options(_ root: String) -> [String: String] {
      ["JAVA_TOOL_OPTIONS": "-Djavax.net.ssl.trustStore=" + root.replacingOccurrences(of: ".pem", with: ".jks")]
    }
    try compare("java", expected: \.java, environment: options) { port, root in
      let result = try Shell.run(
        [java, "-cp", self.scratch.path + "/probe", "Probe", "https://localhost:\(port)/"],
        environment: options(root).merging(["PATH": "/usr/bin:/bin", "HOME": self.scratch.path]) { $1 })
      return result.output.split(separator: "\n").contains("accepted")
    }
  }

  /// `com.sun.net.ssl.checkRevocation=true` in JAVA_TOOL_OPTIONS: with the JDK's defaults nothing is fetched, so
  /// every chain fails "Could not determine revocation status", also one whose leaf names a CRL; with
  /// `com.sun.security.enableCRLDP=true` that CRL is fetched and the leaf passes, while a leaf that names none still
  /// fails. trustgate said java verifies in each cell (a false ok in three).
  func testJavaThatChecksRevocationIsJudgedByTheStatusItCanFind() throws {
    let (java, bin) = try javaProbe()
    let keytool = try Shell.run(
      [bin + "/keytool", "-importcert", "-noprompt", "-alias", "corporate", "-file", scratch.path + "/good.pem",
       "-keystore", scratch.path + "/good.jks", "-storetype", "JKS", "-storepass", "changeit"])
    XCTAssertEqual(keytool.status, 0, keytool.output)
    // A leaf naming a CRL on a local HTTP server, and that CRL (empty, signed by the root with `openssl ca`).
    let crlPort = try LocalServers.freePort()
    let script = #"""
      set -eu
      cd "$1"
      printf '[leaf]\nsubjectAltName = DNS:localhost\nextendedKeyUsage = serverAuth\n' > crl.cnf
      printf 'keyUsage = critical,digitalSignature\ncrlDistributionPoints = URI:http://127.0.0.1:%s/good.crl\n' \
        "$2" >> crl.cnf
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf-crl.key 2>/dev/null
      openssl req -new -key leaf-crl.key -subj "/CN=localhost" -out leaf-crl.csr
      openssl x509 -req -in leaf-crl.csr -CA good.pem -CAkey good.key -CAcreateserial -days 200 -extfile crl.cnf \
        -extensions leaf -out leaf-crl.pem 2>/dev/null
      cp leaf-crl.pem leaf-crl-chain.pem
      mkdir -p ca crls && : > ca/index.txt && echo 01 > ca/crlnumber
      printf '[ca]\ndefault_ca = c\n[c]\ndatabase = ca/index.txt\ncrlnumber = ca/crlnumber\n' > ca.cnf
      printf 'default_md = sha256\ndefault_crl_days = 30\n' >> ca.cnf
      openssl ca -config ca.cnf -gencrl -keyfile good.key -cert good.pem -out crls/good.crl.pem 2>/dev/null
      openssl crl -in crls/good.crl.pem -outform DER -out crls/good.crl
      """#
    let made = try Shell.run(["/bin/bash", "-c", script, "sh", scratch.path, "\(crlPort)"])
    XCTAssertEqual(made.status, 0, made.output)
    let python = try XCTUnwrap(ClientVerificationTests.interpreter("3.11"))
    try servers.program(
      [python, "-m", "http.server", "\(crlPort)", "--bind", "127.0.0.1", "--directory", scratch.path + "/crls"],
      port: crlPort)
    let store = "-Djavax.net.ssl.trustStore=" + scratch.path + "/good.jks"
    let checks = " -Dcom.sun.net.ssl.checkRevocation=true"
    let fetches = " -Dcom.sun.security.enableCRLDP=true"
    let cells: [(name: String, leaf: String, options: String, java: Bool)] = [
      ("no revocation check", "leaf-crl", store, true),
      ("checkRevocation: nothing fetched", "leaf-crl", store + checks, false),
      ("checkRevocation and enableCRLDP: the leaf's CRL fetched", "leaf-crl", store + checks + fetches, true),
      ("checkRevocation and enableCRLDP: a leaf that names no CRL", "leaf-nocrl", store
        + checks + fetches, false),
      ("checkRevocation written TRUE", "leaf-crl", store + " -Dcom.sun.net.ssl.checkRevocation=TRUE", false),
    ]
    // A plain leaf under the same root, naming no CRL.
    let plain = try Shell.run(
      ["/bin/bash", "-c",
       "cd \"$1\" && openssl x509 -req -in leaf-crl.csr -CA good.pem -CAkey good.key -CAcreateserial -days 200 "
         + "-extfile x.cnf -extensions leaf -out leaf-nocrl.pem 2>/dev/null && "
         + "cp leaf-crl.key leaf-nocrl.key && "
         + "cp leaf-nocrl.pem leaf-nocrl-chain.pem",
       "sh", scratch.path])
    XCTAssertEqual(plain.status, 0, plain.output)
    for cell in cells {
      let port = try LocalServers.freePort()
      try servers.sServer(
        address: "127.0.0.1", port: port, certificate: scratch.path + "/\(cell.leaf).pem",
        key: scratch.path + "/\(cell.leaf).key", chain: nil, www: true)
      let environment = ["JAVA_TOOL_OPTIONS": cell.options]
      let real = try Shell.run(
        [java, "-cp", scratch.path + "/probe", "Probe", "https://localhost:\(port)/"],
        environment: environment.merging(["PATH": "/usr/bin:/bin", "HOME": scratch.path]) { $1 })
      XCTAssertEqual(real.output.split(separator: "\n").contains("accepted"), cell.java, "\(cell.name): \(real.output)")
      if !cell.java {
        XCTAssertTrue(real.output.contains("Could not determine revocation status"), "\(cell.name): \(real.output)")
      }
      let run = try CLI.run(
        ["verify", "--chain", scratch.path + "/\(cell.leaf)-chain.pem", "--host", "localhost", "--repo",
         scratch.path + "/repo", "--format", "json"],
        in: scratch.path + "/repo", environment: environment)
      let items = try XCTUnwrap(
        JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      let ours = try XCTUnwrap(items.first { $0["client"] as? String == "java" }, run.stdout)
      XCTAssertEqual(ours["verifies"] as? Bool, cell.java, "\(cell.name): \(ours)")
      if !cell.java {
        XCTAssertEqual(ours["error"] as? String, "Could not determine revocation status", "\(cell.name): \(ours)")
      }
    }
    // `inspect` says what the switch does, and where it was set.
    let inspect = try CLI.run(
      ["inspect", "--repo", scratch.path + "/repo", "--format", "json"], in: scratch.path + "/repo",
      environment: ["JAVA_TOOL_OPTIONS": store + checks])
    let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
    let trust = try XCTUnwrap(
      (object["effectiveTrust"] as? [[String: Any]])?.first { $0["client"] as? String == "java" }, inspect.stdout)
    let note = trust["note"] as? String ?? ""
    XCTAssertTrue(
      note.contains("com.sun.net.ssl.checkRevocation=true (JAVA_TOOL_OPTIONS): with nothing fetched"), "\(trust)")
  }

  func testUvIsJudgedByWebpkisChainRules() throws {
    let python = try XCTUnwrap(ClientVerificationTests.interpreter("3.11"), "Python 3.11 is needed (pyenv)")
    let uv =
      try RealVenvVerificationTests.venv("3.11", packages: ["uv==0.13.9"]) + "/lib/python3.11/site-packages/bin/uv"
    try scratch.write("repo/requirements.in", "nothing-here\n")
    try compare("uv", expected: \.uv, environment: {
      ["SSL_CERT_FILE": $0, "PATH": (uv as NSString).deletingLastPathComponent + ":/usr/bin:/bin"]
    }) { port, root in
      let real = try UvVerificationTests.realUv(
        uv, python: python, in: self.scratch.path, port: port, ["SSL_CERT_FILE": root])
      XCTAssertTrue(real == "accepted" || real == "refused", real)
      return real == "accepted"
    }
  }

  func testGitOnGnuTLSIsJudgedByItsOwnChainRules() throws {
    let library = TLSLibraries.read(HostFileSystem())["git"] ?? "OpenSSL"
    guard library == "GnuTLS" else { throw XCTSkip("this git's libcurl is \(library); the cells are GnuTLS's") }
    let git = try XCTUnwrap(Shell.which("git"))
    let home = scratch.path + "/git-home"
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    func variables(_ root: String) -> [String: String] {
      ["GIT_SSL_CAINFO": root, "HOME": home, "GIT_CONFIG_NOSYSTEM": "1"]
    }
    try compare("git", expected: \.git, environment: variables) { port, root in
      let result = try Shell.run(
        [git, "ls-remote", "https://localhost:\(port)/repo.git"],
        environment: variables(root).merging(["PATH": "/usr/bin:/bin", "GIT_TERMINAL_PROMPT": "0"]) { $1 })
      // Past the handshake, s_server's status page is no git repository.
      return result.output.contains("not valid: is this a git repository")
    }
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// A leaf with `CN=localhost` and no subjectAltName (what many internal servers still serve), cell by cell against
/// the real clients on `openssl s_server`: urllib3 2 (and requests on it) and Go no longer fall back to the common
/// name and refuse it; Python's own context (`ssl.create_default_context`, as httpx 0.28 builds) still accepts it.
/// trustgate said every client verifies: a false PASS for requests, urllib3 and go. (This venv holds httpx without
/// httpcore, so httpx itself is not run here.)
final class CommonNameVerificationTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!
  var port = 0

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    let script = """
      set -eu
      cd "$1"
      cat > cn.cnf <<'EOF'
      [leaf]
      basicConstraints = critical,CA:FALSE
      keyUsage = critical,digitalSignature
      extendedKeyUsage = serverAuth
      subjectKeyIdentifier = hash
      authorityKeyIdentifier = keyid:always
      EOF
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out cnleaf.key 2>/dev/null
      openssl req -new -key cnleaf.key -subj "/CN=localhost" -out cnleaf.csr
      openssl x509 -req -in cnleaf.csr -CA "$2/inter.pem" -CAkey "$2/inter.key" -CAcreateserial -days 365 \
        -extfile cn.cnf -extensions leaf -out cnleaf.pem 2>/dev/null
      cat cnleaf.pem "$2/inter.pem" > cnchain.pem
      {
        printf '[leaf]\\nbasicConstraints = critical,CA:FALSE\\nkeyUsage = critical,digitalSignature\\n'
        printf 'extendedKeyUsage = serverAuth\\nsubjectAltName = IP:127.0.0.1\\n'
      } > ip.cnf
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ipleaf.key 2>/dev/null
      openssl req -new -key ipleaf.key -subj "/CN=localhost" -out ipleaf.csr
      openssl x509 -req -in ipleaf.csr -CA "$2/inter.pem" -CAkey "$2/inter.key" -CAcreateserial -days 365 \\
        -extfile ip.cnf -extensions leaf -out ipleaf.pem 2>/dev/null
      cat ipleaf.pem "$2/inter.pem" > ipchain.pem
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out addressleaf.key 2>/dev/null
      openssl req -new -key addressleaf.key -subj "/CN=127.0.0.1" -out addressleaf.csr
      openssl x509 -req -in addressleaf.csr -CA "$2/inter.pem" -CAkey "$2/inter.key" -CAcreateserial -days 365 \
        -extfile cn.cnf -extensions leaf -out addressleaf.pem 2>/dev/null
      cat addressleaf.pem "$2/inter.pem" > addresschain.pem
      """
    let made = try Shell.run(["/bin/bash", "-c", script, "sh", scratch.path, pki.path])
    XCTAssertEqual(made.status, 0, made.output)
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    try scratch.write("module/go.mod", "module probe\n\ngo 1.19\n")
    servers = LocalServers()
    port = try LocalServers.freePort()
    try servers.sServer(
      address: "127.0.0.1", port: port, certificate: scratch.path + "/cnleaf.pem", key: scratch.path + "/cnleaf.key",
      chain: pki.file("inter.pem"), www: true)
  }

  override func tearDown() {
    servers?.stopAll()
  }

  func testALeafWithOnlyACommonNameIsJudgedAsEachClientMatchesNames() throws {
    let venv = try RealVenvVerificationTests.venv("3.11")
    let python = venv + "/bin/python"
    var environment = [
      "SSL_CERT_FILE": pki.file("root.pem"), "REQUESTS_CA_BUNDLE": pki.file("root.pem"), "VIRTUAL_ENV": venv,
      "HOME": scratch.path,
    ]
    let url = "https://localhost:\(port)/"
    let probes = [
      "requests": "import requests, sys\nrequests.get(sys.argv[1], timeout=10)",
      "urllib3": "import urllib3, sys\nurllib3.PoolManager().request('GET', sys.argv[1], timeout=10, retries=False)",
      "python-ssl": "import urllib.request, sys\nurllib.request.urlopen(sys.argv[1], timeout=10)",
    ]
    var real: [String: Bool] = [:]
    for (client, code) in probes {
      let run = try Shell.run(
        [python, "-c", code + "\nprint('ACCEPTED')", url],
        environment: environment.merging(["PATH": "/usr/bin:/bin"]) { $1 })
      real[client] = run.output.contains("ACCEPTED")
      if !real[client]! { XCTAssertTrue(run.output.contains("certificate is not valid for 'localhost'"), run.output) }
    }
    // What the real clients do here, so the comparison below compares something.
    XCTAssertEqual(real["requests"], false)
    XCTAssertEqual(real["urllib3"], false)
    XCTAssertEqual(real["python-ssl"], true)
    if let go = Shell.which("go") {
      let outcome = try GoVerificationTests.realGo(
        go, in: scratch.path, port: port, ["SSL_CERT_FILE": pki.file("root.pem")])
      XCTAssertTrue(outcome.contains("legacy Common Name"), outcome)
      real["go"] = false
    }
    // uv (webpki) matches subjectAltName only.
    if let python311 = ClientVerificationTests.interpreter("3.11") {
      let uv =
        try RealVenvVerificationTests.venv("3.11", packages: ["uv==0.13.9"]) + "/lib/python3.11/site-packages/bin/uv"
      try scratch.write("repo/requirements.in", "nothing-here\n")
      let outcome = try UvVerificationTests.realUv(
        uv, python: python311, in: scratch.path, port: port, ["SSL_CERT_FILE": pki.file("root.pem")])
      XCTAssertEqual(outcome, "refused")
      real["uv"] = false
      environment["PATH"] = (uv as NSString).deletingLastPathComponent + ":/usr/bin:/bin"
    }
    let run = try CLI.run(
      ["verify", "--chain", scratch.path + "/cnchain.pem", "--host", "localhost", "--repo", scratch.path + "/repo",
       "--format", "json"],
      in: scratch.path + "/repo", environment: environment)
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    for (client, verifies) in real {
      let verdict = try XCTUnwrap(items.first { $0["client"] as? String == client }, "no verdict for \(client)")
      XCTAssertEqual(verdict["verifies"] as? Bool, verifies, "\(client): \(verdict)")
      if !verifies {
        XCTAssertEqual(verdict["error"] as? String, "hostname mismatch", "\(client): \(verdict)")
        XCTAssertTrue((verdict["flags"] as? [String])?.contains("no_common_name") == true, "\(client): \(verdict)")
      }
    }
  }

  /// A leaf whose subjectAltName holds only 127.0.0.1, with CN=localhost, for the host name localhost: curl's own
  /// host check takes the names and never the CN ("no alternative certificate subject name matches"); OpenSSL's
  /// X509_check_host, Python's, falls back to the CN while no DNS name is there. trustgate said curl verifies.
  func testCurlLooksAtNoCommonNameBesideAnAddress() throws {
    let port = try LocalServers.freePort()
    try servers.sServer(
      address: "127.0.0.1", port: port, certificate: scratch.path + "/ipleaf.pem", key: scratch.path + "/ipleaf.key",
      chain: pki.file("inter.pem"), www: true)
    let curl = try XCTUnwrap(Shell.which("curl"))
    let real = try Shell.run(
      [curl, "-sS", "-o", "/dev/null", "--cacert", pki.file("root.pem"), "https://localhost:\(port)/"],
      environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path])
    XCTAssertNotEqual(real.status, 0, real.output)
    XCTAssertTrue(real.output.contains("no alternative certificate subject name matches"), real.output)
    let python = try XCTUnwrap(ClientVerificationTests.interpreter("3.11"))
    let urllib = try Shell.run(
      [python, "-c", "import ssl, sys, urllib.request\nctx = ssl.create_default_context(cafile=sys.argv[2])\n"
        + "urllib.request.urlopen(sys.argv[1], context=ctx, timeout=10)\nprint('ACCEPTED')",
       "https://localhost:\(port)/", pki.file("root.pem")])
    XCTAssertTrue(urllib.output.contains("ACCEPTED"), urllib.output)
    let run = try CLI.run(
      ["verify", "--chain", scratch.path + "/ipchain.pem", "--host", "localhost", "--repo", scratch.path + "/repo",
       "--format", "json"],
      in: scratch.path + "/repo",
      environment: ["CURL_CA_BUNDLE": pki.file("root.pem"), "SSL_CERT_FILE": pki.file("root.pem")])
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    let ours = try XCTUnwrap(items.first { $0["client"] as? String == "curl" }, run.stdout)
    XCTAssertEqual(ours["verifies"] as? Bool, false, "\(ours)")
    XCTAssertEqual(ours["error"] as? String, "hostname mismatch", "\(ours)")
    let openssl = try XCTUnwrap(items.first { $0["client"] as? String == "openssl" }, run.stdout)
    XCTAssertEqual(openssl["verifies"] as? Bool, true, "\(openssl)")
  }

  /// A leaf with `CN=127.0.0.1` and no subjectAltName, reached at 127.0.0.1: curl, with no DNS or IP name to look
  /// at, compares the CN with the address and connects; Python checks addresses against IP names only and refuses.
  /// trustgate said curl refuses too (a false FAIL).
  func testCurlComparesAnAddressWithTheCommonNameWhenTheLeafHasNoNames() throws {
    let port = try LocalServers.freePort()
    try servers.sServer(
      address: "127.0.0.1", port: port, certificate: scratch.path + "/addressleaf.pem",
      key: scratch.path + "/addressleaf.key", chain: pki.file("inter.pem"), www: true)
    let url = "https://127.0.0.1:\(port)/"
    let curl = try XCTUnwrap(Shell.which("curl"))
    let real = try Shell.run(
      [curl, "-sS", "-o", "/dev/null", "--cacert", pki.file("root.pem"), url],
      environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path])
    XCTAssertEqual(real.status, 0, real.output)
    let python = try XCTUnwrap(ClientVerificationTests.interpreter("3.11"))
    let urllib = try Shell.run(
      [python, "-c", "import ssl, sys, urllib.request\nctx = ssl.create_default_context(cafile=sys.argv[2])\n"
        + "urllib.request.urlopen(sys.argv[1], context=ctx, timeout=10)\nprint('ACCEPTED')", url, pki.file("root.pem")])
    XCTAssertFalse(urllib.output.contains("ACCEPTED"), urllib.output)
    XCTAssertTrue(urllib.output.contains("IP address mismatch"), urllib.output)
    let run = try CLI.run(
      ["verify", "--chain", scratch.path + "/addresschain.pem", "--host", "127.0.0.1", "--repo",
       scratch.path + "/repo", "--format", "json"],
      in: scratch.path + "/repo",
      environment: ["CURL_CA_BUNDLE": pki.file("root.pem"), "SSL_CERT_FILE": pki.file("root.pem")])
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    let ours = try XCTUnwrap(items.first { $0["client"] as? String == "curl" }, run.stdout)
    XCTAssertEqual(ours["verifies"] as? Bool, true, "\(ours)")
    let openssl = try XCTUnwrap(items.first { $0["client"] as? String == "openssl" }, run.stdout)
    XCTAssertEqual(openssl["verifies"] as? Bool, false, "\(openssl)")
    XCTAssertEqual(openssl["error"] as? String, "IP address mismatch", "\(openssl)")
  }
}

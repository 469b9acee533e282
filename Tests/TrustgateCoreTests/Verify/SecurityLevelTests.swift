import Foundation
import XCTest

@testable import TrustgateCore

/// The security level each client verifies at, cell by cell against the real clients on `openssl s_server`: a root
/// with a 1024-bit RSA key, and a leaf its root signed with SHA-1, under this host's OpenSSL configuration and under
/// OPENSSL_CONF files that set another level (one through an `.include`, as Fedora's crypto-policies do). Before,
/// curl, git, go and the openssl program were judged with no level at all: "verifies" for chains they refuse.
final class SecurityLevelTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    servers = LocalServers()
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    // uv is a client of the project (its lock), and resolves from the server in the real cell.
    try scratch.write("repo/uv.lock", try Fixtures.text("lockfiles/new/uv/uv.lock"))
    try scratch.write("repo/requirements.in", "nothing-here\n")
    try scratch.write("module/go.mod", "module probe\n\ngo 1.19\n")
    // Level 1 in the system_default section, as Debian's own file would set it.
    try scratch.write(
      "level1.cnf",
      "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = defaults\n[defaults]\n"
        + "CipherString = DEFAULT:@SECLEVEL=1\n")
    // Level 0 from a file the section includes (Fedora: `.include /etc/crypto-policies/back-ends/…`).
    try scratch.write("policy/opensslcnf.config", "CipherString = @SECLEVEL=0:kEECDH:kRSA:DEFAULT\n")
    try scratch.write(
      "level0.cnf",
      "HOME = .\nopenssl_conf = openssl_init\n\n[openssl_init]\nssl_conf = ssl_module\n\n[ ssl_module ]\n"
        + "system_default = crypto_policy\n\n[ crypto_policy ]\n.include = \(scratch.path)/policy/opensslcnf.config\n")
  }

  override func tearDown() {
    servers?.stopAll()
  }

  /// A venv of the pyenv Python `minor`, whose `python` the real cell runs and whose version trustgate reads.
  func venv(_ minor: String) throws -> String {
    let folder = scratch.path + "/venv" + minor
    if FileManager.default.fileExists(atPath: folder) { return folder }
    guard let python = ClientVerificationTests.interpreter(minor) else { throw XCTSkip("no Python \(minor) here") }
    let made = try Shell.run([python, "-m", "venv", "--without-pip", folder])
    XCTAssertEqual(made.status, 0, made.output)
    return folder
  }

  /// What each real client does with the chain on `port`, trusting `ca`, with `environment` added.
  func real(port: Int, ca: String, _ environment: [String: String]) throws -> [String: Bool] {
    let base = ["PATH": "/usr/bin:/bin", "HOME": scratch.path].merging(environment) { $1 }
    let url = "https://localhost:\(port)/"
    var results: [String: Bool] = [:]
    let curl = try Shell.run(
      ["/usr/bin/curl", "-sS", "-o", "/dev/null", "--max-time", "10", url],
      environment: base.merging(["CURL_CA_BUNDLE": ca]) { $1 })
    results["curl"] = curl.status == 0
    let openssl = try Shell.run(
      ["/bin/sh", "-c", "exec openssl s_client -connect 127.0.0.1:$0 -servername localhost -verify_hostname "
        + "localhost -verify_return_error -brief -CAfile \"$1\" </dev/null", "\(port)", ca],
      environment: base)
    results["openssl"] = openssl.status == 0 && !openssl.output.contains("verify error")
    let git = try Shell.run(
      ["/usr/bin/git", "ls-remote", "https://localhost:\(port)/repo.git"],
      environment: base.merging(["GIT_SSL_CAINFO": ca, "GIT_TERMINAL_PROMPT": "0"]) { $1 })
    results["git"] = !git.output.contains("certificate") && !git.output.contains("SSL")
    if let go = Shell.which("go") {
      let variables = base.merging(["SSL_CERT_FILE": ca]) { $1 }
      let answer = try GoVerificationTests.realGo(go, in: scratch.path, port: port, variables)
      XCTAssert(["accepted", "refused"].contains(answer), answer)
      results["go"] = answer == "accepted"
    }
    // Java reads no OpenSSL configuration either: its own algorithm constraints (java.security).
    if let java = JavaVerificationTests.realJava {
      try scratch.write("probe/Probe.java", JavaVerificationTests.probe)
      let bin = (java as NSString).deletingLastPathComponent
      if !FileManager.default.fileExists(atPath: scratch.path + "/probe/Probe.class") {
        let javac = try Shell.run([bin + "/javac", "-d", scratch.path + "/probe", scratch.path + "/probe/Probe.java"])
        XCTAssertEqual(javac.status, 0, javac.output)
      }
      let run = try Shell.run(
        [java, "-cp", scratch.path + "/probe", "Probe", url],
        environment: base.merging(["JAVA_TOOL_OPTIONS": try javaOptions(ca)]) { $1 })
      results["java"] = run.output.split(separator: "\n").contains("accepted")
    }
    // uv reads no OpenSSL configuration: run (1 s a run) only where the configuration lowers the level most.
    if environment["OPENSSL_CONF"]?.hasSuffix("level0.cnf") == true,
      let python = ClientVerificationTests.interpreter("3.11")
    {
      let venv = try RealVenvVerificationTests.venv("3.11", packages: ["uv==0.13.9"])
      let uv = venv + "/lib/python3.11/site-packages/bin/uv"
      let answer = try UvVerificationTests.realUv(
        uv, python: python, in: scratch.path, port: port, base.merging(["SSL_CERT_FILE": ca]) { $1 })
      XCTAssert(["accepted", "refused"].contains(answer), answer)
      results["uv"] = answer == "accepted"
    }
    for minor in ["3.9", "3.11"] {
      let python = try venv(minor) + "/bin/python"
      let run = try Shell.run(
        [python, "-c", "import ssl, urllib.request, sys; urllib.request.urlopen(sys.argv[1], "
          + "context=ssl.create_default_context(), timeout=10)", url],
        environment: base.merging(["SSL_CERT_FILE": ca]) { $1 })
      results["python-ssl " + minor] = run.status == 0
    }
    return results
  }

  /// `-Djavax.net.ssl.trustStore=` a JKS store of `ca`, made once by keytool.
  func javaOptions(_ ca: String) throws -> String {
    let store = scratch.path + "/java-" + (ca as NSString).lastPathComponent + ".jks"
    if !FileManager.default.fileExists(atPath: store), let java = JavaVerificationTests.realJava {
      let keytool = (java as NSString).deletingLastPathComponent + "/keytool"
      let made = try Shell.run(
        [keytool, "-importcert", "-noprompt", "-alias", "ca", "-file", ca, "-keystore", store, "-storetype", "JKS",
         "-storepass", "changeit"])
      XCTAssertEqual(made.status, 0, made.output)
    }
    return "-Djavax.net.ssl.trustStore=" + store
  }

  /// trustgate's verdicts for the same chain and variables, python-ssl once per Python (its venv active).
  func ours(chain: String, ca: String, _ environment: [String: String]) throws -> [String: Bool] {
    var results: [String: Bool] = [:]
    for minor in ["3.9", "3.11"] {
      let variables = environment.merging([
        "SSL_CERT_FILE": ca, "CURL_CA_BUNDLE": ca, "GIT_SSL_CAINFO": ca, "VIRTUAL_ENV": try venv(minor),
        "JAVA_TOOL_OPTIONS": try javaOptions(ca),
      ]) { $1 }
      let run = try CLI.run(
        ["verify", "--chain", chain, "--host", "localhost", "--repo", scratch.path + "/repo", "--format", "json"],
        in: scratch.path, environment: variables)
      let items = try XCTUnwrap(
        JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      for item in items {
        guard let client = item["client"] as? String, let verifies = item["verifies"] as? Bool else { continue }
        if client == "python-ssl" { results["python-ssl " + minor] = verifies } else { results[client] = verifies }
      }
    }
    return results
  }

  func testEachClientVerifiesAtTheLevelItRunsAt() throws {
    let weakPort = try LocalServers.freePort()
    try servers.sServer(
      address: "127.0.0.1", port: weakPort, certificate: pki.file("weakleaf.pem"), key: pki.file("weakleaf.key"),
      chain: nil, www: true)
    // s_server itself refuses to serve a SHA-1 certificate at level 1 or above.
    let sha1Port = try LocalServers.freePort()
    try servers.sServer(
      address: "127.0.0.1", port: sha1Port, certificate: pki.file("sha1leaf.pem"), key: pki.file("sha1leaf.key"),
      chain: nil, www: true, extra: ["-cipher", "DEFAULT:@SECLEVEL=0"])
    let configurations: [(name: String, env: [String: String])] = [
      ("this host's configuration", [:]),
      ("OPENSSL_CONF at level 1", ["OPENSSL_CONF": scratch.path + "/level1.cnf"]),
      ("OPENSSL_CONF at level 0 through an include", ["OPENSSL_CONF": scratch.path + "/level0.cnf"]),
    ]
    let chains = [
      ("a 1024-bit root", weakPort, pki.file("weakleaf.pem"), pki.file("weak.pem")),
      ("a SHA-1 leaf", sha1Port, pki.file("sha1leaf.pem"), pki.file("root.pem")),
    ]
    var seen: [String: Bool] = [:]
    for (chainName, port, chain, ca) in chains {
      for (configuration, env) in configurations {
        let real = try real(port: port, ca: ca, env)
        let ours = try ours(chain: chain, ca: ca, env)
        for (client, verifies) in real {
          XCTAssertEqual(ours[client], verifies, "\(client), \(chainName), \(configuration): real \(verifies)")
          seen["\(client) | \(chainName) | \(configuration)"] = verifies
        }
      }
    }
    // The cells differ where the clients differ (so the comparison above can fail): curl follows the configuration,
    // Python 3.10+ keeps level 2 whatever it says, GnuTLS (Debian's git) takes a 1024-bit root, Go no SHA-1.
    XCTAssertEqual(seen["curl | a 1024-bit root | this host's configuration"], false)
    XCTAssertEqual(seen["curl | a 1024-bit root | OPENSSL_CONF at level 1"], true)
    XCTAssertEqual(seen["python-ssl 3.11 | a 1024-bit root | OPENSSL_CONF at level 1"], false)
    XCTAssertEqual(seen["python-ssl 3.9 | a 1024-bit root | OPENSSL_CONF at level 1"], true)
    XCTAssertEqual(seen["git | a 1024-bit root | this host's configuration"], true)
    XCTAssertEqual(seen["openssl | a SHA-1 leaf | OPENSSL_CONF at level 0 through an include"], true)
    XCTAssertEqual(seen["git | a SHA-1 leaf | OPENSSL_CONF at level 0 through an include"], false)
    if Shell.which("go") != nil { XCTAssertEqual(seen["go | a SHA-1 leaf | this host's configuration"], false) }
    XCTAssertEqual(seen["uv | a 1024-bit root | OPENSSL_CONF at level 0 through an include"], false)
    // Java takes both under a private root (java.security refuses SHA-1 only under the JDK's own roots).
    if JavaVerificationTests.realJava != nil {
      XCTAssertEqual(seen["java | a 1024-bit root | this host's configuration"], true)
      XCTAssertEqual(seen["java | a SHA-1 leaf | this host's configuration"], true)
    }
    // A chain refused for its level names the line that set it.
    let run = try CLI.run(
      ["verify", "--chain", pki.file("sha1leaf.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
       "--format", "json"],
      in: scratch.path,
      environment: ["CURL_CA_BUNDLE": pki.file("root.pem"), "OPENSSL_CONF": scratch.path + "/level1.cnf"])
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    let curl = try XCTUnwrap(items.first { $0["client"] as? String == "curl" })
    XCTAssertEqual(curl["error"] as? String, "CA signature digest algorithm too weak")
    XCTAssertEqual(curl["security_level"] as? Int, 1)
    XCTAssertEqual((curl["sources"] as? [String])?.last, "security level 1: \(scratch.path)/level1.cnf:7")
  }
}

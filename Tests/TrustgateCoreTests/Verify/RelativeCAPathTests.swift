import Foundation
import XCTest

@testable import TrustgateCore

/// A CA variable holding a relative path (`REQUESTS_CA_BUNDLE=certs/ca.pem`, as CI variables often say it): the
/// client opens it from the folder it runs in. The oracle is the real requests of a venv built from PyPI, run in
/// that folder against `openssl s_server` with a chain the root signs; trustgate, run in the same folder, must say
/// what requests does. Before, the path was looked up at the root of the tree (a FAIL where requests verifies) and
/// the verifier looked it up in the repository (a PASS where requests raises).
final class RelativeCAPathTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    // The repository holds the bundle too, so a repository-relative reading would find it from anywhere.
    try scratch.write("repo/certs/ca.pem", try pki.bytes("root.pem"))
    try scratch.write("app/certs/ca.pem", try pki.bytes("root.pem"))
    try scratch.write("elsewhere/.keep", "")
  }

  /// What the venv's requests does with REQUESTS_CA_BUNDLE=certs/ca.pem, started in `folder` (`env -C`).
  func oracle(in folder: String, venv: String, port: Int) throws -> String {
    let script = """
      import requests
      try:
          requests.get("https://localhost:\(port)/", timeout=10)
          print("verified")
      except Exception as error:
          print(type(error).__name__)
      """
    let result = try Shell.run(
      ["/usr/bin/env", "-C", folder, venv + "/bin/python", "-c", script],
      environment: ["REQUESTS_CA_BUNDLE": "certs/ca.pem", "PATH": "/usr/bin:/bin"])
    return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// `openssl s_server` on a free port with the chain the test root signs; stopped when the test ends.
  func server() throws -> Int {
    let servers = LocalServers()
    addTeardownBlock { servers.stopAll() }
    return try servers.serveChain(of: pki, www: true)
  }

  /// trustgate's verdict for requests and its finding about the variable, run in `folder`.
  func trustgate(in folder: String, venv: String) throws -> (verdict: [String: Any], inspect: String) {
    let environment = ["REQUESTS_CA_BUNDLE": "certs/ca.pem", "VIRTUAL_ENV": venv]
    let run = try CLI.run(
      ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
       "--format", "json"],
      in: folder, environment: environment)
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    let verdict = try XCTUnwrap(items.first { $0["client"] as? String == "requests" }, run.stdout)
    let inspect = try CLI.run(["inspect", "--repo", scratch.path + "/repo"], in: folder, environment: environment)
    return (verdict, inspect.stdout)
  }

  func testARelativeBundleIsOpenedFromTheFolderTheClientRunsIn() throws {
    let venv = try RealVenvVerificationTests.venv("3.11")
    let port = try server()

    // Started where certs/ca.pem is: requests verifies, and trustgate says so.
    let app = scratch.path + "/app"
    XCTAssertEqual(try oracle(in: app, venv: venv, port: port), "verified")
    let there = try trustgate(in: app, venv: venv)
    XCTAssertEqual(there.verdict["verifies"] as? Bool, true, "\(there.verdict)")
    XCTAssertTrue(
      there.inspect.contains("REQUESTS_CA_BUNDLE=certs/ca.pem (opened as \(app)/certs/ca.pem): file, 1 certificate"),
      there.inspect)

    // Started where it is not (the repository holds a certs/ca.pem, the working folder does not): requests raises
    // before it connects, and trustgate says so.
    let elsewhere = scratch.path + "/elsewhere"
    XCTAssertEqual(try oracle(in: elsewhere, venv: venv, port: port), "OSError")
    let away = try trustgate(in: elsewhere, venv: venv)
    XCTAssertEqual(away.verdict["verifies"] as? Bool, false, "\(away.verdict)")
    let error = try XCTUnwrap(away.verdict["error"] as? String, "\(away.verdict)")
    XCTAssertTrue(error.hasPrefix("OSError: Could not find a suitable TLS CA certificate bundle"), error)
    XCTAssertTrue(error.contains(elsewhere + "/certs/ca.pem"), error)
    XCTAssertTrue(
      away.inspect.contains("REQUESTS_CA_BUNDLE=certs/ca.pem (opened as \(elsewhere)/certs/ca.pem): missing"),
      away.inspect)
  }

  /// pip's `cert` in a configuration file named by a relative PIP_CONFIG_FILE (`ci/pip.conf`, `cert = ci/corp.pem`):
  /// both are opened from the folder pip runs in, not from the configuration file's folder. The oracle is the real
  /// pip of a venv (`python -m venv`, its bundled pip) asking `openssl s_server` for an index page.
  func testPipsRelativeCertIsOpenedFromTheFolderPipRunsIn() throws {
    guard let python = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    let venv = scratch.path + "/pip-venv"
    let made = try Shell.run([python, "-m", "venv", venv])
    XCTAssertEqual(made.status, 0, made.output)
    try scratch.write("app/ci/corp.pem", try pki.bytes("root.pem"))
    try scratch.write("app/ci/pip.conf", "[global]\ncert = ci/corp.pem\n")
    let port = try server()

    /// What pip does with PIP_CONFIG_FILE=`config`, started in `folder`.
    func oracle(in folder: String, config: String) throws -> String {
      let result = try Shell.run(
        ["/usr/bin/env", "-C", folder, venv + "/bin/python", "-m", "pip", "download", "--no-deps", "--retries", "0",
         "--timeout", "10", "--disable-pip-version-check", "--index-url", "https://localhost:\(port)/simple/", "-d",
         scratch.path + "/downloads", "nothing-here"],
        environment: ["PIP_CONFIG_FILE": config, "PATH": "/usr/bin:/bin", "HOME": scratch.path])
      if result.output.contains("Could not find a suitable TLS CA certificate bundle") { return "OSError" }
      if result.output.contains("CERTIFICATE_VERIFY_FAILED") { return "failed" }
      if result.output.contains("Could not find a version that satisfies") { return "verified" }
      return result.output
    }
    func verdict(in folder: String, config: String) throws -> [String: Any] {
      let run = try CLI.run(
        ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
         "--format", "json"],
        in: folder, environment: ["PIP_CONFIG_FILE": config, "VIRTUAL_ENV": venv, "HOME": scratch.path])
      let items = try XCTUnwrap(
        JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      return try XCTUnwrap(items.first { $0["client"] as? String == "pip" }, run.stdout)
    }

    let app = scratch.path + "/app"
    XCTAssertEqual(try oracle(in: app, config: "ci/pip.conf"), "verified")
    let there = try verdict(in: app, config: "ci/pip.conf")
    XCTAssertEqual(there["verifies"] as? Bool, true, "\(there)")
    XCTAssertEqual(there["sources"] as? [String], ["pip.conf cert \(app)/ci/corp.pem (1 certificate)"], "\(there)")

    // The same file from a sibling folder: pip reads it, then cannot find ci/corp.pem where it runs.
    let elsewhere = scratch.path + "/elsewhere"
    XCTAssertEqual(try oracle(in: elsewhere, config: "../app/ci/pip.conf"), "OSError")
    let away = try verdict(in: elsewhere, config: "../app/ci/pip.conf")
    XCTAssertEqual(away["verifies"] as? Bool, false, "\(away)")
    let error = try XCTUnwrap(away["error"] as? String, "\(away)")
    XCTAssertTrue(error.contains("Could not find a suitable TLS CA certificate bundle"), error)
    XCTAssertTrue(error.contains(elsewhere + "/ci/corp.pem"), error)
  }

  /// SSL_CERT_DIR listing a missing folder before one that holds the root: OpenSSL looks each hash up in every
  /// listed folder and passes over the missing one, so Python's default context verifies. trustgate said the
  /// variable "points at …, which does not exist" (TG201), judging the first folder only.
  func testACertDirListIsJudgedByTheFolderOpenSSLFinds() throws {
    guard let python = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    try scratch.write("hashed/root.pem", try pki.bytes("root.pem"))
    let rehash = try Shell.run([try XCTUnwrap(Shell.which("openssl")), "rehash", scratch.path + "/hashed"])
    XCTAssertEqual(rehash.status, 0, rehash.output)
    let port = try server()
    let list = scratch.path + "/missing:" + scratch.path + "/hashed"
    let environment = ["SSL_CERT_DIR": list, "SSL_CERT_FILE": scratch.path + "/no-bundle.pem"]
    let oracle = try Shell.run(
      [python, "-c",
       "import urllib.request\nurllib.request.urlopen('https://localhost:\(port)/', timeout=10)\nprint('verified')"],
      environment: environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a })
    XCTAssertEqual(oracle.output.trimmingCharacters(in: .whitespacesAndNewlines), "verified", oracle.output)

    let inspect = try CLI.run(["inspect", "--repo", scratch.path + "/repo"], in: scratch.path, environment: environment)
    XCTAssertTrue(inspect.stdout.contains("SSL_CERT_DIR=\(list): directory, 1 certificate"), inspect.stdout)
    let report = scratch.path + "/findings.json"
    _ = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path, environment: environment)
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
    let findings = (object as? [String: Any])?["findings"] as? [[String: Any]] ?? []
    XCTAssertEqual(
      findings.filter { $0["ruleID"] as? String == "TG201" && $0["subject"] as? String == "SSL_CERT_DIR" }.count, 0,
      "\(findings)")
  }

  /// A broken block in a bundle named by a relative path is TG107 at its line, as for an absolute one (the rule
  /// matched the problem's absolute path against the value as written, and said nothing).
  func testABrokenBlockInARelativeBundleIsReported() throws {
    let root = String(decoding: try pki.bytes("root.pem"), as: UTF8.self)
    try scratch.write(
      "app/certs/broken.pem", root + "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    let report = scratch.path + "/broken.json"
    _ = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path + "/app", environment: ["REQUESTS_CA_BUNDLE": "certs/broken.pem"])
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
    let findings = (object as? [String: Any])?["findings"] as? [[String: Any]] ?? []
    let broken = findings.filter { $0["ruleID"] as? String == "TG107" }
    XCTAssertEqual(broken.count, 1, "\(findings)")
    let location = broken.first?["location"] as? [String: Any]
    XCTAssertEqual(location?["path"] as? String, scratch.path + "/app/certs/broken.pem")
  }

  /// The resolution itself: each folder of a `:`-separated list on its own, URLs and empty values untouched, the
  /// configuration-file variables too.
  func testRelativePathsResolveAgainstTheWorkingFolder() {
    let env = [
      "REQUESTS_CA_BUNDLE": "certs/ca.pem", "SSL_CERT_DIR": "/etc/ssl/certs:local/certs", "CURL_CA_BUNDLE": "",
      "AWS_CA_BUNDLE": "https://example.com/ca.pem", "PIP_CONFIG_FILE": "ci/pip.conf", "SSL_CERT_FILE": "/ca.pem",
      "HOME": "relative-home",
    ]
    let resolved = TrustVariables.resolvingRelativePaths(env, in: "/app")
    XCTAssertEqual(resolved["REQUESTS_CA_BUNDLE"], "/app/certs/ca.pem")
    XCTAssertEqual(resolved["SSL_CERT_DIR"], "/etc/ssl/certs:/app/local/certs")
    XCTAssertEqual(resolved["CURL_CA_BUNDLE"], "")
    XCTAssertEqual(resolved["AWS_CA_BUNDLE"], "https://example.com/ca.pem")
    XCTAssertEqual(resolved["PIP_CONFIG_FILE"], "/app/ci/pip.conf")
    XCTAssertEqual(resolved["SSL_CERT_FILE"], "/ca.pem")
    XCTAssertEqual(resolved["HOME"], "relative-home")
    XCTAssertEqual(TrustVariables.resolvingRelativePaths(env, in: "/")["REQUESTS_CA_BUNDLE"], "/certs/ca.pem")
  }
}

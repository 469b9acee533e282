import Foundation
import XCTest

@testable import TrustgateCore

/// PEP 493's `PYTHONHTTPSVERIFY=0`, judged by what the Pythons here do with it. The oracles are the real interpreters
/// against `openssl s_server` with a chain whose root nobody trusts: Python 2.7 (its `ssl.py` reads the variable)
/// goes past the handshake, upstream Python 3 (which never reads it) refuses. trustgate must fail the build (TG203
/// error) only where a Python found here reads it, and say that it does nothing elsewhere (a warning). Before, it was
/// an error everywhere: a failed build whose clients all verify.
final class PythonHTTPSVerifyTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!
  var port = 0

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    servers = LocalServers()
    port = try servers.serveChain(of: pki, www: true)
  }

  override func tearDown() {
    servers?.stopAll()
  }

  /// What the interpreter's standard library does with PYTHONHTTPSVERIFY=0 (`urllib`, `urllib2` on Python 2).
  func real(_ python: String) throws -> String {
    let script = """
      try:
          from urllib.request import urlopen
      except ImportError:
          from urllib2 import urlopen
      try:
          urlopen("https://localhost:\(port)/x")
          print("accepted")
      except Exception as e:
          print("refused" if "CERTIFICATE_VERIFY_FAILED" in str(e) else "accepted")
      """
    let run = try Shell.run(
      [python, "-c", script], environment: ["PYTHONHTTPSVERIFY": "0", "PATH": "/usr/bin:/bin", "HOME": scratch.path])
    return run.output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// trustgate's TG203 findings for PYTHONHTTPSVERIFY=0 with `environment`: their severities.
  func severities(_ environment: [String: String]) throws -> [String] {
    let report = scratch.path + "/findings-\(UUID().uuidString).json"
    let run = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path, environment: environment.merging(["PYTHONHTTPSVERIFY": "0"]) { $1 })
    XCTAssertNotEqual(run.status, 2, run.all)
    let object = try XCTUnwrap(try jsonFile(report) as? [String: Any], run.all)
    return (object["findings"] as? [[String: Any]] ?? []).filter {
      $0["ruleID"] as? String == "TG203" && $0["subject"] as? String == "PYTHONHTTPSVERIFY"
    }.compactMap { $0["severity"] as? String }
  }

  func testOnlyAPythonThatReadsItMakesItAnError() throws {
    guard let python3 = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    let venv = scratch.path + "/venv"
    let made = try Shell.run([python3, "-m", "venv", venv])
    XCTAssertEqual(made.status, 0, made.output)
    XCTAssertEqual(try real(venv + "/bin/python"), "refused")
    XCTAssertEqual(try severities(["VIRTUAL_ENV": venv]), ["warning"])

    guard let python2 = ClientVerificationTests.interpreter("2.7") else { throw XCTSkip("no Python 2.7 here") }
    XCTAssertEqual(try real(python2), "accepted")
    // Its prefix found on PATH, as a job that runs it has it.
    let bin = (python2 as NSString).deletingLastPathComponent
    XCTAssertEqual(try severities(["VIRTUAL_ENV": venv, "PATH": bin + ":/usr/bin:/bin"]), ["error"])
  }
}

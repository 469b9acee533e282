import Foundation
import XCTest

@testable import TrustgateCore

/// Settings in the clients' own configuration files that turn verification off: git's `http.sslVerify = false`
/// and pip's `trusted-host`. The oracles are the real git and the real pip of a venv against `openssl s_server`
/// with a chain whose root nobody trusts: with the setting they go past the TLS handshake, without it they fail
/// verification. trustgate must report each setting that takes effect (TG203, at its file and line), and none that
/// a later file overrides. (Before, only the variables PIP_TRUSTED_HOST and GIT_SSL_NO_VERIFY were seen: a PASS
/// for a build whose clients verify nothing.)
final class ConfigSwitchTests: XCTestCase {
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

  /// trustgate's TG203 findings with `environment`, run in the scratch folder.
  func switches(_ environment: [String: String]) throws -> [[String: Any]] {
    let report = scratch.path + "/findings-\(UUID().uuidString).json"
    let run = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path, environment: environment)
    XCTAssertNotEqual(run.status, 2, run.all)
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
    let findings = (object as? [String: Any])?["findings"] as? [[String: Any]] ?? []
    return findings.filter { $0["ruleID"] as? String == "TG203" }
  }

  /// What git does with the configuration under `home`: verified (and then failed as no git server), or refused
  /// the certificate.
  func git(home: String, port: Int? = nil) throws -> String {
    let git = try XCTUnwrap(Shell.which("git"))
    let result = try Shell.run(
      [git, "ls-remote", "https://127.0.0.1:\(port ?? self.port)/repo.git"],
      environment: ["HOME": home, "PATH": "/usr/bin:/bin", "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1"])
    XCTAssertNotEqual(result.status, 0, result.output)
    // OpenSSL's libcurl says "SSL certificate problem", GnuTLS's (Debian's git) "server certificate verification
    // failed"; past the handshake, s_server's status page is no git repository.
    if result.output.contains("SSL certificate problem") || result.output.contains("certificate verification failed") {
      return "refused"
    }
    if result.output.contains("not valid") || result.output.contains("not found") { return "accepted" }
    return result.output
  }

  func testGitsSslVerifyFalseIsReportedWhereItTakesEffect() throws {
    // ~/.gitconfig turns verification off.
    let off = scratch.path + "/off"
    try scratch.write("off/.gitconfig", "[http]\n\tsslVerify = false\n")
    XCTAssertEqual(try git(home: off), "accepted")
    let found = try switches(["HOME": off])
    XCTAssertEqual(found.count, 1, "\(found)")
    let location = try XCTUnwrap(found.first?["location"] as? [String: Any], "\(found)")
    XCTAssertEqual(location["path"] as? String, off + "/.gitconfig")
    XCTAssertEqual(location["line"] as? Int, 2)
    XCTAssertTrue((found.first?["message"] as? String)?.contains("for git for every host") == true, "\(found)")

    // The XDG file turns it off and ~/.gitconfig, read after it, on again: git verifies, nothing to report.
    let overridden = scratch.path + "/overridden"
    try scratch.write("overridden/.config/git/config", "[http]\n  sslverify = no\n")
    try scratch.write("overridden/.gitconfig", "[http]\n  sslVerify = true\n")
    XCTAssertEqual(try git(home: overridden), "refused")
    XCTAssertEqual(try switches(["HOME": overridden]).count, 0)

    // The XDG file alone: off.
    let xdg = scratch.path + "/xdg"
    try scratch.write("xdg/.config/git/config", "# git\n[http]\n  sslverify = no\n")
    XCTAssertEqual(try git(home: xdg), "accepted")
    let fromXDG = try switches(["HOME": xdg])
    XCTAssertEqual((fromXDG.first?["location"] as? [String: Any])?["line"] as? Int, 3, "\(fromXDG)")
  }

  /// `[http "https://127.0.0.1:PORT/"] sslVerify = false` turns verification off for that URL only: git goes past
  /// the handshake there and refuses a second server on another port. The finding says which URL.
  func testGitsSslVerifyForOneURLIsReportedForThatURL() throws {
    let other = try servers.serveChain(of: pki, www: true)
    let home = scratch.path + "/url"
    try scratch.write("url/.gitconfig", "[http \"https://127.0.0.1:\(port)/\"]\n\tsslVerify = false\n")
    XCTAssertEqual(try git(home: home), "accepted")
    XCTAssertEqual(try git(home: home, port: other), "refused")
    let found = try switches(["HOME": home])
    XCTAssertEqual(found.count, 1, "\(found)")
    let message = try XCTUnwrap(found.first?["message"] as? String)
    XCTAssertTrue(message.hasSuffix("for git for https://127.0.0.1:\(port)/"), message)
  }

  /// `[http "https://127.0.0.1:PORT/"] sslCAInfo = root.pem` gives git that root for that URL only: git verifies
  /// the server there and refuses the same chain on another port, where its default bundle applies. trustgate took
  /// the URL's CA for git's default and said git verifies the chain anywhere.
  func testGitsCAForOneURLIsNotItsDefault() throws {
    let other = try servers.serveChain(of: pki, www: true)
    let home = scratch.path + "/ca-url"
    try scratch.write(
      "ca-url/.gitconfig", "[http \"https://127.0.0.1:\(port)/\"]\n\tsslCAInfo = \(pki.file("root.pem"))\n")
    XCTAssertEqual(try git(home: home), "accepted")
    XCTAssertEqual(try git(home: home, port: other), "refused")
    let run = try CLI.run(
      ["verify", "--chain", pki.file("chain.pem"), "--host", "127.0.0.1", "--repo", scratch.path + "/repo",
       "--format", "json"],
      in: scratch.path, environment: ["HOME": home])
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    let git = try XCTUnwrap(items.first { $0["client"] as? String == "git" }, run.stdout)
    XCTAssertEqual(git["verifies"] as? Bool, false, "\(git)")
  }

  func testPipsTrustedHostIsReportedAtItsLine() throws {
    guard let python = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    let venv = scratch.path + "/venv"
    let made = try Shell.run([python, "-m", "venv", venv])
    XCTAssertEqual(made.status, 0, made.output)
    func pip(config: String) throws -> String {
      let result = try Shell.run(
        [venv + "/bin/python", "-m", "pip", "download", "--no-deps", "--retries", "0", "--timeout", "10",
         "--disable-pip-version-check", "--index-url", "https://localhost:\(port)/simple/", "-d",
         scratch.path + "/downloads", "nothing-here"],
        environment: ["PIP_CONFIG_FILE": config, "HOME": scratch.path, "PATH": "/usr/bin:/bin"])
      if result.output.contains("CERTIFICATE_VERIFY_FAILED") { return "refused" }
      if result.output.contains("Could not find a version that satisfies") { return "accepted" }
      return result.output
    }
    // Windows line ends, as a pip.conf written on Windows has them: the line is still the second.
    try scratch.write("trusted.conf", "[global]\r\ntrusted-host = localhost\r\n")
    try scratch.write("plain.conf", "[global]\ntimeout = 10\n")
    XCTAssertEqual(try pip(config: scratch.path + "/trusted.conf"), "accepted")
    XCTAssertEqual(try pip(config: scratch.path + "/plain.conf"), "refused")

    let found = try switches(["PIP_CONFIG_FILE": scratch.path + "/trusted.conf", "VIRTUAL_ENV": venv])
    XCTAssertEqual(found.count, 1, "\(found)")
    let location = try XCTUnwrap(found.first?["location"] as? [String: Any], "\(found)")
    XCTAssertEqual(location["path"] as? String, scratch.path + "/trusted.conf")
    XCTAssertEqual(location["line"] as? Int, 2)
    XCTAssertTrue(
      (found.first?["message"] as? String)?.contains("trusted-host = localhost") == true, "\(found)")
    XCTAssertEqual(try switches(["PIP_CONFIG_FILE": scratch.path + "/plain.conf", "VIRTUAL_ENV": venv]).count, 0)
  }
}

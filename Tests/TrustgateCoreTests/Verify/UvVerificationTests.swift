import Foundation
import XCTest

@testable import TrustgateCore

/// uv as a client, cell by cell against the real uv (0.13.9 from PyPI) resolving from `openssl s_server`: what it
/// trusts is not OpenSSL's or certifi's. SSL_CERT_FILE and every file of each SSL_CERT_DIR folder (hash names or not)
/// replace its defaults, even when they name nothing readable; otherwise the Mozilla roots compiled into it, or the
/// system store with `system-certs`. trustgate's `verify` must say what uv does in each cell. Before, uv was not a
/// client: nothing was said about a project locked with uv.lock, whose installs fail behind a corporate proxy.
final class UvVerificationTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!
  var port = 0
  var uv = ""
  var python = ""

  override func setUpWithError() throws {
    guard let python = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    self.python = python
    let venv = try RealVenvVerificationTests.venv("3.11", packages: ["uv==0.13.9"])
    uv = venv + "/lib/python3.11/site-packages/bin/uv"
    guard FileManager.default.isExecutableFile(atPath: uv) else { throw XCTSkip("no uv binary in \(venv)") }
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    try scratch.write("repo/uv.lock", try Fixtures.text("lockfiles/new/uv/uv.lock"))
    try scratch.write("repo/requirements.in", "nothing-here\n")
    // The root under a name that is no subject hash: OpenSSL's folder lookup cannot find it, uv reads every file.
    try scratch.write("plain/corporate-root.crt", try pki.bytes("root.pem"))
    try scratch.write("bom-root.pem", [0xEF, 0xBB, 0xBF] + (try pki.bytes("root.pem")))
    let trusted = try Shell.run(
      [try XCTUnwrap(Shell.which("openssl")), "x509", "-in", pki.file("root.pem"), "-addtrust", "serverAuth",
       "-trustout", "-out", scratch.path + "/trusted.pem"])
    XCTAssertEqual(trusted.status, 0, trusted.output)
    try scratch.write("other/other-root.pem", try pki.bytes("noku.pem"))
    servers = LocalServers()
    port = try servers.serveChain(of: pki, www: true)
  }

  override func tearDown() {
    servers?.stopAll()
  }

  /// What the real uv does: resolves (goes past the TLS handshake; the index has no such project), or refuses the
  /// certificate.
  func realUv(_ environment: [String: String]) throws -> String {
    try Self.realUv(uv, python: python, in: scratch.path, port: port, environment)
  }

  /// `folder` holds `repo/requirements.in` (a project no index has) and uv's own folders.
  static func realUv(
    _ uv: String, python: String, in folder: String, port: Int, _ environment: [String: String]
  ) throws -> String {
    let result = try Shell.run(
      [uv, "pip", "compile", folder + "/repo/requirements.in", "--python", python, "--index-url",
       "https://localhost:\(port)/simple/"],
      environment: environment.merging([
        "PATH": "/usr/bin:/bin", "HOME": folder, "XDG_CONFIG_HOME": folder + "/xdg",
        "UV_CACHE_DIR": folder + "/uv-cache", "UV_NO_CACHE": "1",
      ]) { $1 })
    if result.output.contains("No solution found") { return "accepted" }
    if result.output.contains("UnknownIssuer") || result.output.contains("invalid peer certificate") {
      return "refused"
    }
    return result.output
  }

  /// trustgate's verdict for uv on the server's chain, with the same variables.
  func verdict(_ environment: [String: String]) throws -> [String: Any] {
    let run = try CLI.run(
      ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
       "--format", "json"],
      in: scratch.path + "/repo",
      environment: environment.merging(["XDG_CONFIG_HOME": scratch.path + "/xdg"]) { $1 })
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    return try XCTUnwrap(items.first { $0["client"] as? String == "uv" }, "no verdict for uv: \(run.stdout)")
  }

  func testEachCellIsWhatTheRealUvDoes() throws {
    let cells: [(name: String, env: [String: String], uv: String)] = [
      ("its bundled roots", [:], "refused"),
      ("SSL_CERT_FILE at the root", ["SSL_CERT_FILE": pki.file("root.pem")], "accepted"),
      // rustls-pemfile: CERTIFICATE blocks only, `-----BEGIN ` first on its line.
      (
        "SSL_CERT_FILE at the root after a byte-order mark", ["SSL_CERT_FILE": scratch.path + "/bom-root.pem"],
        "refused"
      ),
      ("SSL_CERT_FILE at the root as TRUSTED CERTIFICATE", ["SSL_CERT_FILE": scratch.path + "/trusted.pem"], "refused"),
      ("SSL_CERT_DIR with the root under any name", ["SSL_CERT_DIR": scratch.path + "/plain"], "accepted"),
      ("SSL_CERT_FILE missing: nothing trusted", ["SSL_CERT_FILE": scratch.path + "/missing.pem"], "refused"),
      (
        "SSL_CERT_FILE at another root and SSL_CERT_DIR: both",
        ["SSL_CERT_FILE": scratch.path + "/other/other-root.pem", "SSL_CERT_DIR": scratch.path + "/plain"],
        "accepted"
      ),
      (
        "system-certs, but SSL_CERT_FILE replaces the store",
        ["UV_SYSTEM_CERTS": "1", "SSL_CERT_FILE": scratch.path + "/other/other-root.pem"], "refused"
      ),
    ]
    for cell in cells {
      XCTAssertEqual(try realUv(cell.env), cell.uv, cell.name)
      let ours = try verdict(cell.env)
      XCTAssertEqual(ours["verifies"] as? Bool, cell.uv == "accepted", "\(cell.name): \(ours)")
    }
    // The folder cell is uv's own: OpenSSL's clients look roots up by hash and find nothing there.
    let run = try CLI.run(
      ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
       "--format", "json"],
      in: scratch.path, environment: ["SSL_CERT_DIR": scratch.path + "/plain"])
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    let openssl = try XCTUnwrap(items.first { $0["client"] as? String == "openssl" })
    XCTAssertEqual(openssl["verifies"] as? Bool, false, "\(openssl)")
  }

  /// uv is there when its program is on PATH (installed into a venv's `bin`, `~/.local/bin`) or a UV_* setting is
  /// in the environment, as the README says, with no uv.lock: uv was judged only from its lockfile or a few fixed
  /// paths, so a uv in a venv, or UV_NATIVE_TLS alone, had no verdict at all.
  func testUvIsJudgedWhenItsProgramIsOnPathOrAUvVariableIsSet() throws {
    try scratch.write("bare/requirements.txt", "requests==2.32.3\n")
    func verdicts(_ environment: [String: String]) throws -> [String: Any]? {
      let run = try CLI.run(
        ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/bare",
         "--format", "json"],
        in: scratch.path + "/bare", environment: environment.merging(["XDG_CONFIG_HOME": scratch.path + "/xdg"]) { $1 })
      let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      return items.first { $0["client"] as? String == "uv" }
    }
    XCTAssertNil(try verdicts([:]), "no uv program, no uv.lock, no UV_* setting")
    let onPath = try XCTUnwrap(
      try verdicts(["PATH": (uv as NSString).deletingLastPathComponent + ":/usr/bin:/bin"]), "uv on PATH")
    XCTAssertEqual(onPath["verifies"] as? Bool, try realUv([:]) == "accepted", "\(onPath)")
    let cell = ["UV_NATIVE_TLS": "1", "SSL_CERT_FILE": pki.file("root.pem")]
    let variable = try XCTUnwrap(try verdicts(cell), "UV_NATIVE_TLS set")
    XCTAssertEqual(variable["verifies"] as? Bool, try realUv(cell) == "accepted", "\(variable)")
  }

  /// `allow-insecure-host` in the user's uv.toml lets the real uv past a certificate it refuses otherwise: TG203
  /// at its line. `system-certs = true` there makes the system store uv's source, and UV_SYSTEM_CERTS=false, which
  /// beats the files, its bundled roots again.
  func testUvTomlSettingsAreReadWhereUvReadsThem() throws {
    try scratch.write("xdg/uv/uv.toml", "# CI\nallow-insecure-host = [\"localhost\"]\n")
    XCTAssertEqual(try realUv([:]), "accepted")
    let report = scratch.path + "/findings.json"
    let run = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path + "/repo", environment: ["XDG_CONFIG_HOME": scratch.path + "/xdg"])
    XCTAssertEqual(run.status, 1, run.all)
    let object = try XCTUnwrap(try jsonFile(report) as? [String: Any])
    let found = (object["findings"] as? [[String: Any]] ?? []).filter { $0["ruleID"] as? String == "TG203" }
    let location = try XCTUnwrap(found.first?["location"] as? [String: Any], "\(found)")
    XCTAssertEqual(location["path"] as? String, scratch.path + "/xdg/uv/uv.toml")
    XCTAssertEqual(location["line"] as? Int, 2)

    try scratch.write("xdg/uv/uv.toml", "system-certs = true\n")
    XCTAssertEqual(try source([:]), "system store")
    XCTAssertTrue(try source(["UV_SYSTEM_CERTS": "false"])?.hasPrefix(ClientBehaviours.uvBundledRoots) == true)
    // The project's pyproject.toml ([tool.uv]) beats the user's file.
    try scratch.write("repo/pyproject.toml", "[project]\nname = \"x\"\n[tool.uv]\nsystem-certs = false\n")
    XCTAssertTrue(try source([:])?.hasPrefix(ClientBehaviours.uvBundledRoots) == true)
  }

  /// UV_INSECURE_HOST as the real uv reads it: a list split at spaces, where blanks alone name no host (it was a
  /// TG203 on a build whose uv verifies) and a host among them is one.
  func testUvInsecureHostIsReadAsUvReadsIt() throws {
    for (value, expected) in [("   ", "refused"), (" localhost ", "accepted")] {
      XCTAssertEqual(try realUv(["UV_INSECURE_HOST": value]), expected, "[\(value)]")
      let report = scratch.path + "/findings-\(UUID().uuidString).json"
      let run = try CLI.run(
        ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
        in: scratch.path + "/repo", environment: ["XDG_CONFIG_HOME": scratch.path + "/xdg", "UV_INSECURE_HOST": value])
      let object = try XCTUnwrap(try jsonFile(report) as? [String: Any], run.all)
      let found = (object["findings"] as? [[String: Any]] ?? []).filter {
        $0["ruleID"] as? String == "TG203" && $0["subject"] as? String == "UV_INSECURE_HOST"
      }
      XCTAssertEqual(found.count, expected == "accepted" ? 1 : 0, "[\(value)]: \(found)")
    }
  }

  /// uv's source in `inspect --format json`, run in the repository.
  func source(_ environment: [String: String]) throws -> String? {
    let run = try CLI.run(
      ["inspect", "--repo", scratch.path + "/repo", "--format", "json"], in: scratch.path + "/repo",
      environment: environment.merging(["XDG_CONFIG_HOME": scratch.path + "/xdg"]) { $1 })
    let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.all)
    let trust = object["effectiveTrust"] as? [[String: Any]] ?? []
    return trust.first { $0["client"] as? String == "uv" }?["source"] as? String
  }

  /// A uv.toml that is not TOML stops uv before any request ("error: Failed to parse"): the real uv says so, and
  /// trustgate calls uv broken (TG207) naming the file and line, instead of judging its roots.
  func testAUvTomlUvCannotParseStopsIt() throws {
    try scratch.write("xdg/uv/uv.toml", "# CI\nsystem-certs = tru\n")
    let real = try realUv([:])
    XCTAssertTrue(real.contains("Failed to parse"), real)
    XCTAssertTrue(real.contains("line 2"), real)
    let report = scratch.path + "/findings.json"
    let run = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path + "/repo", environment: ["XDG_CONFIG_HOME": scratch.path + "/xdg"])
    let object = try XCTUnwrap(try jsonFile(report) as? [String: Any], run.all)
    let broken = (object["findings"] as? [[String: Any]] ?? []).filter { $0["ruleID"] as? String == "TG207" }
    let message = try XCTUnwrap(broken.first { $0["subject"] as? String == "uv" }?["message"] as? String, "\(broken)")
    let expected = "Failed to parse: \(scratch.path)/xdg/uv/uv.toml (TOML parse error at line 2"
    XCTAssertTrue(message.contains(expected), message)
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// `~/` in a CA path, cell by cell against the real pip 26.3 and botocore 1.44.8 (`scripts/conformance/probe.py`) on
/// `openssl s_server`: pip expands it in PIP_CERT and pip.conf's `cert` (an optparse "path" option), botocore in
/// AWS_CA_BUNDLE, `ca_bundle` and REQUESTS_CA_BUNDLE (urllib3 expands its `ca_certs`); requests, and pip through it,
/// do not expand REQUESTS_CA_BUNDLE. trustgate opened `<folder>/~/root.pem` and said pip and botocore fail. And an
/// empty REQUESTS_CA_BUNDLE stops botocore 1.44.8 (InvalidConfigError), which trustgate took for unset.
final class HomeFolderPathTests: XCTestCase {
  func testATildeIsExpandedWhereTheClientExpandsIt() throws {
    let venv = try RealVenvVerificationTests.venv("3.11", packages: BotocoreConfigTests.packages + ["pip==26.3"])
    let pki = try VerifyPKI()
    let scratch = try TemporaryDirectory()
    try scratch.write("home/root.pem", try pki.bytes("root.pem"))
    try scratch.write("repo/requirements.txt", "botocore==1.44.8\n")
    try scratch.write("pipconf/pip.conf", "[global]\ncert = ~/root.pem\n")
    let servers = LocalServers()
    defer { servers.stopAll() }
    let port = try servers.serveChain(of: pki, www: true)
    let probe = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../../scripts/conformance/probe.py").standardized.path
    let base = [
      "HOME": scratch.path + "/home", "PATH": "/usr/bin:/bin", "VIRTUAL_ENV": venv,
      "PIP_CONFIG_FILE": "/dev/null", "AWS_CONFIG_FILE": scratch.path + "/none",
    ]
    let cells: [(name: String, env: [String: String], pip: Bool, botocore: Bool)] = [
      ("PIP_CERT=~/root.pem", ["PIP_CERT": "~/root.pem"], true, false),
      ("pip.conf cert = ~/root.pem", ["PIP_CONFIG_FILE": scratch.path + "/pipconf/pip.conf"], true, false),
      ("AWS_CA_BUNDLE=~/root.pem", ["AWS_CA_BUNDLE": "~/root.pem"], false, true),
      ("REQUESTS_CA_BUNDLE=~/root.pem", ["REQUESTS_CA_BUNDLE": "~/root.pem"], false, true),
      ("REQUESTS_CA_BUNDLE empty", ["REQUESTS_CA_BUNDLE": ""], false, false),
    ]
    for cell in cells {
      let environment = base.merging(cell.env) { $1 }
      let real = try Shell.run(
        [venv + "/bin/python", probe, "--url", "https://localhost:\(port)/", "--clients", "pip,botocore"],
        environment: environment)
      var realVerdicts: [String: Bool] = [:]
      for line in real.output.split(separator: "\n") {
        guard let item = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let client = item["client"] as? String, let verifies = item["verifies"] as? Bool
        else { continue }
        realVerdicts[client] = verifies
      }
      XCTAssertEqual(realVerdicts["pip"], cell.pip, "\(cell.name): real pip: \(real.output)")
      XCTAssertEqual(realVerdicts["botocore"], cell.botocore, "\(cell.name): real botocore: \(real.output)")
      let run = try CLI.run(
        ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
         "--format", "json"],
        in: scratch.path + "/repo", environment: environment)
      let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      for (client, verifies) in [("pip", cell.pip), ("botocore", cell.botocore)] {
        let verdict = try XCTUnwrap(items.first { $0["client"] as? String == client }, "\(cell.name): \(client)")
        XCTAssertEqual(verdict["verifies"] as? Bool, verifies, "\(cell.name): \(verdict)")
      }
      if cell.name == "REQUESTS_CA_BUNDLE empty" {
        let botocore = items.first { $0["client"] as? String == "botocore" }
        XCTAssertTrue((botocore?["error"] as? String)?.contains("InvalidConfigError: Invalid CA bundle") == true)
        XCTAssertTrue(real.output.contains("InvalidConfigError") || real.output.contains("Invalid CA bundle"))
      }
    }
  }

  /// botocore before 1.43.54 has no `_validate_verify_value`: an empty REQUESTS_CA_BUNDLE or AWS_CA_BUNDLE is a false
  /// `verify`, verification off, and the real 1.43.11 goes on past a chain it does not trust. trustgate said it
  /// raises InvalidConfigError, as 1.44.8 does.
  func testAnEmptyCASettingTurnsVerificationOffInOlderBotocore() throws {
    let packages = BotocoreConfigTests.packages.map { $0.hasPrefix("botocore==") ? "botocore==1.43.11" : $0 }
    let venv = try RealVenvVerificationTests.venv("3.11", packages: packages)
    let pki = try VerifyPKI()
    let scratch = try TemporaryDirectory()
    try scratch.write("repo/requirements.txt", "botocore==1.43.11\n")
    let servers = LocalServers()
    defer { servers.stopAll() }
    let port = try servers.serveChain(of: pki, www: true)
    let probe = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../../scripts/conformance/probe.py").standardized.path
    for variable in ["REQUESTS_CA_BUNDLE", "AWS_CA_BUNDLE"] {
      let environment = [
        "HOME": scratch.path, "PATH": "/usr/bin:/bin", "VIRTUAL_ENV": venv, "AWS_CONFIG_FILE": scratch.path + "/none",
        variable: "",
      ]
      let real = try Shell.run(
        [venv + "/bin/python", probe, "--url", "https://localhost:\(port)/", "--clients", "botocore"],
        environment: environment)
      XCTAssertTrue(real.output.contains("\"verifies\": true"), "\(variable): the real botocore: \(real.output)")
      let run = try CLI.run(
        ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
         "--format", "json"],
        in: scratch.path + "/repo", environment: environment)
      let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      let verdict = try XCTUnwrap(items.first { $0["client"] as? String == "botocore" }, run.stdout)
      XCTAssertEqual(verdict["version"] as? String, "1.43.11")
      XCTAssertEqual(verdict["verifies"] as? Bool, true, "\(variable): \(verdict)")
    }
  }
}

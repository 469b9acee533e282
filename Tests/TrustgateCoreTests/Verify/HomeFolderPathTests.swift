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

  /// A folder in PIP_CERT or CURL_CA_BUNDLE: requests (and pip through it) loads it as a hashed folder
  /// (`ca_cert_dir`), so the real pip 26.3 verifies with a folder `openssl rehash` made; curl wants a file and fails.
  /// TG201 said of PIP_CERT that "its readers (pip) expect a file: pip goes on without it", and of CURL_CA_BUNDLE
  /// that pip went on without it.
  func testAFolderInPIPCertOrCurlCABundleIsReadAsAHashedFolder() throws {
    let venv = try RealVenvVerificationTests.venv("3.11", packages: BotocoreConfigTests.packages + ["pip==26.3"])
    let pki = try VerifyPKI()
    let scratch = try TemporaryDirectory()
    try scratch.write("hashed/root.pem", try pki.bytes("root.pem"))
    let rehash = try Shell.run([try XCTUnwrap(Shell.which("openssl")), "rehash", scratch.path + "/hashed"])
    XCTAssertEqual(rehash.status, 0, rehash.output)
    try scratch.write("repo/requirements.txt", "botocore==1.44.8\n")
    let servers = LocalServers()
    defer { servers.stopAll() }
    let port = try servers.serveChain(of: pki, www: true)
    let probe = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../../scripts/conformance/probe.py").standardized.path
    let folder = scratch.path + "/hashed"
    let cells: [(variable: String, verifies: [String: Bool], tg201: String?)] = [
      ("PIP_CERT", ["pip": true], nil),
      ("CURL_CA_BUNDLE", ["pip": true, "curl": false],
        "CURL_CA_BUNDLE points at the directory \(folder); its readers (requests, pip, curl) expect a file: curl "
          + "fails to verify; pip reads it as a hashed folder (<subject-hash>.N)"),
    ]
    for cell in cells {
      let environment = [
        "HOME": scratch.path, "PATH": "/usr/bin:/bin", "VIRTUAL_ENV": venv, "PIP_CONFIG_FILE": "/dev/null",
        cell.variable: folder,
      ]
      let real = try Shell.run(
        [venv + "/bin/python", probe, "--url", "https://localhost:\(port)/", "--clients",
         cell.verifies.keys.sorted().joined(separator: ",")],
        environment: environment)
      let run = try CLI.run(
        ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
         "--format", "json"],
        in: scratch.path + "/repo", environment: environment)
      let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      for (client, verifies) in cell.verifies {
        let line = real.output.split(separator: "\n").first { $0.contains("\"client\": \"\(client)\"") }
        XCTAssertTrue(
          line?.contains("\"verifies\": \(verifies)") == true, "\(cell.variable): the real \(client): \(real.output)")
        let verdict = try XCTUnwrap(items.first { $0["client"] as? String == client }, "\(cell.variable): \(client)")
        XCTAssertEqual(verdict["verifies"] as? Bool, verifies, "\(cell.variable): \(verdict)")
      }
      let check = try CLI.run(
        ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--format", "json"],
        in: scratch.path + "/repo", environment: environment)
      let report = try XCTUnwrap(
        JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any], check.all)
      let findings = try XCTUnwrap(report["findings"] as? [[String: Any]], check.stdout)
      let tg201 = findings.filter { $0["ruleID"] as? String == "TG201" }.compactMap { $0["message"] as? String }
      XCTAssertEqual(tg201, cell.tg201.map { [$0] } ?? [], cell.variable)
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

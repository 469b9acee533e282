import Foundation
import XCTest

/// Image promotion end to end: images built by umoci (scripts/fixtures/make-promotion-images.sh) at test time, each
/// candidate regressing trust in one way, gated by the real binary against production.
final class ImagePromotionScenarioTests: XCTestCase {
  nonisolated(unsafe) static var images: String?

  override func setUpWithError() throws {
    if Self.images == nil {
      let out = FileManager.default.temporaryDirectory.appendingPathComponent("tg-promotion-\(UUID().uuidString)").path
      let script = CLI.packageRoot + "/scripts/fixtures/make-promotion-images.sh"
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/bash")
      process.arguments = [script, out]
      process.standardOutput = FileHandle.nullDevice
      try process.run()
      process.waitUntilExit()
      XCTAssertEqual(process.terminationStatus, 0, "make-promotion-images.sh failed (is umoci installed? `make test` installs it)")
      Self.images = out
    }
  }

  private func gate(_ candidate: String) throws -> (CLI.Result, [[String: Any]]) {
    let images = try XCTUnwrap(Self.images)
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("tg-gate-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    let report = work + "/findings.json"
    let result = try CLI.run(
      ["check", "--image", images + "/" + candidate, "--baseline-image", images + "/production", "--repo", work,
       "--annotations", "none", "--report", "json=" + report, "--report", "text=" + work + "/out.txt"],
      in: work)
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
    return (result, object?["findings"] as? [[String: Any]] ?? [])
  }

  private func finding(_ findings: [[String: Any]], _ rule: String) -> [String: Any]? {
    findings.first { $0["ruleID"] as? String == rule }
  }

  func testCandidateThatRemovedTheCABundleNamesTheLayer() throws {
    let (result, findings) = try gate("candidate-no-ca")
    XCTAssertEqual(result.status, 1, result.all)
    let removed = try XCTUnwrap(findings.first { $0["ruleID"] as? String == "TG101" && ($0["subject"] as? String)?.hasSuffix(".crt") == true })
    XCTAssertTrue((removed["message"] as? String)?.contains("removed by layer 2") == true, "\(removed)")
    XCTAssertTrue((removed["message"] as? String)?.contains("RUN apt-get purge -y ca-certificates") == true)
    XCTAssertNotNil(finding(findings, "TG201"), "SSL_CERT_FILE now names a missing file")
  }

  func testCandidateWithRetargetedSSLCertFileBreaksOpenSSLClients() throws {
    let (result, findings) = try gate("candidate-env")
    XCTAssertEqual(result.status, 1, result.all)
    let retarget = try XCTUnwrap(finding(findings, "TG202"))
    XCTAssertTrue((retarget["message"] as? String)?.contains("/etc/ssl/certs/corp-bundle.pem") == true)
    let moved = findings.filter { $0["ruleID"] as? String == "TG206" }.compactMap { $0["subject"] as? String }
    XCTAssertTrue(moved.contains("python-ssl"), "\(moved)")
    XCTAssertTrue(moved.contains("httpx"), "httpx 0.27 silently falls back from a missing SSL_CERT_FILE: \(moved)")
  }

  /// Both images' clients verify the image's corporate root, before and after httpx 0.27 → 0.28 (each side judged
  /// with its own installed version): the crossing is a warning that still names the METADATA and the layer.
  func testCandidateWithUpgradedHttpxPointsAtTheNewMetadataAndLayer() throws {
    let (result, findings) = try gate("candidate-httpx")
    XCTAssertEqual(result.status, 0, result.all)
    let upgrade = try XCTUnwrap(finding(findings, "TG301"))
    XCTAssertEqual(upgrade["severity"] as? String, "warning", result.all)
    XCTAssertTrue((upgrade["message"] as? String)?.contains("still verifies what it did") == true, result.all)
    XCTAssertEqual(upgrade["subject"] as? String, "httpx")
    let location = upgrade["location"] as? [String: Any]
    XCTAssertEqual(location?["path"] as? String, "/app/.venv/lib/python3.12/site-packages/httpx-0.28.1.dist-info/METADATA")
    XCTAssertTrue((upgrade["message"] as? String)?.contains("RUN pip install -U httpx") == true)
  }

  /// An image is inspected with its own Env plus --env-file: the host's variables never leak in.
  func testHostEnvironmentDoesNotLeakIntoAnImageWithAnEnvFile() throws {
    let images = try XCTUnwrap(Self.images)
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("tg-env-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    try "HTTPS_PROXY=http://proxy.example:3128\n".write(toFile: work + "/image.env", atomically: true, encoding: .utf8)
    let result = try CLI.run(
      ["inspect", "--image", images + "/production", "--env-file", work + "/image.env", "--repo", work, "--format", "json"],
      in: work, environment: ["NODE_TLS_REJECT_UNAUTHORIZED": "0", "REQUESTS_CA_BUNDLE": "/host/only.pem"])
    XCTAssertEqual(result.status, 0, result.all)
    XCTAssertFalse(result.stdout.contains("NODE_TLS_REJECT_UNAUTHORIZED"), "host variable leaked into the image")
    XCTAssertFalse(result.stdout.contains("/host/only.pem"), "host variable leaked into the image")
    XCTAssertTrue(result.stdout.contains("http://proxy.example:3128"), "--env-file applies")
    XCTAssertTrue(result.stdout.contains("\"SSL_CERT_FILE\""), "the image's own Env applies")
  }

  func testProductionAgainstItselfPasses() throws {
    let (result, findings) = try gate("production")
    XCTAssertEqual(result.status, 0, result.all)
    XCTAssertTrue(findings.allSatisfy { ($0["severity"] as? String) != "error" }, "\(findings)")
  }
}

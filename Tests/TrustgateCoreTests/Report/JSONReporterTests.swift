import Foundation
import XCTest

@testable import TrustgateCore

final class JSONReporterTests: XCTestCase {
  func testDocumentIsVersionedAndCarriesEveryFinding() throws {
    let text = JSONReporter().render(ReportSamples.evaluation)
    let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    XCTAssertEqual(object["schema"] as? String, "trustgate.findings/1")
    XCTAssertEqual(object["verdict"] as? String, "fail")
    XCTAssertEqual(object["exitStatus"] as? Int, 1)
    let findings = try XCTUnwrap(object["findings"] as? [[String: Any]])
    XCTAssertEqual(findings.count, 5)
    XCTAssertEqual(findings[1]["message"] as? String, ReportSamples.trickyMessage)
    XCTAssertNil(findings[0]["location"], "absent, not null, when there is no file")
    XCTAssertEqual((findings[1]["location"] as? [String: Any])?["line"] as? Int, 12)
    XCTAssertEqual((object["passed"] as? [Any])?.count, 3)
  }

  func testKeysAreSortedAndOutputIsByteStable() {
    let text = JSONReporter().render(ReportSamples.evaluation)
    let shuffled = Evaluation(
      rules: ReportSamples.rules.reversed(), findings: ReportSamples.findings.reversed(),
      passed: ReportSamples.passed.reversed(), failOn: .error, baseline: "baseline .trustgate/baseline.json")
    XCTAssertEqual(text, JSONReporter().render(shuffled))
    XCTAssertTrue(text.hasPrefix("{\n  \"baseline\": "))
    let topKeys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
    XCTAssertEqual(topKeys, topKeys.sorted())
    XCTAssertTrue(
      text.contains(
        "\"message\": \"certifi 2023.7.22 removed 3 roots: GlobalSign, \\\"e-Szigno\\\" <Root> & Ünïcødé 根 — 100%\\r\\nsecond line\""
      ))
    XCTAssertTrue(text.contains("\"path\": \"docker/a,b:c%.Dockerfile\""), "slashes are not escaped")
  }
}

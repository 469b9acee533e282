import Foundation
import XCTest

/// A huge value in an input file gives a report of ordinary size: every sink cuts what it echoes.
final class ReportSizeTests: XCTestCase {
  /// The issue's case: a 10 MB version string gave 40 MB of `inspect` output and a 30 MB JUnit file. A 1 MB one
  /// shows the same (every output grew with it); the caps make the output size independent of the input's.
  func testAMegabyteVersionGivesReportsOfOrdinarySize() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\n")
    try scenario.commitAll("pinned")
    let huge = "2." + String(repeating: "3", count: 1_000_000)
    try scenario.write("requirements.txt", "requests==\(huge)\n")
    let check = try scenario.check(["--report", "github-summary=\(scenario.sandbox.path("reports/summary.md"))"])
    XCTAssertEqual(check.status, 1, check.stderr)
    XCTAssertTrue(check.stdout.contains("TG301"), check.stdout)
    XCTAssertTrue(check.stdout.contains("2.333333"), "the version is echoed, cut: \(check.stdout.prefix(2_000))")
    XCTAssertLessThan(check.stdout.utf8.count, 16_000)
    let reports = scenario.reports
    for path in reports.paths + [scenario.sandbox.path("reports/summary.md")] {
      let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
      XCTAssertLessThan(size, 64_000, path)
    }
    let findings = try reports.jsonFindings()
    let upgrade = try XCTUnwrap(findings.first { $0["ruleID"] as? String == "TG301" })
    XCTAssertTrue((upgrade["message"] as? String ?? "").hasSuffix("…"), "\(upgrade)")
    try reports.validate()

    let inspect = try CLI.run(
      ["inspect", "--repo", scenario.repo, "--root", Scenario.healthyRoot], in: scenario.sandbox.root)
    XCTAssertEqual(inspect.status, 0, inspect.stderr)
    XCTAssertTrue(inspect.stdout.contains("requests 2.3333"), inspect.stdout)
    XCTAssertLessThan(inspect.stdout.utf8.count, 8_000)
  }
}

import Foundation
import XCTest

/// A huge value in an input file gives a report of ordinary size: every sink cuts what it echoes.
final class ReportSizeTests: XCTestCase {
  /// The case: a 10 MB version string gave 40 MB of `inspect` output and a 30 MB JUnit file. Here a 1 MB
  /// version in a lockfile and a 900 KB variable value (every output grew with them): the caps make the output size
  /// independent of the input's.
  func testHugeValuesGiveReportsOfOrdinarySize() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\n")
    try scenario.commitAll("pinned")
    try scenario.write("requirements.txt", "requests==2." + String(repeating: "3", count: 1_000_000) + "\n")
    let env = try scenario.envFile(["SSL_CERT_FILE": "/" + String(repeating: "7", count: 900_000) + ".pem"])
    let summary = scenario.sandbox.path("reports/summary.md")
    let check = try scenario.check(["--env-file", env, "--report", "github-summary=\(summary)"])
    XCTAssertEqual(check.status, 1, check.stderr)
    XCTAssertTrue(check.stdout.contains("TG201"), check.stdout)
    XCTAssertTrue(check.stdout.contains("/7777777"), "the value is echoed, cut: \(check.stdout.prefix(2_000))")
    XCTAssertTrue(check.stdout.contains("2.333333"), "the version is echoed, cut: \(check.stdout.prefix(2_000))")
    XCTAssertLessThan(check.stdout.utf8.count, 16_000)
    let reports = scenario.reports
    for path in reports.paths + [summary] {
      let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
      // SARIF alone holds ~60 KB of rule descriptions; the input was 1.9 MB.
      XCTAssertLessThan(size, 100_000, path)
    }
    let findings = try reports.jsonFindings()
    let missing = try XCTUnwrap(findings.first { $0["ruleID"] as? String == "TG201" })
    // The value is cut where it is echoed (about 200 characters), not only the sentence at its 2,000.
    let message = missing["message"] as? String ?? ""
    XCTAssertTrue(message.contains("…") && message.count < 500, "\(missing)")
    try reports.validate()

    let inspect = try CLI.run(
      ["inspect", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--env-file", env], in: scenario.sandbox.root
    )
    XCTAssertEqual(inspect.status, 0, inspect.stderr)
    XCTAssertTrue(inspect.stdout.contains("env          SSL_CERT_FILE=/7777"), inspect.stdout)
    XCTAssertLessThan(inspect.stdout.utf8.count, 16_000)  // a few lines echo the value, each cut at 200
  }

  /// Many findings of one rule: 2,000 `--trusted-host` lines (each TG203) printed 2,000 findings of three lines in
  /// the text report (27.8 MB for 100,000). It lists 50 of one rule and says how many more there are; the JSON report
  /// keeps every one.
  func testManyFindingsOfOneRuleAreListedUpToACap() throws {
    let scenario = try Scenario()
    let hosts = (0..<2_000).map { "--trusted-host host\($0).example\n" }.joined()
    try scenario.write("requirements.txt", "requests==2.31.0\n" + hosts)
    try scenario.commitAll("pinned")
    let check = try scenario.check([])
    XCTAssertEqual(check.status, 1, check.stderr)
    let listed = check.stdout.split(separator: "\n").filter { $0.contains("[TG203]") && !$0.hasPrefix("…") }
    XCTAssertEqual(listed.count, 50, check.stdout.prefix(3_000).description)
    XCTAssertTrue(
      check.stdout.contains("… 1950 more [TG203] findings not shown here"), check.stdout.suffix(2_000).description)
    XCTAssertLessThan(check.stdout.utf8.count, 64_000)
    let findings = try scenario.reports.jsonFindings()
    XCTAssertEqual(findings.filter { $0["ruleID"] as? String == "TG203" }.count, 2_000)
  }
}

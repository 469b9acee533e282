import Foundation
import XCTest

/// A checked-out submodule's lockfiles are in the working tree, so they are compared at git refs and in the index
/// too, read at the commits the superproject records for the submodule. Before, trees and the index skipped
/// submodules while the working tree read them: a bump in `vendor/lib/requirements.txt` had no baseline to differ
/// from, and `check` passed.
final class SubmoduleScenarioTests: XCTestCase {
  /// A repository whose `vendor/lib` is a submodule (a real `git submodule add` of another repository) holding
  /// `requirements.txt` with httpx 0.27.2.
  func submoduleScenario() throws -> Scenario {
    let scenario = try Scenario()
    try scenario.sandbox.makeDirectory("lib")
    try scenario.sandbox.git(["init", "-q", "-b", "main"], in: "lib")
    try scenario.sandbox.write("lib/requirements.txt", "httpx==0.27.2\n")
    try scenario.sandbox.commitAll("the library's pins", in: "lib")
    try scenario.write("requirements.txt", "certifi==2026.4.22\n")
    try scenario.git(["-c", "protocol.file.allow=always", "submodule", "add", "-q", "../lib", "vendor/lib"])
    try scenario.commitAll("vendor the library as a submodule")
    return scenario
  }

  func assertBumpSeen(_ scenario: Scenario, _ result: CLI.Result, file: StaticString = #filePath, line: UInt = #line)
    throws
  {
    XCTAssertNotEqual(result.status, 2, result.all, file: file, line: line)
    let findings = try scenario.reports.jsonFindings()
    let httpx = findings.first { $0["ruleID"] as? String == "TG301" && $0["subject"] as? String == "httpx" }
    XCTAssertNotNil(httpx, "no TG301 for the bump inside the submodule: \(findings)", file: file, line: line)
    XCTAssertEqual(httpx?.jsonLocation.0, "vendor/lib/requirements.txt", file: file, line: line)
  }

  func testBumpInsideASubmoduleIsSeenAgainstARefInTheIndexAndAcrossCommits() throws {
    let scenario = try submoduleScenario()
    // In the working tree only: HEAD's submodule commit is the baseline.
    try scenario.write("vendor/lib/requirements.txt", "httpx==0.28.1\n")
    try assertBumpSeen(scenario, try scenario.check(["--baseline-ref", "HEAD"]))
    try assertBumpSeen(scenario, try scenario.check([]))
    // Committed in the submodule and staged in the superproject (the submodule's new commit in the index).
    try scenario.sandbox.commitAll("bump httpx", in: "repo/vendor/lib")
    try scenario.git(["add", "vendor/lib"])
    try assertBumpSeen(scenario, try scenario.check(["--staged"]))
    // Committed in the superproject: the two commits record two submodule commits.
    try scenario.commitAll("move the submodule")
    try assertBumpSeen(scenario, try scenario.check(["--baseline-ref", "HEAD~1"]))
    let same = try scenario.check(["--baseline-ref", "HEAD"])
    XCTAssertFalse(
      try scenario.reports.jsonFindings().contains { $0["ruleID"] as? String == "TG301" }, "no change: \(same.all)")
  }

  /// A baseline whose submodule commit the submodule's repository does not hold (a shallow CI checkout fetches only
  /// the current one): its lockfiles there cannot be compared, which TG002 says as a warning naming the folder, not
  /// a silent pass. The same commit missing on the side being checked (the index) is an error.
  func testSubmoduleCommitThatWasNeverFetchedIsTG002() throws {
    let scenario = try submoduleScenario()
    let missing = String(repeating: "ab", count: 20)
    try scenario.git(["update-index", "--cacheinfo", "160000,\(missing),vendor/lib"])
    try scenario.git(["commit", "-q", "-m", "record a commit nobody fetched"])
    _ = try scenario.check(["--baseline-ref", "HEAD"])
    let findings = try scenario.reports.jsonFindings()
    let tg002 = try XCTUnwrap(findings.first { $0["ruleID"] as? String == "TG002" }, "\(findings)")
    XCTAssertEqual(tg002.jsonLocation.0, "vendor/lib")
    XCTAssertEqual(tg002["severity"] as? String, "warning")
    XCTAssertTrue(
      (tg002["message"] as? String)?.contains("at the baseline, submodule: its recorded commit ababababab") == true,
      "\(tg002)")
    // The index records the missing commit and HEAD the fetched one: the staged side cannot be read.
    try scenario.git(["reset", "-q", "--soft", "HEAD~1"])
    let staged = try scenario.check(["--staged"])
    XCTAssertEqual(staged.status, 1, staged.all)
    let error = try XCTUnwrap(
      try scenario.reports.jsonFindings().first { $0["ruleID"] as? String == "TG002" }, staged.all)
    XCTAssertEqual(error["severity"] as? String, "error")
    XCTAssertEqual(error.jsonLocation.0, "vendor/lib")
  }
}

import Foundation
import XCTest

/// `-r`/`-c` includes count at git refs and in the index as they do in the working tree: a bump in an included
/// `common.txt` is a bump, whether the baseline comes from `--baseline-ref` or `--staged`.
final class IncludeScenarioTests: XCTestCase {
  /// requirements.txt → reqs/base.in → ../common.txt, with httpx only in common.txt.
  func includingScenario() throws -> Scenario {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "-r reqs/base.in\ncertifi==2026.4.22\n")
    try scenario.write("reqs/base.in", "-c ../common.txt\nhttpx\n")
    try scenario.write("common.txt", "httpx==0.27.2\n")
    try scenario.commitAll("requirements with a chain of includes")
    return scenario
  }

  func assertHttpxUpgrade(_ scenario: Scenario, _ result: CLI.Result, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(result.status, 1, result.all, file: file, line: line)
    let findings = try scenario.reports.jsonFindings()
    let httpx = findings.first { $0["ruleID"] as? String == "TG301" && $0["subject"] as? String == "httpx" }
    XCTAssertNotNil(httpx, "no TG301 for the httpx bump in the included common.txt: \(findings)", file: file, line: line)
    XCTAssertEqual(httpx?.jsonLocation.0, "common.txt", file: file, line: line)
    XCTAssertFalse(
      findings.contains { $0["ruleID"] as? String == "TG001" }, "an include was reported missing: \(findings)",
      file: file, line: line)
  }

  func testBumpInAnIncludedFileIsSeenAgainstARef() throws {
    let scenario = try includingScenario()
    try scenario.write("common.txt", "httpx==0.28.1\n")
    try scenario.commitAll("bump httpx in the included file")
    try assertHttpxUpgrade(scenario, try scenario.check(["--baseline-ref", "HEAD~1"]))
  }

  func testStagedBumpInAnIncludedFileIsSeen() throws {
    let scenario = try includingScenario()
    try scenario.write("common.txt", "httpx==0.28.1\n")
    try scenario.git(["add", "common.txt"])
    // The working tree goes back: only the index holds the bump.
    try scenario.write("common.txt", "httpx==0.27.2\n")
    try assertHttpxUpgrade(scenario, try scenario.check(["--staged"]))
  }

  func testLinkedLockfileIsFollowedAtARef() throws {
    let scenario = try Scenario()
    try scenario.write("locks/pinned.txt", "httpx==0.27.2\n")
    try FileManager.default.createSymbolicLink(atPath: scenario.repo + "/requirements.txt", withDestinationPath: "locks/pinned.txt")
    try scenario.commitAll("requirements.txt is a link")
    try scenario.write("locks/pinned.txt", "httpx==0.28.1\n")
    try scenario.commitAll("bump behind the link")
    let result = try scenario.check(["--baseline-ref", "HEAD~1"])
    XCTAssertEqual(result.status, 1, result.all)
    let findings = try scenario.reports.jsonFindings()
    XCTAssertTrue(
      findings.contains { $0["ruleID"] as? String == "TG301" && $0["subject"] as? String == "httpx" }, "\(findings)")
  }

  func testDanglingLockfileLinkFailsTheGateWithTG002() throws {
    let scenario = try Scenario()
    try scenario.write("README.md", "demo\n")
    try FileManager.default.createSymbolicLink(atPath: scenario.repo + "/uv.lock", withDestinationPath: "gone/uv.lock")
    try scenario.commitAll("a dangling uv.lock")
    let result = try scenario.check([])
    XCTAssertEqual(result.status, 1, result.all)
    let findings = try scenario.reports.jsonFindings()
    let tg002 = try XCTUnwrap(findings.first { $0["ruleID"] as? String == "TG002" }, "\(findings)")
    XCTAssertEqual(tg002["severity"] as? String, "error")
    XCTAssertEqual(tg002.jsonLocation.0, "uv.lock")
    XCTAssertTrue((tg002["message"] as? String)?.contains("gone/uv.lock, which does not exist") == true, "\(tg002)")
  }
}

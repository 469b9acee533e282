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

  func assertHttpxUpgrade(
    _ scenario: Scenario, _ result: CLI.Result, at path: String = "common.txt", file: StaticString = #filePath,
    line: UInt = #line
  ) throws {
    XCTAssertEqual(result.status, 1, result.all, file: file, line: line)
    let findings = try scenario.reports.jsonFindings()
    let httpx = findings.first { $0["ruleID"] as? String == "TG301" && $0["subject"] as? String == "httpx" }
    XCTAssertNotNil(httpx, "no TG301 for the httpx bump in the included common.txt: \(findings)", file: file, line: line)
    XCTAssertEqual(httpx?.jsonLocation.0, path, file: file, line: line)
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

  /// A chain of 981 includes, each file naming the next (as deep as pip 23 on Python 3.11 follows before its
  /// RecursionError), with httpx bumped in the last one: seen against a ref and in the index. Listing and reading the
  /// tree again for each newly named file took 7.8 s in a release build at a ref; the files are now read as the
  /// collector reaches them.
  func testALongChainOfIncludesIsFollowedInOnePass() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "-r chain/1.in\ncertifi==2026.4.22\n")
    let depth = 981
    for index in 1...depth {
      try scenario.write("chain/\(index).in", index < depth ? "-r \(index + 1).in\n" : "httpx==0.27.2\n")
    }
    try scenario.commitAll("a chain of includes")
    try scenario.write("chain/\(depth).in", "httpx==0.28.1\n")
    let started = Date()
    try assertHttpxUpgrade(scenario, try scenario.check(["--baseline-ref", "HEAD"]), at: "chain/\(depth).in")
    try scenario.git(["add", "chain/\(depth).in"])
    try assertHttpxUpgrade(scenario, try scenario.check(["--staged"]), at: "chain/\(depth).in")
    XCTAssertLessThan(Date().timeIntervalSince(started), 15, "two checks of a chain of \(depth) includes")
  }

  /// Includes into folders the walk skips (hidden, `node_modules`), one naming the next across two of them: read at a
  /// ref as in the working tree.
  func testIncludesIntoSkippedFoldersAreFollowedAtARef() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "-r .config/base.txt\n")
    try scenario.write(".config/base.txt", "-r ../node_modules/pins/common.txt\n")
    try scenario.write("node_modules/pins/common.txt", "httpx==0.27.2\n")
    try scenario.commitAll("includes through skipped folders")
    try scenario.write("node_modules/pins/common.txt", "httpx==0.28.1\n")
    try scenario.commitAll("bump")
    let result = try scenario.check(["--baseline-ref", "HEAD~1"])
    try assertHttpxUpgrade(scenario, result, at: "node_modules/pins/common.txt")
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

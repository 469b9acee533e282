import Foundation
import XCTest

@testable import TrustgateCore

/// Wrong command lines and bad input files: exit 2 with a sentence that names the problem, never a crash.
final class CLIBadInputTests: XCTestCase {
  func lockedScenario() throws -> Scenario {
    let scenario = try Scenario()
    try scenario.write("uv.lock", try LockTool.all[0].fixture("old"))
    try scenario.commitAll("lockfile")
    return scenario
  }

  func assertUsageError(_ result: CLI.Result, mentions words: [String], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(result.status, 2, result.all, file: file, line: line)
    for word in words {
      XCTAssertTrue(result.stderr.contains(word), "stderr lacks “\(word)”: \(result.stderr)", file: file, line: line)
    }
    XCTAssertFalse(result.stderr.contains("Fatal error") || result.stderr.contains("Stack dump"), result.stderr, file: file, line: line)
  }

  func testUnknownFlag() throws {
    let scenario = try lockedScenario()
    assertUsageError(try scenario.check(["--no-such-flag"]), mentions: ["--no-such-flag"])
  }

  func testMissingBaselineFile() throws {
    let scenario = try lockedScenario()
    assertUsageError(try scenario.check(["--baseline", "missing.json"]), mentions: ["missing.json", "trustgate baseline"])
  }

  func testBaselineFileThatIsNotJSON() throws {
    let scenario = try lockedScenario()
    try scenario.write("not-json.json", "this is not json {\n")
    assertUsageError(try scenario.check(["--baseline", "not-json.json"]), mentions: ["not-json.json"])
    try scenario.write("other.json", "{\"schema\": \"something/else\"}\n")
    assertUsageError(try scenario.check(["--baseline", "other.json"]), mentions: ["other.json"])
  }

  func testUnknownBaselineRef() throws {
    let scenario = try lockedScenario()
    assertUsageError(try scenario.check(["--baseline-ref", "nosuchref"]), mentions: ["nosuchref", "fetch"])
  }

  func testUnknownReportFormat() throws {
    let scenario = try lockedScenario()
    let result = try CLI.run(["check", "--repo", scenario.repo, "--root", scenario.emptyRoot, "--report", "nope=x"], in: scenario.sandbox.root)
    assertUsageError(result, mentions: ["nope", "json", "junit", "sarif", "github", "gitlab", "azure"])
    XCTAssertFalse(FileManager.default.fileExists(atPath: scenario.sandbox.path("x")))
  }

  func testTwoBaselinesAtOnce() throws {
    let scenario = try lockedScenario()
    assertUsageError(try scenario.check(["--baseline-ref", "HEAD", "--staged"]), mentions: ["at most one"])
  }

  func testExplainUnknownRule() throws {
    let result = try CLI.run(["explain", "TG999"], in: CLI.packageRoot)
    XCTAssertEqual(result.status, 2, result.all)
    XCTAssertTrue(result.stderr.contains("TG999"), result.stderr)
    let known = try CLI.run(["explain", "tg301"], in: CLI.packageRoot)
    XCTAssertEqual(known.status, 0, known.all)
    XCTAssertTrue(known.stdout.hasPrefix("TG301 — "), known.stdout)
  }

  func testRulesListsTheCatalogue() throws {
    let result = try CLI.run(["rules"], in: CLI.packageRoot)
    XCTAssertEqual(result.status, 0, result.all)
    XCTAssertEqual(result.stdout.split(separator: "\n").filter { $0.hasPrefix("TG") }.count, RuleCatalogue.all.count)
  }

  /// Two snapshots from `inspect --format json` (before and after the lockfile upgrade) compared by `diff`.
  func testDiffOfTwoInspectSnapshots() throws {
    let scenario = try lockedScenario()
    let root = Fixtures.path("rootfs/debian")
    let before = try CLI.run(["inspect", "--root", root, "--repo", scenario.repo, "--format", "json"], in: scenario.sandbox.root)
    XCTAssertEqual(before.status, 0, before.stderr)
    try scenario.sandbox.write("a.json", before.stdout)
    try scenario.write("uv.lock", try LockTool.all[0].fixture("new"))
    let env = try scenario.envFile(["SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"])
    let after = try CLI.run(["inspect", "--root", root, "--repo", scenario.repo, "--env-file", env, "--format", "json"], in: scenario.sandbox.root)
    XCTAssertEqual(after.status, 0, after.stderr)
    try scenario.sandbox.write("b.json", after.stdout)

    let diff = try CLI.run(["diff", "a.json", "b.json", "--annotations", "none"], in: scenario.sandbox.root)
    XCTAssertEqual(diff.status, 1, diff.all)
    XCTAssertTrue(diff.stdout.contains("change(s) from a.json to b.json"), diff.stdout)
    let newLine = try LockTool.all[0].line("new", "httpx")
    XCTAssertTrue(diff.stdout.contains("pinChanged httpx: 0.27.2 → 0.28.1 (uv.lock:\(newLine))"), diff.stdout)
    XCTAssertTrue(diff.stdout.contains("pinChanged certifi: 2023.7.22 → 2026.4.22"), diff.stdout)
    XCTAssertTrue(diff.stdout.contains("envSet SSL_CERT_FILE"), diff.stdout)
    XCTAssertTrue(diff.stdout.contains("TG301"), diff.stdout)

    let same = try CLI.run(["diff", "a.json", "a.json", "--annotations", "none", "--report", "json=same.json"], in: scenario.sandbox.root)
    let findings = (try jsonFile(scenario.sandbox.path("same.json")) as? [String: Any])?["findings"] as? [[String: Any]] ?? []
    XCTAssertFalse(findings.contains { ["TG301", "TG302", "TG202"].contains($0["ruleID"] as? String ?? "") }, "\(findings)")
    XCTAssertNotEqual(same.status, 2, same.all)

    assertUsageError(try CLI.run(["diff", "a.json", "nothing.json"], in: scenario.sandbox.root), mentions: ["nothing.json"])
  }
}

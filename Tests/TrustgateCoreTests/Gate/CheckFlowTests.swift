import Foundation
import XCTest

@testable import TrustgateCore

/// `CheckFlow` (what `trustgate check` runs) on real repositories made with git and the uv.lock fixtures made by uv:
/// the baseline each choice picks, the pre-commit stages, findings pointed at `--env-file` lines, and the delivery
/// (report files, annotations, step summary, `--format`, `--quiet`).
final class CheckFlowTests: XCTestCase {
  var scenario: Scenario!
  let tool = LockTool.all[0]

  override func setUpWithError() throws {
    scenario = try Scenario()
    try scenario.write(tool.file, try tool.fixture("old"))
    try scenario.commitAll("httpx 0.27.2")
  }

  override func tearDown() { scenario = nil }

  func request(
    _ baseline: BaselineChoice, environment: [String: String] = [:], envFile: String? = nil,
    delivery: ReportDelivery? = nil
  ) -> CheckRequest {
    let workspace = Workspace(
      root: Scenario.healthyRoot, repository: scenario.repo, envFile: envFile, processEnvironment: environment,
      currentDirectory: scenario.sandbox.root)
    return CheckRequest(
      workspace: workspace, baseline: baseline, failOn: nil,
      delivery: delivery
        ?? ReportDelivery(annotations: .none, environment: environment, currentDirectory: scenario.sandbox.root))
  }

  func httpx(_ outcome: CheckOutcome) -> Finding? {
    outcome.evaluation.findings.first { $0.ruleID == "TG301" && $0.subject == "httpx" }
  }

  func testGitRefBaselineFindsTheWorkingTreesUpgradeAtItsLine() throws {
    try scenario.write(tool.file, try tool.fixture("new"))
    let outcome = try CheckFlow.run(request(.gitRef("HEAD")))
    XCTAssertEqual(outcome.evaluation.baseline, "git ref HEAD")
    let finding = try XCTUnwrap(httpx(outcome), "\(outcome.evaluation.findings)")
    XCTAssertEqual(finding.location?.path, tool.file)
    XCTAssertEqual(finding.location?.line, try tool.line("new", "httpx"))
    XCTAssertEqual(outcome.exitStatus, 1)
    XCTAssertTrue(outcome.changes.contains { $0.subject == "httpx" }, "\(outcome.changes)")
    XCTAssertTrue(outcome.standardOutput.hasSuffix(outcome.evaluation.verdictSentence + "\n"), outcome.standardOutput)
  }

  func testPreCommitStageComparesTheIndexNotTheWorkingTree() throws {
    try scenario.write(tool.file, try tool.fixture("new"))
    // Not staged: the index equals HEAD, nothing to refuse.
    XCTAssertNil(httpx(try CheckFlow.run(request(.hook(.preCommit)))))
    try scenario.git(["add", tool.file])
    let staged = try CheckFlow.run(request(.hook(.preCommit)))
    XCTAssertEqual(staged.evaluation.baseline, "HEAD (staged changes)")
    XCTAssertNotNil(httpx(staged))
  }

  /// At push time the index equals HEAD; the pushed range is what counts, read from git on both sides.
  func testPrePushStageComparesTheRangePreCommitGives() throws {
    let before = try scenario.sandbox.git(["rev-parse", "HEAD"], in: "repo")
    try scenario.write(tool.file, try tool.fixture("new"))
    try scenario.commitAll("httpx 0.28.1, committed with --no-verify")
    let after = try scenario.sandbox.git(["rev-parse", "HEAD"], in: "repo")
    // What the old hook did at pre-push: index against HEAD, equal.
    XCTAssertNil(httpx(try CheckFlow.run(request(.staged))))
    let environment = ["PRE_COMMIT_FROM_REF": before, "PRE_COMMIT_TO_REF": after]
    let pushed = try CheckFlow.run(request(.hook(.prePush), environment: environment))
    XCTAssertEqual(pushed.evaluation.baseline, "git range \(before)..\(after)")
    let finding = try XCTUnwrap(httpx(pushed))
    XCTAssertEqual(finding.location?.line, try tool.line("new", "httpx"))
    XCTAssertTrue(finding.message.contains("upgraded 0.27.2 → 0.28.1"), finding.message)
    // The TO side is read from git, not from the working tree: undoing the bump on disk changes nothing.
    try scenario.write(tool.file, try tool.fixture("old"))
    XCTAssertNotNil(httpx(try CheckFlow.run(request(.hook(.prePush), environment: environment))))
    // The reverse range is a downgrade: the sides are not swapped.
    let reverse = ["PRE_COMMIT_FROM_REF": after, "PRE_COMMIT_TO_REF": before]
    let downgrade = try XCTUnwrap(httpx(try CheckFlow.run(request(.hook(.prePush), environment: reverse))))
    XCTAssertTrue(downgrade.message.contains("downgraded 0.28.1 → 0.27.2"), downgrade.message)
  }

  func testManualStageComparesWithTheUpstreamBranch() throws {
    try scenario.sandbox.git(["init", "-q", "--bare", "remote.git"], in: "")
    try scenario.git(["remote", "add", "origin", scenario.sandbox.path("remote.git")])
    try scenario.git(["push", "-q", "-u", "origin", "main"])
    try scenario.write(tool.file, try tool.fixture("new"))
    try scenario.commitAll("httpx 0.28.1")
    let outcome = try CheckFlow.run(request(.hook(.manual)))
    XCTAssertEqual(outcome.evaluation.baseline, "git ref @{upstream}")
    XCTAssertNotNil(httpx(outcome))
    // HEAD itself holds the bump: comparing with HEAD finds nothing, so the upstream really was the baseline.
    XCTAssertNil(httpx(try CheckFlow.run(request(.gitRef("HEAD")))))
  }

  func testManualStageWithoutAnUpstreamIsAnInputErrorThatSaysSo() throws {
    XCTAssertThrowsError(try CheckFlow.run(request(.hook(.manual)))) { error in
      XCTAssertTrue(String(describing: error).contains("@{upstream}"), "\(error)")
    }
  }

  func testStagesMapToTheirBaselines() {
    XCTAssertEqual(HookStage.preCommit.baselineSource(environment: [:]), .staged)
    XCTAssertEqual(HookStage.manual.baselineSource(environment: [:]), .gitRef("@{upstream}"))
    XCTAssertEqual(HookStage.prePush.baselineSource(environment: [:]), .gitRange(from: "@{upstream}", to: "HEAD"))
    // pre-commit's push of a history the remote has none of: no refs, the local branch.
    XCTAssertEqual(
      HookStage.prePush.baselineSource(environment: ["PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main"]),
      .gitRange(from: nil, to: "refs/heads/main"))
    // A range wins at every stage (a hook whose stages a user changed, `pre-commit run --from-ref --to-ref`).
    for stage in HookStage.allCases {
      XCTAssertEqual(
        stage.baselineSource(environment: ["PRE_COMMIT_FROM_REF": "a", "PRE_COMMIT_TO_REF": "b"]),
        .gitRange(from: "a", to: "b"))
    }
  }

  func testFindingsAboutAnEnvFileVariablePointAtItsLine() throws {
    let envFile = scenario.sandbox.path("build.env")
    try "# build\nREQUESTS_CA_BUNDLE=/nowhere/bundle.pem\n".write(toFile: envFile, atomically: true, encoding: .utf8)
    let outcome = try CheckFlow.run(request(.gitRef("HEAD"), envFile: envFile))
    let located = outcome.evaluation.findings.filter { $0.subject == "REQUESTS_CA_BUNDLE" }
    XCTAssertFalse(located.isEmpty, "\(outcome.evaluation.findings)")
    for finding in located {
      XCTAssertEqual(finding.location, Location(path: envFile, line: 2))
    }
  }

  func testDeliveryWritesReportsAnnotationsAndTheStepSummary() throws {
    try scenario.write(tool.file, try tool.fixture("new"))
    let summary = scenario.sandbox.path("summary.md")
    let environment = ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary]
    let reports = [
      ReportRequest(format: .junit, destination: .file("out/junit.xml")),
      ReportRequest(format: .json, destination: .file(scenario.sandbox.path("out/report.json"))),
    ]
    let delivery = ReportDelivery(reports: reports, environment: environment, currentDirectory: scenario.sandbox.root)
    let outcome = try CheckFlow.run(request(.gitRef("HEAD"), environment: environment, delivery: delivery))
    XCTAssertTrue(outcome.standardOutput.contains("::error file=uv.lock,line="), outcome.standardOutput)
    XCTAssertTrue(outcome.standardOutput.contains("[TG301]"), "the text report follows the annotations")
    let junit = try String(contentsOfFile: scenario.sandbox.path("out/junit.xml"), encoding: .utf8)
    XCTAssertTrue(junit.contains("<testsuites"), junit)
    let json = try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: scenario.sandbox.path("out/report.json")))) as? [String: Any]
    XCTAssertEqual(json?["verdict"] as? String, "fail")
    XCTAssertTrue(try String(contentsOfFile: summary, encoding: .utf8).contains("TG301"))
    // A second run appends to the step summary, as GitHub collects every step's.
    let size = try String(contentsOfFile: summary, encoding: .utf8).utf8.count
    _ = try CheckFlow.run(request(.gitRef("HEAD"), environment: environment, delivery: delivery))
    XCTAssertEqual(try String(contentsOfFile: summary, encoding: .utf8).utf8.count, 2 * size)
    // A summary file that cannot be written (a full disk; a folder the runner did not mount into a container) is
    // said in the log, and the verdict and reports stay as they were.
    for unwritable in ["/dev/full", scenario.sandbox.path("not-mounted/summary.md")] {
      let elsewhere = ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": unwritable]
      let outcome = try CheckFlow.run(
        request(
          .gitRef("HEAD"), environment: elsewhere,
          delivery: ReportDelivery(environment: elsewhere, currentDirectory: scenario.sandbox.root)))
      XCTAssertEqual(outcome.exitStatus, 1)
      XCTAssertTrue(outcome.standardOutput.contains("::error file=uv.lock,line="), outcome.standardOutput)
      XCTAssertTrue(
        outcome.standardOutput.contains("trustgate: the step summary was not written ($GITHUB_STEP_SUMMARY: cannot"),
        outcome.standardOutput)
      XCTAssertTrue(outcome.standardOutput.contains(unwritable), outcome.standardOutput)
    }
  }

  func testQuietAndFormatChooseStandardOutput() throws {
    try scenario.write(tool.file, try tool.fixture("new"))
    let environment = ["GITHUB_ACTIONS": "true"]
    let here = scenario.sandbox.root
    let quiet = try CheckFlow.run(
      request(
        .gitRef("HEAD"), environment: environment,
        delivery: ReportDelivery(quiet: true, environment: environment, currentDirectory: here)))
    // Annotations are CI commands, not chatter: kept; the report shrinks to its verdict line.
    let lines = quiet.standardOutput.split(separator: "\n")
    XCTAssertEqual(lines.last.map(String.init), quiet.evaluation.verdictSentence)
    XCTAssertFalse(quiet.standardOutput.contains("Errors ("), quiet.standardOutput)
    XCTAssertFalse(quiet.standardOutput.contains("\n    fix:"), quiet.standardOutput)
    XCTAssertTrue(quiet.standardOutput.hasPrefix("::error "), quiet.standardOutput)
    let json = try CheckFlow.run(
      request(
        .gitRef("HEAD"), environment: environment,
        delivery: ReportDelivery(format: .json, environment: environment, currentDirectory: here)))
    let parsed = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
    XCTAssertEqual(parsed?["verdict"] as? String, "fail")
  }

  func testBadReportPathIsAnInputErrorNamingIt() throws {
    let delivery = ReportDelivery(
      reports: [ReportRequest(format: .sarif, destination: .file("/proc/no/such/trustgate.sarif"))],
      currentDirectory: scenario.sandbox.root)
    XCTAssertThrowsError(try CheckFlow.run(request(.gitRef("HEAD"), delivery: delivery))) { error in
      XCTAssertTrue(String(describing: error).contains("/proc/no/such/trustgate.sarif"), "\(error)")
    }
  }
}

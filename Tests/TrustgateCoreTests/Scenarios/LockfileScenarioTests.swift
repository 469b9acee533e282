import Foundation
import XCTest

/// End to end: a real git repository (baseline commit → candidate) carrying real lockfiles made by uv, poetry,
/// pipenv, pdm and pip-compile, checked by the built `trustgate` binary with every report format.
final class LockfileScenarioTests: XCTestCase {
  /// Commits the old lockfile, then the new one; `check --baseline-ref HEAD~1` must flag httpx 0.27 → 0.28 (TG301)
  /// and the certifi bump (TG302) at the new lockfile's lines, in every report.
  func testCommittedUpgradeIsFlaggedInEveryReportForEveryTool() throws {
    for tool in LockTool.all {
      let scenario = try Scenario()
      try scenario.write(tool.file, try tool.fixture("old"))
      try scenario.commitAll("baseline: \(tool.tool) lockfile")
      try scenario.write(tool.file, try tool.fixture("new"))
      try scenario.commitAll("candidate: upgrade httpx and certifi")
      let result = try scenario.check(["--baseline-ref", "HEAD~1"])
      XCTAssertEqual(result.status, 1, "\(tool.tool): \(result.all)")
      XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)
      try assertUpgradeReported(tool, scenario.reports)
    }
  }

  /// pip ends a requirement at a lone CR (`splitlines`): an httpx bump written after one is read, as pip reads it,
  /// and judged (TG301), not passed over as one unreadable line.
  func testABumpAfterALoneCarriageReturnIsSeen() throws {
    try assertBumpIsSeen("requests==2.31.0\rhttpx==0.28.1\n")
  }

  /// pip joins a line ending in `\` to the next with nothing between (`join_lines`): `httpx==0.28.\` then `1` is
  /// httpx 0.28.1 for pip. It was read with a space put between, as one unreadable entry (a TG001 warning), and the
  /// 0.27 → 0.28 bump passed.
  func testABumpSplitByAContinuationIsSeen() throws {
    try assertBumpIsSeen("requests==2.31.0\nhttpx==0.28.\\\n1\n")
  }

  /// An httpx 0.27.2 → 0.28.1 bump written as `bumped` in requirements.txt is judged against HEAD (TG301) and read
  /// whole (no TG001).
  func assertBumpIsSeen(_ bumped: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\nhttpx==0.27.2\n")
    try scenario.commitAll("baseline")
    try scenario.write("requirements.txt", bumped)
    let result = try scenario.check(["--baseline-ref", "HEAD"])
    XCTAssertNotEqual(result.status, 2, result.all, file: file, line: line)
    let findings = try scenario.reports.jsonFindings()
    XCTAssertTrue(
      findings.contains { $0["ruleID"] as? String == "TG301" && $0["subject"] as? String == "httpx" }, result.all,
      file: file, line: line)
    XCTAssertFalse(findings.contains { $0["ruleID"] as? String == "TG001" }, result.all, file: file, line: line)
  }

  /// pip's `--trusted-host` on a requirements file's own line turns verification off for that host whenever pip
  /// installs from the file (`pip-compile` writes such lines). A pull request that adds one to an included file is
  /// caught before it lands: TG203 at the included file's line, from the index (`--staged`) as from the tree.
  func testATrustedHostAddedToARequirementsFileFailsTheGate() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "--index-url https://pypi.org/simple -r common.txt\nrequests==2.31.0\n")
    try scenario.write("common.txt", "idna==3.10\n")
    try scenario.commitAll("baseline")
    XCTAssertEqual(try scenario.check(["--baseline-ref", "HEAD"]).status, 0)
    try scenario.write("common.txt", "# mirror\n--trusted-host pypi.org\nidna==3.10\n")
    try scenario.git(["add", "common.txt"])
    try scenario.write("common.txt", "idna==3.10\n")
    // The index holds the switch, the tree does not: the hook's view (--staged) must see it, the tree's must not.
    for (arguments, expected) in [(["--staged"], Int32(1)), (["--baseline-ref", "HEAD"], 0)] {
      let result = try scenario.check(arguments)
      XCTAssertEqual(result.status, expected, "\(arguments): \(result.all)")
      let found = try scenario.reports.jsonFindings().filter { $0["ruleID"] as? String == "TG203" }
      XCTAssertEqual(found.count, Int(expected), "\(arguments): \(found)")
      if let location = found.first?["location"] as? [String: Any] {
        XCTAssertEqual(location["path"] as? String, "common.txt")
        XCTAssertEqual(location["line"] as? Int, 2)
      }
    }
  }

  /// Only the working tree changed: HEAD is the baseline, the files on disk the candidate.
  func testWorkingTreeChangeAgainstHEAD() throws {
    for tool in LockTool.all {
      let scenario = try Scenario()
      try scenario.write(tool.file, try tool.fixture("old"))
      try scenario.commitAll("baseline")
      try scenario.write(tool.file, try tool.fixture("new"))
      let result = try scenario.check(["--baseline-ref", "HEAD"])
      XCTAssertEqual(result.status, 1, "\(tool.tool): \(result.all)")
      try assertUpgradeReported(tool, scenario.reports)
    }
  }

  /// A checkout that belongs to another user (a container job on the runner's workspace) is one git refuses
  /// (`safe.directory`). libgit2 1.5 then says "not found" when no safe.directory is set at all, and the automatic
  /// baseline silently became none: the bump passed. Now both the automatic baseline and `--baseline-ref` exit 2
  /// with git's fix, and with the directory marked safe the bump is found.
  func testCheckoutOwnedByAnotherUserIsRefusedNotSkipped() throws {
    guard geteuid() == 0 else { throw XCTSkip("giving the checkout to another user (chown) needs root") }
    let tool = LockTool.all[0]
    let scenario = try Scenario()
    try scenario.write(tool.file, try tool.fixture("old"))
    try scenario.commitAll("baseline")
    try scenario.write(tool.file, try tool.fixture("new"))
    let chown = Process()
    chown.executableURL = URL(fileURLWithPath: "/bin/chown")
    chown.arguments = ["-R", "1001:1001", scenario.repo]
    try chown.run()
    chown.waitUntilExit()
    XCTAssertEqual(chown.terminationStatus, 0)
    for arguments in [[], ["--baseline-ref", "HEAD"]] {
      let refused = try scenario.check(arguments)
      XCTAssertEqual(refused.status, 2, "\(arguments): \(refused.all)")
      XCTAssertTrue(refused.stderr.contains("the repository is owned by another user"), refused.stderr)
      XCTAssertTrue(
        refused.stderr.contains("`git config --global --add safe.directory \(scenario.repo)`"), refused.stderr)
    }
    // HOME is the sandbox for the runs: git's global configuration there marks the checkout safe.
    try scenario.sandbox.write(".gitconfig", "[safe]\n\tdirectory = \(scenario.repo)\n")
    let trusted = try scenario.check([])
    XCTAssertEqual(trusted.status, 1, trusted.all)
    try assertUpgradeReported(tool, scenario.reports)
  }

  /// A baseline uv.lock that is not TOML (a real `git merge` conflict committed with its markers) has no pins: the
  /// bump to the fixed file compared with nothing and `check` passed without a word. It is a TG001 warning now.
  func testBaselineLockfileThatCannotBeParsedIsSaid() throws {
    let tool = LockTool.all[0]
    let scenario = try Scenario()
    try scenario.write(tool.file, try tool.fixture("old"))
    try scenario.commitAll("old")
    try scenario.git(["checkout", "-q", "-b", "bump"])
    try scenario.write(tool.file, try tool.fixture("new"))
    try scenario.commitAll("new")
    try scenario.git(["checkout", "-q", "main"])
    try scenario.write(tool.file, try tool.fixture("old").replacingOccurrences(of: "0.27.2", with: "0.27.0"))
    try scenario.commitAll("another change to the same lines")
    let identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    let merge = try Shell.run(["/usr/bin/env", "git", "-C", scenario.repo] + identity + ["merge", "bump"])
    XCTAssertNotEqual(merge.status, 0, "the merge was expected to conflict: \(merge.output)")
    XCTAssertTrue(try textFile(scenario.repo + "/" + tool.file).contains("<<<<<<< "), "no conflict markers")
    try scenario.commitAll("merge, markers and all")
    try scenario.write(tool.file, try tool.fixture("new"))
    try scenario.commitAll("resolve the conflict")
    _ = try scenario.check(["--baseline-ref", "HEAD~1"])
    let findings = try scenario.reports.jsonFindings()
    let said = try XCTUnwrap(
      findings.first { ($0["message"] as? String)?.hasPrefix("at the baseline, ") == true }, "\(findings)")
    XCTAssertEqual(said["ruleID"] as? String, "TG001")
    XCTAssertEqual(said.jsonLocation.0, tool.file)
    XCTAssertTrue((said["message"] as? String)?.contains("not compared") == true, "\(said)")
  }

  /// `--staged`: the upgrade is staged, not committed; the working tree even goes back to the old file, so only
  /// the index can show the upgrade.
  func testStagedUpgradeIsComparedWithHEAD() throws {
    for tool in LockTool.all {
      let scenario = try Scenario()
      try scenario.write(tool.file, try tool.fixture("old"))
      try scenario.commitAll("baseline")
      try scenario.write(tool.file, try tool.fixture("new"))
      try scenario.git(["add", tool.file])
      try scenario.write(tool.file, try tool.fixture("old"))
      let result = try scenario.check(["--staged"])
      XCTAssertEqual(result.status, 1, "\(tool.tool): \(result.all)")
      let findings = try scenario.reports.jsonFindings()
      let httpx = findings.first { $0["ruleID"] as? String == "TG301" && $0["subject"] as? String == "httpx" }
      XCTAssertNotNil(httpx, "\(tool.tool): no TG301 for the staged httpx upgrade: \(findings)")
      let (path, line) = httpx?.jsonLocation ?? (nil, nil)
      XCTAssertEqual(path, tool.file)
      XCTAssertEqual(line, try tool.line("new", "httpx"), "\(tool.tool): TG301 at the staged file's line")
    }
  }

  /// Control: the same lockfile committed twice, compared with the previous commit and with HEAD itself.
  func testNoChangeControlPasses() throws {
    for tool in LockTool.all {
      let scenario = try Scenario()
      try scenario.write(tool.file, try tool.fixture("new"))
      try scenario.commitAll("baseline")
      try scenario.write("README.md", "unrelated change\n")
      try scenario.commitAll("candidate: no lockfile change")
      for ref in ["HEAD~1", "HEAD"] {
        let result = try scenario.check(["--baseline-ref", ref])
        XCTAssertEqual(result.status, 0, "\(tool.tool) vs \(ref): \(result.all)")
        let findings = try scenario.reports.jsonFindings()
        let lockfileFindings = findings.filter { ($0["area"] as? String) == "lockfiles" || ["TG301", "TG302"].contains($0["ruleID"] as? String ?? "") }
        XCTAssertEqual(lockfileFindings.count, 0, "\(tool.tool) vs \(ref): \(lockfileFindings)")
        XCTAssertEqual(try scenario.reports.sarifResults().filter { ($0["level"] as? String) == "error" }.count, 0)
        XCTAssertEqual(try scenario.reports.gitlabIssues().filter { ($0["check_name"] as? String)?.hasPrefix("TG3") == true }.count, 0)
        let github = try textFile(scenario.reports.github)
        XCTAssertFalse(github.contains("::error"), "\(tool.tool): \(github)")
        XCTAssertFalse(try textFile(scenario.reports.azure).contains("type=error"))
        XCTAssertFalse(try textFile(scenario.reports.junit).contains("<failure"))
        try scenario.reports.validate()
      }
    }
  }

  // MARK: - Assertions over all six reports

  func assertUpgradeReported(_ tool: LockTool, _ reports: ReportSet, file: StaticString = #filePath, line: UInt = #line) throws {
    let name = tool.tool
    let path = tool.file
    let newLine = try tool.line("new", "httpx")
    let oldLine = try tool.line("old", "httpx")
    let certifiLine = try tool.line("new", "certifi")

    // JSON: TG301 at the new line, the baseline's line as related location; TG302 at certifi's line.
    let findings = try reports.jsonFindings()
    let httpx = findings.first { $0["ruleID"] as? String == "TG301" && $0["subject"] as? String == "httpx" }
    XCTAssertNotNil(httpx, "\(name): no TG301 for httpx in \(findings.map { $0["ruleID"] ?? "" })", file: file, line: line)
    XCTAssertEqual(httpx?.jsonLocation.0, path, name, file: file, line: line)
    XCTAssertEqual(httpx?.jsonLocation.1, newLine, "\(name): TG301 line", file: file, line: line)
    let related = httpx?["relatedLocations"] as? [[String: Any]] ?? []
    XCTAssertEqual(related.first?["path"] as? String, path, name, file: file, line: line)
    XCTAssertEqual(related.first?["line"] as? Int, oldLine, "\(name): baseline line", file: file, line: line)
    XCTAssertEqual(httpx?["severity"] as? String, "error", file: file, line: line)
    let certifi = findings.first { $0["ruleID"] as? String == "TG302" }
    XCTAssertNotNil(certifi, "\(name): no TG302 for the certifi bump", file: file, line: line)
    XCTAssertEqual(certifi?.jsonLocation.0, path, name, file: file, line: line)
    XCTAssertEqual(certifi?.jsonLocation.1, certifiLine, "\(name): TG302 line", file: file, line: line)
    XCTAssertEqual((try jsonFile(reports.json) as? [String: Any])?["exitStatus"] as? Int, 1, file: file, line: line)

    // SARIF: region.startLine and the related location.
    let results = try reports.sarifResults()
    let sarif = results.first { $0["ruleId"] as? String == "TG301" }
    let physical = ((sarif?["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
    XCTAssertEqual((physical?["artifactLocation"] as? [String: Any])?["uri"] as? String, path, name, file: file, line: line)
    XCTAssertEqual((physical?["region"] as? [String: Any])?["startLine"] as? Int, newLine, "\(name): SARIF startLine", file: file, line: line)
    let sarifRelated = (sarif?["relatedLocations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
    XCTAssertEqual((sarifRelated?["region"] as? [String: Any])?["startLine"] as? Int, oldLine, "\(name): SARIF related", file: file, line: line)
    XCTAssertTrue(results.contains { $0["ruleId"] as? String == "TG302" }, "\(name): SARIF TG302", file: file, line: line)

    // GitHub workflow commands.
    let github = try textFile(reports.github)
    let githubLine = github.split(separator: "\n").first { $0.contains("TG301") && $0.hasPrefix("::error ") }
    XCTAssertNotNil(githubLine, "\(name): no ::error for TG301 in\n\(github)", file: file, line: line)
    XCTAssertTrue(githubLine?.hasPrefix("::error file=\(path),line=\(newLine),") == true, "\(name): \(githubLine ?? "")", file: file, line: line)
    XCTAssertTrue(github.contains("::error file=\(path),line=\(certifiLine),"), "\(name): TG302 in GitHub", file: file, line: line)

    // GitLab Code Quality.
    let issues = try reports.gitlabIssues()
    let issue = issues.first { $0["check_name"] as? String == "TG301" }
    let location = issue?["location"] as? [String: Any]
    XCTAssertEqual(location?["path"] as? String, path, name, file: file, line: line)
    XCTAssertEqual((location?["lines"] as? [String: Any])?["begin"] as? Int, newLine, "\(name): GitLab lines.begin", file: file, line: line)
    XCTAssertTrue(issues.contains { $0["check_name"] as? String == "TG302" }, file: file, line: line)

    // Azure logging commands.
    let azure = try textFile(reports.azure)
    XCTAssertTrue(
      azure.contains("##vso[task.logissue type=error;sourcepath=\(path);linenumber=\(newLine);code=TG301;]"),
      "\(name): Azure\n\(azure)", file: file, line: line)
    XCTAssertTrue(azure.contains("sourcepath=\(path);linenumber=\(certifiLine);code=TG302;"), file: file, line: line)

    // JUnit: file:line in the failure text.
    let junit = try textFile(reports.junit)
    XCTAssertTrue(junit.contains("<failure"), file: file, line: line)
    XCTAssertTrue(junit.contains("\(path):\(newLine)"), "\(name): JUnit failure text lacks \(path):\(newLine)", file: file, line: line)
    XCTAssertTrue(junit.contains("\(path):\(certifiLine)"), "\(name): JUnit lacks \(path):\(certifiLine)", file: file, line: line)

    try reports.validate(file: file, line: line)
  }
}

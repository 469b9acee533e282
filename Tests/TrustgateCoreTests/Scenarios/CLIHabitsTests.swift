import Foundation
import XCTest

@testable import TrustgateCore

/// The habits command-line users expect, through the real binary: `-V`/`--version`, `--quiet`, `check --format`,
/// documented shell completion, and the exit status of an unknown flag as `ci-templates/README.md` states it.
final class CLIHabitsTests: XCTestCase {
  /// A repository whose working tree upgrades httpx 0.27.2 → 0.28.1 in uv.lock over HEAD (TG301, an error).
  func upgradeScenario() throws -> Scenario {
    let scenario = try Scenario()
    let tool = LockTool.all[0]
    try scenario.write(tool.file, try tool.fixture("old"))
    try scenario.commitAll("lockfile")
    try scenario.write(tool.file, try tool.fixture("new"))
    return scenario
  }

  func check(_ scenario: Scenario, _ arguments: [String], environment: [String: String] = [:]) throws -> CLI.Result {
    try CLI.run(
      ["check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--baseline-ref", "HEAD"] + arguments,
      in: scenario.sandbox.root, environment: environment)
  }

  func testShortAndLongVersionFlagsPrintTheVersion() throws {
    let directory = FileManager.default.temporaryDirectory.path
    let long = try CLI.run(["--version"], in: directory)
    let short = try CLI.run(["-V"], in: directory)
    XCTAssertEqual(long.status, 0, long.all)
    XCTAssertEqual(short.status, 0, short.all)
    XCTAssertNotNil(long.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression), long.stdout)
    XCTAssertEqual(short.stdout, long.stdout)
  }

  func testQuietPrintsOnlyTheVerdictLineAndStillWritesReports() throws {
    let scenario = try upgradeScenario()
    let report = scenario.sandbox.path("reports/quiet.json")
    let loud = try check(scenario, ["--annotations", "none"])
    let quiet = try check(scenario, ["--annotations", "none", "--quiet", "--report", "json=" + report])
    XCTAssertEqual(loud.status, 1, loud.all)
    XCTAssertEqual(quiet.status, 1, quiet.all)
    XCTAssertTrue(loud.stdout.contains("TG301"), loud.stdout)
    let lines = quiet.stdout.split(separator: "\n")
    XCTAssertEqual(lines.count, 1, quiet.stdout)
    XCTAssertTrue(lines.first?.hasPrefix("FAIL: ") == true, quiet.stdout)
    XCTAssertEqual(loud.stdout.split(separator: "\n").last, lines.first, "the same verdict line as the full report")
    XCTAssertEqual(quiet.stderr, "")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
    XCTAssertEqual(json?["verdict"] as? String, "fail")
    // -q is the short form; errors still reach stderr.
    let short = try check(scenario, ["--annotations", "none", "-q"])
    XCTAssertEqual(short.stdout, quiet.stdout)
    let broken = try CLI.run(
      ["check", "--repo", scenario.repo, "--quiet", "--baseline", "missing.json"], in: scenario.sandbox.root)
    XCTAssertEqual(broken.status, 2, broken.all)
    XCTAssertTrue(broken.stderr.contains("missing.json"), broken.stderr)
  }

  func testFormatChoosesTheReportOnStandardOutput() throws {
    let scenario = try upgradeScenario()
    // Under GitHub Actions too: a machine-readable format keeps standard output parseable (no automatic annotations).
    let json = try check(scenario, ["--format", "json"], environment: ["GITHUB_ACTIONS": "true"])
    XCTAssertEqual(json.status, 1, json.all)
    let report = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
    XCTAssertEqual(report["verdict"] as? String, "fail")
    let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
    XCTAssertTrue(findings.contains { $0["ruleID"] as? String == "TG301" }, json.stdout)

    let sarif = try check(scenario, ["--format", "sarif", "--annotations", "none"])
    let log = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
    XCTAssertEqual(log["version"] as? String, "2.1.0")

    let text = try check(scenario, ["--format", "text", "--annotations", "none"])
    XCTAssertTrue(text.stdout.contains("[TG301]"), text.stdout)
    // Annotations still come when asked for by name.
    let annotated = try check(scenario, ["--format", "json", "--annotations", "github"])
    XCTAssertTrue(annotated.stdout.contains("::error file=uv.lock"), annotated.stdout)

    let wrong = try check(scenario, ["--format", "yaml"])
    XCTAssertEqual(wrong.status, 2, wrong.all)
    XCTAssertTrue(wrong.stderr.contains("yaml"), wrong.stderr)
  }

  func testShellCompletionIsGeneratedAndDocumented() throws {
    let scratch = try TemporaryDirectory()
    for shell in ["bash", "zsh", "fish"] {
      let script = try CLI.run(["--generate-completion-script", shell], in: scratch.path)
      XCTAssertEqual(script.status, 0, script.all)
      XCTAssertTrue(script.stdout.contains("trustgate"), shell)
      try scratch.write("completion." + shell, script.stdout)
    }
    // bash loads it and registers a completion for trustgate that offers the subcommands.
    let loaded = try BuiltTrustgate.shell([
      "-c",
      """
      source '\(scratch.path)/completion.bash'
      complete -p trustgate
      COMP_WORDS=(trustgate ch); COMP_CWORD=1; COMP_LINE='trustgate ch'; COMP_POINT=${#COMP_LINE}
      "$(complete -p trustgate | sed -E 's/.*-F ([^ ]+).*/\\1/')" trustgate ch trustgate
      printf '%s\\n' "${COMPREPLY[@]}"
      """,
    ])
    XCTAssertEqual(loaded.status, 0, loaded.output)
    XCTAssertTrue(loaded.output.contains("-F _trustgate trustgate"), loaded.output)
    XCTAssertTrue(loaded.output.split(separator: "\n").contains("check"), loaded.output)

    let help = try CLI.run(["--help"], in: scratch.path)
    XCTAssertTrue(help.stdout.contains("--generate-completion-script"), help.stdout)
    let readme = try String(contentsOfFile: CLI.packageRoot + "/README.md", encoding: .utf8)
    XCTAssertTrue(readme.contains("--generate-completion-script"), "README.md documents shell completion")
  }

  /// `verify --help` and the README name every client trustgate judges: the README's list is the table's, and the
  /// help names each (it once stopped at git, before uv, node, go, java and maven were judged).
  func testVerifyHelpAndTheReadmeNameEveryClientJudged() throws {
    let readme = try String(contentsOfFile: CLI.packageRoot + "/README.md", encoding: .utf8)
      .replacingOccurrences(of: "\n", with: " ")
    let match = try XCTUnwrap(
      readme.range(of: #"for every client present \(([^)]*)\)"#, options: .regularExpression),
      "README.md no longer lists the clients verify judges")
    let listed = readme[match].drop { $0 != "(" }.dropFirst().dropLast()
      .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    XCTAssertEqual(Set(listed), Set(ClientBehaviours.clients), "README.md's list against the table")
    XCTAssertTrue(listed.contains("node") && listed.contains("java"), "\(listed)")
    let scratch = try TemporaryDirectory()
    let help = try CLI.run(["verify", "--help"], in: scratch.path)
    let text = help.stdout.replacingOccurrences(of: "\n", with: " ")
    for client in listed {
      XCTAssertTrue(
        text.contains(" \(client),") || text.contains("(\(client),") || text.contains(" \(client))"), client)
    }
  }

  /// `ci-templates/README.md` says what a flag that does not exist exits with; the binary must agree, and it is the
  /// usage-error status 2 (ARCHITECTURE: 0, 1, 2, nothing else).
  func testUnknownFlagExitsWithTheStatusTheCITemplatesReadmeStates() throws {
    let readme = try String(contentsOfFile: CLI.packageRoot + "/ci-templates/README.md", encoding: .utf8)
      .replacingOccurrences(of: "\n", with: " ")
    let match = try XCTUnwrap(
      readme.range(of: #"a flag that does not exist exits \d+"#, options: .regularExpression),
      "ci-templates/README.md no longer says what an unknown flag exits with")
    let stated = Int32(readme[match].split(separator: " ").last ?? "")
    let scratch = try TemporaryDirectory()
    for arguments in [["check", "--no-such-flag"], ["--no-such-flag"], ["inspect", "--fromat", "json"]] {
      let run = try CLI.run(arguments, in: scratch.path)
      XCTAssertEqual(run.status, stated, "\(arguments): \(run.all)")
      XCTAssertEqual(run.status, 2, "\(arguments): \(run.all)")
      XCTAssertTrue(run.stderr.contains("Unknown option"), run.stderr)
    }
  }

  /// Output that cannot be written is an error, like a file that cannot be read: `baseline > baseline.json` on a full
  /// disk, or a report printed to a closed descriptor, must not exit 0 with the baseline or report lost. The shell
  /// gives trustgate `/dev/full` (every write fails with ENOSPC) or no descriptor 1 at all.
  func testOutputThatCannotBeWrittenFailsTheRun() throws {
    let binary = try XCTUnwrap(CLI.binary)
    let scenario = try upgradeScenario()
    let target = ["--repo", scenario.repo, "--root", Scenario.healthyRoot]
    func run(_ arguments: [String], to redirection: String) throws -> BoundedRun.Outcome {
      try BoundedRun.run(
        ["/bin/sh", "-c", "exec \"$0\" \"$@\" \(redirection)", binary] + arguments, in: scenario.sandbox.root,
        seconds: 600)
    }
    let cases: [(arguments: [String], redirection: String, reason: String)] = [
      (["inspect", "--format", "json"] + target, ">/dev/full", "No space left on device"),
      (["baseline"] + target, ">/dev/full", "No space left on device"),
      (["inspect"] + target, ">&-", "Bad file descriptor"),
      (["rules"], ">/dev/full", "No space left on device"),
      (["--help"], ">/dev/full", "No space left on device"),
      // A failing check whose report is lost: 2, not 1, and the message says why nothing was shown.
      (["check", "--baseline-ref", "HEAD", "--annotations", "none"] + target, ">/dev/full", "No space left on device"),
    ]
    for (arguments, redirection, reason) in cases {
      let outcome = try run(arguments, to: redirection)
      XCTAssertEqual(outcome.status, 2, "\(arguments) \(redirection): \(outcome.stderr)")
      XCTAssertTrue(outcome.stderr.contains("cannot write standard output"), "\(arguments): \(outcome.stderr)")
      // The reason, unless the failed write was an earlier one whose errno the stream did not keep.
      XCTAssertTrue(
        outcome.stderr.contains(reason) || outcome.stderr.contains("a write failed"), "\(arguments): \(outcome.stderr)")
    }
    // The same commands to a writable file: 0 (1 for the failing check), and the file holds the whole output.
    let file = scenario.sandbox.path("snapshot.json")
    let written = try run(["inspect", "--format", "json"] + target, to: ">'\(file)'")
    XCTAssertEqual(written.status, 0, written.stderr)
    XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))))
    let failing = try run(["check", "--baseline-ref", "HEAD", "--annotations", "none"] + target, to: ">/dev/null")
    XCTAssertEqual(failing.status, 1, failing.stderr)
  }
}

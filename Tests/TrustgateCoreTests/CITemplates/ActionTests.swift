import Foundation
import XCTest
import Yams

/// `action/action.yml`: the metadata follows GitHub's composite-action rules, and its shell steps, run the way the
/// runner runs them (`bash --noprofile --norc -eo pipefail`, `${{ … }}` replaced, `$GITHUB_OUTPUT` and
/// `$GITHUB_STEP_SUMMARY` files), gate a pull request: annotations, step summary, JUnit, SARIF and JSON written,
/// outputs set from the JSON report, and the step fails with trustgate's exit status.
final class ActionTests: XCTestCase {
  static let actionPath = BuiltTrustgate.packageRoot + "/action"

  func action() throws -> [String: Any] {
    let text = try String(contentsOfFile: Self.actionPath + "/action.yml", encoding: .utf8)
    return try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
  }

  func steps() throws -> [[String: Any]] {
    try XCTUnwrap((try action()["runs"] as? [String: Any])?["steps"] as? [[String: Any]])
  }

  func testMetadataFollowsTheCompositeActionSchema() throws {
    let action = try action()
    XCTAssertNotNil(action["name"] as? String)
    XCTAssertEqual((action["runs"] as? [String: Any])?["using"] as? String, "composite")
    let inputs = try XCTUnwrap(action["inputs"] as? [String: [String: Any]])
    for wanted in ["baseline", "baseline-ref", "policy", "fail-on", "image", "reports"] {
      XCTAssertNotNil(inputs[wanted], "input \(wanted)")
    }
    for (id, input) in inputs {
      XCTAssertNotNil(input["description"] as? String, "input \(id) needs a description")
      XCTAssertNotNil(id.range(of: #"^[A-Za-z_][A-Za-z0-9_-]*$"#, options: .regularExpression), "input id \(id)")
    }
    let outputs = try XCTUnwrap(action["outputs"] as? [String: [String: Any]])
    for wanted in ["errors", "warnings", "notes", "failing", "junit-report", "sarif-report", "json-report"] {
      XCTAssertEqual(outputs[wanted]?["value"] as? String, "${{ steps.check.outputs.\(wanted) }}", "output \(wanted)")
    }
    for (id, output) in outputs { XCTAssertNotNil(output["description"] as? String, "output \(id)") }
    for step in try steps() {
      if step["run"] != nil {
        XCTAssertEqual(step["shell"] as? String, "bash", "\(step["name"] ?? "step") needs shell")
      }
      if let run = step["run"] as? String {
        // Inputs reach scripts through env:, never pasted into the script (script injection).
        XCTAssertFalse(run.contains("${{"), "\(step["name"] ?? "step") expands an expression inside run:")
      }
    }
    let uses = try steps().compactMap { $0["uses"] as? String }
    XCTAssertTrue(uses.contains { $0.hasPrefix("actions/cache@") }, "the build is cached")
  }

  func testCheckStepGatesAPullRequestAndSetsOutputs() throws {
    let binary = try BuiltTrustgate.path()
    let scratch = try TemporaryDirectory()
    let repo = try CITemplatesTests.pullRequestRepository(in: scratch, name: "action")
    let outputs = scratch.path + "/github-output"
    let summary = scratch.path + "/step-summary"
    try scratch.write("github-output", "")
    try scratch.write("step-summary", "")
    let runner: [String: String] = [
      "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main",
      "GITHUB_WORKSPACE": repo, "GITHUB_OUTPUT": outputs, "GITHUB_STEP_SUMMARY": summary,
      "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
    ]

    // prepare: the cache key depends on the package's sources.
    let prepare = try run(step: "prepare", context: ["github.action_path": Self.actionPath], runner: runner, in: repo)
    XCTAssertEqual(prepare.status, 0, prepare.output)
    let prepared = try outputValues(outputs)
    XCTAssertEqual(prepared["package"], BuiltTrustgate.packageRoot)
    XCTAssertNotNil(
      prepared["key"]?.range(of: #"^trustgate-build-Linux-X64-[0-9a-f]{16}$"#, options: .regularExpression))

    try scratch.write("github-output", "")
    let check = try run(
      step: "check", context: ["steps.build.outputs.path": binary, "runner.temp": scratch.path + "/runner-temp"],
      runner: runner, in: repo)
    XCTAssertEqual(check.status, 1, "findings must fail the step\n\(check.output)")
    XCTAssertTrue(check.output.contains("--baseline-ref origin/main"), check.output)
    XCTAssertTrue(check.output.contains("::error file=uv.lock,line=322"), check.output)
    let values = try outputValues(outputs)
    XCTAssertEqual(values["exit-status"], "1")
    XCTAssertEqual(values["verdict"], "fail")
    // No state between runs: nothing is written for a later run to trust.
    XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/runner-temp/trustgate-cache/parse-cache.bin"))

    // Counts come from the JSON report: compare with a count made here, not by the action.
    let reportPath = repo + "/" + (values["json-report"] ?? "")
    let report = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportPath))) as? [String: Any])
    let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
    XCTAssertEqual(values["errors"], String(findings.filter { $0["severity"] as? String == "error" }.count))
    XCTAssertEqual(values["warnings"], String(findings.filter { $0["severity"] as? String == "warning" }.count))
    XCTAssertTrue(
      findings.contains { $0["ruleID"] as? String == "TG301" && ($0["subject"] as? String)?.hasPrefix("httpx") == true }
    )
    for key in ["junit-report", "sarif-report"] {
      let path = repo + "/" + (values[key] ?? "missing")
      XCTAssertGreaterThan((try? Data(contentsOf: URL(fileURLWithPath: path)))?.count ?? 0, 0, key)
    }
    let sarif = try XCTUnwrap(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: repo + "/" + (values["sarif-report"] ?? "")))) as? [String: Any])
    XCTAssertEqual(sarif["version"] as? String, "2.1.0")
    XCTAssertFalse(try String(contentsOfFile: summary, encoding: .utf8).isEmpty, "step summary written")
  }

  func testCheckStepPassesWhenNothingChanged() throws {
    let binary = try BuiltTrustgate.path()
    let scratch = try TemporaryDirectory()
    let repo = try CITemplatesTests.pullRequestRepository(in: scratch, name: "action-pass")
    try scratch.write("github-output", "")
    let runner = [
      "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": scratch.path + "/github-output",
      "GITHUB_STEP_SUMMARY": scratch.path + "/summary",
    ]
    // Baseline HEAD: the working tree equals HEAD, so no lockfile finding.
    let check = try run(
      step: "check", context: ["steps.build.outputs.path": binary, "runner.temp": scratch.path + "/runner-temp"],
      inputs: ["baseline-ref": "HEAD", "fail-on": "error"],
      runner: runner, in: repo)
    let values = try outputValues(scratch.path + "/github-output")
    XCTAssertFalse(check.output.contains("TG301"), check.output)
    XCTAssertEqual(values["exit-status"], String(check.status))
    XCTAssertEqual(check.status == 0 ? "pass" : "fail", values["verdict"])
  }

  // MARK: - A tiny runner

  /// Runs one `run:` step: its `env:` with `${{ inputs.x }}` (defaults, or `inputs`) and the given context values
  /// substituted, under `bash --noprofile --norc -eo pipefail` as GitHub's `shell: bash` does.
  func run(
    step id: String, context: [String: String], inputs: [String: String] = [:], runner: [String: String],
    in directory: String
  ) throws -> BuiltTrustgate.Result {
    let step = try XCTUnwrap(try steps().first { $0["id"] as? String == id }, "step \(id)")
    let declared = try XCTUnwrap(try action()["inputs"] as? [String: [String: Any]])
    var values = context
    for (name, input) in declared { values["inputs." + name] = inputs[name] ?? (input["default"] as? String ?? "") }
    var environment = runner
    for (key, value) in step["env"] as? [String: Any] ?? [:] {
      environment[key] = try substitute(String(describing: value), values)
    }
    let script = FileManager.default.temporaryDirectory.path + "/trustgate-action-step-\(UUID().uuidString).sh"
    try (step["run"] as? String ?? "").write(toFile: script, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: script) }
    return try BuiltTrustgate.shell(
      ["--noprofile", "--norc", "-eo", "pipefail", script], environment: environment, in: directory)
  }

  func substitute(_ text: String, _ values: [String: String]) throws -> String {
    let expression = try NSRegularExpression(pattern: #"\$\{\{\s*([^}]+?)\s*\}\}"#)
    var result = text
    for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
      guard let whole = Range(match.range, in: text), let name = Range(match.range(at: 1), in: text) else { continue }
      let key = String(text[name])
      let value = try XCTUnwrap(values[key], "no value for ${{ \(key) }}")
      result.replaceSubrange(whole, with: value)
    }
    return result
  }

  func outputValues(_ path: String) throws -> [String: String] {
    var values: [String: String] = [:]
    for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      values[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    return values
  }
}

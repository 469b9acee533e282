import Foundation
import XCTest
import Yams

/// `action/action.yml`: the metadata follows GitHub's composite-action rules, and its shell steps run the way the
/// runner runs them in what `uses:` downloads (a `git archive` export: no `.build`, no `Package.resolved`; see
/// `ActionExport`): `prepare` computes the cache key, `build` builds trustgate there, and `check`, with that binary,
/// gates a pull request: annotations, step summary, JUnit, SARIF and JSON written, outputs set from the JSON report,
/// and the step fails with trustgate's exit status.
final class ActionTests: XCTestCase {
  static let actionPath = BuiltTrustgate.packageRoot + "/action"
  let steps = ActionSteps(actionPath: ActionTests.actionPath)

  func testMetadataFollowsTheCompositeActionSchema() throws {
    let action = try steps.action()
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
    for step in try steps.steps() {
      if step["run"] != nil {
        XCTAssertEqual(step["shell"] as? String, "bash", "\(step["name"] ?? "step") needs shell")
      }
      if let run = step["run"] as? String {
        // Inputs reach scripts through env:, never pasted into the script (script injection).
        XCTAssertFalse(run.contains("${{"), "\(step["name"] ?? "step") expands an expression inside run:")
      }
    }
    let uses = try steps.steps().compactMap { $0["uses"] as? String }
    XCTAssertTrue(uses.contains { $0.hasPrefix("actions/cache@") }, "the build is cached")
    // trustgate keeps no state between runs: nothing restores or points at a parse cache.
    let text = try String(contentsOfFile: Self.actionPath + "/action.yml", encoding: .utf8)
    XCTAssertFalse(text.contains("TRUSTGATE_CACHE"), "the action still sets TRUSTGATE_CACHE*")
    XCTAssertFalse(text.lowercased().contains("parse cache"), "the action still restores the parse cache")
    XCTAssertEqual(try steps.steps().filter { ($0["uses"] as? String)?.hasPrefix("actions/cache@") == true }.count, 1)
  }

  /// `uses:` downloads the repository's files only: the prepare step (which failed on `find Package.resolved` under
  /// `set -euo pipefail`) and the build step succeed there, and the key hashes the sources.
  func testPrepareAndBuildSucceedInAGitArchiveExport() throws {
    let export = try ActionExport.get()
    XCTAssertFalse(export.exportedFiles.contains("Package.resolved"), "Package.resolved is not in git")
    XCTAssertFalse(export.exportedFiles.contains { $0.hasPrefix(".build/") })
    XCTAssertTrue(export.exportedFiles.contains("action/action.yml"))
    XCTAssertEqual(export.prepared["package"], export.package)
    XCTAssertNotNil(
      export.prepared["key"]?.range(of: #"^trustgate-build-Linux-X64-[0-9a-f]{16}$"#, options: .regularExpression),
      "\(export.prepared)")
    let built = try XCTUnwrap(export.built["path"])
    XCTAssertTrue(built.hasPrefix(export.package + "/.build/"), built)
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: built), built)
    let version = try BuiltTrustgate.shell(["-c", "'\(export.binary)' --version"])
    XCTAssertEqual(version.status, 0, version.output)
  }

  func testCheckStepFailsAPullRequestAndSetsOutputs() throws {
    let export = try ActionExport.get()
    let scratch = try TemporaryDirectory()
    let repo = try CITemplatesTests.pullRequestRepository(in: scratch, name: "action")
    let (check, values) = try runCheck(export, repo: repo, scratch: scratch, inputs: [:], pullRequestBase: "main")
    XCTAssertEqual(check.status, 1, "findings must fail the step\n\(check.output)")
    XCTAssertTrue(check.output.contains("--baseline-ref origin/main"), check.output)
    // The httpx crossing is annotated at its line; whether as an error or a warning depends on this host's private
    // roots (a crossing after which every client still verifies them is a warning), so both are accepted here.
    XCTAssertTrue(check.output.contains(" file=uv.lock,line=322,title=trustgate TG301"), check.output)
    XCTAssertTrue(check.output.contains("::error file=uv.lock,line="), check.output)
    XCTAssertEqual(values["exit-status"], "1")
    XCTAssertEqual(values["verdict"], "fail")
    let findings = try assertCountsMatchTheReport(values, repo: repo)
    XCTAssertGreaterThan(Int(values["failing"] ?? "") ?? 0, 0)
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
    XCTAssertFalse(try String(contentsOfFile: scratch.path + "/summary", encoding: .utf8).isEmpty, "step summary")
  }

  /// A repository whose lockfiles equal the baseline, inspected as an unpacked root with one CA (no host variables):
  /// verdict pass, exit 0, nothing failing.
  func testCheckStepPassesWhenNothingChanged() throws {
    let export = try ActionExport.get()
    let scratch = try TemporaryDirectory()
    let repo = try CITemplatesTests.pullRequestRepository(in: scratch, name: "action-pass")
    let rootfs = try Self.rootFilesystem(in: scratch)
    let (check, values) = try runCheck(
      export, repo: repo, scratch: scratch, inputs: ["baseline-ref": "HEAD", "fail-on": "error", "root": rootfs],
      pullRequestBase: nil)
    XCTAssertEqual(check.status, 0, check.output)
    XCTAssertFalse(check.output.contains("TG301"), check.output)
    XCTAssertEqual(values["exit-status"], "0")
    XCTAssertEqual(values["verdict"], "pass")
    XCTAssertEqual(values["failing"], "0")
    XCTAssertEqual(values["errors"], "0")
    _ = try assertCountsMatchTheReport(values, repo: repo)
  }

  /// `image-user` reaches trustgate as `--image-user`: the image is read as that user (here uid 1234 of the
  /// committed fixture image, which has no passwd: a number needs none).
  func testImageUserInputReadsTheImageAsThatUser() throws {
    let export = try ActionExport.get()
    let scratch = try TemporaryDirectory()
    let repo = try CITemplatesTests.pullRequestRepository(in: scratch, name: "action-image-user")
    let image = BuiltTrustgate.packageRoot + "/Tests/Fixtures/images/app-oci"
    let (check, values) = try runCheck(
      export, repo: repo, scratch: scratch, inputs: ["baseline-ref": "HEAD", "image": image, "image-user": "1234"],
      pullRequestBase: nil)
    XCTAssertTrue(check.output.contains("--image \(image) --image-user 1234"), check.output)
    XCTAssertNotEqual(values["exit-status"], "2", check.output)
    _ = try assertCountsMatchTheReport(values, repo: repo)
  }

  // MARK: - Helpers

  func runCheck(
    _ export: ActionExport, repo: String, scratch: TemporaryDirectory, inputs: [String: String],
    pullRequestBase: String?
  ) throws -> (BuiltTrustgate.Result, [String: String]) {
    try scratch.write("github-output", "")
    try scratch.write("summary", "")
    var runner = [
      "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": repo, "GITHUB_OUTPUT": scratch.path + "/github-output",
      "GITHUB_STEP_SUMMARY": scratch.path + "/summary", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
    ]
    if let pullRequestBase {
      runner["GITHUB_EVENT_NAME"] = "pull_request"
      runner["GITHUB_BASE_REF"] = pullRequestBase
    }
    let check = try ActionSteps(actionPath: export.actionPath).run(
      step: "check", context: ["steps.build.outputs.path": export.binary], inputs: inputs, runner: runner, in: repo)
    return (check, try ActionSteps.outputValues(scratch.path + "/github-output"))
  }

  /// The counts in the outputs equal those counted here from the JSON report's findings.
  @discardableResult
  func assertCountsMatchTheReport(_ values: [String: String], repo: String) throws -> [[String: Any]] {
    let reportPath = repo + "/" + (values["json-report"] ?? "")
    let report = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportPath))) as? [String: Any])
    let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
    for (output, severity) in [("errors", "error"), ("warnings", "warning"), ("notes", "note")] {
      XCTAssertEqual(values[output], String(findings.filter { $0["severity"] as? String == severity }.count), output)
    }
    return findings
  }

  /// A Debian-like root whose bundle holds one test root (as examples/lib.sh makes it).
  static func rootFilesystem(in scratch: TemporaryDirectory) throws -> String {
    let root = scratch.path + "/rootfs"
    let pem = BuiltTrustgate.packageRoot + "/examples/pki/public-root.pem"
    let made = try BuiltTrustgate.shell([
      "-c",
      """
      set -e
      mkdir -p '\(root)/etc/ssl/certs' '\(root)/usr/lib/ssl'
      printf 'ID=debian\\nVERSION_ID="12"\\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\\n' >'\(root)/etc/os-release'
      cp '\(pem)' '\(root)/etc/ssl/certs/ca-certificates.crt'
      ln -s /etc/ssl/certs/ca-certificates.crt '\(root)/usr/lib/ssl/cert.pem'
      ln -s /etc/ssl/certs '\(root)/usr/lib/ssl/certs'
      """,
    ])
    XCTAssertEqual(made.status, 0, made.output)
    return root
  }
}

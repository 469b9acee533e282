import Foundation
import XCTest

/// TG303 compares a lockfile only with the environment that belongs to it: a `.venv`/`venv` beside it (in its folder
/// or a parent inside the repository), else the one `VIRTUAL_ENV` names; otherwise it says nothing. The venvs are
/// real: `python -m venv` + pip and `uv venv` + `uv pip` (scripts/fixtures/make-project-venvs.sh).
final class ProjectVenvScenarioTests: XCTestCase {
  /// The venvs, built once per machine into the fixture cache (rebuilt when the script changes).
  func venvs() throws -> String {
    let script = CLI.packageRoot + "/scripts/fixtures/make-project-venvs.sh"
    let outcome = try FixtureLock.hold("project-venvs") {
      try ExternalTool.run([
        "bash", "-euo", "pipefail", "-c",
        """
        hash=$(sha256sum '\(script)' | cut -c1-16)
        dir="${TRUSTGATE_FIXTURE_CACHE:-$HOME/.cache/trustgate-fixtures}/project-venvs-$hash"
        [ -d "$dir" ] || '\(script)' "$dir" >&2
        echo "$dir"
        """,
      ])
    }
    if outcome.status == 77 { throw XCTSkip("the venvs could not be built here: \(outcome.output)") }
    XCTAssertEqual(outcome.status, 0, outcome.output)
    return String(outcome.output.split(separator: "\n").last ?? "")
  }

  /// web/ (venv: httpx 0.28.1), api/ (venv: httpx 0.27.2) and cli/ (no venv), each pinning httpx.
  func repository() throws -> Scenario {
    let venvs = try venvs()
    let scenario = try Scenario()
    try scenario.write("web/requirements.txt", "httpx==0.27.2\n")
    try scenario.write("api/requirements.txt", "httpx==0.27.2\n")
    try scenario.write("cli/requirements.txt", "httpx==0.26.0\n")
    try scenario.commitAll("three projects")
    for project in ["web", "api"] {
      let copied = try ExternalTool.run(["cp", "-a", venvs + "/\(project)/.venv", scenario.repo + "/\(project)/"])
      XCTAssertEqual(copied.status, 0, copied.output)
    }
    return scenario
  }

  func tg303(_ scenario: Scenario, environment: [String: String] = [:]) throws -> [String] {
    let report = scenario.sandbox.path("reports/tg303.json")
    let result = try CLI.run(
      ["check", "--repo", scenario.repo, "--annotations", "none", "--baseline-ref", "HEAD", "--report", "json=\(report)"],
      in: scenario.repo, environment: environment)
    XCTAssertNotEqual(result.status, 2, result.all)
    let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any])
    let findings = try XCTUnwrap(document["findings"] as? [[String: Any]])
    return findings.filter { $0["ruleID"] as? String == "TG303" }.compactMap { $0.jsonLocation.0 }.sorted()
  }

  func testEachLockfileIsComparedOnlyWithTheVenvBesideIt() throws {
    let scenario = try repository()
    // web/ differs from its own venv; api/ matches its own; cli/ has none and nothing is active: silence.
    XCTAssertEqual(try tg303(scenario), ["web/requirements.txt"])
  }

  func testVirtualEnvIsTheEnvironmentOfLockfilesWithoutAVenv() throws {
    let scenario = try repository()
    let active = scenario.repo + "/web/.venv"
    XCTAssertEqual(
      try tg303(scenario, environment: ["VIRTUAL_ENV": active, "PATH": active + "/bin:/usr/bin:/bin"]),
      ["cli/requirements.txt", "web/requirements.txt"])
  }
}

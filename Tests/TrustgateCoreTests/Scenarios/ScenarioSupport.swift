import Foundation
import XCTest

/// One package manager's lockfile, as committed to the scenario repository.
struct LockTool {
  /// Folder under `Tests/Fixtures/lockfiles/{old,new}/`.
  var tool: String
  /// File inside that folder, committed under the same name at the repository root.
  var file: String

  static let all = [
    LockTool(tool: "uv", file: "uv.lock"),
    LockTool(tool: "poetry", file: "poetry.lock"),
    LockTool(tool: "pipenv", file: "Pipfile.lock"),
    LockTool(tool: "pdm", file: "pdm.lock"),
    LockTool(tool: "pip-compile", file: "requirements.txt"),
  ]

  func fixture(_ side: String) throws -> String { try Fixtures.text("lockfiles/\(side)/\(tool)/\(file)") }

  /// The first line of `package` in the old or new lockfile, from the independently computed expected.tsv.
  func line(_ side: String, _ package: String) throws -> Int {
    let rows = try TSV.rows("lockfiles/expected.tsv").filter {
      $0["file"] == "\(side)/\(tool)/\(file)" && $0["package"] == package
    }
    guard let line = rows.compactMap({ Int($0["line"] ?? "") }).min() else {
      throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "expected.tsv has no \(package) in \(side)/\(tool)/\(file)"])
    }
    return line
  }
}

/// Every report format `check` writes, in one folder.
struct ReportSet {
  let folder: String
  var json: String { folder + "/findings.json" }
  var junit: String { folder + "/junit.xml" }
  var sarif: String { folder + "/trustgate.sarif" }
  var github: String { folder + "/github.txt" }
  var gitlab: String { folder + "/gl-code-quality.json" }
  var azure: String { folder + "/azure.txt" }

  var arguments: [String] {
    ["--report", "json=\(json)", "--report", "junit=\(junit)", "--report", "sarif=\(sarif)", "--report", "github=\(github)",
     "--report", "gitlab=\(gitlab)", "--report", "azure=\(azure)"]
  }

  var paths: [String] { [json, junit, sarif, github, gitlab, azure] }

  func jsonFindings() throws -> [[String: Any]] {
    let document = try XCTUnwrap(try jsonFile(json) as? [String: Any])
    return try XCTUnwrap(document["findings"] as? [[String: Any]])
  }

  func sarifResults() throws -> [[String: Any]] {
    let document = try XCTUnwrap(try jsonFile(sarif) as? [String: Any])
    let runs = try XCTUnwrap(document["runs"] as? [[String: Any]])
    return try XCTUnwrap(runs.first?["results"] as? [[String: Any]])
  }

  func gitlabIssues() throws -> [[String: Any]] { try XCTUnwrap(try jsonFile(gitlab) as? [[String: Any]]) }

  /// Validates the JUnit report against both XSDs and the SARIF report against the OASIS schema; missing
  /// validators fail the test.
  func validate(file: StaticString = #filePath, line: UInt = #line) throws {
    for xsd in ["junit.xsd", "junit-10-jenkins-xunit.xsd"] {
      let outcome = try ExternalTool.run(["xmllint", "--noout", "--schema", Fixtures.path("schemas/\(xsd)"), junit], file: file, line: line)
      XCTAssertEqual(outcome.status, 0, "JUnit report is not valid against \(xsd): \(outcome.output)", file: file, line: line)
    }
    let script = """
      import json, sys, jsonschema
      schema = json.load(open(sys.argv[1]))
      document = json.load(open(sys.argv[2]))
      errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(document), key=str)
      for e in errors[:5]: print(list(e.absolute_path), e.message)
      sys.exit(1 if errors else 0)
      """
    let outcome = try ExternalTool.run(["python3", "-c", script, Fixtures.path("schemas/sarif-schema-2.1.0.json"), sarif], file: file, line: line)
    XCTAssertEqual(outcome.status, 0, "SARIF report is not valid: \(outcome.output)", file: file, line: line)
  }
}

/// A scenario: a git repository with real commits, an empty (or fixture) root file system, reports in a folder.
final class Scenario {
  let sandbox: GitSandbox
  var repo: String { sandbox.path("repo") }
  var emptyRoot: String { sandbox.path("root") }
  /// A healthy root file system (Alpine: corporate root registered in the bundle), so only seeded regressions fail.
  static let healthyRoot = Fixtures.path("rootfs/alpine")
  var reports: ReportSet { ReportSet(folder: sandbox.path("reports")) }

  init() throws {
    sandbox = try GitSandbox()
    try sandbox.makeDirectory("repo")
    try sandbox.makeDirectory("root")
    try sandbox.makeDirectory("reports")
    try sandbox.git(["init", "-q", "-b", "main"], in: "repo")
  }

  func write(_ relative: String, _ text: String) throws { try sandbox.write("repo/" + relative, text) }
  func commitAll(_ message: String) throws { try sandbox.commitAll(message, in: "repo") }
  func git(_ arguments: [String]) throws { try sandbox.git(arguments, in: "repo") }

  /// Writes KEY=VALUE lines to a file outside the repository and returns its path.
  func envFile(_ variables: [String: String]) throws -> String {
    try sandbox.write("env/vars.env", variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined())
    return sandbox.path("env/vars.env")
  }

  /// `trustgate check --repo REPO --root ROOT --annotations none` plus every report, plus `arguments`; ROOT is the
  /// healthy Alpine fixture unless given.
  func check(_ arguments: [String], root: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> CLI.Result {
    for path in reports.paths { try? FileManager.default.removeItem(atPath: path) }
    return try CLI.run(
      ["check", "--repo", repo, "--root", root ?? Scenario.healthyRoot, "--annotations", "none"] + reports.arguments + arguments,
      in: sandbox.root, file: file, line: line)
  }
}

/// The findings of a JSON report printed on standard output (`--format json`), of one rule when `rule` is given.
func jsonFindings(_ text: String, rule: String? = nil) throws -> [[String: Any]] {
  let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
  let findings = try XCTUnwrap(report["findings"] as? [[String: Any]], text)
  return rule.map { rule in findings.filter { $0["ruleID"] as? String == rule } } ?? findings
}

extension Dictionary where Key == String, Value == Any {
  /// `location` of a trustgate JSON finding as (path, line).
  var jsonLocation: (String?, Int?) {
    let location = self["location"] as? [String: Any]
    return (location?["path"] as? String, location?["line"] as? Int)
  }
}

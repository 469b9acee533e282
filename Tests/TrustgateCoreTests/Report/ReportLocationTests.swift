import Foundation
import XCTest

/// Where findings are placed in the file formats, through the binary: every SARIF result has a location, paths in
/// the inspected file system are relative to a defined base, GitLab names only files that exist, JUnit has one case
/// per finding with the run's date.
final class ReportLocationTests: XCTestCase {
  /// A copy of the Alpine fixture with a CA dropped into /usr/local/share/ca-certificates and not added to the
  /// bundle (TG104, at that host folder), made by `openssl req`; an env file pointing SSL_CERT_FILE at a missing
  /// file (TG201 at the env file's line, TG207 about clients, at no file).
  static func scenario(commonName: String = "Local Test CA") throws -> (scenario: Scenario, root: String, env: String) {
    let scenario = try Scenario()
    let root = scenario.sandbox.path("rootfs")
    let copy = try ExternalTool.run(["cp", "-a", Scenario.healthyRoot, root])
    XCTAssertEqual(copy.status, 0, copy.output)
    let made = try ExternalTool.run([
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", scenario.sandbox.path("ca.key"),
      "-out", root + "/usr/local/share/ca-certificates/local.crt", "-days", "3650", "-subj",
      "/CN=\(commonName)/O=Example",
      "-addext", "keyUsage=critical,keyCertSign", "-addext", "basicConstraints=critical,CA:TRUE",
    ])
    XCTAssertEqual(made.status, 0, made.output)
    let env = try scenario.envFile(["SSL_CERT_FILE": "/etc/ssl/missing.pem"])
    try scenario.write("requirements.txt", "requests==2.32.3\n")
    try scenario.commitAll("lockfile")
    return (scenario, root, env)
  }

  private func sarif(_ path: String) throws -> (run: [String: Any], results: [[String: Any]]) {
    let log = try XCTUnwrap(try jsonFile(path) as? [String: Any])
    let run = try XCTUnwrap((log["runs"] as? [[String: Any]])?.first)
    return (run, try XCTUnwrap(run["results"] as? [[String: Any]]))
  }

  private func artifact(_ result: [String: Any]) -> [String: Any]? {
    let location = (result["locations"] as? [[String: Any]])?.first
    return (location?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any]
  }

  func testEverySARIFResultHasALocationAndHostPathsARelativeToADefinedBase() throws {
    let (scenario, root, env) = try Self.scenario()
    let result = try scenario.check(["--env-file", env], root: root)
    XCTAssertEqual(result.status, 1, result.all)
    try scenario.reports.validate()
    let (run, results) = try sarif(scenario.reports.sarif)
    for result in results {
      XCTAssertFalse((result["locations"] as? [[String: Any]] ?? []).isEmpty, "no location: \(result)")
    }
    let bases = try XCTUnwrap(run["originalUriBaseIds"] as? [String: [String: Any]], "\(run)")
    XCTAssertEqual(bases["TARGETROOT"]?["uri"] as? String, "file://\(root)/")
    XCTAssertEqual(bases["HOSTROOT"]?["uri"] as? String, "file:///")

    // TG104 is about a folder of the inspected root: relative to TARGETROOT, not an absolute host path.
    let local = try XCTUnwrap(results.first { $0["ruleId"] as? String == "TG104" }, "\(results)")
    XCTAssertEqual(artifact(local)?["uri"] as? String, "usr/local/share/ca-certificates")
    XCTAssertEqual(artifact(local)?["uriBaseId"] as? String, "TARGETROOT")
    // TG201 is at the env file's line: a host file outside the repository.
    let variable = try XCTUnwrap(results.first { $0["ruleId"] as? String == "TG201" })
    XCTAssertEqual(artifact(variable)?["uri"] as? String, String(env.dropFirst()))
    XCTAssertEqual(artifact(variable)?["uriBaseId"] as? String, "HOSTROOT")
    // TG207 is about no file: the inspected root, and a logical location naming the client.
    let client = try XCTUnwrap(results.first { $0["ruleId"] as? String == "TG207" })
    XCTAssertEqual(artifact(client)?["uriBaseId"] as? String, "TARGETROOT")
    let logical = (client["locations"] as? [[String: Any]])?.first?["logicalLocations"] as? [[String: Any]]
    XCTAssertEqual(
      logical?.first?["fullyQualifiedName"] as? String, "environment/" + (logical?.first?["name"] as? String ?? "?"))

    // With a policy file in the repository, findings about no file are placed there, at line 1.
    try scenario.write(".trustgate.yml", "version: 1\n")
    XCTAssertEqual(try scenario.check(["--env-file", env], root: root).status, 1)
    try scenario.reports.validate()
    let anchored = try XCTUnwrap(try sarif(scenario.reports.sarif).results.first { $0["ruleId"] as? String == "TG207" })
    XCTAssertEqual(artifact(anchored)?["uri"] as? String, ".trustgate.yml")
    XCTAssertNil(artifact(anchored)?["uriBaseId"])
  }

  /// GitLab needs a repository file on every issue: a finding about no file or about a host folder goes to the policy
  /// file, else the CI configuration, else a lockfile; never to a file that is not there.
  func testGitLabNamesOnlyFilesThatExist() throws {
    let (scenario, root, env) = try Self.scenario()
    func placements() throws -> [String: String] {
      XCTAssertEqual(try scenario.check(["--env-file", env], root: root).status, 1)
      let issues = try scenario.reports.gitlabIssues()
      var paths: [String: String] = [:]
      for issue in issues {
        let path = try XCTUnwrap((issue["location"] as? [String: Any])?["path"] as? String)
        XCTAssertTrue(FileManager.default.fileExists(atPath: scenario.repo + "/" + path), "\(path) does not exist")
        paths[issue["check_name"] as? String ?? "?"] = path
      }
      return paths
    }
    // No policy file: the old report put these at .trustgate.yml:1 all the same.
    var paths = try placements()
    XCTAssertEqual(paths["TG207"], "requirements.txt", "\(paths)")
    XCTAssertEqual(paths["TG104"], "requirements.txt", "\(paths)")
    XCTAssertEqual(paths["TG201"], "requirements.txt", "\(paths)")
    let issues = try scenario.reports.gitlabIssues()
    let local = issues.first { $0["check_name"] as? String == "TG104" }
    XCTAssertTrue((local?["description"] as? String ?? "").hasSuffix("(at /usr/local/share/ca-certificates)"))

    try scenario.write(".gitlab-ci.yml", "trustgate:\n  script: [trustgate check]\n")
    paths = try placements()
    XCTAssertEqual(paths["TG207"], ".gitlab-ci.yml", "\(paths)")

    try scenario.write(".trustgate.yml", "version: 1\n")
    paths = try placements()
    XCTAssertEqual(paths["TG207"], ".trustgate.yml", "\(paths)")
  }

  /// Two lockfiles with the same upgrade: two failing test cases (the old report collapsed findings of one rule and
  /// package into one), each named with its file and line; the timestamp is the run's, not 1970's.
  func testJUnitHasOneCasePerFindingAndTheRunsDate() throws {
    let scenario = try Scenario()
    let uv = LockTool.all[0]
    for folder in ["api", "worker"] { try scenario.write("\(folder)/\(uv.file)", try uv.fixture("old")) }
    try scenario.commitAll("baseline")
    for folder in ["api", "worker"] { try scenario.write("\(folder)/\(uv.file)", try uv.fixture("new")) }
    let today = try ExternalTool.run(["date", "-u", "+%Y-%m-%dT"]).output.trimmingCharacters(
      in: .whitespacesAndNewlines)
    let result = try scenario.check(["--baseline-ref", "HEAD"])
    XCTAssertEqual(result.status, 1, result.all)
    try scenario.reports.validate()
    let python = """
      import sys, xml.etree.ElementTree as ET
      root = ET.parse(sys.argv[1]).getroot()
      for case in root.iter('testcase'):
          failed = case.find('failure') is not None
          if failed and case.get('name').startswith('TG301 httpx'): print(case.get('name'))
      print(sorted({s.get('timestamp')[:11] for s in root.iter('testsuite')}))
      """
    let outcome = try ExternalTool.run(["python3", "-c", python, scenario.reports.junit])
    let line = try uv.line("new", "httpx")
    XCTAssertEqual(
      outcome.output,
      "TG301 httpx at api/uv.lock:\(line)\nTG301 httpx at worker/uv.lock:\(line)\n['\(today)']\n", outcome.output)
  }
}

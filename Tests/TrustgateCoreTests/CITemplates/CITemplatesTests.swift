import Foundation
import XCTest
import Yams

/// Every CI template under `ci-templates/` parses, and every `trustgate …` line in it runs against the built binary
/// in a pull-request-like repository (the target branch holds the old uv.lock, HEAD the new one) with the variables
/// that CI sets: exit status 0 or 1 (never a usage error), the reports it names are written, and the files the CI
/// collects (JUnit, Code Quality) are among them. A template cannot name a flag or format that does not exist.
final class CITemplatesTests: XCTestCase {
  static let templates = BuiltTrustgate.packageRoot + "/ci-templates"

  /// One template: where it is, the variables its CI sets in a pull request build, and the report paths the CI
  /// configuration collects (read from the template itself).
  struct Template: Sendable {
    var path: String
    var environment: [String: String]
    var collected: @Sendable (Any?) -> [String]
    var annotation: String?
  }

  static let all: [Template] = [
    Template(
      path: "gitlab/trustgate.gitlab-ci.yml",
      environment: ["GITLAB_CI": "true", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"],
      collected: { yaml in
        let reports = (yaml as? [String: Any]).flatMap { $0["trustgate"] as? [String: Any] }
          .flatMap { $0["artifacts"] as? [String: Any] }.flatMap { $0["reports"] as? [String: Any] }
        return [reports?["junit"] as? String, reports?["codequality"] as? String].compactMap { $0 }
      }, annotation: nil),
    Template(
      path: "azure/azure-pipelines.yml",
      environment: ["TF_BUILD": "True", "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main"],
      collected: { yaml in
        let steps = (yaml as? [String: Any])?["steps"] as? [[String: Any]] ?? []
        return steps.filter { $0["task"] as? String == "PublishTestResults@2" }
          .compactMap { ($0["inputs"] as? [String: Any])?["testResultsFiles"] as? String }
      }, annotation: "##vso[task.logissue type=error;sourcepath=uv.lock;linenumber="),
    Template(
      path: "jenkins/Jenkinsfile",
      environment: ["JENKINS_URL": "https://jenkins.example/", "BUILD_ID": "7", "CHANGE_TARGET": "main"],
      collected: { text in
        let source = text as? String ?? ""
        return CITemplatesTests.matches(#"junit testResults: '([^']+)'"#, in: source)
      }, annotation: nil),
    Template(
      path: "circleci/config.yml",
      environment: ["CIRCLECI": "true", "TRUSTGATE_BASE": "origin/main"],
      collected: { yaml in
        let job = ((yaml as? [String: Any])?["jobs"] as? [String: Any])?["trustgate"] as? [String: Any]
        let steps = job?["steps"] as? [Any] ?? []
        // store_test_results takes a folder: every JUnit file under it counts.
        return steps.compactMap {
          (($0 as? [String: Any])?["store_test_results"] as? [String: Any])?["path"] as? String
        }
        .map { $0 + "/" }
      }, annotation: nil),
    Template(
      path: "bitbucket/bitbucket-pipelines.yml",
      environment: ["BITBUCKET_BUILD_NUMBER": "7", "BITBUCKET_PR_DESTINATION_BRANCH": "main"],
      // Bitbucket collects JUnit XML from any test-results/ folder by itself.
      collected: { _ in ["test-results/"] }, annotation: nil),
  ]

  func testEveryTemplateFileIsCoveredAndHasAReadme() throws {
    let fm = FileManager.default
    let folders = try fm.contentsOfDirectory(atPath: Self.templates).filter { name in
      var isDirectory: ObjCBool = false
      return fm.fileExists(atPath: Self.templates + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
    }
    XCTAssertEqual(Set(folders), Set(Self.all.map { String($0.path.split(separator: "/")[0]) }))
    for folder in folders {
      XCTAssertTrue(fm.fileExists(atPath: "\(Self.templates)/\(folder)/README.md"), "\(folder)/README.md")
    }
    XCTAssertTrue(fm.fileExists(atPath: "\(Self.templates)/README.md"))
  }

  func testEveryTemplateParses() throws {
    for template in Self.all where !template.path.hasSuffix("Jenkinsfile") {
      let text = try String(contentsOfFile: Self.templates + "/" + template.path, encoding: .utf8)
      XCTAssertNotNil(try Yams.load(yaml: text) as? [String: Any], template.path)
    }
    let jenkinsfile = try String(contentsOfFile: Self.templates + "/jenkins/Jenkinsfile", encoding: .utf8)
    XCTAssertFalse(Self.shellScripts(jenkinsfile: jenkinsfile).isEmpty)
    XCTAssertEqual(jenkinsfile.filter { $0 == "{" }.count, jenkinsfile.filter { $0 == "}" }.count, "Jenkinsfile braces")
  }

  func testEveryTrustgateLineRunsAndWritesTheReportsTheCICollects() throws {
    let binary = try BuiltTrustgate.path()
    let scratch = try TemporaryDirectory()
    // `trustgate` on PATH, as the templates expect after their build step.
    try scratch.mkdir("bin")
    try FileManager.default.createSymbolicLink(atPath: scratch.path + "/bin/trustgate", withDestinationPath: binary)
    let path = scratch.path + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")

    for template in Self.all {
      let text = try String(contentsOfFile: Self.templates + "/" + template.path, encoding: .utf8)
      let parsed: Any? = template.path.hasSuffix("Jenkinsfile") ? text : try Yams.load(yaml: text)
      let scripts =
        template.path.hasSuffix("Jenkinsfile") ? Self.shellScripts(jenkinsfile: text) : Self.shellScripts(yaml: parsed)
      let commands = scripts.flatMap(Self.trustgateLines)
      XCTAssertFalse(commands.isEmpty, "\(template.path): no trustgate command found")
      let collected = template.collected(parsed)
      XCTAssertFalse(collected.isEmpty, "\(template.path): the CI collects no report")

      for command in commands {
        let repo = try Self.pullRequestRepository(
          in: scratch, name: template.path.replacingOccurrences(of: "/", with: "-"))
        var environment = template.environment
        environment["PATH"] = path
        let run = try BuiltTrustgate.shell(["-c", command], environment: environment, in: repo)
        XCTAssertTrue(
          [0, 1].contains(run.status), "\(template.path): `\(command)` exited \(run.status)\n\(run.output)")
        XCTAssertTrue(
          run.output.contains("[TG301] httpx upgraded 0.27.2 → 0.28.1"),
          "\(template.path): the pull request's target was not the baseline\n\(run.output)")
        if let annotation = template.annotation {
          XCTAssertTrue(
            run.output.contains(annotation), "\(template.path): no annotation '\(annotation)'\n\(run.output)")
        }
        let written = Self.reportPaths(command)
        XCTAssertFalse(written.isEmpty, "\(template.path): `\(command)` writes no report")
        for report in written {
          let size = (try? FileManager.default.attributesOfItem(atPath: repo + "/" + report)[.size] as? Int) ?? 0
          XCTAssertGreaterThan(size, 0, "\(template.path): \(report) was not written")
        }
        for wanted in collected {
          let found =
            wanted.hasSuffix("/")
            ? written.contains { $0.hasPrefix(wanted) && $0.hasSuffix(".xml") } : written.contains(wanted)
          XCTAssertTrue(found, "\(template.path): the CI collects \(wanted) but trustgate writes \(written)")
        }
      }
    }
  }

  // MARK: - Reading the templates

  /// The shell scripts of a CI YAML file: values under the keys the CIs run (`script`, `before_script`,
  /// `after_script`, `bash`, `command`, a string `run`), wherever they are nested.
  static func shellScripts(yaml: Any?) -> [String] {
    var found: [String] = []
    func visit(_ node: Any?, key: String?) {
      switch node {
      case let text as String:
        if let key, ["script", "before_script", "after_script", "bash", "command", "run"].contains(key) {
          found.append(text)
        }
      case let list as [Any]:
        for item in list { visit(item, key: key) }
      case let map as [String: Any]:
        for (childKey, child) in map { visit(child, key: childKey) }
      default: break
      }
    }
    visit(yaml, key: nil)
    return found
  }

  /// The bodies of `sh '…'` and `sh '''…'''` steps of a Jenkinsfile.
  static func shellScripts(jenkinsfile: String) -> [String] {
    matches(#"sh '''([\s\S]*?)'''"#, in: jenkinsfile) + matches(#"sh '([^'\n]+)'"#, in: jenkinsfile)
  }

  static func matches(_ pattern: String, in text: String) -> [String] {
    guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
    return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
      Range(match.range(at: 1), in: text).map { String(text[$0]) }
    }
  }

  /// Lines of a script whose command is `trustgate`, with `\` continuations joined.
  static func trustgateLines(_ script: String) -> [String] {
    var lines: [String] = []
    var pending = ""
    for raw in script.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasSuffix("\\") {
        pending += line.dropLast() + " "
        continue
      }
      let whole = pending + line
      pending = ""
      if whole.hasPrefix("trustgate ") { lines.append(whole) }
    }
    return lines
  }

  /// The paths of `--report FORMAT=PATH` arguments (quotes removed), except standard output.
  static func reportPaths(_ command: String) -> [String] {
    let words = command.split(separator: " ").map { String($0).replacingOccurrences(of: "\"", with: "") }
    return zip(words, words.dropFirst()).filter { $0.0 == "--report" }.compactMap { pair in
      pair.1.firstIndex(of: "=").map { String(pair.1[pair.1.index(after: $0)...]) }
    }.filter { $0 != "-" }
  }

  /// A repository as a pull request build sees it: `origin/main` holds uv.lock with httpx 0.27.2, HEAD (the pull
  /// request) the uv.lock with httpx 0.28.1. Comparing with HEAD finds nothing; only the target branch does.
  static func pullRequestRepository(in scratch: TemporaryDirectory, name: String) throws -> String {
    let repo = scratch.path + "/" + name + "-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
    let lockfiles = BuiltTrustgate.packageRoot + "/Tests/Fixtures/lockfiles"
    let script = """
      set -e
      git init -q -b pr .
      git config user.email ci@example.invalid && git config user.name ci
      cp '\(lockfiles)/old/uv/uv.lock' uv.lock && git add uv.lock && git commit -q -m main
      git update-ref refs/remotes/origin/main HEAD
      cp '\(lockfiles)/new/uv/uv.lock' uv.lock && git commit -q -am 'bump httpx'
      """
    let setUp = try BuiltTrustgate.shell(["-c", script], in: repo)
    XCTAssertEqual(setUp.status, 0, setUp.output)
    return repo
  }
}

/// What a clean download of a template needs: trustgate keeps no state between runs (no parse-cache variables or
/// cache steps for one), and nothing hashes or reads a file that is not in git (`Package.resolved` is not).
final class CITemplatesCleanDownloadTests: XCTestCase {
  func testNoTemplateRestoresAParseCacheOrNeedsAFileOutsideGit() throws {
    let tracked = try BuiltTrustgate.shell(["-c", "git ls-files"], in: BuiltTrustgate.packageRoot)
    XCTAssertEqual(tracked.status, 0, tracked.output)
    let files = Set(tracked.output.split(separator: "\n").map(String.init))
    XCTAssertFalse(files.contains("Package.resolved"), "the templates are written for a repository without it")
    let templates = CITemplatesTests.all.map { CITemplatesTests.templates + "/" + $0.path } + [
      ActionTests.actionPath + "/action.yml"
    ]
    for path in templates {
      let text = try String(contentsOfFile: path, encoding: .utf8)
      XCTAssertFalse(text.contains("TRUSTGATE_CACHE"), "\(path) sets the removed parse cache's variables")
      XCTAssertFalse(text.lowercased().contains("parse cache"), "\(path) restores the removed parse cache")
      XCTAssertFalse(text.contains("trustgate-cache"), "\(path) caches the removed parse cache's folder")
      // A file of trustgate's own source that a template reads must be in git (what a clone or `uses:` gets).
      for name in ["Package.resolved"] where text.contains(name) {
        XCTAssertTrue(text.contains("[ -f") || files.contains(name), "\(path) reads \(name), which is not in git")
      }
    }
  }
}

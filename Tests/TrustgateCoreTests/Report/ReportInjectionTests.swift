import Foundation
import XCTest

/// The issue's injection strings through the real binary under GitHub Actions and Azure Pipelines: no output line is
/// a workflow or logging command except trustgate's own annotations, and no raw escape byte reaches a terminal.
final class ReportInjectionTests: XCTestCase {
  /// A folder whose name starts a new line with a workflow command (the runner trims leading blanks).
  static let commandFolder = "\n::error title=X::injected"
  /// A folder whose name sets the terminal title (OSC) and clears the screen (CSI).
  static let escapeFolder = "esc\u{1B}]0;pwned\u{07}\u{1B}[2J"
  static let azureLine = "x==1]##vso[task.setvariable variable=X]yes"
  static let legacyLine = "##[error]legacy==1"
  /// A folder whose name hides the Azure command behind a zero-width space (the agent matches culture-sensitively and
  /// skips it), then a legacy command, a C1 CSI and a right-to-left override.
  static let invisibleFolder = "x#\u{200B}#vso[task.setvariable variable=Y]no##[error]p\u{9B}31m\u{202E}"

  static let environments: [(name: String, variables: [String: String])] = [
    ("GitHub Actions", ["GITHUB_ACTIONS": "true"]),
    ("Azure Pipelines", ["TF_BUILD": "True"]),
  ]

  /// A repository with both folders (each with a requirements file trustgate reports on) and the Azure and legacy
  /// GitHub command lines; an env file whose values carry the same strings and raw escape sequences.
  private func hostileScenario() throws -> (scenario: Scenario, envFile: String) {
    let scenario = try Scenario()
    try scenario.write(Self.commandFolder + "/requirements.txt", "requests>=2\n\(Self.azureLine)\n\(Self.legacyLine)\n")
    try scenario.write(Self.escapeFolder + "/requirements.txt", "requests>=2\n")
    try scenario.write(Self.invisibleFolder + "/requirements.txt", "requests>=2\n")
    try scenario.commitAll("hostile names")
    let envFile = try scenario.envFile([
      "SSL_CERT_FILE": "##[error]\u{1B}]8;;https://evil.example/\u{07}link\u{1B}]8;;\u{07}/nope.pem",
      "REQUESTS_CA_BUNDLE": "/x/\(Self.azureLine)/ca.pem",
      "CURL_CA_BUNDLE": "\u{9B}31m::warning::x",
    ])
    return (scenario, envFile)
  }

  func testCheckAndInspectPrintNoCommandsButTheirOwn() throws {
    let (scenario, envFile) = try hostileScenario()
    for (name, variables) in Self.environments {
      let summary = scenario.sandbox.path("summary-\(name.prefix(5)).md")
      var environment = variables
      environment["GITHUB_STEP_SUMMARY"] = summary
      let check = try CLI.run(
        ["check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--env-file", envFile],
        in: scenario.sandbox.root,
        environment: environment)
      XCTAssertEqual(check.status, 1, "\(name): \(check.all)")
      assertInert(check, in: name)
      // The hostile values were echoed (so the assertions above looked at them), in their inert form.
      XCTAssertTrue(
        check.stdout.contains(##"x==1]#\#vso[task.setvariable variable=X]yes"##), "\(name): \(check.stdout)")
      XCTAssertTrue(check.stdout.contains(#"\n::error title=X::injected/requirements.txt"#), check.stdout)
      XCTAssertTrue(check.stdout.contains(#"esc\x1b]0;pwned\x07\x1b[2J/requirements.txt"#), check.stdout)
      XCTAssertTrue(check.stdout.contains(##"#\#[error]\x1b]8;;https://evil.example/\x07link"##), check.stdout)
      if variables["GITHUB_ACTIONS"] != nil {
        let markdown = try textFile(summary)
        XCTAssertTrue(markdown.contains("TG201"), markdown)
        XCTAssertFalse(markdown.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, markdown)
        XCTAssertFalse(markdown.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) }, markdown)
      }

      let inspect = try CLI.run(
        ["inspect", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--env-file", envFile],
        in: scenario.sandbox.root, environment: variables)
      XCTAssertEqual(inspect.status, 0, inspect.all)
      assertInert(inspect, in: name + " inspect")
      XCTAssertTrue(
        inspect.stdout.contains(#"lockfile     \n::error title=X::injected/requirements.txt"#), inspect.stdout)
      XCTAssertTrue(inspect.stdout.contains(#"lockfile     esc\x1b]0;pwned\x07\x1b[2J/requirements.txt"#))
    }
  }

  /// JSON on standard output is read by the same runners: a hostile value keeps its meaning for a JSON reader, but
  /// no line holds `##vso[` or `##[`.
  func testJSONOnStandardOutputCarriesNoCommands() throws {
    let (scenario, envFile) = try hostileScenario()
    for (command, format) in [("inspect", "json"), ("check", "json"), ("check", "sarif"), ("check", "gitlab")] {
      let result = try CLI.run(
        [command, "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--env-file", envFile, "--format", format,
         "--annotations", "none"].filter { command == "check" || $0 != "--annotations" && $0 != "none" },
        in: scenario.sandbox.root, environment: ["TF_BUILD": "True"])
      XCTAssertLessThan(result.status, 2, result.all)
      assertInert(result, in: command + " --format " + format)
      XCTAssertTrue(result.stdout.contains(#"x==1]#\u0023vso[task.setvariable"#), "\(format): \(result.stdout)")
      let decoded = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
      let text = String(decoding: try JSONSerialization.data(withJSONObject: decoded), as: UTF8.self)
      XCTAssertTrue(text.contains("x==1]##vso[task.setvariable"), "the value is unchanged for a JSON reader")
      XCTAssertTrue(result.stdout.contains(#"x#\u200b#vso[task.setvariable variable=Y]no#\u0023[error]p\u009b31m\u202e"#))
      XCTAssertTrue(text.contains(Self.invisibleFolder), "the folder's name is unchanged for a JSON reader")
    }
  }

  /// JUnit on standard output is printed into the job log like the text report: its element text (the findings'
  /// lines) and attributes carry the hostile values inert, as the text report does. Before, a newline in a variable's
  /// value started a `::error` line inside `<system-out>`, and `##vso[` and C1 controls passed through.
  func testJUnitOnStandardOutputCarriesNoCommands() throws {
    let (scenario, envFile) = try hostileScenario()
    for (name, variables) in Self.environments {
      for format in ["junit", "junit-annotated"] {
        let result = try CLI.run(
          ["check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--env-file", envFile, "--format", format],
          in: scenario.sandbox.root, environment: variables)
        XCTAssertEqual(result.status, 1, "\(name) \(format): \(result.all)")
        XCTAssertTrue(result.stdout.contains("<system-out>"), result.stdout)
        assertInert(result, in: "\(name) --format \(format)")
        XCTAssertTrue(result.stdout.contains(##"x==1]#\#vso[task.setvariable variable=X]yes"##), result.stdout)
        XCTAssertTrue(result.stdout.contains(#"\n::error title=X::injected/requirements.txt"#), result.stdout)
        // In attributes (the case's name, `file`), character references: the same name to an XML reader.
        XCTAssertTrue(
          result.stdout.contains("x#&#x200B;#vso[task.setvariable variable=Y]no#&#x23;[error]p&#x9B;31m&#x202E;"),
          result.stdout)
      }
    }
  }

  /// Error messages echo the command line and the files named on it.
  func testErrorMessagesPrintNoCommandsAndNoEscapes() throws {
    let (scenario, _) = try hostileScenario()
    let hostileArguments: [[String]] = [
      ["check", "--repo", scenario.repo, "--policy", "\u{1B}]0;x\u{07}\n::error::p.yml"],
      ["check", "--repo", scenario.repo, "--baseline-ref", "main]##vso[task.setvariable variable=X]yes\u{1B}[31m"],
      ["check", "--repo", scenario.repo, "--baseline", "\n::warning file=x::b\u{9B}2J.json"],
      ["check", "--repo", scenario.repo, "--report", "junit\n::error::x=out.xml"],
      ["check", "--\u{1B}[2J::error::x"],
      ["inspect", "--root", "##[error]\u{1B}]0;t\u{07}\n::error::root"],
    ]
    for (name, variables) in Self.environments {
      for arguments in hostileArguments {
        let result = try CLI.run(arguments, in: scenario.sandbox.root, environment: variables)
        XCTAssertEqual(result.status, 2, "\(arguments): \(result.all)")
        XCTAssertTrue(
          result.stderr.contains("\\x1b") || result.stderr.contains("\\n") || result.stderr.contains("#\\#"))
        assertInert(result, in: "\(name) \(arguments.dropFirst(3).first ?? arguments[1])")
      }
    }
  }

  /// Every line is plain text or one of trustgate's own annotations, and no control character but LF is printed.
  private func assertInert(_ result: CLI.Result, in context: String, file: StaticString = #filePath, line: UInt = #line)
  {
    for (stream, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
      let controls = text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
      XCTAssertTrue(
        controls.isEmpty, "\(context) \(stream): raw control characters \(controls)", file: file, line: line)
      let invisible = text.unicodeScalars.filter(Self.invisible)
      XCTAssertTrue(
        invisible.isEmpty, "\(context) \(stream): raw invisible characters \(invisible.map { $0.value })",
        file: file, line: line)
      // What a runner matching culture-sensitively sees: the line without the characters it skips.
      for outputLine in text.split(separator: "\n", omittingEmptySubsequences: false).map({
        Substring(String(String.UnicodeScalarView($0.unicodeScalars.filter { !Self.invisible($0) })))
      }) {
        let trimmed = outputLine.drop { $0.isWhitespace }
        if trimmed.hasPrefix("::") {
          XCTAssertNotNil(
            outputLine.wholeMatch(of: Self.ownGitHubAnnotation),
            "\(context) \(stream): a foreign command: \(outputLine)",
            file: file, line: line)
        }
        XCTAssertFalse(outputLine.contains("##["), "\(context) \(stream): \(outputLine)", file: file, line: line)
        let azureCommands = outputLine.lowercased().components(separatedBy: "##vso[").count - 1
        if azureCommands > 0 {
          XCTAssertEqual(azureCommands, 1, "\(context) \(stream): \(outputLine)", file: file, line: line)
          XCTAssertNotNil(
            outputLine.wholeMatch(of: Self.ownAzureIssue), "\(context) \(stream): a foreign command: \(outputLine)",
            file: file, line: line)
        }
      }
    }
  }

  /// Bidi overrides, zero-width and other format characters: not printed, and skipped by the runners' matching.
  static func invisible(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value >= 0x80
      && (scalar.properties.generalCategory == .format || scalar.properties.isDefaultIgnorableCodePoint
        || scalar.value == 0x2028 || scalar.value == 0x2029)
  }

  /// `::error file=…,line=…,title=trustgate TG101%3A …::message`: properties escaped, so none holds `,` or `:`.
  static var ownGitHubAnnotation: Regex<(Substring, Substring, Substring?, Substring?)> {
    #/::(error|warning|notice) (file=[^,:]*,)?(line=[0-9]+,)?title=trustgate TG[0-9]{3}[^,:]*::.*/#
  }
  /// `##vso[task.logissue type=error;sourcepath=…;linenumber=…;code=TG101;]message`.
  static var ownAzureIssue: Regex<(Substring, Substring, Substring?, Substring?)> {
    #/##vso\[task\.logissue type=(error|warning);(sourcepath=[^;\]]*;)?(linenumber=[0-9]+;)?code=TG[0-9]{3};\].*/#
  }
}

import XCTest

@testable import TrustgateCore

final class GitHubReporterTests: XCTestCase {
  func testWorkflowCommandsEscapeDataAndPropertiesLikeTheToolkit() {
    let lines = GitHubReporter().render(ReportSamples.evaluation).split(separator: "\n").map(String.init)
    XCTAssertEqual(
      lines,
      [
        "::error title=trustgate TG101%3A SSL_CERT_FILE points to a missing file::"
          + "SSL_CERT_FILE=/etc/ssl/missing.pem does not exist%0Afix: Unset SSL_CERT_FILE.",
        "::error file=requirements.txt,line=12,title=trustgate TG203%3A certifi update removed trusted roots::"
          + "certifi 2023.7.22 removed 3 roots: GlobalSign, \"e-Szigno\" <Root> & Ünïcødé 根 — 100%25\\r\\nsecond line"
          + "%0Afix: Pin certifi<2023.7.22, or serve a chain to a current root.",
        "::warning file=docker/a%2Cb%3Ac%25.Dockerfile,title=trustgate TG301%3A lockfile pins an old TLS library::"
          + "base image pin, old%0Afix: Rebuild.",
        "::warning file=uv.lock,line=40,title=trustgate TG301%3A lockfile pins an old TLS library::"
          + "httpx 0.23.0 is pinned%0Afix: Upgrade httpx.",
        "::notice title=trustgate TG401%3A clock skew::clock is 3 s ahead%0Afix: Enable NTP.",
        "FAIL: 2 findings at or above error (2 error, 2 warning, 1 note); 3 checks passed.",
      ])
  }

  func testEscapingReplacesPercentFirst() {
    XCTAssertEqual(GitHubReporter.escapeData("%0A 50%\r\n:,"), "%250A 50%25%0D%0A:,")
    XCTAssertEqual(GitHubReporter.escapeProperty("%0A 50%\r\n:,"), "%250A 50%25%0D%0A%3A%2C")
  }

  func testAtMostTenAnnotationsPerLevelMostSevereFirst() {
    let findings =
      ReportSamples.many(12, .error, rule: "TG203") + ReportSamples.many(11, .warning, rule: "TG301")
      + ReportSamples.many(3, .note, rule: "TG401")
    let evaluation = Evaluation(
      rules: ReportSamples.rules, findings: findings.shuffled(), passed: [], failOn: .error, baseline: "none")
    let lines = GitHubReporter().render(evaluation).split(separator: "\n").map(String.init)
    let commands = lines.filter { $0.hasPrefix("::") }
    XCTAssertEqual(commands.count, 23)
    XCTAssertTrue(commands[0..<10].allSatisfy { $0.hasPrefix("::error ") })
    XCTAssertTrue(commands[10..<20].allSatisfy { $0.hasPrefix("::warning ") })
    XCTAssertTrue(commands[20..<23].allSatisfy { $0.hasPrefix("::notice ") })
    // The first ten in report order are kept: error-00 … error-09, not error-10/11.
    XCTAssertTrue(commands[0].contains("::error number 00"))
    XCTAssertFalse(commands.contains { $0.contains("error-10") || $0.contains("error-11") })
    XCTAssertTrue(lines.contains { $0.hasPrefix("trustgate: 3 more findings were not annotated") })

    let summary = GitHubReporter().stepSummary(evaluation)
    for finding in findings { XCTAssertTrue(summary.contains("| \(finding.subject) |")) }
    XCTAssertEqual(
      summary.split(separator: "\n").filter { $0.hasPrefix("| ❌") || $0.hasPrefix("| ⚠️") || $0.hasPrefix("| ℹ️") }.count,
      26)
  }

  func testStepSummaryListsEveryFindingAndEscapesTableCells() {
    let summary = GitHubReporter().stepSummary(ReportSamples.evaluation)
    XCTAssertTrue(summary.hasPrefix("## trustgate: failed\n"))
    let rows = summary.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Severity") }
    XCTAssertEqual(rows.count, ReportSamples.findings.count)
    XCTAssertTrue(
      summary.contains(
        "| ❌ error | TG203 | certifi | requirements.txt:12 | certifi 2023.7.22 removed 3 roots: GlobalSign, "
          + "\"e-Szigno\" \\<Root\\> \\& Ünïcødé 根 — 100%\\\\r\\\\nsecond line | Pin certifi\\<2023.7.22, or serve a chain "
          + "to a current root. |"))
    XCTAssertTrue(summary.contains("| ⚠️ warning | TG301 | docker | docker/a,b:c%.Dockerfile |"))
    XCTAssertFalse(summary.contains("\r"))
  }

  func testPassingEvaluationSummarySaysSo() {
    let summary = GitHubStepSummaryReporter().render(ReportSamples.empty)
    XCTAssertTrue(summary.hasPrefix("## trustgate: passed\n"))
    XCTAssertTrue(summary.hasSuffix("No findings.\n"))
    XCTAssertEqual(
      GitHubReporter().render(ReportSamples.empty),
      "PASS: no findings at or above error (0 error, 0 warning, 0 note); 3 checks passed.\n")
  }
}

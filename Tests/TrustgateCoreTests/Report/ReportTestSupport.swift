import Foundation
import XCTest

@testable import TrustgateCore

/// A sample evaluation covering every severity, findings with and without a file or line, a message that needs
/// every kind of escaping, unicode, and passed checks (one for a rule that is not described).
enum ReportSamples {
  /// `%`, CR LF, `:` and `,` (escaped differently by every CI), a quote, markup and non-ASCII text.
  static let trickyMessage =
    "certifi 2023.7.22 removed 3 roots: GlobalSign, \"e-Szigno\" <Root> & Ünïcødé 根 — 100%\r\nsecond line"

  static let rules = [
    RuleDescription(
      id: "TG101", title: "SSL_CERT_FILE points to a missing file", area: .environment, severity: .error,
      rationale: "OpenSSL then trusts nothing.", fix: "Unset SSL_CERT_FILE or point it at a bundle.",
      sources: ["https://docs.openssl.org/3.0/man3/SSL_CTX_load_verify_locations/"]),
    RuleDescription(
      id: "TG203", title: "certifi update removed trusted roots", area: .python, severity: .error,
      rationale: "Servers that chain only to a removed root fail.", fix: "Serve a chain to a current root.",
      sources: ["https://github.com/certifi/python-certifi/issues/234"]),
    RuleDescription(
      id: "TG301", title: "lockfile pins an old TLS library", area: .lockfiles, severity: .warning,
      rationale: "Old versions lack current roots.", fix: "Upgrade the pin.", sources: []),
    RuleDescription(
      id: "TG401", title: "clock skew", area: .clock, severity: .note, rationale: "Validity checks use the clock.",
      fix: "Enable NTP.", sources: []),
  ]

  static let findings = [
    Finding(
      ruleID: "TG203", severity: .error, area: .python, subject: "certifi", message: trickyMessage,
      fix: "Pin certifi<2023.7.22, or serve a chain to a current root.",
      location: Location(path: "requirements.txt", line: 12),
      relatedLocations: [Location(path: "requirements.txt", line: 11)]),
    Finding(
      ruleID: "TG101", severity: .error, area: .environment, subject: "SSL_CERT_FILE",
      message: "SSL_CERT_FILE=/etc/ssl/missing.pem does not exist", fix: "Unset SSL_CERT_FILE."),
    Finding(
      ruleID: "TG301", severity: .warning, area: .lockfiles, subject: "httpx", message: "httpx 0.23.0 is pinned",
      fix: "Upgrade httpx.", location: Location(path: "uv.lock", line: 40)),
    Finding(
      ruleID: "TG301", severity: .warning, area: .lockfiles, subject: "docker", message: "base image pin, old",
      fix: "Rebuild.", location: Location(path: "docker/a,b:c%.Dockerfile")),
    Finding(
      ruleID: "TG401", severity: .note, area: .clock, subject: "clock", message: "clock is 3 s ahead",
      fix: "Enable NTP."),
  ]

  static let passed = [
    PassedCheck(ruleID: "TG101", subject: "REQUESTS_CA_BUNDLE"),
    PassedCheck(ruleID: "TG203", subject: "pip"),
    PassedCheck(ruleID: "TG999", subject: "undescribed"),
  ]

  static let evaluation = Evaluation(
    rules: rules, findings: findings, passed: passed, failOn: .error, baseline: "baseline .trustgate/baseline.json")

  static let empty = Evaluation(rules: rules, findings: [], passed: passed, failOn: .error, baseline: "none")

  /// `count` findings of one severity, each with its own subject and file.
  static func many(_ count: Int, _ severity: Severity, rule: String) -> [Finding] {
    (0..<count).map { index in
      let number = String(format: "%02d", index)
      return Finding(
        ruleID: rule, severity: severity, area: .lockfiles, subject: "\(severity.rawValue)-\(number)",
        message: "\(severity.rawValue) number \(number)", fix: "fix it",
        location: Location(path: "lock/\(severity.rawValue)-\(number).lock", line: index + 1))
    }
  }
}

/// Runs external validators (xmllint, python3) for the tests; missing tools fail the test, never skip it.
enum ExternalTool {
  struct Outcome {
    var status: Int32
    var output: String
  }

  static func run(_ arguments: [String], input: String? = nil, file: StaticString = #filePath, line: UInt = #line)
    throws -> Outcome
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe()
    let inputPipe = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = inputPipe
    try process.run()
    if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inputPipe.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    if process.terminationStatus == 127 {
      XCTFail("\(arguments[0]) is not installed; it is required to validate reports (\(text))", file: file, line: line)
    }
    return Outcome(status: process.terminationStatus, output: text)
  }

  /// Writes `text` to a fresh temporary file and returns its path.
  static func temporaryFile(_ text: String, suffix: String) throws -> String {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("trustgate-report-\(UUID().uuidString)\(suffix)").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }
}

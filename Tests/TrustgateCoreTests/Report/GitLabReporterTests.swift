import Foundation
import XCTest

@testable import TrustgateCore

final class GitLabReporterTests: XCTestCase {
  private func issues(_ text: String) throws -> [[String: Any]] {
    let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try XCTUnwrap(parsed as? [[String: Any]], "the report must be a single JSON array of objects")
  }

  func testEveryIssueHasTheRequiredFields() throws {
    let text = GitLabReporter(unlocatedPath: ".trustgate.yml").render(ReportSamples.evaluation)
    XCTAssertFalse(text.hasPrefix("\u{FEFF}"))
    let issues = try issues(text)
    XCTAssertEqual(issues.count, ReportSamples.findings.count)
    for issue in issues {
      for key in ["description", "check_name", "fingerprint", "severity"] {
        XCTAssertFalse((issue[key] as? String ?? "").isEmpty, "\(key) missing in \(issue)")
      }
      XCTAssertTrue(["info", "minor", "major", "critical", "blocker"].contains(issue["severity"] as? String ?? ""))
      let location = try XCTUnwrap(issue["location"] as? [String: Any])
      XCTAssertFalse((location["path"] as? String ?? "").isEmpty)
      let begin = try XCTUnwrap((location["lines"] as? [String: Any])?["begin"] as? Int)
      XCTAssertGreaterThanOrEqual(begin, 1)
    }
    XCTAssertEqual(issues.map { $0["severity"] as? String ?? "" }, ["blocker", "blocker", "minor", "minor", "info"])
    let unlocated = issues[0]["location"] as? [String: Any]
    XCTAssertEqual(unlocated?["path"] as? String, ".trustgate.yml")
    XCTAssertEqual(
      issues[1]["description"] as? String,
      "[TG203] " + ReportSamples.trickyMessage + " Fix: Pin certifi<2023.7.22, or serve a chain to a current root.")
  }

  func testFingerprintsAreUniqueAndStableAcrossRenders() throws {
    let first = try issues(GitLabReporter(unlocatedPath: ".trustgate.yml").render(ReportSamples.evaluation)).map {
      $0["fingerprint"] as? String ?? ""
    }
    let reordered = Evaluation(
      rules: ReportSamples.rules, findings: ReportSamples.findings.reversed(), passed: [], failOn: .warning,
      baseline: "other")
    let second = try issues(GitLabReporter(unlocatedPath: ".trustgate.yml").render(reordered)).map {
      $0["fingerprint"] as? String ?? ""
    }
    XCTAssertEqual(Set(first).count, first.count)
    XCTAssertEqual(first, second)
    // SHA-256 of "TG203␟certifi␟requirements.txt", computed with coreutils: printf 'TG203\x1fcertifi\x1frequirements.txt' | sha256sum
    XCTAssertEqual(first[1], "6281147fd0f3c34ade5abde45d09e2b8ba433af840567b8b6ec46d534d61ae23")
  }

  func testNoFindingsIsAnEmptyArray() {
    XCTAssertEqual(GitLabReporter().render(ReportSamples.empty), "[]\n")
  }
}

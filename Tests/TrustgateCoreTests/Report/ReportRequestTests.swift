import XCTest

@testable import TrustgateCore

final class ReportRequestTests: XCTestCase {
  func testFormatAndPathAreSplitAtTheFirstEquals() throws {
    XCTAssertEqual(
      try ReportRequest(parsing: "junit=reports/trustgate.xml"),
      ReportRequest(format: .junit, destination: .file("reports/trustgate.xml")))
    XCTAssertEqual(try ReportRequest(parsing: "sarif=-"), ReportRequest(format: .sarif, destination: .standardOutput))
    XCTAssertEqual(try ReportRequest(parsing: "text"), ReportRequest(format: .text, destination: .standardOutput))
    XCTAssertEqual(try ReportRequest(parsing: "json=a=b.json").destination, .file("a=b.json"))
    XCTAssertEqual(try ReportRequest(parsing: "GitLab-CodeQuality=gl.json").format, .gitlab)
    XCTAssertEqual(try ReportRequest(parsing: "github-summary=/tmp/summary").format, .githubSummary)
    XCTAssertTrue(ReportFormat.githubSummary.appends)
  }

  func testUnknownFormatNamesTheValidOnes() {
    XCTAssertThrowsError(try ReportRequest(parsing: "junitxml=out.xml")) { error in
      XCTAssertEqual(
        String(describing: error),
        "--report junitxml=out.xml: unknown format 'junitxml'. Valid formats: text, json, junit, junit-annotated, sarif, github, "
          + "github-summary, gitlab, azure. Write FORMAT=PATH, e.g. junit=reports/trustgate.xml, or FORMAT=- for "
          + "standard output.")
    }
    XCTAssertThrowsError(try ReportRequest(parsing: "=out.xml"))
  }

  func testEmptyPathIsAnError() {
    XCTAssertThrowsError(try ReportRequest(parsing: "junit=")) { error in
      XCTAssertEqual(error as? ReportRequestError, .emptyPath(format: .junit, argument: "junit="))
    }
  }

  func testEveryFormatHasAReporter() {
    for format in ReportFormat.allCases {
      XCTAssertFalse(format.reporter().render(ReportSamples.evaluation).isEmpty, format.rawValue)
    }
  }
}

import XCTest

@testable import TrustgateCore

final class ReportCIEnvironmentTests: XCTestCase {
  func testProvidersAreDetectedFromTheirMarkerVariables() {
    XCTAssertEqual(CIProvider.detect(env: ["GITHUB_ACTIONS": "true", "CI": "true"]), .github)
    XCTAssertEqual(CIProvider.detect(env: ["GITLAB_CI": "true", "CI": "true"]), .gitlab)
    XCTAssertEqual(CIProvider.detect(env: ["TF_BUILD": "True"]), .azure)
    XCTAssertEqual(CIProvider.detect(env: ["SYSTEM_TEAMFOUNDATIONCOLLECTIONURI": "https://dev.azure.com/org/"]), .azure)
    XCTAssertEqual(CIProvider.detect(env: ["JENKINS_URL": "https://ci/", "BUILD_ID": "7"]), .jenkins)
    XCTAssertEqual(CIProvider.detect(env: ["JENKINS_URL": "https://ci/"]), CIProvider.none)
    XCTAssertEqual(CIProvider.detect(env: ["CIRCLECI": "true", "CI": "true"]), .circleci)
    XCTAssertEqual(CIProvider.detect(env: ["BITBUCKET_BUILD_NUMBER": "12"]), .bitbucket)
    XCTAssertEqual(CIProvider.detect(env: ["CI": "true"]), CIProvider.none)
    XCTAssertEqual(CIProvider.detect(env: ["GITHUB_ACTIONS": "false"]), CIProvider.none)
    XCTAssertEqual(CIProvider.detect(env: [:]), CIProvider.none)
  }

  func testPullRequestTargetBranchPerProvider() {
    XCTAssertEqual(CIProvider.github.pullRequestTargetBranch(env: ["GITHUB_BASE_REF": "main"]), "main")
    XCTAssertNil(CIProvider.github.pullRequestTargetBranch(env: ["GITHUB_BASE_REF": ""]), "push builds set it empty")
    XCTAssertEqual(
      CIProvider.gitlab.pullRequestTargetBranch(env: ["CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "develop"]), "develop")
    XCTAssertEqual(
      CIProvider.azure.pullRequestTargetBranch(env: ["SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/release/1.x"]),
      "release/1.x")
    XCTAssertEqual(CIProvider.azure.pullRequestTargetBranch(env: ["SYSTEM_PULLREQUEST_TARGETBRANCH": "main"]), "main")
    XCTAssertNil(
      CIProvider.azure.pullRequestTargetBranch(env: [
        "SYSTEM_PULLREQUEST_TARGETBRANCH": "$(System.PullRequest.TargetBranch)"
      ]))
    XCTAssertEqual(
      CIProvider.bitbucket.pullRequestTargetBranch(env: ["BITBUCKET_PR_DESTINATION_BRANCH": "main"]), "main")
    XCTAssertEqual(CIProvider.jenkins.pullRequestTargetBranch(env: ["CHANGE_TARGET": "main"]), "main")
    XCTAssertNil(
      CIProvider.circleci.pullRequestTargetBranch(env: ["CIRCLE_PULL_REQUEST": "https://github.com/o/r/pull/1"]))
    XCTAssertNil(CIProvider.none.pullRequestTargetBranch(env: ["GITHUB_BASE_REF": "main"]))
  }

  func testAnnotationFormatOnlyWhereTheProviderHasOne() {
    XCTAssertEqual(CIProvider.github.annotationFormat, .github)
    XCTAssertEqual(CIProvider.azure.annotationFormat, .azure)
    XCTAssertNil(CIProvider.gitlab.annotationFormat)
  }
}

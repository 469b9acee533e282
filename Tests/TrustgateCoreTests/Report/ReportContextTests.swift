import XCTest

@testable import TrustgateCore

/// Which paths are repository files, and where file formats place findings that are not about one.
final class ReportContextTests: XCTestCase {
  func testRepositoryPathsFromRelativeHostAndTargetPaths() {
    let host = ReportContext(
      repositoryRoot: "/work/repo", hostFiles: ["/tmp/ci.env": "/tmp/ci.env", "ci.env": "/work/repo/ci.env"])
    XCTAssertEqual(host.repositoryPath("uv.lock"), "uv.lock")
    XCTAssertEqual(host.repositoryPath("./api/uv.lock"), "api/uv.lock")
    XCTAssertNil(host.repositoryPath("../outside.txt"))
    XCTAssertEqual(host.repositoryPath("/work/repo/certs/ca.pem"), "certs/ca.pem")
    XCTAssertNil(host.repositoryPath("/work/repository-next/x"))
    XCTAssertNil(host.repositoryPath("/usr/local/share/ca-certificates"))
    // Host files as typed: an absolute one maps to itself (once, not forever), a relative one to the repository.
    XCTAssertNil(host.repositoryPath("/tmp/ci.env"))
    XCTAssertEqual(host.repositoryPath("ci.env"), "ci.env")
    // In an inspected root, `/work/repo/…` is a path of that file system, not of the repository.
    let root = ReportContext(repositoryRoot: "/work/repo", target: .root("/work/rootfs"))
    XCTAssertNil(root.repositoryPath("/work/repo/certs/ca.pem"))
    XCTAssertEqual(root.repositoryPath("/work/repo/.trustgate.yml", onHost: true), ".trustgate.yml")
  }

  func testGatherAnchorsAtFilesThatExistPolicyFirst() {
    let existing: Set<String> = [
      "/r/.trustgate.yml", "/r/.gitlab-ci.yml", "/r/b/uv.lock", "/r/a/uv.lock", "/r/here.txt",
    ]
    let findings = [
      Finding(
        ruleID: "TG301", severity: .error, area: .lockfiles, subject: "httpx", message: "m", fix: "f",
        location: Location(path: "here.txt", line: 3)),
      Finding(
        ruleID: "TG302", severity: .error, area: .lockfiles, subject: "certifi", message: "m", fix: "f",
        location: Location(path: "deleted.txt", line: 4)),
    ]
    let evaluation = Evaluation(rules: [], findings: findings, passed: [], failOn: .error, baseline: "none")
    let context = ReportContext.gather(
      repositoryRoot: "/r", target: .host, policyFile: "/r/.trustgate.yml", baselineFile: "/r/.trustgate/baseline.json",
      lockfiles: ["b/uv.lock", "a/uv.lock", "gone.lock"], evaluation: evaluation, isFile: existing.contains)
    XCTAssertEqual(context.policyFile, ".trustgate.yml")
    XCTAssertEqual(context.anchors, [".trustgate.yml", ".gitlab-ci.yml", "a/uv.lock", "b/uv.lock"])
    XCTAssertEqual(
      context.existingRepositoryFile(for: Location(path: "here.txt", line: 3)), Location(path: "here.txt", line: 3))
    XCTAssertEqual(
      context.existingRepositoryFile(for: Location(path: "deleted.txt", line: 4)),
      Location(path: ".trustgate.yml", line: 1))
    XCTAssertEqual(context.existingRepositoryFile(for: nil), Location(path: ".trustgate.yml", line: 1))
    let bare = ReportContext.gather(
      repositoryRoot: "/r", target: .host, policyFile: "/r/.trustgate.yml", baselineFile: nil, lockfiles: [],
      evaluation: evaluation, isFile: { _ in false })
    XCTAssertNil(bare.existingRepositoryFile(for: nil), "nothing exists: no place to name")
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// HEAD's commit id read from git's files must be what `git rev-parse HEAD` says in every layout git writes (loose and
/// packed refs, detached HEAD, linked worktrees), and the commit time read from git's objects without libgit2 must be
/// what `git log` says, loose or packed.
final class GitHeadTests: XCTestCase {
  private var sandbox: GitSandbox!

  override func setUpWithError() throws {
    sandbox = try GitSandbox()
    try sandbox.makeDirectory("repo")
    try sandbox.git(["init", "-q", "-b", "main"], in: "repo")
    try sandbox.write("repo/requirements.txt", "httpx==0.27.2\ncertifi==2024.8.30\n")
    try sandbox.commitAll("first", in: "repo")
    try sandbox.write("repo/requirements.txt", "httpx==0.28.1\ncertifi==2024.8.30\n")
    try sandbox.commitAll("second", in: "repo")
  }

  override func tearDown() { sandbox = nil }

  private func headID(_ directory: String = "repo") -> String? {
    GitHead.commitID(workdir: sandbox.path(directory))
  }

  func testCommitIDMatchesGitInEveryRefLayout() throws {
    XCTAssertEqual(headID(), try sandbox.git(["rev-parse", "HEAD"], in: "repo"), "loose ref")

    try sandbox.git(["pack-refs", "--all", "--prune"], in: "repo")
    XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.path("repo/.git/refs/heads/main")))
    XCTAssertEqual(headID(), try sandbox.git(["rev-parse", "HEAD"], in: "repo"), "packed ref")

    try sandbox.git(["checkout", "-q", "--detach", "HEAD~1"], in: "repo")
    XCTAssertEqual(headID(), try sandbox.git(["rev-parse", "HEAD"], in: "repo"), "detached HEAD")
    try sandbox.git(["checkout", "-q", "main"], in: "repo")

    try sandbox.git(["worktree", "add", "-q", "-b", "side", "../side", "HEAD~1"], in: "repo")
    XCTAssertEqual(headID("side"), try sandbox.git(["rev-parse", "HEAD"], in: "side"), "linked worktree")
    XCTAssertNotEqual(headID("side"), headID())

    try sandbox.makeDirectory("empty")
    try sandbox.git(["init", "-q", "-b", "main"], in: "empty")
    XCTAssertNil(headID("empty"), "unborn branch: no commit")
  }

  func testHeadCommitTimeFromGitsObjectsIsGitsLooseAndPacked() throws {
    let repo = sandbox.path("repo")
    // A committer time unlike the author time, so the wrong header line would show.
    try sandbox.write("repo/requirements.txt", "httpx==0.28.1\ncertifi==2025.1.31\n")
    try sandbox.git(["add", "-A"], in: "repo")
    try sandbox.git(["commit", "-q", "-m", "third", "--date=@981173106 +0200"], in: "repo")
    let expected = try XCTUnwrap(Int64(try sandbox.git(["log", "-1", "--format=%ct"], in: "repo")))
    XCTAssertEqual(try sandbox.git(["log", "-1", "--format=%at"], in: "repo"), "981173106")
    XCTAssertNotEqual(expected, 981_173_106)
    XCTAssertEqual(GitHead.headCommitTime(workdir: repo), expected, "loose object")
    try sandbox.git(["gc", "-q", "--aggressive", "--prune=now"], in: "repo")
    XCTAssertEqual(try sandbox.git(["count-objects", "-v"], in: "repo").contains("count: 0"), true, "all packed")
    XCTAssertEqual(GitHead.headCommitTime(workdir: repo), expected, "packed object")
    XCTAssertEqual(GitRepositoryLocator.headCommitTime(around: repo), expected)
    // An older commit, found in the pack by its id.
    let first = try sandbox.git(["rev-list", "--max-parents=0", "HEAD"], in: "repo")
    let firstTime = try XCTUnwrap(Int64(try sandbox.git(["log", "-1", "--format=%ct", first], in: "repo")))
    XCTAssertEqual(GitCommitReader.committerTime(id: first, commonDirectory: repo + "/.git"), firstTime)
    XCTAssertNil(GitCommitReader.committerTime(id: String(repeating: "0", count: 40), commonDirectory: repo + "/.git"))
  }

  func testNoRepositoryNeverAnswers() throws {
    let directory = try TemporaryDirectory()
    XCTAssertNil(GitRepositoryLocator.headCommitTime(around: directory.path))
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// HEAD's commit id read from git's files must be what `git rev-parse HEAD` says in every layout git writes (loose and
/// packed refs, detached HEAD, linked worktrees); the cached commit time must be git's own; and a baseline read twice
/// through the cache must give the same lockfiles without inflating the blobs again.
final class GitHeadCacheTests: XCTestCase {
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

  func testHeadCommitTimeIsGitsAndComesFromTheCacheTheSecondTime() throws {
    let directory = try TemporaryDirectory()
    let cache = try XCTUnwrap(ParseCache.open(environment: ["TRUSTGATE_CACHE_DIR": directory.path]))
    let expected = Int64(try sandbox.git(["log", "-1", "--format=%ct"], in: "repo"))
    XCTAssertEqual(GitRepositoryLocator.headCommitTime(around: sandbox.path("repo"), cache: cache), expected)
    cache.save()

    let id = try XCTUnwrap(headID())
    let reopened = try XCTUnwrap(ParseCache.open(environment: ["TRUSTGATE_CACHE_DIR": directory.path]))
    XCTAssertEqual(reopened.lookup(.commitTime, Array(id.utf8)).flatMap(CachedReadings.commitTime), expected)
    XCTAssertEqual(GitRepositoryLocator.headCommitTime(around: sandbox.path("repo"), cache: reopened), expected)
    XCTAssertEqual(GitRepositoryLocator.headCommitTime(around: sandbox.path("repo")), expected, "without a cache")
  }

  func testNoRepositoryNeverAnswers() throws {
    let directory = try TemporaryDirectory()
    XCTAssertNil(GitRepositoryLocator.headCommitTime(around: directory.path, cache: ParseCache()))
  }

  func testBaselineLockfilesAreTheSameFromTheCacheAndItsBlobsAreNotRead() throws {
    let directory = try TemporaryDirectory()
    let root = sandbox.path("repo")
    let first = try XCTUnwrap(ParseCache.open(environment: ["TRUSTGATE_CACHE_DIR": directory.path]))
    let fresh = try BaselineLoader(repositoryRoot: root, environment: [:]).prepare(.gitRef("HEAD~1"))
    let cold = try BaselineLoader(repositoryRoot: root, environment: [:], cache: first).prepare(.gitRef("HEAD~1"))
    first.save()
    let second = try XCTUnwrap(ParseCache.open(environment: ["TRUSTGATE_CACHE_DIR": directory.path]))
    let loader = BaselineLoader(repositoryRoot: root, environment: [:], cache: second)
    let warm = try loader.prepare(.gitRef("HEAD~1"))
    for prepared in [cold, warm] {
      guard case .lockfiles(let set, _) = prepared, case .lockfiles(let expected, _) = fresh else {
        return XCTFail("a git ref gives lockfiles")
      }
      XCTAssertEqual(set.lockfiles, expected.lockfiles)
      XCTAssertEqual(set.problems, expected.problems)
      XCTAssertEqual(set.lockfiles.first?.pins.first { $0.name == "httpx" }?.version, "0.27.2")
    }
    // With the reading cached, the tree holds the blob's key but not its bytes.
    let repository = try GitRepository(discovering: root)
    let files = try repository.files(
      atCommit: try repository.resolveCommit("HEAD~1"), include: { $0 == "requirements.txt" })
    let tree = try loader.tree(files, repository)
    XCTAssertEqual(tree.rawKind("/requirements.txt"), .file(size: 0))
    XCTAssertEqual(tree.contentKey("/requirements.txt"), Array("git-blob:\(files[0].oid)".utf8))
  }

  func testRevisionKeysNameWhatGitResolves() throws {
    let repo = sandbox.path("repo")
    try sandbox.git(["tag", "light", "HEAD~1"], in: "repo")
    try sandbox.git(["tag", "-a", "-m", "annotated", "annotated", "HEAD"], in: "repo")
    try sandbox.git(["update-ref", "refs/remotes/origin/main", "HEAD~1"], in: "repo")
    try sandbox.git(["branch", "feature", "HEAD~1"], in: "repo")
    func key(_ revision: String) -> String? { GitHead.revisionKey(revision, workdir: repo)?.key }
    func git(_ revision: String) throws -> String { try sandbox.git(["rev-parse", revision], in: "repo") }
    for layout in ["loose", "packed"] {
      if layout == "packed" { try sandbox.git(["pack-refs", "--all", "--prune"], in: "repo") }
      for name in ["HEAD", "main", "refs/heads/main", "light", "annotated", "origin/main", "feature", "heads/feature"] {
        let revision = try XCTUnwrap(GitHead.revisionKey(name, workdir: repo), "\(name) (\(layout))")
        XCTAssertEqual(revision.id, try git(name), "\(name) (\(layout))")
        XCTAssertEqual(revision.steps, "")
      }
      // Steps are kept as written, after the id of the name they start from.
      XCTAssertEqual(key("HEAD~1"), try git("HEAD") + "~1")
      XCTAssertEqual(key("main^"), try git("main") + "^")
      XCTAssertEqual(key("origin/main~0^1"), try git("origin/main") + "~0^1")
      let id = try git("HEAD~1")
      XCTAssertEqual(key(id), id)
      XCTAssertEqual(key(id.uppercased() + "~1"), id + "~1")
    }
    // What git's files do not say plainly is libgit2's: reflogs, paths, ranges, pseudo-refs, unknown names.
    try sandbox.write("repo/.git/FETCH_HEAD", try git("HEAD") + "\n")
    for revision in ["HEAD@{1}", "main:requirements.txt", "main..feature", "FETCH_HEAD", "missing", "", "~1", "a b"] {
      XCTAssertNil(key(revision), revision)
    }
  }

  func testABaselineListedOnceNeedsNoLibgit2Later() throws {
    let directory = try TemporaryDirectory()
    let root = sandbox.path("repo")
    try sandbox.git(["tag", "-a", "-m", "annotated", "annotated", "HEAD~1"], in: "repo")
    let first = try XCTUnwrap(ParseCache.open(environment: ["TRUSTGATE_CACHE_DIR": directory.path]))
    let loader = BaselineLoader(repositoryRoot: root, environment: [:], cache: first)
    XCTAssertNil(loader.cachedLockfiles(at: "HEAD~1"), "nothing listed yet")
    guard case .lockfiles(let fresh, _) = try loader.prepare(.gitRef("HEAD~1")) else { return XCTFail("lockfiles") }
    _ = try loader.prepare(.gitRef("annotated"))
    _ = try loader.prepare(.automatic)
    first.save()

    let second = try XCTUnwrap(ParseCache.open(environment: ["TRUSTGATE_CACHE_DIR": directory.path]))
    let warm = BaselineLoader(repositoryRoot: root, environment: [:], cache: second)
    let cached = try XCTUnwrap(warm.cachedLockfiles(at: "HEAD~1"))
    XCTAssertEqual(cached.lockfiles, fresh.lockfiles)
    XCTAssertEqual(cached.problems, fresh.problems)
    XCTAssertEqual(cached.lockfiles.first?.pins.first { $0.name == "httpx" }?.version, "0.27.2")
    XCTAssertEqual(warm.cachedLockfiles(at: "main~1")?.lockfiles, fresh.lockfiles, "the same commit by another name")
    XCTAssertEqual(warm.cachedLockfiles(at: "HEAD")?.lockfiles.first?.pins.first { $0.name == "httpx" }?.version, "0.28.1")
    XCTAssertNil(warm.cachedLockfiles(at: "annotated"), "an annotated tag names the tag, not the commit: not kept")

    // A new commit moves HEAD: HEAD~1 is another commit now, which no run has listed.
    try sandbox.write("repo/requirements.txt", "httpx==0.28.1\ncertifi==2025.1.31\n")
    try sandbox.commitAll("third", in: "repo")
    XCTAssertNil(warm.cachedLockfiles(at: "HEAD~1"))
    guard case .lockfiles(let moved, _) = try warm.prepare(.gitRef("HEAD~1")) else { return XCTFail("lockfiles") }
    XCTAssertEqual(moved.lockfiles.first?.pins.first { $0.name == "httpx" }?.version, "0.28.1")
  }
}

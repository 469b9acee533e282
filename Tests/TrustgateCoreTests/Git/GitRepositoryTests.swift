import XCTest

@testable import TrustgateCore

final class GitRepositoryTests: XCTestCase {
  private var sandbox: GitSandbox!

  override func setUpWithError() throws {
    sandbox = try GitSandbox()
  }

  override func tearDown() {
    sandbox = nil
  }

  /// Two commits on main (lockfile changed in between), a `feature` branch, an annotated and a lightweight tag,
  /// a symlink, an executable, a gitlink (submodule), and vendored lockfiles under pruned directories.
  private func makeHistory() throws {
    try sandbox.makeDirectory("repo")
    try sandbox.git(["init", "-q", "-b", "main"], in: "repo")
    try sandbox.write("repo/package-lock.json", "{\"lockfileVersion\": 3, \"certifi\": \"2022.12.7\"}\n")
    try sandbox.write("repo/requirements.txt", "certifi==2022.12.7\n")
    try sandbox.write("repo/src/app/Cargo.lock", "[[package]]\nname = \"webpki-roots\"\nversion = \"0.25.0\"\n")
    try sandbox.write("repo/node_modules/dep/package-lock.json", "{}\n")
    try sandbox.write("repo/.venv/lib/requirements.txt", "vendored==1\n")
    try sandbox.commitAll("first", in: "repo")
    try sandbox.git(["tag", "-a", "-m", "release one", "v1"], in: "repo")

    try sandbox.git(["checkout", "-q", "-b", "feature"], in: "repo")
    try sandbox.write("repo/requirements.txt", "certifi==2023.5.7\n")
    try sandbox.commitAll("feature work", in: "repo")
    try sandbox.git(["checkout", "-q", "main"], in: "repo")

    try sandbox.write("repo/package-lock.json", "{\"lockfileVersion\": 3, \"certifi\": \"2023.7.22\"}\n")
    try sandbox.write("repo/tools/run.sh", "#!/bin/sh\necho run\n")
    try sandbox.git(["add", "tools/run.sh"], in: "repo")
    try sandbox.git(["update-index", "--chmod=+x", "tools/run.sh"], in: "repo")
    try FileManager.default.createSymbolicLink(
      atPath: sandbox.path("repo/link.lock"), withDestinationPath: "package-lock.json")
    let first = try sandbox.git(["rev-parse", "HEAD"], in: "repo")
    try sandbox.makeDirectory("repo/vendor/submodule")  // an uninitialised submodule's empty directory
    try sandbox.git(["update-index", "--add", "--cacheinfo", "160000,\(first),vendor/submodule"], in: "repo")
    try sandbox.commitAll("second", in: "repo")
    try sandbox.git(["tag", "light"], in: "repo")
  }

  private func open() throws -> GitRepository {
    try GitRepository(discovering: sandbox.path("repo"))
  }

  /// `git ls-tree -r` (or `ls-files -s` for the index) as GitFiles, without gitlinks and pruned directories.
  private func gitListing(_ arguments: [String]) throws -> Set<GitFile> {
    let lines = try sandbox.git(arguments, in: "repo").split(separator: "\n")
    var files: Set<GitFile> = []
    for line in lines {
      let parts = line.split(separator: "\t", maxSplits: 1)
      let fields = parts[0].split(separator: " ")
      let path = String(parts[1])
      guard fields[0] != "160000", !path.hasPrefix("node_modules/"), !path.hasPrefix(".venv/") else { continue }
      let oid = arguments[0] == "ls-tree" ? fields[2] : fields[1]
      files.insert(GitFile(path: path, oid: String(oid), isSymlink: fields[0] == "120000"))
    }
    return files
  }

  func testResolveCommitMatchesRevParse() throws {
    try makeHistory()
    let repository = try open()
    for revision in ["HEAD", "HEAD~1", "main", "feature", "v1", "light", "refs/heads/feature"] {
      let expected = try sandbox.git(["rev-parse", "\(revision)^{commit}"], in: "repo")
      XCTAssertEqual(try repository.resolveCommit(revision), expected, revision)
    }
    let head = try sandbox.git(["rev-parse", "HEAD"], in: "repo")
    XCTAssertEqual(try repository.resolveCommit(String(head.prefix(10))), head)
  }

  func testMissingRevisionIsRefNotFoundWithoutGuessing() throws {
    try makeHistory()
    let repository = try open()
    XCTAssertThrowsError(try repository.resolveCommit("origin/main")) { error in
      XCTAssertEqual(error as? GitError, .refNotFound("origin/main", shallow: false))
      XCTAssertTrue("\(error)".contains("git fetch --depth=1 origin main:refs/remotes/origin/main"), "\(error)")
      XCTAssertTrue("\(error)".contains("fetch-depth: 0"), "\(error)")
    }
    XCTAssertThrowsError(try repository.resolveCommit("HEAD~5")) { error in
      XCTAssertEqual(error as? GitError, .refNotFound("HEAD~5", shallow: false))
    }
  }

  func testRevisionNamingABlobIsNotACommit() throws {
    try makeHistory()
    XCTAssertThrowsError(try open().resolveCommit("HEAD:requirements.txt")) { error in
      XCTAssertEqual(error as? GitError, .notACommit("HEAD:requirements.txt"))
    }
  }

  func testHeadCommitTimeMatchesGitLog() throws {
    try makeHistory()
    let expected = try sandbox.git(["log", "-1", "--format=%ct"], in: "repo")
    XCTAssertEqual(try open().headCommitTime(), Int64(expected))
  }

  func testFilesAtCommitMatchLsTreeAndSkipSubmodulesAndPrunedDirectories() throws {
    try makeHistory()
    let repository = try open()
    var asked: [String] = []
    let files = try repository.files(atCommit: repository.resolveCommit("HEAD"), include: { _ in true }) {
      asked.append($0)
      return GitRepository.descendsByDefault($0)
    }
    XCTAssertEqual(Set(files), try gitListing(["ls-tree", "-r", "HEAD"]))
    XCTAssertEqual(files.count, Set(files).count)
    XCTAssertTrue(
      files.contains(
        GitFile(
          path: "link.lock", oid: files.first { $0.path == "link.lock" }?.oid ?? "",
          isSymlink: true)))
    XCTAssertFalse(files.contains { $0.path.hasPrefix("vendor/") }, "gitlink reported as a file")
    XCTAssertTrue(asked.contains("node_modules") && asked.contains(".venv"))
    XCTAssertFalse(asked.contains { $0.hasPrefix("node_modules/") || $0.hasPrefix(".venv/") }, "pruned subtree read")
    XCTAssertTrue(asked.contains("src/app"))
  }

  func testIncludeFiltersByPathAndEarlierCommitHasEarlierContent() throws {
    try makeHistory()
    let repository = try open()
    let lockfiles = try repository.files(atCommit: repository.resolveCommit("HEAD~1")) {
      $0.hasSuffix("package-lock.json") || $0.hasSuffix(".lock")
    }
    XCTAssertEqual(lockfiles.map(\.path), ["package-lock.json", "src/app/Cargo.lock"])
    for file in lockfiles {
      XCTAssertEqual(
        try repository.blob(file.oid, limit: 1 << 20), try sandbox.gitOutput(["cat-file", "-p", file.oid], in: "repo"))
    }
    let old = try XCTUnwrap(lockfiles.first)
    XCTAssertEqual(
      String(decoding: try repository.blob(old.oid, limit: 1 << 20), as: UTF8.self),
      "{\"lockfileVersion\": 3, \"certifi\": \"2022.12.7\"}\n")
  }

  /// `blobs` (on every core, a handle per worker) gives what `git cat-file` gives, in the order asked, with each
  /// blob's own error in its place.
  func testBlobsReadTogetherAreGitsInTheOrderAskedWithTheirOwnErrors() throws {
    try makeHistory()
    let repository = try open()
    let files = try repository.files(atCommit: repository.resolveCommit("HEAD")) { _ in true }.filter { !$0.isSymlink }
    XCTAssertGreaterThan(files.count, 2)
    let asked = files.map(\.oid) + ["not-an-id"] + files.map(\.oid)
    let read = repository.blobs(asked, limit: 1 << 20)
    XCTAssertEqual(read.count, asked.count)
    for (oid, result) in zip(asked, read) where oid != "not-an-id" {
      XCTAssertEqual(try result.get(), try sandbox.gitOutput(["cat-file", "-p", oid], in: "repo"), oid)
    }
    XCTAssertEqual(read[files.count].failure, .invalidObjectId("not-an-id"))
    let small = repository.blobs(files.map(\.oid), limit: 4)
    XCTAssertTrue(small.allSatisfy { if case .tooLarge = $0.failure { true } else { false } }, "\(small)")
  }

  /// A blob of megabytes (copied out of libgit2 into fresh memory, huge pages asked for) is git's, byte for byte.
  func testLargeBlobIsGitsByteForByte() throws {
    try makeHistory()
    let lines = (0..<60_000).map { "name = \"package-\($0)\"\nversion = \"\($0 % 97).\($0 % 13).\($0)\"\n" }
    try sandbox.write("repo/uv.lock", lines.joined())
    try sandbox.commitAll("large", in: "repo")
    let oid = try sandbox.git(["rev-parse", "HEAD:uv.lock"], in: "repo")
    let blob = try open().blob(oid, limit: 64 << 20)
    let expected = try sandbox.gitOutput(["cat-file", "-p", oid], in: "repo")
    XCTAssertGreaterThan(expected.count, 2 << 20)
    XCTAssertEqual(blob.count, expected.count)
    XCTAssertTrue(blob == expected)
  }

  func testBlobBeyondLimitThrowsTooLarge() throws {
    try makeHistory()
    let repository = try open()
    let oid = try sandbox.git(["rev-parse", "HEAD:requirements.txt"], in: "repo")
    XCTAssertThrowsError(try repository.blob(oid, limit: 4)) { error in
      XCTAssertEqual(error as? GitError, .tooLarge(oid: oid, size: 19, limit: 4))
    }
    XCTAssertThrowsError(try repository.blob("not-an-id", limit: 4)) { error in
      XCTAssertEqual(error as? GitError, .invalidObjectId("not-an-id"))
    }
  }

  func testStagedFilesSeeUncommittedChanges() throws {
    try makeHistory()
    try sandbox.write("repo/requirements.txt", "certifi==2024.2.2\n")
    try sandbox.write("repo/new/poetry.lock", "[[package]]\n")
    try sandbox.git(["add", "requirements.txt", "new/poetry.lock"], in: "repo")
    try sandbox.write("repo/package-lock.json", "unstaged edit\n")
    let repository = try open()
    let staged = try repository.stagedFiles(include: { _ in true })
    XCTAssertEqual(Set(staged), try gitListing(["ls-files", "-s"]))
    let requirements = try XCTUnwrap(staged.first { $0.path == "requirements.txt" })
    XCTAssertEqual(try repository.blob(requirements.oid, limit: 100), Array("certifi==2024.2.2\n".utf8))
    let headFiles = try repository.files(atCommit: repository.resolveCommit("HEAD")) { $0 == "package-lock.json" }
    XCTAssertEqual(staged.first { $0.path == "package-lock.json" }, headFiles.first, "unstaged edit leaked in")
  }

  func testStagedFilesReadAnotherIndexFile() throws {
    try makeHistory()
    let other = sandbox.path("other-index")
    try sandbox.git(["read-tree", "--index-output=\(other)", "HEAD~1"], in: "repo")
    let staged = try open().stagedFiles(indexFile: other) { $0 == "package-lock.json" }
    XCTAssertEqual(staged.map(\.oid), [try sandbox.git(["rev-parse", "HEAD~1:package-lock.json"], in: "repo")])
  }

  func testUnbornRepositoryHasNoHeadTime() throws {
    try sandbox.makeDirectory("repo")
    try sandbox.git(["init", "-q", "-b", "main"], in: "repo")
    try sandbox.write("repo/requirements.txt", "certifi==2024.2.2\n")
    try sandbox.git(["add", "requirements.txt"], in: "repo")
    let repository = try open()
    XCTAssertNil(try repository.headCommitTime())
    XCTAssertThrowsError(try repository.resolveCommit("HEAD")) { error in
      XCTAssertEqual(error as? GitError, .refNotFound("HEAD", shallow: false))
    }
    XCTAssertEqual(try repository.stagedFiles(include: { _ in true }).map(\.path), ["requirements.txt"])
  }

  func testShallowCloneMissingParentIsRefNotFoundAndAdviceWorks() throws {
    try makeHistory()
    try sandbox.git(["clone", "-q", "--depth", "1", "file://\(sandbox.path("repo"))", "shallow"], in: "")
    var repository = try GitRepository(discovering: sandbox.path("shallow"))
    XCTAssertTrue(repository.isShallow)
    XCTAssertThrowsError(try repository.resolveCommit("HEAD~1")) { error in
      XCTAssertEqual(error as? GitError, .refNotFound("HEAD~1", shallow: true))
      XCTAssertTrue("\(error)".contains("git fetch --deepen"), "\(error)")
    }
    XCTAssertThrowsError(try repository.resolveCommit("origin/feature")) { error in
      XCTAssertEqual(error as? GitError, .refNotFound("origin/feature", shallow: true))
      XCTAssertTrue("\(error)".contains("git fetch --depth=1 origin feature:refs/remotes/origin/feature"), "\(error)")
    }
    // Following the advice makes the revisions resolve.
    try sandbox.git(["fetch", "-q", "--depth=1", "origin", "feature:refs/remotes/origin/feature"], in: "shallow")
    try sandbox.git(["fetch", "-q", "--deepen=50", "origin"], in: "shallow")
    repository = try GitRepository(discovering: sandbox.path("shallow"))
    XCTAssertEqual(try repository.resolveCommit("HEAD~1"), try sandbox.git(["rev-parse", "HEAD~1"], in: "repo"))
    XCTAssertEqual(
      try repository.resolveCommit("origin/feature"), try sandbox.git(["rev-parse", "feature"], in: "repo"))
    XCTAssertFalse(try GitRepository(discovering: sandbox.path("repo")).isShallow)
  }

  func testDiscoveryFromSubdirectoryFindsTopLevel() throws {
    try makeHistory()
    let repository = try GitRepository(discovering: sandbox.path("repo/src/app"))
    XCTAssertEqual(repository.workdir, try sandbox.git(["rev-parse", "--show-toplevel"], in: "repo/src/app"))
  }

  func testDirectoryOutsideAnyRepositoryIsNotARepository() throws {
    try sandbox.makeDirectory("plain")
    let path = sandbox.path("plain")
    XCTAssertThrowsError(try GitRepository(discovering: path)) { error in
      XCTAssertEqual(error as? GitError, .notARepository(path))
    }
  }
}

extension Result {
  /// The error, or nil for a success.
  fileprivate var failure: Failure? {
    if case .failure(let error) = self { return error }
    return nil
  }
}

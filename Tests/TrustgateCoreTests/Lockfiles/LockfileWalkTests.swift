import Foundation
import XCTest

@testable import TrustgateCore

/// Nothing with a lockfile's name is dropped silently: each entry the walk cannot read is a problem marked
/// `unreadable` (TG002, an error), naming the path and the reason. The trees are built by shell commands (ln -s,
/// mkfifo, mkdir), as a repository would hold them.
final class LockfileWalkTests: XCTestCase {
  var sandbox: GitSandbox!

  override func setUpWithError() throws {
    sandbox = try GitSandbox()
  }

  /// Runs `script` with bash in the sandbox; fails the test when it fails.
  func shell(_ script: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let outcome = try ExternalTool.run(["bash", "-euo", "pipefail", "-c", "cd '\(sandbox.root)' && " + script])
    XCTAssertEqual(outcome.status, 0, outcome.output, file: file, line: line)
  }

  func collect(_ folder: String = "repo", excluded: [String] = []) -> (lockfiles: [Lockfile], problems: [Problem]) {
    LockfileCollector(excluded: excluded).collect(HostFileSystem(root: sandbox.path(folder)))
  }

  func unreadable(_ problems: [Problem]) -> [String: String] {
    Dictionary(
      problems.filter { $0.unreadable == true }.map { ($0.path ?? "", $0.message) }, uniquingKeysWith: { $0 + " | " + $1 })
  }

  func testLinksFifosAndFoldersWithLockfileNamesAreUnreadableProblems() throws {
    try shell(
      """
      mkdir -p repo/loop repo/fifo repo/folder/Pipfile.lock repo/up repo/absolute repo/chain repo/ok
      echo 'httpx==0.28.1' > outside.txt
      ln -s gone.txt repo/requirements.txt
      ln -s uv.lock repo/loop/uv.lock
      mkfifo repo/fifo/poetry.lock
      ln -s ../../outside.txt repo/up/requirements.txt
      ln -s /etc/hostname repo/absolute/requirements.txt
      ln -s ../up/requirements.txt repo/chain/constraints.txt
      echo 'certifi==2026.4.22' > repo/ok/real.txt
      ln -s real.txt repo/ok/requirements.txt
      """)
    let started = Date()
    let (lockfiles, problems) = collect()
    // A FIFO is never opened: the walk must not block on it.
    XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    let found = unreadable(problems)
    XCTAssertEqual(
      found.keys.sorted(),
      ["absolute/requirements.txt", "chain/constraints.txt", "fifo/poetry.lock", "folder/Pipfile.lock",
       "loop/uv.lock", "requirements.txt", "up/requirements.txt"], "\(problems)")
    XCTAssertTrue(found["requirements.txt"]?.contains("link to gone.txt, which does not exist") == true, "\(found)")
    XCTAssertTrue(found["loop/uv.lock"]?.contains("link loop") == true, "\(found)")
    XCTAssertTrue(found["fifo/poetry.lock"]?.contains("FIFO") == true, "\(found)")
    XCTAssertTrue(found["folder/Pipfile.lock"]?.contains("is a folder") == true, "\(found)")
    XCTAssertTrue(found["up/requirements.txt"]?.contains("outside the repository") == true, "\(found)")
    XCTAssertTrue(found["absolute/requirements.txt"]?.contains("/etc/hostname, outside the repository") == true, "\(found)")
    XCTAssertTrue(found["chain/constraints.txt"]?.contains("outside the repository") == true, "\(found)")
    // A link to a file inside the repository is read as before.
    XCTAssertEqual(lockfiles.first { $0.path == "ok/requirements.txt" }?.pins.map(\.name), ["certifi"])
  }

  /// A name whose bytes are not UTF-8 (git and pip take any bytes) is listed with U+FFFD and cannot be opened by that
  /// name: it is an unreadable problem that says so and how to fix it, not "vanished" or "no such file".
  func testNamesThatAreNotUTF8AreProblemsThatSaySo() throws {
    try shell(
      """
      mkdir -p repo "repo/$(printf 'vendor\\377')" repo/ok
      echo 'requests==2.31.0' > "repo/$(printf 'vendor\\377')/requirements.txt"
      echo 'httpx==0.28.1' > "repo/$(printf 'requirements-\\377.txt')"
      echo 'certifi==2026.4.22' > repo/ok/requirements.txt
      """)
    let (lockfiles, problems) = collect()
    let found = unreadable(problems)
    XCTAssertEqual(found.keys.sorted(), ["requirements-\u{FFFD}.txt", "vendor\u{FFFD}"], "\(problems)")
    for message in found.values {
      XCTAssertTrue(message.contains("its name is not valid UTF-8"), message)
      XCTAssertFalse(message.contains("vanished") || message.contains("No such file"), message)
    }
    XCTAssertTrue(problems.allSatisfy { $0.unreadable != true || $0.fix.contains("git mv") }, "\(problems)")
    XCTAssertEqual(lockfiles.map(\.path), ["ok/requirements.txt"])
  }

  /// `exclude` patterns name a path and everything under it (`a/b` and `a/b/` alike), never a sibling that shares a
  /// prefix; the answer is the one comparing every pattern gave, for patterns and paths drawn at random. A policy of
  /// 150,000 patterns (939 KB, under the 1 MiB limit) made `inspect` of 3,000 folders take 64 s: each path is now
  /// looked up with its folders.
  func testExcludedPathsAreLookedUpNotComparedWithEveryPattern() {
    let collector = LockfileCollector(excluded: ["tests/fixtures", "vendor/", "a/b", "x"])
    let expected: [String: Bool] = [
      "tests/fixtures": true, "tests/fixtures/requirements.txt": true, "tests/fixturesX/requirements.txt": false,
      "tests": false, "vendor/requirements.txt": true, "vendor": false, "a/b/c/uv.lock": true, "a/bc": false,
      "x": true, "x/y/poetry.lock": true, "xy": false, "b/x": false,
    ]
    for (path, excluded) in expected { XCTAssertEqual(collector.isExcluded(path), excluded, path) }

    func comparedWithEvery(_ patterns: [String], _ path: String) -> Bool {
      patterns.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }
    var random = SystemRandomNumberGenerator()
    let parts = ["a", "b", "ab", "x", "tests"]
    func path(_ count: Int) -> String {
      (0..<count).map { _ in parts.randomElement(using: &random)! }.joined(separator: "/")
    }
    for _ in 0..<300 {
      let patterns = (0..<Int.random(in: 0...4, using: &random)).map { _ in
        path(Int.random(in: 1...3, using: &random)) + (Bool.random(using: &random) ? "/" : "")
      }
      let drawn = LockfileCollector(excluded: patterns)
      for _ in 0..<20 {
        let candidate = path(Int.random(in: 1...4, using: &random))
        XCTAssertEqual(drawn.isExcluded(candidate), comparedWithEvery(patterns, candidate), "\(patterns) \(candidate)")
      }
    }

    let many = LockfileCollector(excluded: (0..<150_000).map(String.init))
    let started = Date()
    for folder in 0..<30_000 { _ = many.isExcluded("src/m\(folder)/requirements.txt") }
    XCTAssertLessThan(Date().timeIntervalSince(started), 5, "30,000 lookups against 150,000 patterns")
    XCTAssertTrue(many.isExcluded("149999/requirements.txt"))
  }

  func testIncludesThatLeaveTheRepositoryAreUnreadableAndNeverFollowed() throws {
    try shell(
      """
      mkdir -p repo/app
      echo 'httpx==0.28.1' > outside.txt
      printf -- '-r ../../outside.txt\\n-c /etc/hostname\\n-r base.txt\\ncertifi==2026.4.22\\n' > repo/app/requirements.txt
      echo '-r https://ci:s3cret@pypi.example.com/constraints.txt' >> repo/app/requirements.txt
      echo '-c https:ci:s3cret@pypi.example.com/c.txt?token=s3cret#s3cret' >> repo/app/requirements.txt
      echo '-r //ci:s3cret@pypi.example.com/r.txt' >> repo/app/requirements.txt
      ln -s ../../outside.txt repo/app/base.txt
      """)
    let (lockfiles, problems) = collect()
    XCTAssertEqual(lockfiles.map(\.path), ["app/requirements.txt"], "outside files are never read")
    let messages = problems.filter { $0.unreadable == true }.map { "\($0.path ?? ""): \($0.message)" }.sorted()
    XCTAssertEqual(messages.count, 6, "\(messages)")
    XCTAssertTrue(messages.contains { $0.hasPrefix("app/base.txt: is a link to ../../outside.txt, outside") }, "\(messages)")
    XCTAssertTrue(messages.contains { $0.contains("includes ../../outside.txt, which lies outside the repository") }, "\(messages)")
    XCTAssertTrue(messages.contains { $0.contains("includes /etc/hostname, which lies outside the repository") }, "\(messages)")
    // A URL include was passed over in silence: pip fetches it, the gate never saw what it pins.
    XCTAssertTrue(
      messages.contains { $0.contains("includes https://***@pypi.example.com/constraints.txt, a URL outside") },
      "\(messages)")
    // pip fetches `https:…` without `//` too; a token in the query and a user:password after `//` are secrets.
    XCTAssertTrue(
      messages.contains { $0.contains("includes https:***@pypi.example.com/c.txt?***, a URL outside") }, "\(messages)")
    XCTAssertTrue(messages.contains { $0.contains("includes //***@pypi.example.com/r.txt, which lies outside") })
    XCTAssertFalse(messages.joined().contains("s3cret"), "\(messages)")
    // Each include's finding names the line of its `-r`/`-c`.
    let lines = problems.filter { $0.message.hasPrefix("includes ") }.map { "\($0.line ?? 0) \($0.message.prefix(12))" }
    XCTAssertEqual(
      lines.sorted(),
      ["1 includes ../", "2 includes /et", "5 includes htt", "6 includes htt", "7 includes //*"].sorted(), "\(problems)")
  }

  func testDeepLockfilesAreReadAndFoldersPastTheLimitAreProblems() throws {
    // 30 folders deep: skipped silently before (the walk stopped at 24). Past 64: a problem naming the folder.
    let thirty = (1...30).map { "d\($0)" }.joined(separator: "/")
    let seventy = (1...70).map { "e\($0)" }.joined(separator: "/")
    try shell(
      """
      mkdir -p repo/\(thirty) repo/\(seventy)
      echo 'httpx==0.28.1' > repo/\(thirty)/requirements.txt
      echo 'httpx==0.28.1' > repo/\(seventy)/requirements.txt
      """)
    let (lockfiles, problems) = collect()
    XCTAssertEqual(lockfiles.map(\.path), [thirty + "/requirements.txt"])
    let deep = problems.filter { $0.unreadable == true }
    XCTAssertEqual(deep.map(\.path), [(1...65).map { "e\($0)" }.joined(separator: "/")], "\(problems)")
    XCTAssertTrue(deep.first?.message.contains("more than 64 levels deep") == true, "\(deep)")
  }

  func testUnreadableLockfileAndUnlistableFolderAreUnreadableProblems() throws {
    // Permission bits do not stop root (these tests run as root in CI), so the refusals come from a view that
    // answers as the kernel does for a user without access (EACCES).
    try shell(
      """
      mkdir -p repo/private repo/app
      echo 'httpx==0.28.1' > repo/private/requirements.txt
      echo 'httpx==0.28.1' > repo/app/uv.lock
      """)
    let view = RefusingView(base: HostFileSystem(root: sandbox.path("repo")), unlistable: "/private", unreadable: "/app/uv.lock")
    let (lockfiles, problems) = LockfileCollector().collect(view)
    let found = unreadable(problems)
    XCTAssertEqual(found.keys.sorted(), ["app/uv.lock", "private"], "\(problems)")
    XCTAssertTrue(found["app/uv.lock"]?.hasPrefix("cannot be read (permission denied)") == true, "\(found)")
    XCTAssertTrue(found["private"]?.contains("folder: cannot be read (permission denied)") == true, "\(found)")
    XCTAssertEqual(lockfiles.map(\.pins.count), [0])
  }

  func testTenMegabyteVersionIsAProblemAtItsLineNotAPin() throws {
    try shell(
      """
      mkdir -p repo
      { echo 'certifi==2026.4.22'; printf 'httpx==0.'; head -c 10485760 /dev/zero | tr '\\0' '1'; echo; } > repo/requirements.txt
      """)
    let (lockfiles, problems) = collect()
    XCTAssertEqual(lockfiles.first?.pins.map(\.name), ["certifi"])
    let problem = try XCTUnwrap(problems.first { $0.line == 2 }, "\(problems.map(\.message))")
    XCTAssertTrue(problem.message.contains("version is 10485762 bytes long, more than the 256"), problem.message)
    XCTAssertLessThan(problem.message.utf8.count, 600)
    XCTAssertNil(problem.unreadable, "the rest of the file was read: a TG001 warning, not TG002")
  }
}

/// A view over a real tree that refuses one folder's listing and one file's bytes with EACCES.
struct RefusingView: FileSystemView {
  let base: HostFileSystem
  let unlistable: String
  let unreadable: String
  var label: String { "refusing " + base.label }
  func rawKind(_ resolvedPath: String) -> FileKind? { base.rawKind(resolvedPath) }
  func quickResolve(_ path: String) -> String? { nil }
  func rawList(_ resolvedPath: String) throws(FileError) -> [String] {
    if resolvedPath == unlistable { throw .notReadable(resolvedPath, reason: "permission denied") }
    return try base.rawList(resolvedPath)
  }
  func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8] {
    if resolvedPath == unreadable { throw .notReadable(resolvedPath, reason: "permission denied") }
    return try base.rawRead(resolvedPath, limit: limit)
  }
}

/// Problems of one kind are folded into one, so a file or folder with thousands of bad entries is a line of output.
final class ProblemAggregationTests: XCTestCase {
  func testManyProblemsOfOneKindInOneFolderAreOneProblem() {
    let links = (0..<5000).map {
      Problem(area: .stores, path: "/etc/ssl/certs/\(10_000_000 + $0).0", message: "a link loop", fix: "Rehash.")
    }
    let folded = Problem.aggregated(links + [Problem(area: .stores, path: "/etc/ssl/other.pem", message: "x", fix: "y")])
    XCTAssertEqual(folded.count, 2)
    let loop = folded.first { $0.path == "/etc/ssl/certs" }
    XCTAssertEqual(loop?.message, "5000 entries: a link loop (first: 10000000.0, 10000001.0, 10000002.0, …)")
    // Three of a kind stay as they are.
    XCTAssertEqual(Problem.aggregated(Array(links.prefix(3))), Array(links.prefix(3)))
  }

  func testManyIssuesInOneFileKeepTheFileAndTheFirstLine() {
    let issues = (1...100).map {
      Problem(area: .lockfiles, path: "requirements.txt", line: $0, message: "not a requirement", fix: "Fix it.")
    }
    let folded = Problem.aggregated(issues)
    XCTAssertEqual(folded.count, 1)
    XCTAssertEqual(folded.first?.path, "requirements.txt")
    XCTAssertEqual(folded.first?.line, 1)
    XCTAssertEqual(folded.first?.message, "100 entries: not a requirement (first: line 1, line 2, line 3, …)")
  }
}

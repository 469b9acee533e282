import Foundation
import XCTest

@testable import TrustgateCore

/// The host views of one run share their folder listings: the project-venv search and the lockfile walk both list
/// the repository's top folders, and each folder is read from disk once.
final class ListingMemoTests: XCTestCase {
  private var scratch: TemporaryDirectory!

  override func setUpWithError() throws {
    scratch = try TemporaryDirectory()
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    try scratch.write("repo/service/requirements.txt", "httpx==0.28.1\n")
    try scratch.write("repo/service/deep/er/still/requirements.txt", "urllib3==2.2.3\n")
    try scratch.mkdir("repo/service/.venv")
    try scratch.write("repo/service/.venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.7\n")
    try scratch.link("repo/service/current", to: "deep")
  }

  override func tearDown() { scratch = nil }

  func testOneRunListsEachFolderOnce() throws {
    let repo = scratch.path + "/repo"
    let workspace = Workspace(
      root: nil, repository: repo, envFile: nil, processEnvironment: [:], currentDirectory: scratch.path)
    let (request, _) = try workspace.request(now: 1_790_000_000)
    let host = try XCTUnwrap(request.fs as? HostFileSystem)
    let repository = try XCTUnwrap(request.repository as? HostFileSystem)
    XCTAssertTrue(host.listings === repository.listings, "the host and repository views share one memo")

    let snapshot = Inspector.inspect(request)
    XCTAssertEqual(snapshot.lockfiles.map(\.path).sorted(), [
      "requirements.txt", "service/deep/er/still/requirements.txt", "service/requirements.txt",
    ])
    let (folders, reads) = host.listings.listed
    // The venv search lists the root and the folders below it (depth 2); the lockfile walk the deep ones too.
    for folder in ["", "/service", "/service/deep", "/service/deep/er", "/service/deep/er/still"] {
      XCTAssertTrue(folders.contains(repo + folder), "\(repo + folder) listed: \(folders.sorted())")
    }
    XCTAssertEqual(reads, folders.count, "every folder read from disk once")
  }

  /// A listing served from the memo tells the second view what the first learnt: folders and links with their
  /// targets, the same as a view of its own would find.
  func testServedListingMatchesAFreshOne() throws {
    let memo = ListingMemo()
    let first = HostFileSystem(root: "/", listings: memo)
    let second = HostFileSystem(root: scratch.path + "/repo", listings: memo)
    let fresh = HostFileSystem(root: scratch.path + "/repo")
    let viaFirst = try first.rawListTyped(scratch.path + "/repo/service")
    let viaSecond = try second.rawListTyped("/service")
    let own = try fresh.rawListTyped("/service")
    XCTAssertEqual(viaSecond.map(\.name).sorted(), own.map(\.name).sorted())
    XCTAssertEqual(viaFirst.map(\.name).sorted(), own.map(\.name).sorted())
    for (name, type) in own {
      XCTAssertEqual(viaSecond.first { $0.name == name }?.type, type, name)
      XCTAssertEqual(second.rawKind("/service/" + name), fresh.rawKind("/service/" + name), name)
    }
    XCTAssertEqual(second.rawKind("/service/current"), .symlink(target: "deep"))
    XCTAssertEqual(memo.listed.reads, 1)
    XCTAssertThrowsError(try second.rawListTyped("/missing"))
    XCTAssertThrowsError(try first.rawListTyped(scratch.path + "/repo/missing"))
    XCTAssertEqual(memo.listed.reads, 2, "a folder that cannot be listed is also tried once")
  }
}

/// One run reads each file it judges once: the effective trust and the verdicts, which run side by side, share one
/// reading of the clients' configuration (pip.conf, git's files, Java's cacerts), and a client that loads every file
/// of a folder (Go's /etc/ssl/certs) is judged on the bytes the stores were read from.
final class OneReadingTests: XCTestCase {
  func testOneRunReadsEachFileItJudgesOnce() throws {
    let scratch = try TemporaryDirectory()
    try scratch.write("home/.config/pip/pip.conf", "[global]\ntimeout = 30\n")
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    let workspace = Workspace(
      root: nil, repository: scratch.path + "/repo", envFile: nil,
      processEnvironment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path + "/home"],
      currentDirectory: scratch.path + "/repo")
    var (request, _) = try workspace.request(now: 1_790_000_000)
    let counting = CountingView(base: try XCTUnwrap(request.fs as? HostFileSystem))
    request.fs = counting
    let snapshot = Inspector.inspect(request)
    XCTAssertFalse(snapshot.verdicts?.isEmpty ?? true, "verdicts were given")
    let reads = counting.reads
    XCTAssertEqual(reads[scratch.path + "/home/.config/pip/pip.conf"], 1, "pip.conf read once")
    // Left read twice: the OS bundle, indexed for the verdicts beside the collection (`CAFiles.prepare`); os-release,
    // which the platform and the security level both read (a few hundred bytes); a distribution's core metadata that
    // two Pythons' searches share.
    let bundle = snapshot.stores.first { $0.kind == .bundle && !$0.certificates.certificates.isEmpty }?.path
    let again = reads.filter {
      $0.value > 1 && $0.key != bundle.flatMap { try? counting.resolve($0) } && !$0.key.hasSuffix("/os-release")
        && !$0.key.hasSuffix("-info/PKG-INFO") && !$0.key.hasSuffix("-info/METADATA")
    }
    XCTAssertEqual(again, [:], "files read more than once")
    if Shell.which("go") != nil, let any = reads.keys.first(where: { $0.hasPrefix("/usr/share/ca-certificates/") }) {
      XCTAssertEqual(reads[any], 1, "\(any): the stores' reading is Go's")
    }
  }
}

/// A view of the host that counts the whole-file reads of each path.
final class CountingView: FileSystemView, @unchecked Sendable {
  let base: HostFileSystem
  private let counts = Locked<[String: Int]>([:])
  init(base: HostFileSystem) { self.base = base }
  var reads: [String: Int] { counts.withLock { $0 } }
  var label: String { base.label }
  func rawKind(_ resolvedPath: String) -> FileKind? { base.rawKind(resolvedPath) }
  func quickResolve(_ path: String) -> String? { nil }
  func rawList(_ resolvedPath: String) throws(FileError) -> [String] { try base.rawList(resolvedPath) }
  func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8] {
    counts.withLock { $0[resolvedPath, default: 0] += 1 }
    return try base.rawRead(resolvedPath, limit: limit)
  }
  func rawReadRange(_ resolvedPath: String, offset: Int, count: Int) throws(FileError) -> [UInt8] {
    try base.rawReadRange(resolvedPath, offset: offset, count: count)
  }
}

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

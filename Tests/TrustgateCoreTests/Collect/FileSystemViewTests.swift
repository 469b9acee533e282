import Foundation
import XCTest

@testable import TrustgateCore

/// The debian fixture's links (rootfs/links.tsv, literal readlink output) resolved inside a root, on the host and in
/// memory. Expected targets are read from links.tsv and the fixture files, not from trustgate.
final class FileSystemViewTests: XCTestCase {
  private var scratch: TemporaryDirectory!
  private var rootPath: String { scratch.path + "/root" }

  override func setUpWithError() throws {
    scratch = try TemporaryDirectory()
    try scratch.copyTree(from: Fixtures.path("rootfs/debian"), to: "root")
    try scratch.link("root/etc/ssl/certs/dangling.pem", to: "/usr/share/ca-certificates/gone.crt")
  }

  override func tearDown() { scratch = nil }

  /// The same tree as `root/`, in memory.
  private func memoryCopy() throws -> MemoryFileSystem {
    var memory = MemoryFileSystem(label: "memory")
    let fm = FileManager.default
    func walk(_ host: String, _ view: String) throws {
      for name in try fm.contentsOfDirectory(atPath: host) {
        let h = host + "/" + name
        let v = view + "/" + name
        switch try fm.attributesOfItem(atPath: h)[.type] as? FileAttributeType {
        case .typeSymbolicLink?: memory.set(v, .symlink(try fm.destinationOfSymbolicLink(atPath: h)))
        case .typeDirectory?:
          memory.set(v, .directory)
          try walk(h, v)
        default: memory.set(v, .file(Array(try Data(contentsOf: URL(fileURLWithPath: h)))))
        }
      }
    }
    try walk(rootPath, "")
    return memory
  }

  private func views() throws -> [any FileSystemView] { [HostFileSystem(root: rootPath), try memoryCopy()] }

  private func fixtureBytes(_ relative: String) throws -> [UInt8] { Array(try Fixtures.data("rootfs/debian/" + relative)) }

  func testCopiedTreeKeepsTheFixtureLinks() throws {
    for row in try TSV.rows("rootfs/links.tsv") where row["layout"] == "debian" {
      XCTAssertEqual(
        try FileManager.default.destinationOfSymbolicLink(atPath: rootPath + "/" + row["link"]!), row["target"])
    }
  }

  func testAbsoluteLinksResolveInsideTheRoot() throws {
    let absolute = try TSV.rows("rootfs/links.tsv").filter {
      $0["layout"] == "debian" && $0["link"]!.hasPrefix("etc/ssl/certs/") && $0["target"]!.hasPrefix("/")
    }
    XCTAssertEqual(absolute.count, 2)
    for view in try views() {
      for row in absolute {
        let link = "/" + row["link"]!
        let target = row["target"]!
        XCTAssertEqual(try view.resolve(link), target, view.label)
        XCTAssertEqual(try view.read(link), try fixtureBytes(String(target.dropFirst())), view.label)
        XCTAssertEqual(view.linkKind(link), .symlink(target: target), view.label)
        XCTAssertEqual(view.kind(link), .file(size: try fixtureBytes(String(target.dropFirst())).count), view.label)
      }
      // Two hops: hash link → relative name → absolute target.
      XCTAssertEqual(try view.resolve("/etc/ssl/certs/7a03af3a.0"), "/usr/share/ca-certificates/mozilla/RootRSA.crt")
      // A directory link on the way: usr/lib/ssl/certs → /etc/ssl/certs.
      XCTAssertEqual(try view.resolve("/usr/lib/ssl/certs/RootEC.pem"), "/usr/share/ca-certificates/mozilla/RootEC.crt")
      XCTAssertEqual(try view.read("/etc/os-release"), try fixtureBytes("usr/lib/os-release"))
    }
  }

  func testEscapeLinkNeverReachesTheHost() throws {
    let target = try TSV.rows("rootfs/links.tsv").first { $0["link"] == "etc/ssl/certs/escape.pem" }!["target"]!
    for view in try views() {
      XCTAssertEqual(try view.resolve("/etc/ssl/certs/escape.pem"), "/etc/hostname", view.label)
      XCTAssertThrowsError(try view.read("/etc/ssl/certs/escape.pem"), view.label) { error in
        XCTAssertEqual(error as? FileError, .danglingLink("/etc/ssl/certs/escape.pem", target: target))
      }
      XCTAssertFalse(view.exists("/etc/ssl/certs/escape.pem"))
      XCTAssertEqual(try view.resolve("/../../../etc/os-release"), "/usr/lib/os-release")
    }
    // With an etc/hostname inside the root, the link reads that one.
    try scratch.write("root/etc/hostname", "inside-the-root\n")
    XCTAssertEqual(try HostFileSystem(root: rootPath).read("/etc/ssl/certs/escape.pem"), Array("inside-the-root\n".utf8))
  }

  func testLoopDanglingDirectoryAndMissingAreTellApart() throws {
    for view in try views() {
      XCTAssertThrowsError(try view.read("/etc/ssl/certs/loop-a.pem")) {
        XCTAssertEqual($0 as? FileError, .symlinkLoop("/etc/ssl/certs/loop-a.pem"), view.label)
      }
      XCTAssertThrowsError(try view.read("/etc/ssl/certs/dangling.pem")) {
        XCTAssertEqual(
          $0 as? FileError, .danglingLink("/etc/ssl/certs/dangling.pem", target: "/usr/share/ca-certificates/gone.crt"),
          view.label)
      }
      XCTAssertThrowsError(try view.read("/etc/ssl/certs")) {
        XCTAssertEqual($0 as? FileError, .isDirectory("/etc/ssl/certs"), view.label)
      }
      // Through a link to a directory, too.
      XCTAssertThrowsError(try view.read("/usr/lib/ssl/certs")) {
        XCTAssertEqual($0 as? FileError, .isDirectory("/usr/lib/ssl/certs"), view.label)
      }
      XCTAssertThrowsError(try view.read("/etc/nothing-here")) {
        XCTAssertEqual($0 as? FileError, .notFound("/etc/nothing-here"), view.label)
      }
      XCTAssertThrowsError(try view.read("/etc/os-release/child")) {
        guard case .notDirectory = $0 as? FileError else { return XCTFail("\($0) in \(view.label)") }
      }
      XCTAssertThrowsError(try view.list("/etc/os-release")) {
        XCTAssertEqual($0 as? FileError, .notDirectory("/etc/os-release"), view.label)
      }
      XCTAssertThrowsError(try view.read("/etc/ssl/certs/ca-certificates.crt", limit: 10)) {
        guard case .tooLarge(_, let size, 10) = $0 as? FileError else { return XCTFail("\($0) in \(view.label)") }
        XCTAssertEqual(size, try? self.fixtureBytes("etc/ssl/certs/ca-certificates.crt").count)
      }
    }
  }

  func testListingIsSortedAndFollowsDirectoryLinks() throws {
    let expected = try FileManager.default.contentsOfDirectory(atPath: rootPath + "/etc/ssl/certs").sorted()
    for view in try views() {
      XCTAssertEqual(try view.list("/etc/ssl/certs"), expected, view.label)
      XCTAssertEqual(try view.list("/usr/lib/ssl/certs"), expected, view.label)
      XCTAssertTrue(view.isDirectory("/usr/lib/ssl/certs"))
      XCTAssertTrue(view.isFile("/etc/ssl/certs/RootRSA.pem"))
      XCTAssertFalse(view.isFile("/etc/ssl/certs"))
    }
  }

  func testHostViewOfSlashReadsHostPaths() throws {
    let host = HostFileSystem(root: "/")
    XCTAssertEqual(host.label, "host")
    XCTAssertEqual(try host.read(rootPath + "/etc/ssl/certs/ca-certificates.crt"), try fixtureBytes("etc/ssl/certs/ca-certificates.crt"))
    XCTAssertEqual(HostFileSystem(root: rootPath + "///").root, rootPath)
  }

  func testMemoryRemoveDropsTheSubtree() throws {
    var memory = try memoryCopy()
    memory.remove("/etc/ssl")
    XCTAssertFalse(memory.exists("/etc/ssl/certs/ca-certificates.crt"))
    XCTAssertTrue(memory.isDirectory("/etc"))
    XCTAssertFalse(try memory.list("/etc").contains("ssl"))
  }

  /// Reads of megabytes go into fresh, never-zeroed memory (huge pages asked for from 2 MiB on): every byte is the
  /// file's, the count is the file's, around the 2 MiB line and past it, and an empty file is empty.
  func testLargeAndEmptyFilesReadExactly() throws {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for (name, size) in [("empty", 0), ("under", (2 << 20) - 1), ("at", 2 << 20), ("over", (5 << 20) + 4097)] {
      let bytes = (0..<size).map { _ -> UInt8 in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 56)
      }
      try Data(bytes).write(to: URL(fileURLWithPath: rootPath + "/etc/\(name).bin"))
      let read = try HostFileSystem(root: rootPath).read("/etc/\(name).bin")
      XCTAssertEqual(read.count, size, name)
      XCTAssertTrue(read == bytes, name)
    }
  }

  /// `freshBytes` keeps what its filler says it wrote, never more than asked for and never less than nothing.
  func testFreshBytesKeepsWhatTheFillerWrote() {
    for count in [5, (2 << 20) + 5] {
      let short = freshBytes(count: count) { buffer in
        for i in 0..<3 { buffer[i] = UInt8(i + 1) }
        return 3
      }
      XCTAssertEqual(short, [1, 2, 3], "\(count)")
      let over = freshBytes(count: count) { buffer in
        for i in 0..<count { buffer[i] = 7 }
        return count + 10
      }
      XCTAssertEqual(over.count, count)
      XCTAssertTrue(over.allSatisfy { $0 == 7 })
      XCTAssertEqual(freshBytes(count: count) { _ in -1 }, [])
    }
    XCTAssertEqual(freshBytes(count: 0) { _ in 5 }, [])
  }

  func testUnreadableFileIsReported() throws {
    try scratch.write("root/etc/secret.pem", "x")
    chmod(rootPath + "/etc/secret.pem", 0)
    guard geteuid() == 0 else {
      XCTAssertThrowsError(try HostFileSystem(root: rootPath).read("/etc/secret.pem")) {
        guard case .notReadable = $0 as? FileError else { return XCTFail("\($0)") }
      }
      return
    }
    // chmod 000 does not stop root, and these tests run as root in CI containers: the reader runs as another user
    // (setpriv), through the binary, and the CA bundle it cannot read is a problem saying so.
    guard let setpriv = Shell.which("setpriv") else { throw XCTSkip("running as another user needs setpriv") }
    chmod(rootPath + "/etc/ssl/certs/ca-certificates.crt", 0)
    for path in [scratch.path, rootPath] { XCTAssertEqual(chmod(path, 0o755), 0, path) }
    try FileManager.default.copyItem(atPath: try XCTUnwrap(CLI.binary), toPath: scratch.path + "/trustgate")
    try scratch.write("repo/README.md", "no lockfiles\n")
    let run = try Shell.run([
      setpriv, "--reuid=1001", "--regid=1001", "--clear-groups", scratch.path + "/trustgate", "inspect", "--root",
      rootPath, "--repo", scratch.path + "/repo", "--format", "json",
    ])
    let snapshot = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], run.output)
    let problems = try XCTUnwrap(snapshot["problems"] as? [[String: Any]], run.output)
    XCTAssertTrue(
      problems.contains {
        $0["path"] as? String == "/etc/ssl/certs/ca-certificates.crt"
          && ($0["message"] as? String)?.contains("cannot be read (Permission denied)") == true
      }, "\(problems)")
    // The text says so on OpenSSL's line (it said "missing"), and the gate's TG101 (no OS bundle with certificates)
    // gives it as the reason, with its fix.
    let text = try Shell.run([
      setpriv, "--reuid=1001", "--regid=1001", "--clear-groups", scratch.path + "/trustgate", "inspect", "--root",
      rootPath, "--repo", scratch.path + "/repo",
    ])
    XCTAssertTrue(text.output.contains("→ /etc/ssl/certs/ca-certificates.crt (cannot be read)"), text.output)
    let check = try Shell.run([
      setpriv, "--reuid=1001", "--regid=1001", "--clear-groups", scratch.path + "/trustgate", "check", "--root",
      rootPath, "--repo", scratch.path + "/repo", "--annotations", "none", "--format", "json",
    ])
    let report = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [String: Any], check.output)
    let tg101 = try XCTUnwrap(
      (report["findings"] as? [[String: Any]])?.first { $0["ruleID"] as? String == "TG101" }, check.output)
    let reason = "; /etc/ssl/certs/ca-certificates.crt: cannot be read (Permission denied)"
    XCTAssertTrue((tg101["message"] as? String)?.hasSuffix(reason) == true, "\(tg101)")
    // The fix for a file that is there but closed: its permissions, not its absence.
    XCTAssertTrue(
      (tg101["fix"] as? String)?.contains("chmod a+r /etc/ssl/certs/ca-certificates.crt") == true, "\(tg101)")
  }
}

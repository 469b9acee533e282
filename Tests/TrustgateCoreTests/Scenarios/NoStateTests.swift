import Foundation
import XCTest

@testable import TrustgateCore

#if canImport(Glibc)
  import Glibc
#endif

/// A run reads every byte it judges, now: nothing is kept between runs (a bundle rewritten with its metadata unchanged
/// is read afresh, no cache file is opened or written), and no input can stall it (FIFOs where files are expected,
/// a 4 GB sparse bundle). The real binary runs each case under a timeout; TRUSTGATE_UNDER_TEST names another build
/// to try the same cases on (an older trustgate, to see them fail).
final class NoStateTests: XCTestCase {
  private var directory: TemporaryDirectory!
  private var cacheHome: String { directory.path + "/xdg-cache" }

  override func setUpWithError() throws {
    directory = try TemporaryDirectory()
    try directory.mkdir("xdg-cache")
    try directory.mkdir("empty-repo")
    try directory.mkdir("root/etc/ssl/certs")
  }

  override func tearDown() { directory = nil }

  private static var binary: String? { ProcessInfo.processInfo.environment["TRUSTGATE_UNDER_TEST"] ?? CLI.binary }

  private struct Outcome {
    var status: Int32
    var output: String
    var seconds: Double
    var timedOut: Bool
  }

  /// Runs trustgate with a minimal environment whose cache folders all point into the test's folder; kills it after
  /// `timeout` seconds.
  private func trustgate(
    _ arguments: [String], timeout: Double = 10, environment: [String: String] = [:]
  ) throws -> Outcome {
    let binary = try XCTUnwrap(Self.binary, "build trustgate first (swift build --build-tests)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory.path + "/empty-repo")
    process.environment = [
      "PATH": "/usr/bin:/bin", "HOME": directory.path, "XDG_CACHE_HOME": cacheHome, "LANG": "C.UTF-8",
      "NO_COLOR": "1",
    ].merging(environment) { $1 }
    let outputPath = directory.path + "/output-\(UUID().uuidString)"
    FileManager.default.createFile(atPath: outputPath, contents: nil)
    let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    let start = Date()
    try process.run()
    let timedOut = done.wait(timeout: .now() + timeout) == .timedOut
    if timedOut {
      kill(process.processIdentifier, SIGKILL)
      done.wait()
    }
    let seconds = Date().timeIntervalSince(start)
    try output.close()
    let text = try String(contentsOfFile: outputPath, encoding: .utf8)
    try? FileManager.default.removeItem(atPath: outputPath)
    return Outcome(status: process.terminationStatus, output: text, seconds: seconds, timedOut: timedOut)
  }

  /// A second, plus what an ordinary inspection of a small root takes here (a debug build on a loaded machine can
  /// take longer than a second by itself); a blocked read takes until the timeout.
  private func budget() throws -> Double {
    try FileManager.default.createDirectory(atPath: directory.path + "/plain-root/etc", withIntermediateDirectories: true)
    let plain = try trustgate(["inspect", "--root", directory.path + "/plain-root", "--repo", directory.path + "/empty-repo"])
    return 1.0 + plain.seconds
  }

  private func tool(_ arguments: [String]) throws -> String {
    let outcome = try ExternalTool.run(arguments)
    XCTAssertEqual(outcome.status, 0, "\(arguments.joined(separator: " ")): \(outcome.output)")
    return outcome.output
  }

  /// A self-signed RSA root made by openssl: its PEM and its SHA-256 fingerprint as trustgate prints it.
  private func root(_ name: String, serial: Int) throws -> (pem: [UInt8], fingerprint: String) {
    let key = directory.path + "/\(name).key"
    let pem = directory.path + "/\(name).pem"
    _ = try tool([
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", pem, "-days", "3650",
      "-subj", "/CN=\(name)", "-set_serial", String(serial),
    ])
    let line = try tool(["openssl", "x509", "-in", pem, "-noout", "-fingerprint", "-sha256"])
    let hexDigits = line.split(separator: "=").last.map { $0.filter { $0 != ":" && !$0.isWhitespace } } ?? ""
    return (Array(try Data(contentsOf: URL(fileURLWithPath: pem))), hexDigits.lowercased())
  }

  private func cacheFolderIsEmpty() throws -> Bool {
    let enumerator = FileManager.default.enumerator(atPath: cacheHome)
    return enumerator?.nextObject() == nil
  }

  // MARK: no state

  /// Bytes written through a shared mapping whose page is already dirty change no time the kernel keeps: device,
  /// inode, size, mtime and ctime stay as they were. The run after must still see the new root.
  func testBundleRewrittenThroughADirtySharedMappingIsReadAfresh() throws {
    let first = try root("Mapped Root A", serial: 1)
    let second = try root("Mapped Root B", serial: 2)
    guard first.pem.count == second.pem.count else {
      throw XCTSkip("openssl made roots of different sizes (\(first.pem.count), \(second.pem.count)) this time")
    }
    let bundle = directory.path + "/root/etc/ssl/certs/ca-certificates.crt"
    try Data(first.pem).write(to: URL(fileURLWithPath: bundle))
    let fd = open(bundle, O_RDWR)
    XCTAssertGreaterThanOrEqual(fd, 0)
    defer { close(fd) }
    guard let mapping = mmap(nil, first.pem.count, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapping != MAP_FAILED
    else { return XCTFail("mmap: \(String(cString: strerror(errno)))") }
    defer { munmap(mapping, first.pem.count) }
    // The first write faults the page dirty (and stamps the times); later writes to it stamp nothing.
    first.pem.withUnsafeBytes { mapping.copyMemory(from: $0.baseAddress!, byteCount: first.pem.count) }
    // Older than any "settled" window a cache of file identities would wait for.
    Thread.sleep(forTimeInterval: 2.2)
    let arguments = ["inspect", "--root", directory.path + "/root", "--repo", directory.path + "/empty-repo", "--format", "json"]
    for _ in 0..<2 {
      let before = try trustgate(arguments)
      XCTAssertEqual(before.status, 0, before.output)
      XCTAssertTrue(before.output.contains(first.fingerprint), before.output)
    }
    var old = stat()
    XCTAssertEqual(stat(bundle, &old), 0)
    second.pem.withUnsafeBytes { mapping.copyMemory(from: $0.baseAddress!, byteCount: second.pem.count) }
    var new = stat()
    XCTAssertEqual(stat(bundle, &new), 0)
    func metadata(_ info: stat) -> [Int64] {
      [Int64(info.st_dev), Int64(info.st_ino), Int64(info.st_size), Int64(info.st_mtim.tv_sec),
       Int64(info.st_mtim.tv_nsec), Int64(info.st_ctim.tv_sec), Int64(info.st_ctim.tv_nsec)]
    }
    let sameMetadata = metadata(old) == metadata(new)
    if !sameMetadata { print("note: this kernel stamped the second write; the bytes still changed") }
    let after = try trustgate(arguments)
    XCTAssertEqual(after.status, 0, after.output)
    XCTAssertTrue(after.output.contains(second.fingerprint), "the new root is read\n\(after.output)")
    XCTAssertFalse(after.output.contains(first.fingerprint), "the old root is gone\n\(after.output)")
    XCTAssertTrue(try cacheFolderIsEmpty(), "nothing written to $XDG_CACHE_HOME")
  }

  /// No cache file is opened, read or written, whatever the run: strace lists every path opened.
  func testARunOpensNoCacheFile() throws {
    let strace = try ExternalTool.run(["strace", "-V"])
    guard strace.status == 0 else { throw XCTSkip("strace is not installed") }
    try Data(try root("Traced Root", serial: 3).pem).write(
      to: URL(fileURLWithPath: directory.path + "/root/etc/ssl/certs/ca-certificates.crt"))
    let log = directory.path + "/strace.log"
    let binary = try XCTUnwrap(Self.binary)
    for _ in 0..<2 {
      let outcome = try ExternalTool.run([
        "env", "-i", "HOME=\(directory.path)", "XDG_CACHE_HOME=\(cacheHome)", "PATH=/usr/bin:/bin",
        "strace", "-f", "-qq", "-e", "trace=open,openat,creat,mkdir,mkdirat", "-o", log, binary, "inspect", "--root",
        directory.path + "/root", "--repo", directory.path + "/empty-repo",
      ])
      XCTAssertEqual(outcome.status, 0, outcome.output)
      let calls = try String(contentsOfFile: log, encoding: .utf8)
      XCTAssertTrue(calls.contains("ca-certificates.crt"), "strace saw the bundle opened\n\(calls.suffix(2000))")
      for line in calls.split(separator: "\n") {
        XCTAssertFalse(line.contains(cacheHome) || line.contains("/.cache/"), "a cache path was opened: \(line)")
      }
    }
    XCTAssertTrue(try cacheFolderIsEmpty(), "nothing written to $XDG_CACHE_HOME")
  }

  // MARK: no hangs

  /// A FIFO where a file is expected is refused without opening it for reading (which would wait for a writer).
  func testFIFOsWhereFilesAreExpectedNeverHang() throws {
    let fifo = directory.path + "/fifo"
    XCTAssertEqual(mkfifo(fifo, 0o644), 0)
    let rootPath = directory.path + "/root"
    let repo = directory.path + "/empty-repo"
    try root("Plain Root", serial: 4).pem.withUnsafeBytes {
      try Data($0).write(to: URL(fileURLWithPath: rootPath + "/etc/ssl/certs/ca-certificates.crt"))
    }
    // Where a planted FIFO would be met: the cache files older builds kept, the policy, the env file, a baseline.
    XCTAssertEqual(mkdir(cacheHome + "/trustgate", 0o755), 0)
    XCTAssertEqual(mkfifo(cacheHome + "/trustgate/parse-cache.bin", 0o644), 0)
    XCTAssertEqual(mkfifo(cacheHome + "/trustgate/snapshot-cache.bin", 0o644), 0)
    // GIT_INDEX_FILE, which `--staged` reads as git does, naming a FIFO: libgit2's open would block on it.
    let gitRepo = directory.path + "/git-repo"
    _ = try tool(["git", "init", "-q", gitRepo])
    // OPENSSL_CONF naming one: OpenSSL reads it whole when it starts (`openssl version` and Python's ssl hang too).
    let inspect = ["inspect", "--root", rootPath, "--repo", repo, "--format", "json"]
    let cases: [(name: String, arguments: [String], status: Int32, says: String, environment: [String: String])] = [
      ("cache files", inspect, 0, "ca-certificates.crt", [:]),
      ("policy", ["check", "--root", rootPath, "--repo", repo, "--policy", fifo], 2, "FIFO", [:]),
      ("env file", ["inspect", "--root", rootPath, "--repo", repo, "--env-file", fifo], 2, "FIFO", [:]),
      ("baseline", ["check", "--root", rootPath, "--repo", repo, "--baseline", fifo], 2, "FIFO", [:]),
      ("index file", ["check", "--root", rootPath, "--repo", gitRepo, "--staged"], 2,
        "opening the index \(fifo) failed: a FIFO (named pipe) where the index file is expected",
        ["GIT_INDEX_FILE": fifo]),
      ("OpenSSL configuration", inspect, 0, "ca-certificates.crt", ["OPENSSL_CONF": fifo]),
      ("OpenSSL configuration", inspect, 0, "ca-certificates.crt", ["OPENSSL_CONF": "/dev/zero"]),
    ]
    for (name, arguments, status, says, environment) in cases {
      let limit = try budget()
      let outcome = try trustgate(arguments, timeout: 5 + limit, environment: environment)
      XCTAssertFalse(outcome.timedOut, "\(name): hung (killed after \(5 + limit) s)")
      XCTAssertLessThan(outcome.seconds, limit, "\(name): took \(outcome.seconds) s")
      XCTAssertEqual(outcome.status, status, "\(name): \(outcome.output)")
      XCTAssertTrue(outcome.output.contains(says), "\(name): \(outcome.output)")
    }
    // The CA bundle, a lockfile and a distribution's metadata as FIFOs inside the inspected tree.
    try FileManager.default.removeItem(atPath: rootPath + "/etc/ssl/certs/ca-certificates.crt")
    XCTAssertEqual(mkfifo(rootPath + "/etc/ssl/certs/ca-certificates.crt", 0o644), 0)
    let site = rootPath + "/usr/lib/python3/dist-packages/httpx-0.28.1.dist-info"
    try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
    XCTAssertEqual(mkfifo(site + "/METADATA", 0o644), 0)
    try FileManager.default.createDirectory(atPath: rootPath + "/usr/bin", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: rootPath + "/usr/bin/python3", withDestinationPath: "python3.12")
    try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: rootPath + "/usr/bin/python3.12"))
    let lockRepo = directory.path + "/fifo-repo"
    try FileManager.default.createDirectory(atPath: lockRepo, withIntermediateDirectories: true)
    XCTAssertEqual(mkfifo(lockRepo + "/requirements.txt", 0o644), 0)
    try Data("-r requirements.txt\n".utf8).write(to: URL(fileURLWithPath: lockRepo + "/requirements-dev.txt"))
    let limit = try budget()
    let outcome = try trustgate(
      ["inspect", "--root", rootPath, "--repo", lockRepo, "--format", "json"], timeout: 5 + limit)
    XCTAssertFalse(outcome.timedOut, "hung (killed after \(5 + limit) s)")
    XCTAssertLessThan(outcome.seconds, limit, "took \(outcome.seconds) s")
    XCTAssertTrue(outcome.output.contains("/etc/ssl/certs/ca-certificates.crt"), outcome.output)
    XCTAssertTrue(outcome.output.contains("FIFO"), "the problem says what the file is\n\(outcome.output)")
  }

  /// The host reader itself refuses a FIFO before `open` (a reader that skipped the kind check would block there).
  func testHostReaderRefusesAFIFOWithoutBlocking() throws {
    XCTAssertEqual(mkfifo(directory.path + "/fifo", 0o644), 0)
    let fs = HostFileSystem(root: directory.path)
    let finished = DispatchSemaphore(value: 0)
    let results = Locked<[String]>([])
    DispatchQueue.global().async {
      do { _ = try fs.rawRead("/fifo", limit: 1 << 20) } catch { results.withLock { $0.append("\(error)") } }
      do { _ = try fs.rawReadPrefix("/fifo", count: 16) } catch { results.withLock { $0.append("\(error)") } }
      finished.signal()
    }
    if finished.wait(timeout: .now() + 2) == .timedOut {
      // Release the blocked open so the test process can end, then fail.
      let writer = open(directory.path + "/fifo", O_WRONLY | O_NONBLOCK)
      if writer >= 0 { close(writer) }
      return XCTFail("reading a FIFO blocked")
    }
    XCTAssertEqual(results.withLock { $0 }, [
      "/fifo: a FIFO (named pipe) where a regular file is expected; not opened",
      "/fifo: a FIFO (named pipe) where a regular file is expected; not opened",
    ])
  }

  // MARK: sizes before reads

  /// A 4 GB sparse CA bundle (`truncate -s 4G`) is refused by its size, before a byte is read or hashed.
  func testSparseFourGigabyteBundleIsRefusedAtOnce() throws {
    let bundle = directory.path + "/root/etc/ssl/certs/ca-certificates.crt"
    _ = try tool(["truncate", "-s", "4G", bundle])
    let limit = try budget()
    let outcome = try trustgate(
      ["inspect", "--root", directory.path + "/root", "--repo", directory.path + "/empty-repo", "--format", "json"],
      timeout: 10 + limit)
    XCTAssertFalse(outcome.timedOut, "still reading after \(10 + limit) s")
    XCTAssertLessThan(outcome.seconds, limit, "took \(outcome.seconds) s")
    XCTAssertEqual(outcome.status, 0, outcome.output)
    XCTAssertTrue(outcome.output.contains("/etc/ssl/certs/ca-certificates.crt"), outcome.output)
    XCTAssertTrue(outcome.output.contains("4294967296 bytes, more than the \(defaultReadLimit) bytes"), outcome.output)
    XCTAssertTrue(try cacheFolderIsEmpty())
    // `check` says the bundle is there and cannot be judged, with a fix about its size; it said "no OS CA bundle
    // with certificates: looked in …" and "Make sure the file exists, is readable by the build user".
    let check = try trustgate(
      ["check", "--root", directory.path + "/root", "--repo", directory.path + "/empty-repo", "--format", "json",
       "--annotations", "none"],
      timeout: 10 + limit)
    XCTAssertEqual(check.status, 1, check.output)
    let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [String: Any])
    let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
    let tg101 = findings.filter { $0["ruleID"] as? String == "TG101" }.compactMap { $0["message"] as? String }
    XCTAssertEqual(
      tg101,
      ["the OS CA bundle /etc/ssl/certs/ca-certificates.crt is over 64 MiB, more than trustgate reads: the roots the "
        + "clients that use the OS store would trust cannot be judged"], "\(findings)")
    let tg002 = findings.filter { $0["ruleID"] as? String == "TG002" }.compactMap { $0["fix"] as? String }
    XCTAssertTrue(tg002.contains { $0.contains("a CA bundle of a usual size") }, "\(tg002)")
    XCTAssertFalse(tg002.contains { $0.contains("Make sure the file exists") }, "\(tg002)")
  }
}

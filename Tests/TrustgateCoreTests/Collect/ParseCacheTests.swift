import Foundation
import XCTest

@testable import TrustgateCore

/// The parse cache is a memo of pure functions of bytes: what comes out of it must equal a fresh parse, it must survive
/// a process boundary (a file), and a file it cannot trust or decode must be ignored, never crash or mislead.
final class ParseCacheTests: XCTestCase {
  private func cacheFile(_ directory: TemporaryDirectory) -> String { directory.path + "/cache/parse-cache.bin" }

  private func openCache(_ directory: TemporaryDirectory) -> ParseCache? {
    ParseCache.open(environment: ["TRUSTGATE_CACHE_DIR": directory.path + "/cache"])
  }

  func testCertificateFilesComeBackFromTheCacheExactlyAsParsed() throws {
    let directory = try TemporaryDirectory()
    let files = [
      "pki/bundle.pem", "pki/bundle-broken-middle.pem", "pki/bundle-truncated.pem", "pki/bundle-duplicate.pem",
      "pki/root-rsa.der", "pki/trusted-root-ec.pem", "pki/garbage.bin", "pki/not-a-cert.pem", "pki/empty.pem",
      "certifi/2026.4.22/cacert.pem",
    ]
    let first = try XCTUnwrap(openCache(directory))
    var fresh: [String: [UInt8]] = [:]
    for file in files {
      let bytes = Array(try Fixtures.data(file))
      let reading = first.certificateFile(bytes) { CertificateFile.read(bytes) }
      fresh[file] = CachedReadings.encode(reading)
      XCTAssertEqual(CachedReadings.encode(CertificateFile.read(bytes)), fresh[file], file)
    }
    first.save()
    XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFile(directory)))

    // A second process: every reading is a hit (the parse closure must not run) and equals the fresh one.
    let second = try XCTUnwrap(openCache(directory))
    for file in files {
      let bytes = Array(try Fixtures.data(file))
      let reading = second.certificateFile(bytes) {
        XCTFail("\(file) was parsed again instead of coming from the cache")
        return CertificateFile.read(bytes)
      }
      XCTAssertEqual(CachedReadings.encode(reading), fresh[file], file)
      let decoded = try XCTUnwrap(CachedReadings.certificateFile(CachedReadings.encode(reading)[...]))
      XCTAssertEqual(decoded.entries.map(\.certificate), CertificateFile.read(bytes).entries.map(\.certificate), file)
      XCTAssertEqual(decoded.entries.map(\.line), CertificateFile.read(bytes).entries.map(\.line), file)
      XCTAssertEqual(decoded.issues, CertificateFile.read(bytes).issues, file)
      XCTAssertEqual(decoded.unparsable, CertificateFile.read(bytes).unparsable, file)
    }
  }

  func testChangedBytesAreADifferentKey() throws {
    let directory = try TemporaryDirectory()
    let cache = try XCTUnwrap(openCache(directory))
    let bundle = Array(try Fixtures.data("pki/bundle.pem"))
    _ = cache.certificateFile(bundle) { CertificateFile.read(bundle) }
    let fewer = Array(try Fixtures.data("pki/root-rsa.pem"))
    var parsed = false
    let reading = cache.certificateFile(fewer) {
      parsed = true
      return CertificateFile.read(fewer)
    }
    XCTAssertTrue(parsed)
    XCTAssertEqual(reading.entries.count, 1)
    XCTAssertGreaterThan(CertificateFile.read(bundle).entries.count, 1)
  }

  func testEveryLockfileFixtureRoundTripsThroughTheCache() throws {
    let root = Fixtures.path("lockfiles")
    let paths = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
    var checked = 0
    for relative in paths.sorted() {
      guard let reader = LockfileReaders.reader(for: relative) else { continue }
      let bytes = Array(try Fixtures.data("lockfiles/" + relative))
      let reading = LockfileCollector.parse(bytes, reader)
      XCTAssertEqual(CachedReadings.lockfile(CachedReadings.encode(reading)[...]), reading, relative)
      checked += 1
    }
    XCTAssertGreaterThanOrEqual(checked, 15, "the fixture tree holds lockfiles of every format")
  }

  func testBinaryAndNonUTF8LockfilesKeepTheirIssuesThroughTheCache() {
    let binary = LockfileCollector.parse([0x68, 0x74, 0x00, 0x0A], RequirementsReader.self)
    XCTAssertEqual(binary.issues.first?.message, "binary data (NUL bytes) in a text lockfile")
    XCTAssertEqual(CachedReadings.lockfile(CachedReadings.encode(binary)[...]), binary)
    let latin1 = LockfileCollector.parse(
      Array("httpx==0.28.1 # caf\u{E9}\n".utf8.map { $0 == 0xC3 ? 0xE9 : $0 }), RequirementsReader.self)
    XCTAssertEqual(latin1.issues.first?.message, "not valid UTF-8 (undecodable bytes replaced)")
    XCTAssertEqual(latin1.pins.map(\.name), ["httpx"])
    XCTAssertEqual(CachedReadings.lockfile(CachedReadings.encode(latin1)[...]), latin1)
  }

  func testAFileThatIsNotTrustedOrNotACacheIsIgnored() throws {
    let directory = try TemporaryDirectory()
    let cache = try XCTUnwrap(openCache(directory))
    cache.store(.commitTime, Array("abc".utf8), CachedReadings.encode(commitTime: 1_700_000_000))
    cache.save()
    XCTAssertEqual(
      openCache(directory)?.lookup(.commitTime, Array("abc".utf8)).map(Array.init),
      CachedReadings.encode(commitTime: 1_700_000_000))
    let path = cacheFile(directory)
    XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)

    // Writable by others: someone else could have planted entries.
    chmod(path, 0o666)
    XCTAssertNil(openCache(directory)?.lookup(.commitTime, Array("abc".utf8)))
    chmod(path, 0o600)

    // Written by another trustgate binary (parsers may differ): ignored.
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    let identity = Array(ParseCache.binaryIdentity.utf8)
    let at = try XCTUnwrap(bytes.indices.first { bytes[$0...].starts(with: identity) })
    bytes[at] ^= 0x01
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    XCTAssertNil(openCache(directory)?.lookup(.commitTime, Array("abc".utf8)))

    // Garbage and truncated files: an empty cache, no crash.
    for garbage in [[UInt8](), Array("TGCACHE1".utf8), Array(try Fixtures.data("pki/garbage.bin"))] {
      try Data(garbage).write(to: URL(fileURLWithPath: path))
      XCTAssertNil(openCache(directory)?.lookup(.commitTime, Array("abc".utf8)))
    }
  }

  func testCorruptPayloadsDecodeToNothing() throws {
    let reading = CertificateFile.read(Array(try Fixtures.data("pki/bundle.pem")))
    let payload = CachedReadings.encode(reading)
    for cut in [1, payload.count / 2, payload.count - 1] {
      XCTAssertNil(CachedReadings.certificateFile(payload.prefix(cut)), "cut at \(cut)")
    }
    XCTAssertNil(CachedReadings.certificateFile((payload + [0])[...]))
    XCTAssertNil(CachedReadings.lockfile([0xFF, 0xFF, 0xFF][...]))
    XCTAssertNil(CachedReadings.commitTime([UInt8]()[...]))
  }

  func testCacheCanBeTurnedOff() {
    XCTAssertNil(ParseCache.open(environment: ["TRUSTGATE_CACHE": "off", "HOME": "/root"]))
    XCTAssertNil(ParseCache.open(environment: ["TRUSTGATE_CACHE": "0", "TRUSTGATE_CACHE_DIR": "/tmp/x"]))
    XCTAssertNil(ParseCache.open(environment: [:]), "no home and no cache folder: no cache")
    XCTAssertEqual(
      ParseCache.open(environment: ["HOME": "/home/ci"])?.path, "/home/ci/.cache/trustgate/parse-cache.bin")
    XCTAssertEqual(
      ParseCache.open(environment: ["HOME": "/home/ci", "XDG_CACHE_HOME": "/var/cache/ci"])?.path,
      "/var/cache/ci/trustgate/parse-cache.bin")
  }
}

/// End to end: the command's output does not depend on whether the cache was cold, warm, or off.
final class ParseCacheCLITests: XCTestCase {
  func testInspectPrintsTheSameSnapshotColdWarmAndWithoutCache() throws {
    // A Debian root with a CA store, and one with Python distributions (metadata headers are cached too).
    for root in ["rootfs/debian", "python/debian-root"] {
      try assertSameSnapshots([
        "inspect", "--root", Fixtures.path(root), "--repo", Fixtures.path("lockfiles/old"), "--format", "json",
      ])
    }
  }

  func testASecondRunReusesTheSnapshotAndReadsTheClockAfresh() throws {
    let directory = try TemporaryDirectory()
    let environment = ["TRUSTGATE_CACHE_DIR": directory.path + "/cache", "TRUSTGATE_PROFILE": "1"]
    let arguments = ["inspect", "--root", Fixtures.path("rootfs/debian"), "--repo", Fixtures.path("lockfiles/old")]
    let first = try CLI.run(arguments + ["--format", "json"], in: directory.path, environment: environment)
    XCTAssertEqual(first.status, 0)
    XCTAssertTrue(first.stderr.contains("snapshot cache miss: no snapshot stored"), first.stderr)
    XCTAssertFalse(first.stderr.contains("snapshot not stored"), first.stderr)
    XCTAssertTrue(FileManager.default.fileExists(atPath: directory.path + "/cache/snapshot-cache.bin"))
    let second = try CLI.run(arguments + ["--format", "json"], in: directory.path, environment: environment)
    XCTAssertTrue(second.stderr.contains("snapshot cache hit"), second.stderr)
    XCTAssertFalse(second.stderr.contains("trustgate: stores"), "a hit collects nothing")
    // The same JSON but for the time (seconds pass between the runs).
    func withoutTime(_ text: String) -> [Substring] { text.split(separator: "\n").filter { !$0.contains("\"now\"") } }
    XCTAssertEqual(withoutTime(second.stdout), withoutTime(first.stdout))
    XCTAssertTrue(second.stdout.contains("\"clock\""), "the clock section is collected on a hit too")
    XCTAssertTrue(second.stdout.contains("\"sha256\""))
    // Another environment (for --root, the --env-file's) is another request.
    try directory.write("image.env", "SSL_CERT_FILE=/x.pem\n")
    let other = try CLI.run(
      arguments + ["--env-file", directory.path + "/image.env", "--format", "json"], in: directory.path,
      environment: environment)
    XCTAssertTrue(other.stderr.contains("snapshot cache miss: no snapshot stored"), other.stderr)
    XCTAssertTrue(other.stdout.contains("SSL_CERT_FILE"), other.stdout)
  }

  private func assertSameSnapshots(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    let directory = try TemporaryDirectory()
    let cache = ["TRUSTGATE_CACHE_DIR": directory.path + "/cache"]
    let off = try CLI.run(arguments, in: directory.path, environment: ["TRUSTGATE_CACHE": "off"])
    let cold = try CLI.run(arguments, in: directory.path, environment: cache)
    XCTAssertTrue(FileManager.default.fileExists(atPath: directory.path + "/cache/parse-cache.bin"))
    let warm = try CLI.run(arguments, in: directory.path, environment: cache)
    func withoutTime(_ text: String) -> String {
      text.split(separator: "\n").filter { !$0.contains("\"now\"") }.joined(separator: "\n")
    }
    XCTAssertEqual(off.status, 0, file: file, line: line)
    XCTAssertTrue(off.stdout.contains("\"sha256\""), file: file, line: line)
    XCTAssertEqual(withoutTime(cold.stdout), withoutTime(off.stdout), file: file, line: line)
    XCTAssertEqual(withoutTime(warm.stdout), withoutTime(off.stdout), file: file, line: line)
  }
}

/// The cache is tied to the build that wrote it by the linker's build id, read from the running executable.
final class BuildIdentityTests: XCTestCase {
  func testBuildIDIsWhatReadelfPrintsForThisExecutable() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/readelf") else {
      throw XCTSkip("readelf is not installed")
    }
    let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/readelf")
    process.arguments = ["-n", executable]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let line = try XCTUnwrap(
      text.split(separator: "\n").first { $0.contains("Build ID:") }, "the test executable has a build id")
    let expected = line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) }
    XCTAssertEqual(BuildIdentity.buildID, expected)
    XCTAssertEqual(ParseCache.binaryIdentity, "build-id:" + (expected ?? "") + " openssl:" + OpenSSLLibrary.version)
    XCTAssertTrue(OpenSSLLibrary.version.hasPrefix("OpenSSL 3"), OpenSSLLibrary.version)
  }
}

/// A file whose identity (device, inode, size, times) is unchanged since a run that read it is not read again; any
/// write changes the identity; a file written in the last two seconds is never remembered by identity.
final class ParseCacheIdentityTests: XCTestCase {
  private func context(_ root: String, _ cache: ParseCache) -> CollectionContext {
    CollectionContext(fs: HostFileSystem(root: root), now: "2026-11-27T00:00:00Z", cache: cache)
  }

  func testUnchangedFileComesFromItsIdentityAndAWriteIsNoticed() throws {
    let directory = try TemporaryDirectory()
    try directory.write("root/etc/ssl/certs/ca-certificates.crt", Array(try Fixtures.data("pki/bundle.pem")))
    let root = directory.path + "/root"
    let cachePath = directory.path + "/cache/parse-cache.bin"
    let expected = CertificateFile.read(Array(try Fixtures.data("pki/bundle.pem"))).entries.count
    XCTAssertGreaterThan(expected, 1)

    // Everything counts as settled here, so the first run remembers the file by identity.
    let first = ParseCache(path: cachePath, stored: [:], settledBefore: .max)
    XCTAssertEqual(
      context(root, first).certificates(inFile: "/etc/ssl/certs/ca-certificates.crt", area: .stores)?.count, expected)
    first.save()
    let fs = HostFileSystem(root: root)
    let identity = try XCTUnwrap(fs.identity("/etc/ssl/certs/ca-certificates.crt"))
    let second = ParseCache(path: cachePath, settledBefore: .max)
    XCTAssertEqual(second.digest(of: identity), ContentDigest.sha256(Array(try Fixtures.data("pki/bundle.pem"))))
    XCTAssertEqual(second.certificateFile(identity: identity)?.entries.count, expected)

    // Same path, other bytes: a new identity, so the file is read and parsed again.
    try directory.write("root/etc/ssl/certs/ca-certificates.crt", Array(try Fixtures.data("pki/root-rsa.pem")))
    let third = ParseCache(path: cachePath, settledBefore: .max)
    XCTAssertEqual(
      context(root, third).certificates(inFile: "/etc/ssl/certs/ca-certificates.crt", area: .stores)?.count, 1)
  }

  func testALargeRewrittenBundleIsKnownByItsDigestWithoutBeingHeldWhole() throws {
    let directory = try TemporaryDirectory()
    // Five certifi bundles back to back: over the 1 MiB above which files are hashed in pieces.
    let certifi = Array(try Fixtures.data("certifi/2026.4.22/cacert.pem"))
    let bytes = Array([[UInt8]](repeating: certifi, count: 5).joined())
    XCTAssertGreaterThanOrEqual(Int64(bytes.count), CollectionContext.streamedDigestSize)
    try directory.write("root/bundle.pem", bytes)
    let root = directory.path + "/root"
    let cachePath = directory.path + "/cache/parse-cache.bin"
    let first = ParseCache(path: cachePath, stored: [:], settledBefore: .max)
    let expected = try XCTUnwrap(context(root, first).certificates(inFile: "/bundle.pem", area: .stores))
    XCTAssertEqual(expected.count, CertificateFile.read(bytes).entries.count)
    first.save()

    // The same bytes written again: a new identity, so the digest comes from reading in pieces; no whole read.
    try directory.write("root/bundle.pem", bytes)
    let counting = CountingFileSystem(HostFileSystem(root: root))
    let second = ParseCache(path: cachePath, settledBefore: .max)
    let context = CollectionContext(fs: counting, now: "2026-11-27T00:00:00Z", cache: second)
    XCTAssertEqual(context.certificates(inFile: "/bundle.pem", area: .stores), expected)
    XCTAssertEqual(counting.wholeReads, 0, "the file came from the cache by its digest")
    XCTAssertEqual(counting.digests, 1)

    // Other bytes of the same size: the digest misses and the file is read and parsed.
    var changed = bytes
    changed[changed.count / 2] ^= 0x01
    try directory.write("root/bundle.pem", changed)
    let recount = CountingFileSystem(HostFileSystem(root: root))
    let third = CollectionContext(
      fs: recount, now: "2026-11-27T00:00:00Z", cache: ParseCache(path: cachePath, settledBefore: .max))
    XCTAssertNotNil(third.certificates(inFile: "/bundle.pem", area: .stores))
    XCTAssertEqual(recount.wholeReads, 1)
  }

  func testFilesWrittenJustNowAreNotRememberedByIdentity() throws {
    let directory = try TemporaryDirectory()
    try directory.write("root/bundle.pem", Array(try Fixtures.data("pki/bundle.pem")))
    let cache = ParseCache(path: directory.path + "/cache/parse-cache.bin", stored: [:])
    XCTAssertNotNil(context(directory.path + "/root", cache).certificates(inFile: "/bundle.pem", area: .stores))
    let identity = try XCTUnwrap(HostFileSystem(root: directory.path + "/root").identity("/bundle.pem"))
    XCTAssertNil(cache.digest(of: identity), "a file changed within the last two seconds may change again unseen")
  }
}

/// A host tree that counts whole-file reads and piecewise digests.
final class CountingFileSystem: FileSystemView, @unchecked Sendable {
  let base: HostFileSystem
  var wholeReads = 0
  var digests = 0
  init(_ base: HostFileSystem) { self.base = base }
  var label: String { base.label }
  func rawKind(_ resolvedPath: String) -> FileKind? { base.rawKind(resolvedPath) }
  func quickResolve(_ path: String) -> String? { base.quickResolve(path) }
  func rawList(_ resolvedPath: String) throws(FileError) -> [String] { try base.rawList(resolvedPath) }
  func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8] {
    wholeReads += 1
    return try base.rawRead(resolvedPath, limit: limit)
  }
  func identity(_ resolvedPath: String) -> FileIdentity? { base.identity(resolvedPath) }
  func rawSHA256(_ resolvedPath: String, identity: FileIdentity) -> [UInt8]? {
    digests += 1
    return base.rawSHA256(resolvedPath, identity: identity)
  }
}

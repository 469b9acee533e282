import Foundation
import XCTest

@testable import TrustgateCore

/// The binary form of a stored snapshot: exactly the snapshot back, for every fixture tree and for a snapshot with
/// every optional field set; bytes that are cut or damaged decode to nothing or to some snapshot, never a crash.
final class SnapshotCodecTests: XCTestCase {
  static let now: Int64 = 1_749_827_200

  static func snapshot(root: String, repository: String? = nil, env: [String: String] = [:]) -> Snapshot {
    var request = InspectRequest(
      fs: HostFileSystem(root: root), env: env, target: Target(kind: .root),
      repository: repository.map { HostFileSystem(root: $0) }, repositoryPathInView: nil, now: now,
      headCommitTime: now - 3600)
    request.includeClock = true
    return Inspector.inspect(request)
  }

  static let environment = [
    "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt", "REQUESTS_CA_BUNDLE": "/missing.pem",
    "HTTPS_PROXY": "http://user:secret@proxy:3128", "http_proxy": "not a url", "NO_PROXY": "localhost",
    "PYTHONHTTPSVERIFY": "0", "CURL_CA_BUNDLE": "",
  ]

  func testEveryFixtureTreeRoundTrips() throws {
    for root in ["rootfs/debian", "rootfs/rhel", "rootfs/alpine", "python/debian-root", "python/linked-root"] {
      let snapshot = Self.snapshot(
        root: Fixtures.path(root), repository: Fixtures.path("lockfiles/old"), env: Self.environment)
      XCTAssertFalse(snapshot.certificates.isEmpty, root)
      XCTAssertFalse(snapshot.lockfiles.isEmpty, root)
      XCTAssertNotNil(snapshot.clock, root)
      let decoded = try XCTUnwrap(SnapshotCodec.decode(SnapshotCodec.encode(snapshot)[...]), root)
      XCTAssertEqual(decoded, snapshot, root)
      XCTAssertEqual(SnapshotCoding.encode(decoded), SnapshotCoding.encode(snapshot), root)
    }
  }

  func testEveryOptionalFieldRoundTrips() throws {
    var snapshot = Snapshot(target: Target(kind: .image, image: "app.tar"))
    snapshot.platform.osID = "debian"
    snapshot.platform.osVersionID = "12"
    snapshot.platform.prettyName = "Debian GNU/Linux 12 (bookworm)"
    snapshot.platform.caPackage = InstalledPackage(manager: "dpkg", name: "ca-certificates", version: "20230311")
    let set = CertificateSet(certificates: ["aa", "bb", "aa"], unparsable: 1, expired: 2, notYetValid: 3)
    snapshot.openssl = OpenSSLInfo()
    snapshot.openssl.version = "OpenSSL 3.0.17"
    snapshot.openssl.defaultCertFile = "/usr/lib/ssl/cert.pem"
    snapshot.openssl.defaultCertDir = "/usr/lib/ssl/certs"
    snapshot.openssl.certFileEnv = "SSL_CERT_FILE"
    snapshot.openssl.certDirEnv = "SSL_CERT_DIR"
    snapshot.openssl.resolvedCertFile = "/etc/ssl/certs/ca-certificates.crt"
    snapshot.openssl.certFile = set
    var store = TrustStore(path: "/etc/ssl/certs", kind: .hashedDirectory, linksTo: "/x", certificates: set)
    store.mismatchedHashLinks = ["1.0"]
    store.danglingLinks = ["2.0"]
    store.notInBundle = ["cc"]
    snapshot.stores = [store, TrustStore(path: "/b", kind: .anchors)]
    var variable = EnvVariable(name: "SSL_CERT_FILE", role: .caFile, value: "/x.pem")
    variable.disablesVerification = false
    var target = EnvTarget(state: .file)
    target.resolvedPath = "/y.pem"
    target.certificates = set
    target.sameAs = ["store:/etc/ssl/certs/ca-certificates.crt"]
    variable.target = target
    snapshot.environment = [variable, EnvVariable(name: "A", role: .disablesVerification, value: "")]
    var proxy = ProxyVariable(name: "HTTPS_PROXY", value: "http://***@p:1", hasCredentials: true)
    proxy.scheme = "http"
    proxy.host = "p"
    proxy.port = 1
    proxy.malformed = "odd"
    snapshot.proxy.variables = [proxy, ProxyVariable(name: "NO_PROXY", value: "", hasCredentials: false)]
    var python = PythonEnvironment(path: ".venv", kind: .virtualenv)
    python.pythonVersion = "3.12.1"
    python.sitePackages = ["a", "b"]
    python.distributions = [Distribution(name: "httpx", version: "0.28.1", metadata: "m")]
    var certifi = BundledCA(package: "certifi", path: "c", linksTo: "d", isOSBundle: true, certificates: set)
    certifi.loadedFrom = "/etc/ssl/certs/ca-certificates.crt"
    python.certifi = certifi
    python.pipCertifi = BundledCA(package: "pip", path: "p", certificates: CertificateSet())
    python.vendoredBundles = [BundledCA(package: "httplib2", path: "h", certificates: set)]
    python.base = "/usr"
    python.includesSystemSitePackages = true
    snapshot.python.environments = [python, PythonEnvironment(path: "/usr", kind: .system)]
    snapshot.lockfiles = [
      Lockfile(
        path: "uv.lock", format: .uv,
        pins: [
          Pin(name: "httpx", version: "0.28.1", specifier: "==0.28.1", line: 3, group: "dev"), Pin(name: "a", line: 1),
        ])
    ]
    var clock = ClockInfo(now: "2026-11-27T00:00:00Z", sync: .unsynchronised)
    clock.maxErrorMicroseconds = 16_000_000
    clock.headCommitTime = "2026-11-26T00:00:00Z"
    snapshot.clock = clock
    var trust = ClientTrust(client: "httpx", version: "0.28.1", source: "certifi", path: "c", roots: 140, status: .ok)
    trust.honours = ["SSL_CERT_FILE"]
    trust.ignores = ["REQUESTS_CA_BUNDLE"]
    trust.note = "note"
    snapshot.effectiveTrust = [
      trust, ClientTrust(client: "curl", version: nil, source: "x", path: nil, roots: nil, status: .unknown),
    ]
    snapshot.certificates = [
      "aa": Certificate(
        sha256: "aa", sha1: "a1", subject: "CN=A", issuer: "CN=A", serial: "01", notBefore: "2020-01-01T00:00:00Z",
        notAfter: "2030-01-01T00:00:00Z", isCA: true, selfSigned: true, hasKeyUsage: false,
        hasSubjectKeyIdentifier: true, hasAuthorityKeyIdentifier: false, subjectHash: "12345678")
    ]
    snapshot.problems = [
      Problem(area: .stores, path: "/p", line: 7, message: "m", fix: "f"),
      Problem(area: .clock, message: "n", fix: "g"),
    ]
    let bytes = SnapshotCodec.encode(snapshot)
    XCTAssertEqual(SnapshotCodec.decode(bytes[...]), snapshot)
    // JSON holds every field the model has; the binary form must give back the same JSON.
    XCTAssertEqual(
      SnapshotCoding.encode(try XCTUnwrap(SnapshotCodec.decode(bytes[...]))), SnapshotCoding.encode(snapshot))
  }

  func testCutOrDamagedBytesNeverCrash() throws {
    let snapshot = Self.snapshot(root: Fixtures.path("rootfs/debian"), env: Self.environment)
    let bytes = SnapshotCodec.encode(snapshot)
    XCTAssertGreaterThan(bytes.count, 1000)
    // Every cut short of the end is malformed: the last value is missing.
    for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 700)) {
      XCTAssertNil(SnapshotCodec.decode(bytes[..<length]), "cut at \(length)")
    }
    XCTAssertNil(SnapshotCodec.decode((bytes + [0])[...]), "trailing bytes")
    // Damaged bytes decode to nothing or to some snapshot; the point is that they return.
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var decodedSome = 0
    for _ in 0..<500 {
      var damaged = bytes
      for _ in 0..<3 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        damaged[Int(state >> 33) % damaged.count] = UInt8(truncatingIfNeeded: state >> 17)
      }
      if SnapshotCodec.decode(damaged[...]) != nil { decodedSome += 1 }
    }
    XCTAssertLessThan(decodedSome, 500, "some damage must be detected")
  }
}

/// A stored snapshot is reused only while every file, folder and link it came from gives the kernel's same answer,
/// the request is the same and no certificate's validity changed; any change is a miss, and the fresh collection is
/// what comes out.
final class SnapshotCacheTests: XCTestCase {
  private var scratch: TemporaryDirectory!
  private var root: String { scratch.path + "/root" }
  private var repository: String { scratch.path + "/repo" }
  private var cachePath: String { scratch.path + "/cache/snapshot-cache.bin" }

  override func setUpWithError() throws {
    scratch = try TemporaryDirectory()
    try scratch.copyTree(from: Fixtures.path("rootfs/debian"), to: "root")
    try scratch.copyTree(from: Fixtures.path("lockfiles/old/uv"), to: "repo")
    try scratch.write("repo/requirements.txt", "httpx==0.27.2\nrequests==2.32.3\n")
  }

  override func tearDown() { scratch = nil }

  private let env = ["SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt", "HTTPS_PROXY": "http://proxy:3128"]

  /// One run of `inspect` with the snapshot cache, as a new process would make it (a fresh cache object).
  private func inspect(now: Int64 = SnapshotCodecTests.now, env: [String: String]? = nil, settled: Bool = true) -> (
    snapshot: Snapshot, hit: Bool
  ) {
    let cache = SnapshotCache(path: cachePath)
    var request = InspectRequest(
      fs: HostFileSystem(root: root), env: env ?? self.env, target: Target(kind: .root),
      repository: HostFileSystem(root: repository), repositoryPathInView: nil, now: now)
    request.includeClock = false
    request.snapshotCache = cache
    // Fixture files were written a moment ago; a real run only trusts answers two seconds old.
    request.settledBefore = settled ? Int64.max : 0
    return (Inspector.inspect(request), cache.hits == 1)
  }

  /// The same inspection without any cache.
  private func fresh(now: Int64 = SnapshotCodecTests.now, env: [String: String]? = nil) -> Snapshot {
    var request = InspectRequest(
      fs: HostFileSystem(root: root), env: env ?? self.env, target: Target(kind: .root),
      repository: HostFileSystem(root: repository), repositoryPathInView: nil, now: now)
    request.includeClock = false
    return Inspector.inspect(request)
  }

  func testUnchangedTreeIsReusedAndEqualsAFreshCollection() throws {
    let first = inspect()
    XCTAssertFalse(first.hit)
    XCTAssertTrue(FileManager.default.fileExists(atPath: cachePath))
    let second = inspect()
    XCTAssertTrue(second.hit)
    XCTAssertEqual(second.snapshot, first.snapshot)
    XCTAssertEqual(second.snapshot, fresh())
    XCTAssertEqual(second.snapshot.stores.count, first.snapshot.stores.count)
    XCTAssertTrue(inspect().hit, "a hit does not use the entry up")
  }

  func testRewrittenCertificateFileIsReadAgain() throws {
    _ = inspect()
    try scratch.write("root/etc/ssl/certs/ca-certificates.crt", Array(try Fixtures.data("pki/expired-root.pem")))
    let second = inspect()
    XCTAssertFalse(second.hit)
    XCTAssertEqual(second.snapshot, fresh())
    let bundle = try XCTUnwrap(second.snapshot.stores.first { $0.path == "/etc/ssl/certs/ca-certificates.crt" })
    XCTAssertEqual(bundle.certificates.count, 1)
    XCTAssertEqual(bundle.certificates.expired, 1)
    XCTAssertTrue(inspect().hit, "the new answers are stored")
  }

  func testSameBytesWrittenAgainAreAMissWithTheSameSnapshot() throws {
    let first = inspect().snapshot
    let path = "root/usr/share/ca-certificates/mozilla/RootEC.crt"
    try scratch.write(path, Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/" + path))))
    let second = inspect()
    XCTAssertFalse(second.hit, "a write changes the status-change time")
    XCTAssertEqual(second.snapshot, first)
  }

  func testNewCertificateInAnAnchorsFolderIsNoticed() throws {
    let first = inspect().snapshot
    try scratch.write("root/usr/local/share/ca-certificates/extra.crt", Array(try Fixtures.data("pki/root-ec.pem")))
    let second = inspect()
    XCTAssertFalse(second.hit)
    XCTAssertNotEqual(second.snapshot, first)
    XCTAssertEqual(second.snapshot, fresh())
  }

  func testReplacedLinkIsNoticed() throws {
    let first = inspect().snapshot
    let link = root + "/etc/ssl/certs/RootEC.pem"
    let before = try FileManager.default.destinationOfSymbolicLink(atPath: link)
    try FileManager.default.removeItem(atPath: link)
    try FileManager.default.createSymbolicLink(
      atPath: link, withDestinationPath: "/usr/share/ca-certificates/mozilla/RootRSA.crt")
    XCTAssertNotEqual(before, "/usr/share/ca-certificates/mozilla/RootRSA.crt")
    let second = inspect()
    XCTAssertFalse(second.hit)
    XCTAssertNotEqual(second.snapshot, first)
    XCTAssertEqual(second.snapshot, fresh())
  }

  func testEditedLockfileIsNoticed() throws {
    _ = inspect()
    try scratch.write("repo/requirements.txt", "httpx==0.28.1\nrequests==2.32.3\n")
    let second = inspect()
    XCTAssertFalse(second.hit)
    let pins = second.snapshot.lockfiles.first { $0.path == "requirements.txt" }?.pins
    XCTAssertEqual(pins?.first { $0.name == "httpx" }?.version, "0.28.1")
  }

  func testTheEnvironmentIsPartOfTheRequest() throws {
    _ = inspect()
    var changed = env
    changed["REQUESTS_CA_BUNDLE"] = "/etc/ssl/certs/ca-certificates.crt"
    let second = inspect(env: changed)
    XCTAssertFalse(second.hit)
    XCTAssertEqual(second.snapshot, fresh(env: changed))
    // What a shell changes between runs and no collector reads does not count.
    var shell = env
    shell["_"] = "/usr/bin/trustgate"
    shell["SHLVL"] = "3"
    XCTAssertTrue(inspect(env: shell).hit)
  }

  func testAStoredSnapshotEndsWhereACertificateExpires() throws {
    let first = inspect().snapshot
    let end = try XCTUnwrap(SnapshotCache.windowEnd(first, now: isoTimestamp(epochSeconds: SnapshotCodecTests.now)))
    let endSeconds = epochSeconds(of: end)
    XCTAssertEqual(isoTimestamp(epochSeconds: endSeconds), end)
    XCTAssertTrue(inspect(now: endSeconds - 1).hit, "still inside the window")
    let after = inspect(now: endSeconds + 1)
    XCTAssertFalse(after.hit)
    XCTAssertEqual(after.snapshot, fresh(now: endSeconds + 1))
    XCTAssertNotEqual(after.snapshot, first, "a certificate expired or became valid at \(end)")
    XCTAssertFalse(inspect(now: SnapshotCodecTests.now - 1).hit, "a clock set back is outside the window")
  }

  func testFilesChangedJustBeforeTheRunAreNotTrusted() throws {
    _ = inspect(settled: false)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cachePath))
    XCTAssertFalse(inspect().hit)
  }

  func testAProblemThatNamesTheTimeIsNotStored() throws {
    try scratch.write("root/etc/ssl/certs/ca-certificates.crt", Array(try Fixtures.data("pki/future-root.pem")))
    let first = inspect()
    XCTAssertTrue(
      first.snapshot.problems.contains { $0.message.contains(isoTimestamp(epochSeconds: SnapshotCodecTests.now)) })
    XCTAssertFalse(inspect().hit)
  }

  func testDamagedOrForeignCacheFilesAreIgnored() throws {
    let expected = fresh()
    let foreign = Array("TGSNAP01".utf8) + [9] + Array("build-id:".utf8) + [0]
    for bytes in [Array("garbage".utf8), [], foreign] {
      try scratch.write("cache/snapshot-cache.bin", bytes)
      let run = inspect()
      XCTAssertFalse(run.hit)
      XCTAssertEqual(run.snapshot, expected)
    }
    XCTAssertTrue(inspect().hit, "a good file replaced the damaged one")
    // Damage inside a stored entry: a miss, and a fresh collection.
    var stored = Array(try Data(contentsOf: URL(fileURLWithPath: cachePath)))
    stored[stored.count - 40] ^= 0xFF
    try scratch.write("cache/snapshot-cache.bin", stored)
    XCTAssertEqual(inspect().snapshot, expected)
  }

  /// The inverse of `isoTimestamp`, by bisection over seconds (it is monotonic).
  private func epochSeconds(of iso: String) -> Int64 {
    var low: Int64 = 0
    var high: Int64 = 1 << 36
    while low < high {
      let middle = (low + high) / 2
      if isoTimestamp(epochSeconds: middle) < iso { low = middle + 1 } else { high = middle }
    }
    return low
  }
}

/// The probes of the live host: realpath answers for folders behind links, lstat answers for the rest.
final class FileProbesTests: XCTestCase {
  func testHostFolderBehindALinkIsCheckedByItsRealPath() throws {
    let scratch = try TemporaryDirectory()
    try scratch.write("a/cert.pem", Array(try Fixtures.data("pki/root-rsa.pem")))
    try scratch.write("b/cert.pem", Array(try Fixtures.data("pki/root-rsa.pem")))
    try scratch.link("alias", to: "a")
    let probes = FileProbes()
    let host = HostFileSystem().recording(into: probes)
    XCTAssertEqual(try host.read(scratch.path + "/alias/cert.pem"), Array(try Fixtures.data("pki/root-rsa.pem")))
    let record = try XCTUnwrap(probes.settled(before: Int64.max))
    XCTAssertEqual(record.realPaths[scratch.path + "/alias"], .some(scratch.path + "/a"))
    var writer = CacheWriter()
    FileProbes.encode(record, into: &writer)
    func replay() -> FileProbes.Replay {
      var reader = CacheReader(writer.output)
      return FileProbes.replay(&reader)
    }
    XCTAssertEqual(replay(), .same)
    try FileManager.default.removeItem(atPath: scratch.path + "/alias")
    try scratch.link("alias", to: "b")
    XCTAssertEqual(replay(), .changed(scratch.path + "/alias"), "the link now leads to another folder")
    XCTAssertNil(probes.settled(before: 0), "files written just now are not settled")
  }

  func testAFileThatChangesWhileReadSpoilsTheRecord() throws {
    let scratch = try TemporaryDirectory()
    try scratch.write("f.pem", "one")
    let probes = FileProbes()
    let host = HostFileSystem(root: scratch.path).recording(into: probes)
    XCTAssertNotNil(host.rawKind("/f.pem"))
    try scratch.write("f.pem", "two, longer")
    _ = try host.rawRead("/f.pem", limit: 100)
    XCTAssertNil(probes.settled(before: Int64.max), "lstat and fstat disagreed")
  }
}

/// The variables left out of a snapshot's key must be ones no collector reads.
final class SnapshotKeyTests: XCTestCase {
  func testNoCollectorReadsAVariableLeftOutOfTheKey() throws {
    let sources = URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Sources/TrustgateCore").path
    let files =
      FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String }.filter {
        $0.hasSuffix(".swift") && !$0.hasSuffix("SnapshotCache.swift")
      } ?? []
    XCTAssertGreaterThan(files.count, 50)
    for file in files {
      let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
      for name in SnapshotCache.volatileVariables {
        XCTAssertFalse(text.contains("[\"\(name)\"]"), "\(file) reads \(name), which the snapshot key leaves out")
      }
    }
    let trustVariables = Set(TrustVariables.all.map(\.name))
    XCTAssertTrue(trustVariables.isDisjoint(with: SnapshotCache.volatileVariables))
  }

  func testKeyFollowsEveryPartOfTheRequest() {
    func key(
      _ kind: Target.Kind = .root, root: String = "/r", repository: String? = "/repo", inView: String? = nil,
      excluded: [String] = [], env: [String: String] = ["A": "1"]
    ) -> [UInt8] {
      SnapshotCache.key(
        kind: kind, root: root, repository: repository, repositoryPathInView: inView, excluded: excluded,
        environment: env)
    }
    let base = key()
    XCTAssertEqual(base, key(env: ["A": "1", "SHLVL": "2", "HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET": "xx"]))
    for other in [
      key(.host), key(root: "/s"), key(repository: nil), key(repository: "/r2"), key(inView: "/repo"),
      key(excluded: ["Tests"]), key(env: ["A": "2"]), key(env: ["A": "1", "B": ""]), key(env: [:]),
    ] { XCTAssertNotEqual(other, base) }
  }
}

/// A recorded baseline (`--baseline FILE`) read before comes back from the parse cache in binary form, equal to the
/// JSON's own decoding; a file whose binary form would not give it back exactly is not kept.
final class RecordedSnapshotCacheTests: XCTestCase {
  func testARecordedBaselineComesBackFromTheCacheExactly() throws {
    let directory = try TemporaryDirectory()
    let snapshot = SnapshotCodecTests.snapshot(
      root: Fixtures.path("python/debian-root"), repository: Fixtures.path("lockfiles/old"),
      env: SnapshotCodecTests.environment)
    let json = SnapshotCoding.encode(snapshot)
    try directory.write("repo/baseline.json", json)
    let cachePath = ["TRUSTGATE_CACHE_DIR": directory.path + "/cache"]
    let first = try XCTUnwrap(ParseCache.open(environment: cachePath))
    let loader = BaselineLoader(repositoryRoot: directory.path + "/repo", environment: [:], cache: first)
    let fromJSON = try loader.readSnapshot("baseline.json")
    XCTAssertEqual(SnapshotCoding.encode(fromJSON), json)
    XCTAssertFalse(fromJSON.certificates.isEmpty)
    first.save()

    let second = try XCTUnwrap(ParseCache.open(environment: cachePath))
    let digest = ContentDigest.sha256(Array(json.utf8))
    XCTAssertNotNil(second.lookup(.recordedSnapshot, digest), "kept by the SHA-256 of the file")
    let cached = try BaselineLoader(repositoryRoot: directory.path + "/repo", environment: [:], cache: second)
      .readSnapshot("baseline.json")
    XCTAssertEqual(cached, fromJSON)
    XCTAssertEqual(SnapshotCoding.encode(cached), json)

    // A hand-edited file whose certificate table is keyed by something else than each certificate's SHA-256.
    var odd = fromJSON
    if let (key, certificate) = odd.certificates.first {
      odd.certificates[key] = nil
      odd.certificates["not-" + key] = certificate
    }
    let oddJSON = SnapshotCoding.encode(odd)
    try directory.write("repo/odd.json", oddJSON)
    let third = try XCTUnwrap(ParseCache.open(environment: cachePath))
    let reread = try BaselineLoader(repositoryRoot: directory.path + "/repo", environment: [:], cache: third)
      .readSnapshot("odd.json")
    XCTAssertEqual(reread, odd)
    XCTAssertNil(third.lookup(.recordedSnapshot, ContentDigest.sha256(Array(oddJSON.utf8))), "not kept")
  }
}

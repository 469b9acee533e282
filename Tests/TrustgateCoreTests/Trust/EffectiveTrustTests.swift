import XCTest

@testable import TrustgateCore

/// Effective trust follows the version rules in ../shared/knowledge/trust-regressions.md §1, §2, §5, §7.
final class EffectiveTrustTests: XCTestCase {
  private func trust(_ s: Snapshot, _ client: String) -> ClientTrust? {
    EffectiveTrust.resolve(s).first { $0.client == client }
  }

  func testHttpxAndRequestsUseCertifiWithoutVariables() {
    let s = Examples.snapshot()
    XCTAssertEqual(trust(s, "httpx")?.source, "certifi")
    XCTAssertEqual(trust(s, "httpx")?.path, Examples.certifiPath)
    XCTAssertEqual(trust(s, "httpx")?.roots, 2)
    XCTAssertEqual(trust(s, "requests")?.source, "certifi")
  }

  func testMissingSSLCertFileBreaksHttpx028ButHttpx027FallsBackToCertifi() {
    var new = Examples.snapshot(httpx: "0.28.1")
    Examples.setVariable(&new, "SSL_CERT_FILE", "/gone.pem", state: .missing)
    XCTAssertEqual(trust(new, "httpx")?.status, .broken)
    XCTAssertEqual(trust(new, "httpx")?.source, "SSL_CERT_FILE")

    var old = Examples.snapshot(httpx: "0.27.2")
    Examples.setVariable(&old, "SSL_CERT_FILE", "/gone.pem", state: .missing)
    XCTAssertEqual(trust(old, "httpx")?.status, .ok)
    XCTAssertEqual(trust(old, "httpx")?.source, "certifi")
    XCTAssertNotNil(trust(old, "httpx")?.note)
  }

  func testRequestsIgnoresSSLCertFileAndHonoursRequestsCABundleFirst() {
    var s = Examples.snapshot()
    Examples.setVariable(&s, "SSL_CERT_FILE", Examples.bundlePath)
    XCTAssertEqual(trust(s, "requests")?.source, "certifi")
    XCTAssertEqual(trust(s, "requests")?.ignores, ["SSL_CERT_FILE"])
    Examples.setVariable(&s, "CURL_CA_BUNDLE", "/other.pem", state: .missing)
    Examples.setVariable(&s, "REQUESTS_CA_BUNDLE", Examples.bundlePath)
    XCTAssertEqual(trust(s, "requests")?.source, "REQUESTS_CA_BUNDLE")
    XCTAssertEqual(trust(s, "requests")?.status, .ok)
  }

  func testEmptyCurlCABundleTurnsVerificationOffOnlyBeforeRequests228() {
    var old = Examples.snapshot(requests: "2.27.1")
    Examples.setVariable(&old, "CURL_CA_BUNDLE", "")
    XCTAssertEqual(trust(old, "requests")?.status, .insecure)
    var new = Examples.snapshot(requests: "2.28.0")
    Examples.setVariable(&new, "CURL_CA_BUNDLE", "")
    XCTAssertEqual(trust(new, "requests")?.status, .ok)
    XCTAssertEqual(trust(new, "requests")?.source, "certifi")
  }

  func testPip242OnPython310UsesTheOSStore() {
    var s = Examples.snapshot()
    s.python.environments[0].distributions.append(Distribution(name: "pip", version: "24.2", metadata: "pip.dist-info/METADATA"))
    XCTAssertEqual(trust(s, "pip")?.source, "truststore (OS store)")
    XCTAssertEqual(trust(s, "pip")?.path, Examples.bundlePath)
    s.python.environments[0].distributions.removeAll { $0.name == "pip" }
    s.python.environments[0].distributions.append(Distribution(name: "pip", version: "24.0", metadata: "pip.dist-info/METADATA"))
    XCTAssertNotEqual(trust(s, "pip")?.source, "truststore (OS store)")
  }

  func testVersionComesFromTheLockfileWhenNothingIsInstalled() {
    var s = Examples.snapshot()
    s.python.environments = []
    XCTAssertEqual(trust(s, "httpx")?.version, "0.27.2")
    XCTAssertEqual(trust(s, "httpx")?.source, "certifi")
    XCTAssertNil(trust(s, "httpx")?.path)
  }

  func testDisablingSwitchesMarkClientsInsecure() {
    var s = Examples.snapshot()
    Examples.setVariable(&s, "NODE_TLS_REJECT_UNAUTHORIZED", "0")
    Examples.setVariable(&s, "GIT_SSL_NO_VERIFY", "1")
    XCTAssertEqual(trust(s, "node")?.status, .insecure)
    XCTAssertEqual(trust(s, "git")?.status, .insecure)
  }
}

final class VersionTests: XCTestCase {
  func testOrderingFollowsPEP440ForReleasesAndPreReleases() throws {
    let ordered = ["0.27.2", "0.28.0rc1", "0.28.0", "0.28.0.post1", "0.28.1", "1.0"]
    let versions = try ordered.map { try XCTUnwrap(Version($0)) }
    for (a, b) in zip(versions, versions.dropFirst()) { XCTAssertLessThan(a, b, "\(a) < \(b)") }
    XCTAssertEqual(Version("2.0"), Version("2.0.0"))
    XCTAssertNil(Version("not-a-version"))
  }

  func testCrossingIsDetectedInBothDirections() throws {
    XCTAssertEqual(TrustChanges.crossed(package: "httpx", from: "0.27.2", to: "0.28.1").map(\.boundary), ["0.28.0"])
    XCTAssertEqual(TrustChanges.crossed(package: "httpx", from: "0.28.1", to: "0.27.2").map(\.boundary), ["0.28.0"])
    XCTAssertEqual(TrustChanges.crossed(package: "httpx", from: "0.28.0", to: "0.28.1").count, 0)
    XCTAssertEqual(TrustChanges.crossed(package: "urllib3", from: "1.26.20", to: "2.6.3").map(\.boundary), ["2.0.0", "2.4.0"])
  }
}

final class SnapshotDiffTests: XCTestCase {
  func testPinChangeCarriesBothLines() throws {
    let base = Examples.snapshot(httpx: "0.27.2")
    var current = Examples.snapshot(httpx: "0.28.1")
    current.lockfiles[0].pins = current.lockfiles[0].pins.map { pin in
      var p = pin
      if p.name == "httpx" { p.line = 25 }
      return p
    }
    let change = try XCTUnwrap(SnapshotDiff.diff(baseline: base, current: current).first { $0.kind == .pinChanged && $0.subject == "httpx" })
    XCTAssertEqual(change.before, "0.27.2")
    XCTAssertEqual(change.after, "0.28.1")
    XCTAssertEqual(change.location, Location(path: "uv.lock", line: 25))
    XCTAssertEqual(change.baseLocation, Location(path: "uv.lock", line: 20))
  }

  func testRootRemovedAndVariableRetargetedAreTyped() {
    let base = Examples.snapshot()
    var current = base
    current.stores[0].certificates = Examples.set([Examples.rootA])
    Examples.setVariable(&current, "SSL_CERT_FILE", "/etc/other.pem")
    let changes = SnapshotDiff.diff(baseline: base, current: current)
    XCTAssertTrue(changes.contains { $0.kind == .rootRemoved && $0.subject == Examples.rootB.sha256 && $0.source == Examples.bundlePath })
    XCTAssertTrue(changes.contains { $0.kind == .envSet && $0.subject == "SSL_CERT_FILE" })
  }

  /// The first, a middle and the last pin of a file removed, and one moved to another file (not a removal): the merge
  /// marks what it matched by position, so each end of the name order is covered.
  func testPinsRemovedAtEitherEndOrMovedToAnotherFileAreTold() {
    func pins(_ names: [String]) -> [Pin] {
      names.enumerated().map { Pin(name: $1, version: "1.0", line: $0 + 1) }
    }
    var base = Examples.snapshot()
    base.lockfiles = [
      Lockfile(path: "a/uv.lock", format: .uv, pins: pins(["aaa", "bbb", "ccc", "ddd", "eee", "zzz"])),
      Lockfile(path: "b/uv.lock", format: .uv, pins: pins(["mmm"])),
    ]
    var current = base
    current.lockfiles = [
      Lockfile(path: "a/uv.lock", format: .uv, pins: pins(["bbb", "ddd", "eee"])),
      Lockfile(path: "b/uv.lock", format: .uv, pins: pins(["ccc", "mmm"])),
    ]
    let removed = SnapshotDiff.diff(baseline: base, current: current).filter { $0.kind == .pinRemoved }.map(\.subject)
    XCTAssertEqual(removed.sorted(), ["aaa", "zzz"])
    // A baseline edited by hand, its pins out of order and one package pinned twice (the first line counts): the
    // same answer, and the bump of ddd told from its first pin.
    base.lockfiles[0].pins = pins(["zzz", "eee", "ddd", "ccc", "bbb", "aaa"])
      + [Pin(name: "ddd", version: "0.9", line: 9)]
    current.lockfiles[0].pins = pins(["bbb", "ddd", "eee"]).map { pin in
      var pin = pin
      if pin.name == "ddd" { pin.version = "2.0" }
      return pin
    }
    let changes = SnapshotDiff.diff(baseline: base, current: current)
    XCTAssertEqual(changes.filter { $0.kind == .pinRemoved }.map(\.subject).sorted(), ["aaa", "zzz"])
    XCTAssertEqual(changes.filter { $0.kind == .pinChanged }.map { "\($0.subject) \($0.before ?? "")" }, ["ddd 1.0"])
    XCTAssertEqual(changes.filter { $0.kind == .pinAdded }, [])
  }

  /// A monorepo folder of 2,000 lockfiles (100,000 pins) moved elsewhere, one pin bumped on the way: each pin is paired
  /// with its old file, so the bump is the only change, told at both paths. Searching every baseline file for every
  /// moved pin took 14 s in a release build (`check --baseline-ref` after `git mv`); one index of names is linear.
  func testAMovedFolderOfThousandsOfLockfilesIsPairedInLinearTime() {
    func files(_ folder: String, bump: Bool) -> [Lockfile] {
      (0..<2000).map { file in
        let pins = (0..<50).map { index in
          let version = bump && file == 1234 && index == 7 ? "2.0" : "1.\(index)"
          return Pin(name: "pkg\(file)-\(index)", version: version, line: index + 1)
        }
        return Lockfile(path: "\(folder)/p\(file)/requirements.txt", format: .requirements, pins: pins.sorted())
      }
    }
    var base = Examples.snapshot()
    base.lockfiles = files("old", bump: false)
    var current = base
    current.lockfiles = files("new", bump: true)
    let started = Date()
    let changes = SnapshotDiff.diff(baseline: base, current: current, areas: [.lockfiles])
    XCTAssertLessThan(Date().timeIntervalSince(started), 20, "the diff of a moved folder took too long")
    XCTAssertEqual(changes.count, 1, "\(changes.prefix(5))")
    XCTAssertEqual(changes.first?.kind, .pinChanged)
    XCTAssertEqual(changes.first?.subject, "pkg1234-7")
    XCTAssertEqual(changes.first?.location, Location(path: "new/p1234/requirements.txt", line: 8))
    XCTAssertEqual(changes.first?.baseLocation, Location(path: "old/p1234/requirements.txt", line: 8))
  }

  func testIdenticalSnapshotsHaveNoChanges() {
    XCTAssertEqual(SnapshotDiff.diff(baseline: Examples.snapshot(), current: Examples.snapshot()), [])
  }

  func testAreasLeftOutOfTheComparisonAreIgnored() {
    let base = Examples.snapshot(httpx: "0.27.2")
    let current = Examples.snapshot(httpx: "0.28.1")
    XCTAssertFalse(SnapshotDiff.diff(baseline: base, current: current, areas: [.stores]).contains { $0.area == .lockfiles })
  }
}

/// PEP 503's own examples: every spelling names `friendly-bard`.
final class PackageNameTests: XCTestCase {
  func testPEP503ExamplesNormaliseToOneName() {
    for name in ["friendly-bard", "Friendly-Bard", "FRIENDLY-BARD", "friendly.bard", "friendly_bard", "friendly--bard", "FrIeNdLy-._.-bArD"] {
      XCTAssertEqual(normalizePackageName(name), "friendly-bard", name)
    }
    XCTAssertEqual(normalizePackageName("zope.interface"), "zope-interface")
    XCTAssertEqual(normalizePackageName("httpx"), "httpx")
    XCTAssertEqual(normalizePackageName("py3-"), "py3")
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// `inspect --root` on real Debian roots made by debootstrap (scripts/fixtures/make-debian-roots.sh): the project's
/// Python is the one holding apt's requests and httpx, their trust lines name the file Debian's patched
/// `certifi.where()` returns, and the OpenSSL version is the root's, not this host's. The expected values come from
/// the root's own tools: its python3 run in a chroot when the root was built (oracle.tsv) and `dpkg-query` now.
final class DebianRootTests: XCTestCase {
  private func inspect(_ root: DebianRoots.Built) throws -> (snapshot: Snapshot, text: String) {
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("tg-debian-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    let json = try CLI.run(["inspect", "--root", root.rootfs, "--repo", work, "--format", "json"], in: work)
    XCTAssertEqual(json.status, 0, json.stderr)
    let snapshot = try SnapshotCoding.decode(Array(json.stdout.utf8), path: "inspect --root \(root.rootfs)")
    let text = try CLI.run(["inspect", "--root", root.rootfs, "--repo", work], in: work)
    return (snapshot, text.stdout)
  }

  /// `dpkg-query --admindir=<root>/var/lib/dpkg -W -f '${Version}' PACKAGE`, or nil when it is not installed.
  static func dpkgVersion(_ root: DebianRoots.Built, _ package: String) throws -> String? {
    let result = try Command.run(
      "/usr/bin/dpkg-query", ["--admindir=" + root.rootfs + "/var/lib/dpkg", "-W", "-f", "${Version}", package])
    return result.status == 0 && !result.stdout.isEmpty ? result.stdout : nil
  }

  // MARK: the project's Python

  private func assertProjectPythonHoldsAptsClients(_ suite: String) throws {
    let root = try DebianRoots.root(suite)
    let (snapshot, text) = try inspect(root)
    let project = try XCTUnwrap(PythonSelection.primary(snapshot.python.environments), "no Python chosen")
    XCTAssertEqual(project.path, root.oracle["python.prefix"], "the prefix the root's python3 reports as sys.prefix")
    XCTAssertEqual(project.distribution("requests")?.version, root.oracle["requests.version"])
    XCTAssertEqual(project.distribution("httpx")?.version, root.oracle["httpx.version"])
    // Debian's python3 makes an empty /usr/local/lib/python3.X/dist-packages: found, but no one's Python.
    XCTAssertTrue(snapshot.python.environments.contains { $0.path == "/usr/local" && $0.distributions.isEmpty })
    XCTAssertTrue(text.contains("python       /usr (system, Python "), text)
    XCTAssertTrue(text.contains(", the project's Python): "), text)
  }

  func testBookwormProjectPythonHoldsAptsRequestsAndHttpx() throws {
    try assertProjectPythonHoldsAptsClients("bookworm")
  }

  func testTrixieProjectPythonHoldsAptsRequestsAndHttpx() throws {
    try assertProjectPythonHoldsAptsClients("trixie")
  }

  // MARK: trust lines

  private func assertTrustLinesNameTheOSBundle(_ suite: String) throws {
    let root = try DebianRoots.root(suite)
    let (snapshot, text) = try inspect(root)
    let bundle = try XCTUnwrap(root.oracle["certifi.where"])
    XCTAssertEqual(bundle, "/etc/ssl/certs/ca-certificates.crt", "Debian's certifi.where() in the root's python3")
    let certifi = try XCTUnwrap(PythonSelection.primary(snapshot.python.environments)?.certifi)
    XCTAssertEqual(certifi.loadedFrom, bundle, "the patched core.py is recorded")
    XCTAssertTrue(certifi.isOSBundle)
    let osRoots = try XCTUnwrap(snapshot.stores.first { $0.path == bundle }).certificates.distinct.count
    for client in ["requests", "httpx"] {
      let trust = try XCTUnwrap(snapshot.effectiveTrust.first { $0.client == client }, "no trust line for \(client)")
      XCTAssertEqual(trust.version, root.oracle["\(client).version"])
      XCTAssertEqual(trust.source, "certifi")
      XCTAssertEqual(trust.path, bundle, "\(client) loads what certifi.where() returns")
      XCTAssertEqual(trust.status, .ok)
      XCTAssertGreaterThan(trust.roots ?? 0, 100)
      XCTAssertLessThanOrEqual(trust.roots ?? 0, osRoots)
      XCTAssertTrue(text.contains("trust        \(client) \(trust.version ?? "") → certifi \(bundle) ("), text)
    }
  }

  func testBookwormTrustLinesOfAptsRequestsAndHttpxNameTheOSBundle() throws {
    try assertTrustLinesNameTheOSBundle("bookworm")
  }

  func testTrixieTrustLinesOfAptsRequestsAndHttpxNameTheOSBundle() throws {
    try assertTrustLinesNameTheOSBundle("trixie")
  }

  // MARK: OpenSSL

  private func assertOpenSSLVersionIsTheRoots(_ suite: String, package: String, series: String) throws {
    let root = try DebianRoots.root(suite)
    let (snapshot, _) = try inspect(root)
    let installed = try XCTUnwrap(try Self.dpkgVersion(root, package), "dpkg-query finds no \(package) in the root")
    let upstream = String(installed.prefix { $0 != "-" })
    let version = try XCTUnwrap(snapshot.openssl.version)
    XCTAssertTrue(version.hasPrefix("OpenSSL \(upstream) "), "\(version) vs dpkg-query's \(installed)")
    XCTAssertTrue(version.contains("dpkg \(package) \(installed)"), version)
    XCTAssertTrue(upstream.hasPrefix(series), "\(suite) ships OpenSSL \(series)x, dpkg-query says \(installed)")
    // The root's own `openssl version` agrees (run in a chroot when the root was built).
    XCTAssertTrue(root.oracle["openssl.version"]?.hasPrefix("OpenSSL \(upstream) ") == true, "\(root.oracle)")
    XCTAssertFalse(version.contains(OpenSSLLibrary.version), "this host's libcrypto is not the root's")
  }

  func testBookwormOpenSSLVersionIsTheRootsNotTheHosts() throws {
    try assertOpenSSLVersionIsTheRoots("bookworm", package: "libssl3", series: "3.0.")
  }

  func testTrixieOpenSSLVersionIsTheRootsNotTheHosts() throws {
    try assertOpenSSLVersionIsTheRoots("trixie", package: "libssl3t64", series: "3.5.")
  }
}

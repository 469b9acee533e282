import Foundation
import XCTest

@testable import TrustgateCore

final class InspectorTests: XCTestCase {
  /// 2025-06-13T15:06:40Z; fixed so expiry counts do not move with the calendar.
  static let now: Int64 = 1_749_827_200

  private func inspect(root: String, env: [String: String] = [:]) -> Snapshot {
    var request = InspectRequest(
      fs: HostFileSystem(root: root), env: env, target: Target(kind: .root), repository: nil, repositoryPathInView: nil,
      now: Self.now)
    request.includeClock = false
    return Inspector.inspect(request)
  }

  private var debianEnv: [String: String] {
    ["SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt", "REQUESTS_CA_BUNDLE": "/missing.pem", "HTTPS_PROXY": "http://proxy:3128"]
  }

  func testDebianSnapshotIsByteIdenticalAcrossRuns() throws {
    let root = Fixtures.path("rootfs/debian")
    let first = SnapshotCoding.encode(inspect(root: root, env: debianEnv))
    let second = SnapshotCoding.encode(inspect(root: root, env: debianEnv))
    XCTAssertEqual(first, second)
    XCTAssertEqual(SnapshotCoding.encode(try SnapshotCoding.decode(Array(first.utf8), path: "x.json")), first)
  }

  /// A recorded baseline that is not one says which way it is not: not JSON, another (or no) schema, or fields that do
  /// not match this schema; one that is decodes whole.
  func testBaselineDecodingTellsNotJSONOtherSchemaAndMismatchedFieldsApart() throws {
    let good = SnapshotCoding.encode(inspect(root: Fixtures.path("rootfs/debian"), env: debianEnv))
    func message(_ text: String) -> String {
      do {
        _ = try SnapshotCoding.decode(Array(text.utf8), path: "b.json")
        return "decoded"
      } catch { return error.description }
    }
    XCTAssertEqual(message(good), "decoded")
    XCTAssertEqual(
      message("{\"schema\": "),
      "b.json: not a trustgate snapshot (invalid JSON); record one with `trustgate baseline --output b.json`")
    let other = good.replacingOccurrences(of: Snapshot.schemaID, with: "trustgate.snapshot/2")
    XCTAssertNotEqual(other, good)
    XCTAssertEqual(
      message(other),
      "b.json: schema 'trustgate.snapshot/2', expected 'trustgate.snapshot/1'; re-record it with `trustgate baseline`")
    XCTAssertEqual(
      message("{\"lockfiles\": []}"),
      "b.json: schema missing, expected 'trustgate.snapshot/1'; re-record it with `trustgate baseline`")
    let mismatched = message("{\"schema\": \"\(Snapshot.schemaID)\", \"lockfiles\": 3}")
    XCTAssertTrue(
      mismatched.hasPrefix("b.json: not a trustgate snapshot (fields do not match trustgate.snapshot/1: "), mismatched)
  }

  func testNoHostPathLeaksIntoTheSnapshot() throws {
    let scratch = try TemporaryDirectory()
    try scratch.copyTree(from: Fixtures.path("rootfs/debian"), to: "rootfs")
    let snapshot = inspect(root: scratch.path + "/rootfs", env: debianEnv)
    let json = SnapshotCoding.encode(snapshot)
    XCTAssertFalse(json.contains(scratch.path), json)
    XCTAssertFalse(json.contains(Fixtures.root), json)
    XCTAssertFalse(json.contains("trustgate-tests-"), json)
    // Same tree at another host path: same snapshot.
    XCTAssertEqual(json, SnapshotCoding.encode(inspect(root: Fixtures.path("rootfs/debian"), env: debianEnv)))
  }

  func testDebianSnapshotHoldsTheCollectedParts() throws {
    let snapshot = inspect(root: Fixtures.path("rootfs/debian"), env: debianEnv)
    XCTAssertNil(snapshot.clock)
    XCTAssertEqual(snapshot.platform.osID, "debian")
    XCTAssertTrue(snapshot.stores.contains { $0.path == "/etc/ssl/certs/ca-certificates.crt" })
    XCTAssertEqual(snapshot.stores.map(\.path), snapshot.stores.map(\.path).sorted())
    XCTAssertEqual(snapshot.environment.map(\.name), ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
    XCTAssertEqual(snapshot.proxy.variables.map(\.name), ["HTTPS_PROXY"])
    // Every fingerprint listed anywhere in the rootfs is described once in `certificates`.
    let all = Set(try TSV.rows("rootfs/expected.tsv").filter { $0["layout"] == "debian" }
      .flatMap { $0["sha256_sorted"]!.split(separator: ",").map(String.init) })
    XCTAssertEqual(Set(snapshot.certificates.keys), all)
    XCTAssertEqual(snapshot.problems, snapshot.problems.sorted())
    XCTAssertTrue(snapshot.problems.contains { $0.path == "/missing.pem" && $0.area == .environment })
    XCTAssertTrue(snapshot.problems.contains { $0.path == "/usr/local/share/ca-certificates" && $0.area == .stores })
  }
}

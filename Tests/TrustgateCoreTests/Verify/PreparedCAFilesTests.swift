import Foundation
import XCTest

@testable import TrustgateCore

/// CA files indexed beside the collectors (`CAFiles.prepare`) must give the verdicts an index built on demand gives,
/// and a file named two ways (a link to the bundle) is read and indexed once.
final class PreparedCAFilesTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var root: String { scratch.path + "/root" }

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    // A Debian-like tree: the system's bundle with the private root appended (as update-ca-certificates does for
    // /usr/local/share/ca-certificates), OpenSSL's cert.pem linking to it, SSL_CERT_FILE naming the link.
    let system = Array(try Data(contentsOf: URL(fileURLWithPath: "/etc/ssl/certs/ca-certificates.crt")))
    try scratch.write("root/etc/ssl/certs/ca-certificates.crt", system + (try pki.bytes("root.pem")))
    try scratch.write("root/usr/local/share/ca-certificates/corp.crt", try pki.bytes("root.pem"))
    try scratch.mkdir("root/usr/lib/ssl")
    try scratch.link("root/usr/lib/ssl/cert.pem", to: "/etc/ssl/certs/ca-certificates.crt")
  }

  func request() -> InspectRequest {
    var request = InspectRequest(
      fs: HostFileSystem(root: root), env: ["SSL_CERT_FILE": "/usr/lib/ssl/cert.pem"], target: Target(kind: .root),
      repository: nil, repositoryPathInView: nil, now: Int64(Date().timeIntervalSince1970))
    request.includeClock = false
    return request
  }

  func testTheLinkAndTheBundleShareOneIndexOfEveryCertificate() throws {
    let prepared = try XCTUnwrap(CAFiles.prepare(request()), "a variable names a file: the index is prepared")
    let files = try XCTUnwrap(prepared.wait())
    XCTAssertEqual(Array(files.keys), ["/etc/ssl/certs/ca-certificates.crt"])
    let text = try String(contentsOfFile: root + "/etc/ssl/certs/ca-certificates.crt", encoding: .utf8)
    let blocks = text.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1
    XCTAssertGreaterThan(blocks, 100)
    XCTAssertEqual(files.values.first?.entries?.count, blocks)
  }

  func testPreparedAndOnDemandIndexesGiveTheSameVerdicts() throws {
    let request = request()
    let snapshot = Inspector.inspect(request)
    let verdicts = try XCTUnwrap(snapshot.verdicts, "the private root is an anchor to verify")
    let anchor = try XCTUnwrap(verdicts.first { $0.client == "openssl" })
    XCTAssertTrue(anchor.verifies, "\(anchor)")
    XCTAssertTrue(anchor.sources.contains { $0.hasPrefix("SSL_CERT_FILE /usr/lib/ssl/cert.pem (") }, "\(anchor.sources)")
    // On demand: a request of its own, whose run has indexed nothing yet.
    var fresh = request
    fresh.caFiles = RunCAFiles()
    XCTAssertEqual(Verdicts.compute(snapshot, request: fresh, prepared: nil), verdicts)
    fresh.caFiles = RunCAFiles()
    XCTAssertEqual(Verdicts.compute(snapshot, request: fresh, prepared: CAFiles.prepare(fresh)), verdicts)
  }

  /// The baseline's verdicts, recomputed in the same run, use the CA files the current snapshot's verification read
  /// and indexed: the run keeps one index per file, and the verdicts equal those of a run that indexes again.
  func testARecomputationInTheSameRunReusesTheRunsIndexes() throws {
    let request = request()
    XCTAssertTrue(request.caFiles.all.isEmpty)
    let snapshot = Inspector.inspect(request)
    let verdicts = try XCTUnwrap(snapshot.verdicts)
    let indexed = request.caFiles.all
    XCTAssertEqual(Array(indexed.keys), ["/etc/ssl/certs/ca-certificates.crt"], "what the verification indexed")
    let again = Verdicts.recomputed(snapshot, request: request)
    XCTAssertEqual(again.verdicts, verdicts)
    let after = request.caFiles.all
    XCTAssertEqual(Set(after.keys), Set(indexed.keys))
    XCTAssertTrue(after.values.first?.pem == indexed.values.first?.pem)
    // The same index object: its entries' decoded certificates are shared, not rebuilt.
    let before = try XCTUnwrap(indexed.values.first?.entries?.last?.certificate)
    let now = try XCTUnwrap(after.values.first?.entries?.last?.certificate)
    XCTAssertTrue(before === now)
    var fresh = request
    fresh.caFiles = RunCAFiles()
    XCTAssertEqual(Verdicts.recomputed(snapshot, request: fresh).verdicts, verdicts)
  }

  func testABundleOverTheLimitIsLeftToBeIndexedWhenAsked() throws {
    let system = Array(try Data(contentsOf: URL(fileURLWithPath: "/etc/ssl/certs/ca-certificates.crt")))
    var big: [UInt8] = []
    while big.count <= CAFiles.speculativeLimit { big += system }
    try scratch.write("root/etc/ssl/certs/ca-certificates.crt", big + (try pki.bytes("root.pem")))
    let files = try XCTUnwrap(CAFiles.prepare(request())?.wait())
    XCTAssertTrue(files.isEmpty, "\(files.keys)")
    // The verdicts are the same: the verifier indexes the bundle when a store loads it.
    let snapshot = Inspector.inspect(request())
    let openssl = try XCTUnwrap(snapshot.verdicts?.first { $0.client == "openssl" })
    XCTAssertTrue(openssl.verifies, "\(openssl)")
  }

  func testNothingIsPreparedWhereNothingSuggestsAVerification() throws {
    try FileManager.default.removeItem(atPath: root + "/usr/local/share/ca-certificates/corp.crt")
    var request = request()
    request.env = [:]
    XCTAssertNil(CAFiles.prepare(request))
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// The OS bundle's certificates parsed while the arguments are (`EarlyReading`) only seed the run's parse cache: an
/// inspection with them equals one without them, however far the early thread got before the collection stopped it.
final class EarlyReadingTests: XCTestCase {
  private var scratch: TemporaryDirectory!
  let bundle = "/etc/ssl/certs/ca-certificates.crt"

  override func setUpWithError() throws {
    guard FileManager.default.fileExists(atPath: bundle) else { throw XCTSkip("no Debian OS bundle on this host") }
    scratch = try TemporaryDirectory()
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
  }

  override func tearDown() { scratch = nil }

  func snapshot(early: EarlyReading?, root: String? = nil) throws -> (Snapshot, InspectRequest) {
    var workspace = Workspace(
      root: root, repository: scratch.path + "/repo", envFile: nil, processEnvironment: ["SSL_CERT_FILE": bundle],
      currentDirectory: scratch.path)
    workspace.early = early
    var (request, _) = try workspace.request(now: 1_790_000_000)
    request.includeClock = false
    return (Inspector.inspect(request), request)
  }

  func testFinishedEarlyReadingHoldsTheBundleAndChangesNothing() throws {
    let early = EarlyReading()
    early.wait()
    let distinct = Set(CertificateFile.read(Array(try Data(contentsOf: URL(fileURLWithPath: bundle)))).entries
      .map(\.certificate.sha256))
    XCTAssertGreaterThan(distinct.count, 100)
    XCTAssertEqual(early.certificates.count, distinct.count, "every certificate of the bundle, parsed once")
    let (with, request) = try snapshot(early: early)
    XCTAssertNotNil(request.early, "the host is inspected: the early parse is handed on")
    let (without, _) = try snapshot(early: nil)
    XCTAssertEqual(with, without)
  }

  func testStoppedAtOnceChangesNothing() throws {
    let early = EarlyReading()
    early.stop()
    early.wait()
    XCTAssertLessThan(early.certificates.count, 100, "stopped after at most one chunk")
    let (with, _) = try snapshot(early: early)
    let (without, _) = try snapshot(early: nil)
    XCTAssertEqual(with, without)
  }

  func testChunksHoldWholeBlocks() throws {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: bundle)))
    let chunks = EarlyReading.chunks(bytes, certificates: 8)
    XCTAssertEqual(chunks.reduce(0) { $0 + $1.count }, bytes.count)
    XCTAssertEqual(Array(chunks.joined()), bytes)
    let total = CertificateFile.read(bytes).entries.count
    XCTAssertEqual(chunks.count, (total + 7) / 8)
    for chunk in chunks.dropLast() { XCTAssertEqual(CertificateFile.read(Array(chunk)).entries.count, 8) }
    XCTAssertTrue(EarlyReading.chunks([], certificates: 8).isEmpty)
    XCTAssertEqual(EarlyReading.chunks(Array("-----END X".utf8), certificates: 1).count, 1)
  }

  func testAnotherTreeNeverGetsIt() throws {
    try scratch.write("root" + bundle, Array(try Data(contentsOf: URL(fileURLWithPath: bundle))))
    let (_, request) = try snapshot(early: EarlyReading(), root: scratch.path + "/root")
    XCTAssertNil(request.early)
  }
}

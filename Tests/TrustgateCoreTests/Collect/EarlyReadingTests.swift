import Foundation
import XCTest

@testable import TrustgateCore

/// The OS bundle read while the arguments are parsed (`EarlyReading`) is a memo of what its bytes parse to: an
/// inspection with it equals one without it, and other bytes never get its result.
final class EarlyReadingTests: XCTestCase {
  private var scratch: TemporaryDirectory!

  override func setUpWithError() throws {
    guard FileManager.default.fileExists(atPath: "/etc/ssl/certs/ca-certificates.crt") else {
      throw XCTSkip("no Debian OS bundle on this host")
    }
    scratch = try TemporaryDirectory()
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
  }

  override func tearDown() { scratch = nil }

  func snapshot(early: EarlyReading?, root: String? = nil) throws -> (Snapshot, InspectRequest) {
    var workspace = Workspace(
      root: root, repository: scratch.path + "/repo", envFile: nil,
      processEnvironment: ["SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"], currentDirectory: scratch.path)
    workspace.early = early
    var (request, _) = try workspace.request(now: 1_790_000_000)
    request.includeClock = false
    return (Inspector.inspect(request), request)
  }

  func testAnInspectionWithTheEarlyReadingEqualsOneWithout() throws {
    let early = EarlyReading(environment: ["SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"])
    let (with, request) = try snapshot(early: early)
    XCTAssertNotNil(request.early, "the host is inspected: the early reading is handed on")
    let (without, _) = try snapshot(early: nil)
    XCTAssertEqual(with, without)
    XCTAssertGreaterThan(with.certificates.count, 100)
    // It was used: the run's parse cache is the early one, holding the bundle's certificates.
    let bundle = try XCTUnwrap(with.stores.first { $0.path == "/etc/ssl/certs/ca-certificates.crt" })
    XCTAssertGreaterThanOrEqual(early.certificates.count, bundle.certificates.distinct.count)
  }

  func testOnlyIdenticalBytesGetTheEarlyResult() throws {
    let early = EarlyReading(environment: [:])
    let path = try XCTUnwrap(early.path)
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    let reading = try XCTUnwrap(early.reading(of: path, bytes: bytes))
    XCTAssertEqual(reading.entries.map(\.certificate.sha256), CertificateFile.read(bytes).entries.map(\.certificate.sha256))
    XCTAssertNil(early.reading(of: path + ".other", bytes: bytes), "another file")
    // One certificate dropped (a root removed since): other bytes, parsed as if nothing had been read early.
    let text = String(decoding: bytes, as: UTF8.self)
    let cut = try XCTUnwrap(text.range(of: "-----END CERTIFICATE-----\n"))
    bytes = Array(text[cut.upperBound...].utf8)
    XCTAssertNil(early.reading(of: path, bytes: bytes))
    XCTAssertNil(early.caFile(of: path, bytes: bytes))
    // Without a CA variable or admin anchor there was no reason to index the bundle for verification.
    if ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/local/share/ca-certificates")) ?? []).isEmpty {
      XCTAssertNil(early.caFile(of: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
    }
  }

  func testAnotherTreeNeverGetsIt() throws {
    try scratch.write("root/etc/ssl/certs/ca-certificates.crt", Array(try Data(contentsOf: URL(fileURLWithPath: "/etc/ssl/certs/ca-certificates.crt"))))
    let early = EarlyReading(environment: [:])
    let (_, request) = try snapshot(early: early, root: scratch.path + "/root")
    XCTAssertNil(request.early)
  }
}

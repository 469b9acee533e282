import Foundation
import XCTest

@testable import TrustgateCore

/// The defaults trustgate reports are those of the libssl it links; the openssl CLI on the same machine uses the same
/// library, so its `version -d` (OPENSSLDIR) and `version` are the independent reference.
final class OpenSSLCollectorTests: XCTestCase {
  private func openssl(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    process.waitUntilExit()
    return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  }

  func testDefaultsMatchTheOpenSSLDirectoryOfTheSameLibrary() throws {
    let line = try openssl(["version", "-d"])  // OPENSSLDIR: "/usr/lib/ssl"
    let dir = try XCTUnwrap(line.split(separator: "\"").dropFirst().first).description
    let context = CollectionContext(fs: HostFileSystem(), now: "2026-01-01T00:00:00Z")
    let info = OpenSSLCollector().collect(context)
    XCTAssertEqual(info.defaultCertFile, dir + "/cert.pem")
    XCTAssertEqual(info.defaultCertDir, dir + "/certs")
    XCTAssertEqual(info.certFileEnv, "SSL_CERT_FILE")
    XCTAssertEqual(info.certDirEnv, "SSL_CERT_DIR")
    let version = try openssl(["version"]).split(separator: " ").prefix(2).joined(separator: " ")
    XCTAssertTrue(info.version?.hasPrefix(version) == true, "\(info.version ?? "nil") vs \(version)")
  }

  func testDefaultFileResolvesInsideARootFilesystem() throws {
    let line = try openssl(["version", "-d"])
    let dir = try XCTUnwrap(line.split(separator: "\"").dropFirst().first).description
    guard dir == "/usr/lib/ssl" else { throw XCTSkip("this libssl is not Debian's (OPENSSLDIR \(dir)); the fixture mirrors Debian") }
    let context = CollectionContext(fs: HostFileSystem(root: Fixtures.path("rootfs/debian")), now: "2026-01-01T00:00:00Z")
    let info = OpenSSLCollector().collect(context)
    XCTAssertEqual(info.resolvedCertFile, "/etc/ssl/certs/ca-certificates.crt")
    XCTAssertEqual(info.certFile?.count, 2)
  }
}

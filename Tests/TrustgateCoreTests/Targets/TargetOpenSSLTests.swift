import Foundation
import XCTest

@testable import TrustgateCore

/// Where a target's OpenSSL version comes from when its package database says nothing (rpm, static images): the
/// version string inside its libcrypto, checked against the root's own `openssl version` (its "Library:" part).
final class TargetOpenSSLTests: XCTestCase {
  private func assertLibraryStringIsTheRoots(_ suite: String) throws {
    let root = try DebianRoots.root(suite)
    let reported = try XCTUnwrap(root.oracle["openssl.version"])
    // `OpenSSL 3.0.20 7 Apr 2026 (Library: OpenSSL 3.0.20 7 Apr 2026)`: the library's own string is in parentheses.
    let library = try XCTUnwrap(reported.range(of: "(Library: ")).upperBound
    let expected = String(reported[library...].dropLast())
    XCTAssertEqual(OpenSSLLibraryFile.version(HostFileSystem(root: root.rootfs)), expected)
    XCTAssertEqual(root.oracle["ssl.openssl"], expected, "Python's ssl module links the same library")
  }

  func testBookwormLibcryptoVersionStringMatchesTheRootsOpenSSL() throws {
    try assertLibraryStringIsTheRoots("bookworm")
  }

  func testTrixieLibcryptoVersionStringMatchesTheRootsOpenSSL() throws {
    try assertLibraryStringIsTheRoots("trixie")
  }

  /// This host's libcrypto, found through the same search, says what the linked library says.
  func testHostLibcryptoVersionStringMatchesTheLinkedLibrary() throws {
    let found = try XCTUnwrap(OpenSSLLibraryFile.version(HostFileSystem()), "no libcrypto in the usual folders")
    XCTAssertEqual(found, OpenSSLLibrary.version)
  }

  func testPackageVersionsKeepOnlyTheUpstreamPart() {
    XCTAssertEqual(OpenSSLPackages.upstream("3.0.20-1~deb12u2"), "3.0.20")
    XCTAssertEqual(OpenSSLPackages.upstream("1:1.1.1w-0+deb11u1"), "1.1.1w")
    XCTAssertEqual(OpenSSLPackages.upstream("3.3.2-r0"), "3.3.2")
    XCTAssertEqual(OpenSSLPackages.upstream("3.5.9"), "3.5.9")
  }

  func testVersionStringSearchNeedsAWholeCString() {
    let bytes = Array("xOpenSSL 3.0.1 bad\u{0}\u{0}OpenSSL 3.0.20 7 Apr 2026\u{0}rest".utf8)
    XCTAssertEqual(OpenSSLLibraryFile.search(bytes), "OpenSSL 3.0.20 7 Apr 2026")
    XCTAssertNil(OpenSSLLibraryFile.search(Array("\u{0}OpenSSL 3.0.20 no terminator".utf8)))
    XCTAssertNil(OpenSSLLibraryFile.search(Array("\u{0}OpenSSL legacy provider\u{0}".utf8)))
  }
}

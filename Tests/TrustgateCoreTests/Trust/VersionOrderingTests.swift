import Foundation
import XCTest

@testable import TrustgateCore

/// Release numbers of any length order as PEP 440 says, checked against pip's own `packaging.version`.
final class VersionOrderingTests: XCTestCase {
  static let versions = [
    "2.31.0", "2.32", "2.32.0", "2.18446744073709551647", "2.9223372036854775808", "2.9223372036854775807",
    "2.18446744073709551616", "2.0000000000000000000000031", "2.00032", "10.0", "9.99999999999999999999", "1.0rc1",
    "1.0rc18446744073709551617", "1.0rc2", "1.0.post1", "1.0.dev3", "1.0a1", "1.0b2", "1.0", "1.0.0.0",
    "3.0.99999999999999999999999999999999999999",
  ]

  func testOrderingMatchesPipsPackaging() throws {
    let script = """
      import sys
      from pip._vendor.packaging.version import Version
      vs = sys.argv[1:]
      for a in vs:
          print("".join("<" if Version(a) < Version(b) else "=" if Version(a) == Version(b) else ">" for b in vs))
      """
    guard let python = CachedFixture.realPython() else { throw XCTSkip("no python3 here") }
    let outcome = try ExternalTool.run([python, "-c", script] + Self.versions)
    guard outcome.status == 0 else { throw XCTSkip("pip's packaging is not importable here: \(outcome.output)") }
    let rows = outcome.output.split(separator: "\n").map(String.init)
    XCTAssertEqual(rows.count, Self.versions.count)
    for (i, a) in Self.versions.enumerated() {
      for (j, b) in Self.versions.enumerated() {
        let lhs = try XCTUnwrap(Version(a))
        let rhs = try XCTUnwrap(Version(b))
        let ours: Character = lhs < rhs ? "<" : lhs == rhs ? "=" : ">"
        XCTAssertEqual(ours, Array(rows[i])[j], "\(a) vs \(b)")
      }
    }
  }

  func testHugeMinorStillCrossesTheBoundary() throws {
    let old = try XCTUnwrap(Version("2.31.0"))
    let huge = try XCTUnwrap(Version("2.18446744073709551647"))
    XCTAssertTrue(Version.crosses(from: old, to: huge, boundary: Version(2, 32)))
    let wrapsNegative = try XCTUnwrap(Version("2.9223372036854775808"))
    XCTAssertFalse(Version.crosses(from: try XCTUnwrap(Version("2.32.0")), to: wrapsNegative, boundary: Version(2, 32)))
    XCTAssertEqual(Version("3.18446744073709551647")?.release.first, 3)
  }
}

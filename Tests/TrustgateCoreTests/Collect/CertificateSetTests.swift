import Foundation
import XCTest

@testable import TrustgateCore

/// `CertificateSet.distinct` is built once per set of fingerprints, and the memo never leaks into equality, hashing,
/// JSON or a changed copy.
final class CertificateSetTests: XCTestCase {
  func testDistinctFollowsEveryChange() {
    var set = CertificateSet(certificates: ["a", "b", "a"])
    XCTAssertEqual(set.distinct, ["a", "b"])
    XCTAssertEqual(set.duplicates, 1)
    let copy = set
    set.certificates.append("c")
    XCTAssertEqual(set.distinct, ["a", "b", "c"])
    XCTAssertEqual(set.duplicates, 1)
    XCTAssertEqual(copy.distinct, ["a", "b"], "the copy keeps its own fingerprints' set")
    set.certificates = ["d"]
    XCTAssertEqual(set.distinct, ["d"])
    XCTAssertEqual(set.duplicates, 0)
  }

  func testMemoIsNotPartOfTheValue() throws {
    let asked = CertificateSet(certificates: ["a", "b"], unparsable: 1)
    _ = asked.distinct
    let fresh = CertificateSet(certificates: ["a", "b"], unparsable: 1)
    XCTAssertEqual(asked, fresh)
    XCTAssertEqual(asked.hashValue, fresh.hashValue)
    XCTAssertNotEqual(asked, CertificateSet(certificates: ["a", "b"], unparsable: 2))
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let json = String(decoding: try encoder.encode(asked), as: UTF8.self)
    XCTAssertEqual(json, #"{"certificates":["a","b"],"expired":0,"notYetValid":0,"unparsable":1}"#)
    let decoded = try JSONDecoder().decode(CertificateSet.self, from: Data(json.utf8))
    XCTAssertEqual(decoded, asked)
    XCTAssertEqual(decoded.distinct, ["a", "b"])
  }
}

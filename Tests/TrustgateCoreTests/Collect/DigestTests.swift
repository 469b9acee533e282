import Foundation
import XCTest

@testable import TrustgateCore

/// trustgate's one SHA-256 (OpenSSL's, in `Native/Digest.swift`) against coreutils `sha256sum` run on the same bytes.
final class DigestTests: XCTestCase {
  func testDigestsMatchCoreutils() throws {
    let inputs = [
      "", "abc", String(repeating: "a", count: 55), String(repeating: "a", count: 56),
      String(repeating: "a", count: 64), String(repeating: "a", count: 1000),
      "TG101\u{1F}/etc/ssl/certs/ca-certificates.crt\u{1F}requirements.txt", "é≠🙂",
    ]
    for input in inputs {
      let outcome = try ExternalTool.run(["sha256sum"], input: input)
      XCTAssertEqual(outcome.status, 0, outcome.output)
      let expected = String(outcome.output.prefix(64))
      XCTAssertEqual(ContentDigest.hex(input), expected, "sha256sum of \(input.debugDescription)")
      XCTAssertEqual(ContentDigest.sha256(Array(input.utf8)).map { hex($0) }, expected)
    }
    // Known answers (FIPS 180-4 examples), in case sha256sum itself were odd.
    XCTAssertEqual(ContentDigest.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }
}

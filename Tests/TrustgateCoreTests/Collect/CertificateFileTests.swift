import Foundation
import XCTest

@testable import TrustgateCore

/// Expectations come from `pki/expected.tsv`, `pki/expected-files.tsv` and `certifi/*/sha256.txt`, all written by the
/// openssl CLI (scripts/fixtures/); line numbers are found in the fixture text by the test itself.
final class CertificateFileTests: XCTestCase {
  private func read(_ relative: String) throws -> CertificateFileReading {
    CertificateFile.read(Array(try Fixtures.data(relative)))
  }

  /// 1-based line numbers of every `-----BEGIN ` line in a fixture.
  private func beginLines(_ relative: String) throws -> [Int] {
    let lines = try Fixtures.text(relative).split(separator: "\n", omittingEmptySubsequences: false)
    return lines.enumerated().filter { $0.element.hasPrefix("-----BEGIN ") }.map { $0.offset + 1 }
  }

  func testEveryCertificateMatchesWhatOpenSSLPrinted() throws {
    let rows = try TSV.rows("pki/expected.tsv")
    XCTAssertGreaterThan(rows.count, 20)
    var readings: [String: CertificateFileReading] = [:]
    for row in rows {
      let file = row["file"]!
      let index = Int(row["index"]!)!
      if readings[file] == nil { readings[file] = try read("pki/" + file) }
      let entries = readings[file]!.entries
      guard index < entries.count else {
        XCTFail("\(file): no certificate #\(index) (read \(entries.count))")
        continue
      }
      let c = entries[index].certificate
      let what = "\(file)#\(index)"
      XCTAssertEqual(c.sha256, row["sha256"], what)
      XCTAssertEqual(c.sha1, row["sha1"], what)
      XCTAssertEqual(c.subjectHash, row["subject_hash"], what)
      XCTAssertEqual(c.notBefore, row["not_before"], what)
      XCTAssertEqual(c.notAfter, row["not_after"], what)
      XCTAssertEqual(c.isCA, row["is_ca"] == "true", what)
      XCTAssertEqual(c.hasKeyUsage, row["has_keyusage"] == "true", what)
      XCTAssertEqual(c.hasSubjectKeyIdentifier, row["has_ski"] == "true", what)
      XCTAssertEqual(c.hasAuthorityKeyIdentifier, row["has_aki"] == "true", what)
      XCTAssertEqual(c.serial, row["serial"], what)
      XCTAssertEqual(c.subject, row["subject"], what)
    }
  }

  func testParseableAndUnparsableCountsMatchExpectedFiles() throws {
    for row in try TSV.rows("pki/expected-files.tsv") {
      let file = row["file"]!
      let reading = try read("pki/" + file)
      XCTAssertEqual(reading.entries.count, Int(row["parseable_count"]!), "\(file) parseable")
      XCTAssertEqual(reading.unparsable, Int(row["unparsable_count"]!), "\(file) unparsable")
      if reading.unparsable > 0 { XCTAssertFalse(reading.issues.isEmpty, "\(file): unparsable entries need an issue") }
    }
  }

  func testBrokenMiddleBlockIsReportedAtItsBeginLineAndTheOthersStillCount() throws {
    let reading = try read("pki/bundle-broken-middle.pem")
    let begins = try beginLines("pki/bundle-broken-middle.pem")
    XCTAssertEqual(begins.count, 4)
    XCTAssertEqual(reading.entries.count, 3)
    XCTAssertEqual(reading.unparsable, 1)
    XCTAssertEqual(reading.issues.map(\.line), [begins[1]], "\(reading.issues)")
    // The other entries carry the line of their own BEGIN.
    XCTAssertEqual(reading.entries.map(\.line), [begins[0], begins[2], begins[3]])
  }

  func testTruncatedBundleKeepsTheCompleteCertificatesAndFlagsTheCutOne() throws {
    let reading = try read("pki/bundle-truncated.pem")
    let begins = try beginLines("pki/bundle-truncated.pem")
    XCTAssertEqual(begins.count, 3)
    XCTAssertEqual(reading.entries.count, 2)
    XCTAssertEqual(reading.issues.count, 1)
    XCTAssertEqual(reading.issues.first?.line, begins[2])
    XCTAssertTrue(reading.issues.first?.message.contains("truncated") ?? false, "\(reading.issues)")
  }

  func testEmptyGarbageAndNotACertificateGiveIssuesAndNoCertificates() throws {
    for file in ["empty.pem", "garbage.bin", "not-a-cert.pem"] {
      let reading = try read("pki/" + file)
      XCTAssertTrue(reading.entries.isEmpty, file)
      XCTAssertEqual(reading.issues.count, 1, "\(file): \(reading.issues)")
      XCTAssertFalse(reading.issues.first?.fix.isEmpty ?? true, file)
    }
    XCTAssertEqual(try read("pki/not-a-cert.pem").issues.first?.line, try beginLines("pki/not-a-cert.pem").first)
  }

  func testDERAndTrustedCertificateFormsFingerprintLikeTheirPEMTwins() throws {
    let der = try read("pki/root-rsa.der")
    let pem = try read("pki/root-rsa.pem")
    XCTAssertEqual(der.entries.map(\.certificate.sha256), pem.entries.map(\.certificate.sha256))
    XCTAssertEqual(der.entries.count, 1)
    let trusted = try read("pki/trusted-root-ec.pem")
    let plain = try read("pki/root-ec.pem")
    XCTAssertTrue(try Fixtures.text("pki/trusted-root-ec.pem").contains("-----BEGIN TRUSTED CERTIFICATE-----"))
    XCTAssertEqual(trusted.entries.count, 1)
    XCTAssertEqual(trusted.entries.map(\.certificate), plain.entries.map(\.certificate))
    // X509Parser directly on the DER bytes.
    let direct = try X509Parser.certificate(der: Array(try Fixtures.data("pki/root-rsa.der")))
    XCTAssertEqual(direct.sha256, pem.entries.first?.certificate.sha256)
  }

  func testCRLFLineEndingsReadLikeLF() throws {
    let text = try Fixtures.text("pki/bundle.pem")
    let crlf = text.replacingOccurrences(of: "\n", with: "\r\n")
    let lf = try read("pki/bundle.pem")
    let reading = CertificateFile.read(Array(crlf.utf8))
    XCTAssertEqual(reading.entries.map(\.certificate.sha256), lf.entries.map(\.certificate.sha256))
    XCTAssertEqual(reading.entries.map(\.line), lf.entries.map(\.line))
    XCTAssertTrue(reading.issues.isEmpty, "\(reading.issues)")
  }

  func testPrivateKeyBlockIsAnIssueButNotACertificate() throws {
    let pem = try Fixtures.text("pki/root-ec.pem")
    let text = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n" + pem
    let reading = CertificateFile.read(Array(text.utf8))
    XCTAssertEqual(reading.entries.count, 1)
    XCTAssertEqual(reading.entries.first?.line, 4)
    XCTAssertEqual(reading.unparsable, 0)
    XCTAssertEqual(reading.issues.map(\.line), [1])
    XCTAssertTrue(reading.issues.first?.fix.contains("private key") ?? false)
  }

  func testParserErrorCarriesOpenSSLMessages() {
    XCTAssertThrowsError(try X509Parser.certificate(der: [0x30, 0x03, 0x02, 0x01, 0x01])) { error in
      let message = (error as? OpenSSLError)?.messages ?? []
      XCTAssertFalse(message.isEmpty, "\(error)")
    }
    XCTAssertThrowsError(try X509Parser.certificate(der: []))
  }

  func testCertifiBundlesMatchTheirPublishedFingerprints() throws {
    let counts = try TSV.rows("certifi/expected.tsv")
    XCTAssertEqual(counts.count, 4)
    for row in counts {
      let version = row["version"]!
      let reading = try read("certifi/\(version)/cacert.pem")
      let expected = try Fixtures.text("certifi/\(version)/sha256.txt").split(separator: "\n").map(String.init)
      XCTAssertEqual(reading.entries.count, Int(row["cert_count"]!), version)
      XCTAssertEqual(reading.entries.map(\.certificate.sha256).sorted(), expected, version)
      XCTAssertEqual(reading.unparsable, 0, version)
      XCTAssertTrue(reading.issues.isEmpty, "\(version): \(reading.issues)")
    }
  }
}

/// The PEM body decoder: groups of four digits go through a fast path, everything else character by character.
final class Base64Tests: XCTestCase {
  /// The rule the decoder states, one character at a time (the fuzz target's oracle too).
  private func reference(_ input: [UInt8]) -> [UInt8]? { FuzzEntryPoints.base64ByCharacter(input) }

  func testRealBundleBodiesDecodeToTheirDERWhereverWhitespaceFalls() throws {
    let text = try String(contentsOfFile: "/etc/ssl/certs/ca-certificates.crt", encoding: .utf8)
    let bodies = text.components(separatedBy: "-----BEGIN CERTIFICATE-----").dropFirst().map {
      $0.components(separatedBy: "-----END CERTIFICATE-----")[0]
    }
    XCTAssertGreaterThan(bodies.count, 100)
    var generator = SystemRandomNumberGenerator()
    for body in bodies {
      let der = try XCTUnwrap(Data(base64Encoded: body.filter { !$0.isWhitespace }))
      XCTAssertEqual(Base64.decode(ArraySlice(Array(body.utf8))), Array(der))
      // Whitespace inserted anywhere, splitting groups of four.
      var spaced: [UInt8] = []
      for byte in body.utf8 {
        if Int.random(in: 0..<7, using: &generator) == 0 { spaced.append([0x20, 0x09, 0x0D, 0x0A].randomElement()!) }
        spaced.append(byte)
      }
      XCTAssertEqual(Base64.decode(ArraySlice(spaced)), Array(der))
    }
  }

  func testAgreesWithTheCharacterRuleOnRandomText() {
    let symbols = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    let odd: [UInt8] = [0x3D, 0x20, 0x0A, 0x0D, 0x09, 0x2D, 0x00, 0xFF, 0x2E, 0x5F]
    for round in 0..<20_000 {
      let length = Int.random(in: 0..<40)
      let input = (0..<length).map { _ in
        Int.random(in: 0..<10) == 0 ? odd.randomElement()! : symbols.randomElement()!
      }
      // Offset slices too: the decoder reads through the slice's own indices.
      let padded = [0x41, 0x41] + input
      XCTAssertEqual(Base64.decode(padded[2...]), reference(input), "round \(round): \(input)")
    }
    XCTAssertNil(Base64.decode(ArraySlice(Array("QUJD===".utf8))))
    XCTAssertNil(Base64.decode(ArraySlice(Array("QU=JD".utf8))))
    XCTAssertEqual(Base64.decode(ArraySlice(Array("QUJD\nRA==".utf8))), Array("ABCD".utf8))
    XCTAssertNil(Base64.decode(ArraySlice(Array("Q".utf8))))
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// Certificates are named by their common name with RFC 2253's escapes undone: a comma in the CN printed `Weird\`
/// in every output (the name was split at every comma, escaped or not).
final class CertificateNameTests: XCTestCase {
  func testEscapesInRFC2253NamesAreUndone() {
    XCTAssertEqual(DistinguishedName.displayName(#"CN=Weird\, Inc,O=Example"#), "Weird, Inc")
    XCTAssertEqual(DistinguishedName.displayName(#"O=Example,CN=Weird\, Inc"#), "Weird, Inc")
    XCTAssertEqual(
      DistinguishedName.displayName(#"CN=a\+b\"c\\d\<e\>f\;g\=h,O=x"#), #"a+b"c\d<e>f;g=h"#)
    // `\XX` is a byte: UTF-8 sequences and control characters (OpenSSL escapes those) come back as they were.
    XCTAssertEqual(DistinguishedName.displayName(#"CN=\E6\A0\B9 Root\1B[2J"#), "根 Root\u{1B}[2J")
    XCTAssertEqual(DistinguishedName.displayName(#"CN=\ padded\ ,O=x"#), " padded ")
    XCTAssertEqual(DistinguishedName.displayName("OU=Only Unit,O=Org"), "Only Unit")
    XCTAssertEqual(DistinguishedName.displayName("O=Org"), "O=Org")
    XCTAssertEqual(DistinguishedName.displayName("CN=First+CN=Second,O=x"), "First")
    let attributes = DistinguishedName.attributes(#"CN=Weird\, Inc,O=Example\2C Ltd"#)
    XCTAssertEqual(attributes.map(\.type), ["CN", "O"])
    XCTAssertEqual(attributes.map(\.value), ["Weird, Inc", "Example, Ltd"])
  }

  /// A certificate made by `openssl req -subj '/CN=Weird\, Inc'`: the parser keeps the RFC 2253 subject (as
  /// `openssl x509 -subject -nameopt RFC2253` prints it) and the display name is the CN.
  func testARealCertificateWithACommaInItsCommonName() throws {
    let (scenario, root, _) = try ReportLocationTests.scenario(commonName: #"Weird\, Inc"#)
    let pem = root + "/usr/local/share/ca-certificates/local.crt"
    let printed = try ExternalTool.run(["openssl", "x509", "-in", pem, "-noout", "-subject", "-nameopt", "RFC2253"])
    let expected = printed.output.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(
      of: "subject=", with: "")
    XCTAssertEqual(expected, #"O=Example,CN=Weird\, Inc"#)
    let der = try ExternalTool.run(["openssl", "x509", "-in", pem, "-outform", "DER", "-out", pem + ".der"])
    XCTAssertEqual(der.status, 0, der.output)
    let certificate = try X509Parser.certificate(der: Array(try Data(contentsOf: URL(fileURLWithPath: pem + ".der"))))
    XCTAssertEqual(certificate.subject, expected)
    XCTAssertEqual(certificate.displayName, "Weird, Inc")

    // Through every output of `check`: TG104 names the CA by its whole common name.
    let github = try CLI.run(
      ["check", "--repo", scenario.repo, "--root", root, "--annotations", "github"] + scenario.reports.arguments,
      in: scenario.sandbox.root)
    XCTAssertEqual(github.status, 1, github.all)
    let outputs = [("stdout", github.stdout)] + (try scenario.reports.paths.map { ($0, try textFile($0)) })
    for (name, text) in outputs {
      XCTAssertTrue(text.contains("Weird, Inc"), "\(name) lacks the CN:\n\(text)")
      XCTAssertFalse(text.contains(#"Weird\ "#) || text.contains(#"Weird\\ "#), "\(name) cuts the CN:\n\(text)")
    }
  }
}

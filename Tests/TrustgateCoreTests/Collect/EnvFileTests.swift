import XCTest

@testable import TrustgateCore

final class EnvFileTests: XCTestCase {
  func testCommentsExportQuotesAndBareNames() throws {
    let text = """
      # proxy for the build
      export HTTPS_PROXY=http://proxy.example:3128

      SSL_CERT_FILE="/etc/ssl/certs/ca-certificates.crt"
      NODE_EXTRA_CA_CERTS='/usr/local/share/ca-certificates/corp.crt'
      EMPTY=
      PASSTHROUGH
        INDENTED=yes  
      EQUALS=a=b
      """
    let env = try EnvFile.parse(text, path: "ci.env")
    XCTAssertEqual(
      env,
      [
        "HTTPS_PROXY": "http://proxy.example:3128", "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
        "NODE_EXTRA_CA_CERTS": "/usr/local/share/ca-certificates/corp.crt", "EMPTY": "", "INDENTED": "yes",
        "EQUALS": "a=b",
      ])
  }

  func testErrorsNameTheFileAndLine() {
    let cases: [(String, Int)] = [
      ("A=1\n\n# c\nnot valid line\n", 4),
      ("A=1\nMY-VAR=1\n", 2),
      ("=value\n", 1),
    ]
    for (text, line) in cases {
      XCTAssertThrowsError(try EnvFile.parse(text, path: "ci.env"), text) { error in
        guard let error = error as? EnvFile.ParseError else { return XCTFail("\(error)") }
        XCTAssertEqual(error.line, line, text)
        XCTAssertTrue(error.description.hasPrefix("ci.env:\(line): "), error.description)
      }
    }
  }

  func testWindowsLineEndingsSplitLikeUnixOnes() throws {
    let env = try EnvFile.parse("A=1\r\nB=\"two\"\r\n\r\nC=3\r\n", path: "ci.env")
    XCTAssertEqual(env, ["A": "1", "B": "two", "C": "3"])
    XCTAssertThrowsError(try EnvFile.parse("A=1\r\n\r\nbad line\r\n", path: "ci.env")) { error in
      XCTAssertEqual((error as? EnvFile.ParseError)?.line, 3)
    }
  }

  /// A NUL in a value (or anywhere on a line) is refused at its line; the line itself is not echoed.
  func testNULIsRefusedAtItsLine() {
    for (text, line) in [("A=1\nB=/etc/ssl/ca.pem\u{0}/tmp/x\n", 2), ("\u{0}\n", 1), ("# c\n\nK\u{0}=v\n", 3)] {
      XCTAssertThrowsError(try EnvFile.parse(text, path: "ci.env"), text) { error in
        guard let error = error as? EnvFile.ParseError else { return XCTFail("\(error)") }
        XCTAssertEqual(error.line, line, text)
        XCTAssertEqual(
          error.description,
          "ci.env:\(line): holds a NUL byte, which no environment variable can contain; remove it (is this a binary file?)")
      }
    }
  }
}

import Foundation
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

  /// As Docker's `--env-file` reader: a UTF-8 byte-order mark on the first line is dropped (a Windows editor's file
  /// sets its first variable), and a line that is not UTF-8 is refused at its number, not read with U+FFFD in a path.
  /// The files are written by Python's codecs.
  func testByteOrderMarkIsDroppedAndInvalidUTF8IsRefusedAtItsLine() throws {
    let scratch = try TemporaryDirectory()
    let script = """
      import sys
      out = sys.argv[1]
      open(out + "/mark.env", "wb").write("SSL_CERT_FILE=/etc/ssl/ca.pem\\r\\nB=2\\r\\n".encode("utf-8-sig"))
      text = "A=1\\n# caf\\u00e9\\nREQUESTS_CA_BUNDLE=/opt/caf\\u00e9/ca.pem\\n"
      open(out + "/latin1.env", "wb").write(text.encode("latin-1"))
      open(out + "/utf16.env", "wb").write("A=1\\n".encode("utf-16"))
      """
    let python = try XCTUnwrap(CachedFixture.realPython(), "no python3 here")
    let run = try ExternalTool.run([python, "-c", script, scratch.path])
    XCTAssertEqual(run.status, 0, run.output)
    func bytes(_ name: String) throws -> [UInt8] {
      [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/" + name)))
    }
    let marked = try EnvFile.parseWithLines(bytes: try bytes("mark.env"), path: "mark.env")
    XCTAssertEqual(marked["SSL_CERT_FILE"]?.value, "/etc/ssl/ca.pem")
    XCTAssertEqual(marked["SSL_CERT_FILE"]?.line, 1)
    XCTAssertEqual(marked["B"]?.value, "2")
    XCTAssertThrowsError(try EnvFile.parseWithLines(bytes: try bytes("latin1.env"), path: "latin1.env")) { error in
      // The comment on line 2 is the first line that is not UTF-8 (Docker refuses it there too).
      XCTAssertEqual(
        (error as? EnvFile.ParseError)?.description,
        "latin1.env:2: is not valid UTF-8 (Docker's --env-file refuses it too); save the file as UTF-8")
    }
    XCTAssertThrowsError(try EnvFile.parseWithLines(bytes: try bytes("utf16.env"), path: "utf16.env")) { error in
      let description = (error as? EnvFile.ParseError)?.description ?? "\(error)"
      XCTAssertTrue(description.contains("utf16.env:1: holds a NUL byte"), description)
    }
  }
}

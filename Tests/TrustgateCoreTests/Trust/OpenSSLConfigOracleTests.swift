import Foundation
import XCTest

@testable import TrustgateCore

/// `OpenSSLConfigText` against OpenSSL's own configuration reader (`NCONF_load_bio`, `NCONF_get_string` of the
/// libcrypto trustgate links): on generated files of every syntax rule (comments, quotes and escapes, continued lines,
/// sections with spaces, `section::name`, variables of every form, `.include` and `.pragma`, lines OpenSSL refuses,
/// NUL bytes, a byte order mark, CR LF), whether the file loads, and every value looked up, must be OpenSSL's.
final class OpenSSLConfigOracleTests: XCTestCase {
  static let fragments = [
    "[ a ]", "[b]", "[ a b ]", "[c", "[ ${v} ]", "[$v]", "[ ENV ]", "k = v", "k=v # comment", "k = \"q # x\"",
    "k = 'a\\'b'", "k = `x y`", "k = a\\nb\\tc", "v = 1", "v = two words  ", "x = $v", "x = ${v}y", "x = $(v)",
    "x = $a::v", "x = ${a::v}", "x = $ENV::HOME", "x = $nope", "x = ${v", "x = $", "a::k = cross", "b::v = 3",
    "k = line\\", "  continued", "k = a\\\\", "# comment", "", "   ", "k", "= v", "k$ = 1", "k\\ x = 1",
    "ké = 1", "k = é", "k = v\t ", "k = a\u{0}b", ".pragma dollarid:true", ".pragma = dollarid:off",
    ".pragma abspath:on", ".pragma bad", ".pragma dollarid:maybe", ".pragmax = 1", "k$x = $v", "x = $v$v",
    ".include = INCLUDE", ".include INCLUDE", ".include /nonexistent/file.cnf", ".includex = 1", "k = \"a\"\"b\"",
    "x = ${ENV::HOME}", "v = $k", "k = \\", "[ a::b ]", "x=$(a::v)", "\u{0}[ a ]", "\u{0}", "k = a\\\u{0}",
  ]
  static let probes: [(section: String, name: String)] = [
    ("default", "k"), ("default", "v"), ("default", "x"), ("a", "k"), ("a", "v"), ("a", "x"), ("b", "k"),
    ("b", "v"), ("b", "x"), ("a b", "k"), ("a b", "x"), ("c", "k"), ("1", "k"), ("default", "k$"),
    ("default", "k\\ x"), ("default", ""), ("default", "k$x"), ("ENV", "k"), ("default", "inc"), ("a", "inc"),
  ]

  /// What OpenSSL's reader makes of `text`: nil when it refuses it, else the value of each probe.
  func openssl(_ text: [UInt8]) -> [String?]? { OpenSSLConfigReader.values(text, of: Self.probes) }

  func ours(_ text: [UInt8]) -> [String?]? {
    let environment = ProcessInfo.processInfo.environment
    let include: OpenSSLConfigText.Includer = { path in
      (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [(path, Array($0))] }
    }
    guard case .success(let parsed) = OpenSSLConfigText.parse(text, file: "t.cnf", environment: environment,
      include: include)
    else { return nil }
    return Self.probes.map { probe in
      parsed.value(probe.name, in: probe.section)?.text
        ?? (probe.section == "ENV" ? environment[probe.name] : nil)
    }
  }

  func testOpenSSLConfigTextReadsWhatOpenSSLReads() throws {
    let scratch = try TemporaryDirectory()
    try scratch.write("inc.cnf", "inc = included\n[ a ]\ninc = in a\nk = from the include\n")
    let include = scratch.path + "/inc.cnf"
    var random = ConfigTextOracleTests.Seeded(state: 3030)
    var loaded = 0
    var refused = 0
    for index in 0..<600 {
      var lines: [String] = []
      for _ in 0..<Int.random(in: 1...8, using: &random) {
        var line = Self.fragments.randomElement(using: &random)!.replacing("INCLUDE", with: include)
        // Now and then longer than one read of OpenSSL's (510 bytes), a NUL or a quote somewhere in it.
        if index % 9 == 0 {
          let filler = String(repeating: ["a", "'", "\u{0}a", "# "].randomElement(using: &random)!, count: 300)
          line += " " + filler + String(repeating: "b", count: Int.random(in: 100...400, using: &random))
        }
        lines.append(line)
      }
      let ending = index % 5 == 0 ? "\r\n" : "\n"
      var text = Array(lines.joined(separator: ending).utf8)
      if index % 7 == 0 { text += Array(ending.utf8) }
      if index % 11 == 0 { text = [0xEF, 0xBB, 0xBF] + text }
      let real = openssl(text)
      let mine = ours(text)
      XCTAssertEqual(mine == nil, real == nil, "loads? case \(index):\n\(String(decoding: text, as: UTF8.self))")
      if let real, let mine {
        for (probe, (a, b)) in zip(Self.probes, zip(mine, real)) where a != b {
          XCTFail("case \(index) \(probe): ours \(a ?? "nil"), OpenSSL's \(b ?? "nil"):\n"
            + String(decoding: text, as: UTF8.self))
        }
        loaded += 1
      } else if real == nil {
        refused += 1
      }
    }
    // Both kinds of file were met.
    XCTAssertGreaterThan(loaded, 100)
    XCTAssertGreaterThan(refused, 50)
  }

  func testSecurityLevelIsTheLastSECLEVELOfSystemDefault() {
    let file = """
      openssl_conf = init
      [init]
      ssl_conf = ssl
      [ssl]
      system_default = defaults
      [defaults]
      CipherString = DEFAULT:@SECLEVEL=1
      cipherstring = ALL,@SECLEVEL=3 @STRENGTH
      CipherString = DEFAULT:@SECLEVEL=9:@SECLEVEL=22

      """
    guard case .success(let parsed) = OpenSSLConfigText.parse(Array(file.utf8), file: "f") else {
      return XCTFail("the file loads")
    }
    // The last line names no level OpenSSL takes (one digit, 0 to 5); the one before sets 3, in any case of the name.
    XCTAssertEqual(OpenSSLConfigText.securityLevel(parsed)?.level, 3)
    XCTAssertEqual(OpenSSLConfigText.securityLevel(parsed)?.at.line, 8)
    let strings: [(String, Int?)] = [
      ("@SECLEVEL=2", 2), ("DEFAULT@SECLEVEL=1", 1), ("a;@SECLEVEL=0", 0), ("@SECLEVEL=", nil), ("@SECLEVEL=6", nil),
      ("@SECLEVEL=1_", 1), ("@SECLEVEL=1.", nil),
    ]
    for (text, level) in strings {
      XCTAssertEqual(OpenSSLConfigText.level(inCipherString: text), level, text)
    }
  }
}

import TOMLKit
import XCTest

@testable import TrustgateCore

/// `TOMLFastCheck` lets big lockfiles skip TOMLKit: it must vouch for what lock tools write and for nothing invalid.
final class TOMLFastCheckTests: XCTestCase {
  func testVouchesForTheLockfileFixtures() throws {
    for name in ["new/uv/uv.lock", "old/uv/uv.lock", "new/poetry/poetry.lock", "old/poetry/poetry.lock", "new/pdm/pdm.lock"] {
      XCTAssertTrue(TOMLFastCheck.isCertainlyValid(try Fixtures.text("lockfiles/" + name)), name)
    }
  }

  func testAcceptsTheSubset() {
    let valid = [
      "", "\n\n# only a comment\r\n", "a = 1\nb = -0\nc = +1_000\nd = true\ne = false # done",
      "a = \"x\\u00e9\\U0001F600\\t\\\"\"\nb = 'lit \\ eral'\nc = \"\"\nk-1_B = []",
      "a = [\n  1, # one\n  [2, 'x'],\n  { y = 1, z = { w = [] } },\n]\n",
      "[a.b]\nx = 1\n[a]\ny = 2\n[\"q k\".'r']\n",
      "[[p]]\nname = \"a\"\n[p.deps]\nx = 1\n[[p]]\nname = \"b\"\n[p.deps]\nx = 2\n[[p.wheels]]\n[[p.wheels]]\n",
    ]
    for text in valid {
      XCTAssertTrue(TOMLFastCheck.isCertainlyValid(text), text)
      XCTAssertNoThrow(try TOMLTable(string: text), text)
    }
  }

  func testRefusesInvalidDocumentsAndWhatItDoesNotCover() {
    let refused = [
      // Invalid TOML.
      "a = 1\na = 2", "[a]\n[a]", "[a]\nb = 1\n[a.b]", "[a.b]\n[a]\nb = 1", "a = []\n[[a]]", "[a]\n[[a]]",
      "[[a]]\n[a]", "a = { b = 1, b = 2 }", "a = { b = 1, }", "a = {\nb = 1 }", "a = 01", "a = 1__0", "a = 1_",
      "a = \"x", "a = 'x\ny'", "a = \"\\q\"", "a = \"\\uD800\"", "a = \"\u{1}\"", "a = 1 b = 2", "[[[x]]", "[ [x]]",
      "[x]]", "a = [1 2]", "a = [1,,2]", "a =", "= 1", "a = 1\rb = 2", "# \u{7f}", "a = truex", "a = 12345678901234567890",
      // Valid, but left to TOMLKit.
      "a.b = 1", "a = 1.5", "a = 1979-05-27", "a = 0x1F", "a = \"\"\"x\"\"\"", "\u{FEFF}a = 1", "\"a\\u0062\" = 1",
    ]
    for text in refused { XCTAssertFalse(TOMLFastCheck.isCertainlyValid(text), text) }
  }

  func testBrokenBigLockStillNamesItsLine() {
    var text = ""
    for index in 0..<300 { text += "[[package]]\nname = \"p\(index)\"\nversion = \"1.0\"\n\n" }
    text += "[[package]]\nname = \"broken\nversion = \"1.0\"\n"
    let reading = UvLockReader.read(text)
    XCTAssertEqual(reading.pins.count, 300)
    XCTAssertEqual(reading.issues.map(\.line), [1202])
  }
}

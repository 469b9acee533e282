import XCTest

@testable import TrustgateCore

/// The one sanitiser every text sink uses: what a hostile value becomes.
final class InertTextTests: XCTestCase {
  func testControlAndInvisibleCharactersBecomeVisibleEscapes() {
    let value = "a\u{1B}]0;title\u{07}b\u{1B}[2Jc\u{9B}31md\ne\r\tf\u{7F}g\u{202E}h\u{200B}i\u{2028}j\u{FE0F}k\u{AD}l"
    let line: InertText = "value: \(value)"
    XCTAssertEqual(
      line.description,
      #"value: a\x1b]0;title\x07b\x1b[2Jc\u{9b}31md\ne\r\tf\x7fg\u{202e}h\u{200b}i\u{2028}j\u{fe0f}k\u{ad}l"#)
    // Literal parts are escaped too: nothing but `styled` writes an escape sequence.
    XCTAssertEqual(("\u{1B}[31m" as InertText).description, #"\x1b[31m"#)
    // Printable text, non-ASCII letters and emoji without joiners are left alone.
    XCTAssertEqual(InertText("Ünïcødé 根 — 100% ✓").description, "Ünïcødé 根 — 100% ✓")
  }

  func testWorkflowCommandAtTheStartOfALineIsBrokenAfterAnyBlanks() {
    // The GitHub runner trims leading whitespace (.NET's Char.IsWhiteSpace), then looks for `::`.
    for blank in ["", " ", "    ", "\u{A0}", "\u{3000}", "\u{2003} "] {
      let line: InertText = "\(blank + "::error title=X::owned")"
      XCTAssertEqual(line.description, blank + #"\::error title=X::owned"#, "blank \(Array(blank.unicodeScalars))")
    }
    // Literal parts count too: two values may join into a command.
    let joined: InertText = "\(":")\(":warning::x")"
    XCTAssertEqual(joined.description, #"\::warning::x"#)
    // `::` later in a line is no command.
    XCTAssertEqual(InertText("a ::error::b").description, "a ::error::b")
  }

  func testRunnerMarkersAnywhereInALineAreBroken() {
    XCTAssertEqual(
      InertText("x==1]##vso[task.setvariable variable=X]yes").description,
      ##"x==1]#\#vso[task.setvariable variable=X]yes"##)
    XCTAssertEqual(
      InertText("a ##VsO[task.complete result=Failed;]").description, ##"a #\#VsO[task.complete result=Failed;]"##)
    XCTAssertEqual(InertText("##[error]legacy").description, ##"#\#[error]legacy"##)
    XCTAssertEqual(InertText("###[group]").description, ##"##\#[group]"##)
    XCTAssertEqual(InertText("## [not a command] #vso[ #").description, "## [not a command] #vso[ #")
    // Split across two values, still one marker when written.
    let joined: InertText = "\("#")\("#vso[task.setsecret]x")"
    XCTAssertEqual(joined.description, ##"#\#vso[task.setsecret]x"##)
    for hostile in ["::error::x", "##[error]x", "##vso[task.x]y", " \u{3000}::x::y", "a#\u{200B}#[b"] {
      let written = InertText(hostile).description
      XCTAssertFalse(written.drop { $0.isWhitespace }.hasPrefix("::"), written)
      XCTAssertFalse(written.contains("##[") || written.lowercased().contains("##vso["), written)
    }
  }

  func testValuesAreCutAtTwoHundredCharactersAndPathsInTheMiddle() {
    let long = String(repeating: "7", count: 10_000_000)
    let line: InertText = "version \(long)"
    XCTAssertEqual(line.description.count, "version ".count + InertText.valueLimit)
    XCTAssertTrue(line.description.hasSuffix("7…"))
    let path = "/" + String(repeating: "deep/", count: 100) + "cacert.pem"
    let cut = InertText.path(path).description
    XCTAssertEqual(cut.count, InertText.valueLimit)
    XCTAssertTrue(cut.hasPrefix("/deep/deep/"))
    XCTAssertTrue(cut.hasSuffix("/deep/cacert.pem"))
    XCTAssertTrue(cut.contains("…"))
    XCTAssertEqual(InertText("short").description, "short")
    // One character holding a million combining marks is cut by scalars, not kept whole as one character.
    let zalgo = "a" + String(repeating: "\u{301}", count: 1_000_000)
    XCTAssertLessThanOrEqual(InertText(zalgo).description.unicodeScalars.count, InertText.valueLimit)
    XCTAssertEqual("x".capped(), "x")
    XCTAssertEqual(long.capped(10), "777777777…")
  }

  func testBlockKeepsLinesAndMakesEachInert() {
    let text = "Error: Unknown option '--\u{1B}]0;x\u{07}'\nUsage: trustgate check\n  ::error::x\n"
    XCTAssertEqual(
      InertText.block(text),
      "Error: Unknown option '--\\x1b]0;x\\x07'\nUsage: trustgate check\n  \\::error::x\n")
  }

  func testStyledTextIsTheOnlyEscapeSequence() {
    let painted = InertText.styled("FAIL \("\u{1B}[0m")", .red)
    XCTAssertEqual(painted.description, "\u{1B}[31mFAIL \\x1b[0m\u{1B}[0m")
  }
}

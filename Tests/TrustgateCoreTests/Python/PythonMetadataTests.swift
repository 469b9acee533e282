import XCTest

@testable import TrustgateCore

final class PythonMetadataTests: XCTestCase {
  func testOnlyTheHeaderBeforeTheFirstBlankLineIsRead() {
    let metadata = CoreMetadata(Array("Name: a\nSummary: x\n\nName: b\nVersion: 9\n".utf8))
    XCTAssertEqual(metadata.name, "a")
    XCTAssertNil(metadata.version)
  }

  func testFoldedLinesAndOddSpacingDoNotConfuseNameAndVersion() {
    let metadata = CoreMetadata(Array("\u{FEFF}Name:   Foo.Bar_baz  \nKeywords: a,\n  Version: 0\nversion:1.0\n".utf8))
    XCTAssertEqual(metadata.name, "Foo.Bar_baz")
    XCTAssertEqual(metadata.version, "1.0")
    XCTAssertFalse(metadata.invalidUTF8)
    XCTAssertEqual(normalizePackageName(metadata.name ?? ""), "foo-bar-baz")
  }

  /// PEP 503: ASCII letters lowercased, each run of `-`, `_`, `.` one `-`; separators at either end dropped, other
  /// characters kept as they are.
  func testNamesNormaliseByRunsOfSeparatorsAndASCIICase() {
    let cases = [
      "Foo.Bar_baz": "foo-bar-baz", "oauth_google-plugin": "oauth-google-plugin", "A__B..C--D": "a-b-c-d",
      "_lead.trail_": "lead-trail", "already-normal": "already-normal", "Café_Ünïcode": "café-Ünïcode",
      "x": "x", "X": "x", "--": "", "ZOPE.Interface": "zope-interface",
    ]
    for (name, normal) in cases { XCTAssertEqual(normalizePackageName(name), normal, name) }
    XCTAssertEqual(normalizePackageName("Foo_Bar"[...]), "foo-bar")
  }

  func testOnlyTheHeaderDecidesWhetherTheMetadataIsUTF8() {
    let latin1 = CoreMetadata([Array("Name: a\nAuthor: Jos".utf8), [0xE9], Array("\nVersion: 1\n".utf8)].flatMap { $0 })
    XCTAssertTrue(latin1.invalidUTF8)
    XCTAssertEqual(latin1.version, "1")
    XCTAssertFalse(CoreMetadata(Array("Name: a\nAuthor: José\nVersion: 1\n".utf8)).invalidUTF8)
    // After the blank line (CRLF here) comes the description: its bytes are not the header's.
    let body = CoreMetadata([Array("Name: a\r\nVersion: 2\r\n\r\nJos".utf8), [0xE9]].flatMap { $0 })
    XCTAssertFalse(body.invalidUTF8)
    XCTAssertEqual(body.version, "2")
  }

  func testVenvConfigVersionFormsOfVenvVirtualenvAndUv() {
    XCTAssertEqual(VenvConfig(Array("version = 3.11.7\n".utf8)).pythonVersion, "3.11.7")
    XCTAssertEqual(VenvConfig(Array("version_info = 3.12.1.final.0\n".utf8)).pythonVersion, "3.12.1")
    XCTAssertEqual(
      VenvConfig(Array("home = /usr/bin\r\ninclude-system-site-packages = True\r\n".utf8)).includesSystemSitePackages,
      true)
  }

  func testLibraryFolderNamesGiveVersions() {
    XCTAssertEqual(PythonCollector.libraryVersion("python3.13t"), "3.13")
    XCTAssertEqual(PythonCollector.libraryVersion("python3.11"), "3.11")
    XCTAssertNil(PythonCollector.libraryVersion("python3"))
    XCTAssertNil(PythonCollector.libraryVersion("python3.11-config"))
  }
}

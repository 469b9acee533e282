import XCTest

@testable import TrustgateCore

/// The tar reader on samples written by Python's tarfile (`scripts/fixtures/make-tar-samples.py`).
final class ImageTarReaderTests: XCTestCase {
  func reader(_ relative: String) throws -> TarReader {
    TarReader(source: FileRegion(file: try OpenFile(path: Fixtures.path(relative))))
  }

  func testGNULongNamesAndLinksAreRead() throws {
    let tar = try reader("images/gnu-longname.tar")
    var entries: [TarEntry] = []
    while let entry = try tar.next() { entries.append(entry) }
    let longPath = "usr/lib/python3/site-packages/" + String(repeating: "deep/", count: 20) + "certifi/cacert.pem"
    XCTAssertEqual(entries.map(\.path), ["etc/ssl/", longPath, "etc/ssl/long-link", "etc/ssl/hard.pem"])
    XCTAssertEqual(entries.map(\.kind), [.directory, .file, .symlink, .hardlink])
    XCTAssertEqual(entries[1].size, 18)
    XCTAssertEqual(entries[2].linkTarget, "/" + longPath)
    XCTAssertEqual(entries[3].linkTarget, longPath)
  }

  func testHardLinkCopiesTheTargetsBytes() throws {
    var merged = ImageFileSystem(image: "sample")
    let layer = LayerInfo(index: 0, digest: "sha256:x", diffID: nil, createdBy: nil)
    try merged.apply(try reader("images/gnu-longname.tar"), layer: layer, wanted: ContainerImage.isTrustRelevant)
    XCTAssertEqual(String(decoding: try merged.files.read("/etc/ssl/hard.pem"), as: UTF8.self), "long name content\n")
    XCTAssertEqual(String(decoding: try merged.files.read("/etc/ssl/long-link"), as: UTF8.self), "long name content\n")
    XCTAssertEqual(merged.warnings, [])
  }

  func testBadHeaderChecksumIsATypedError() throws {
    let tar = try reader("images/bad-checksum.tar")
    XCTAssertThrowsError(try tar.next()) { error in
      XCTAssertEqual(error as? TarError, .badChecksum(offset: 0))
    }
  }

  func testPaxRecordLengthShorterThanItsDigitsOrHugeIsMalformed() {
    // Found by review while fuzzing (FUZZ_TARGET=tar): `01 x=y` made a backwards range, a huge length overflowed.
    for records in ["01 x=y\n", "+1 x=y\n", "7 a=bc\n9223372036854775807 x=y\n"] {
      XCTAssertThrowsError(try TarReader.paxRecords(Array(records.utf8), headerOffset: 0), records) { error in
        XCTAssertEqual(error as? TarError, .malformed(offset: 0, reason: "a broken pax record"))
      }
    }
    XCTAssertEqual(try TarReader.paxRecords(Array("10 path=a\n".utf8), headerOffset: 0), ["path": "a"])
  }

  func testMemberPathsAreNormalisedInsideTheRoot() {
    XCTAssertEqual(ImageFileSystem.normalise("./etc//ssl/./certs/"), "/etc/ssl/certs")
    XCTAssertEqual(ImageFileSystem.normalise("/etc/ssl"), "/etc/ssl")
    XCTAssertEqual(ImageFileSystem.normalise("etc/../etc/ssl"), "/etc/ssl")
    XCTAssertNil(ImageFileSystem.normalise("../../etc/passwd"))
    XCTAssertNil(ImageFileSystem.normalise("etc/../../x"))
  }

  func testDigestMatchesAKnownValue() {
    // sha256("abc") from FIPS 180-2, appendix B.1.
    XCTAssertEqual(
      SHA256Digest.of(Array("abc".utf8)), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }
}

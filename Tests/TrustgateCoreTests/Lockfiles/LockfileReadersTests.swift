import XCTest

@testable import TrustgateCore

final class LockfileReadersTests: XCTestCase {
  func testEachFileNameFindsItsReader() {
    let cases: [(String, LockfileFormat?)] = [
      ("requirements.txt", .requirements), ("app/requirements-dev.txt", .requirements),
      ("constraints.txt", .requirements), ("requirements/base.txt", .requirements),
      ("dev-requirements.txt", .requirements), ("requirements.in", nil), ("docs/notes.txt", nil),
      ("poetry.lock", .poetry), ("sub/uv.lock", .uv), ("Pipfile.lock", .pipfile), ("pdm.lock", .pdm),
      ("pylock.toml", .pylock), ("pylock.dev.toml", .pylock), ("pylock..toml", nil), ("pylock.a.b.toml", nil),
      ("pyproject.toml", .pyproject), ("Pipfile", nil), ("uv.lock.bak", nil),
    ]
    for (path, format) in cases {
      XCTAssertEqual(LockfileReaders.reader(for: path)?.format, format, path)
    }
  }

  func testEveryFormatHasExactlyOneReader() {
    XCTAssertEqual(Set(LockfileReaders.all.map { $0.format }), Set(LockfileFormat.allCases))
    XCTAssertEqual(LockfileReaders.all.count, LockfileFormat.allCases.count)
    for format in LockfileFormat.allCases {
      XCTAssertEqual(LockfileReaders.reader(for: format).format, format)
    }
  }

  func testEmptyFilesHaveNoPinsAndNoIssues() {
    for reader in LockfileReaders.all where reader.format != .pipfile {
      XCTAssertEqual(reader.read(""), LockfileReading(), "\(reader.format)")
    }
  }
}

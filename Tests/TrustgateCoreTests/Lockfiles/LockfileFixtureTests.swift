import XCTest

@testable import TrustgateCore

/// Every reader on every lockfile the real tools wrote, against values computed by
/// `scripts/fixtures/expected-lockfiles.py` (tomllib/json, not trustgate).
final class LockfileFixtureTests: XCTestCase {
  private struct Row: Hashable, CustomStringConvertible {
    var name: String
    var version: String?
    var specifier: String?
    var line: Int
    var description: String { "\(name) \(version ?? "-") \(specifier ?? "-") @\(line)" }
  }

  private static let targets: Set<String> = ["httpx", "requests", "urllib3", "certifi", "httpcore"]

  private func table(_ name: String) throws -> [[String]] {
    try Fixtures.text("lockfiles/\(name)").split(separator: "\n").dropFirst()
      .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
  }

  private func reading(_ file: String) throws -> LockfileReading {
    let reader = try XCTUnwrap(LockfileReaders.reader(for: file), "no reader wants \(file)")
    return reader.read(try Fixtures.text("lockfiles/\(file)"))
  }

  func testEveryRealLockfilePinsTheExpectedVersionsAtTheirLines() throws {
    var expected: [String: Set<Row>] = [:]
    for row in try table("expected.tsv") {
      let pin = Row(
        name: row[1], version: row[2].isEmpty ? nil : row[2], specifier: row[3].isEmpty ? nil : row[3],
        line: try XCTUnwrap(Int(row[4])))
      expected[row[0], default: []].insert(pin)
    }
    let counts = try table("counts.tsv")
    XCTAssertEqual(counts.count, 20, "both sets, every tool")
    for row in counts {
      let file = row[0]
      let reading = try reading(file)
      XCTAssertEqual(reading.issues, [], file)
      XCTAssertEqual(reading.pins.count, Int(row[1]), "pin count of \(file)")
      let found = Set(
        reading.pins.filter { Self.targets.contains($0.name) }
          .map { Row(name: $0.name, version: $0.version, specifier: $0.specifier, line: $0.line) })
      XCTAssertEqual(found, expected[file] ?? [], file)
    }
  }

  func testUvLockPinsCarryTheirLine() throws {
    let text = try Fixtures.text("lockfiles/new/uv/uv.lock")
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    for pin in UvLockReader.read(text).pins {
      XCTAssertTrue(lines[pin.line - 1].hasPrefix("name = \""), "\(pin.name) at \(pin.line)")
    }
  }

  func testTheHttpxUpgradeIsVisibleInEveryFormat() throws {
    for tool in ["uv/uv.lock", "uv/requirements.txt", "uv/pylock.toml", "poetry/poetry.lock", "pdm/pdm.lock",
      "pipenv/Pipfile.lock", "pip-compile/requirements.txt", "pip-compile/requirements-hashes.txt"]
    {
      let old = try reading("old/\(tool)").pins.first { $0.name == "httpx" }?.version
      let new = try reading("new/\(tool)").pins.first { $0.name == "httpx" }?.version
      XCTAssertEqual(old, "0.27.2", tool)
      XCTAssertEqual(new, "0.28.1", tool)
    }
  }

  func testPipfileLockGroupsAreDefaultAndDevelop() throws {
    let pins = try reading("old/pipenv/Pipfile.lock").pins
    XCTAssertEqual(pins.first { $0.name == "httpx" }?.group, "default")
    XCTAssertEqual(pins.first { $0.name == "iniconfig" }?.group, "develop")
    XCTAssertEqual(pins.first { $0.name == "iniconfig" }?.version, "2.0.0")
  }

  func testPoetryAndPdmLocksCarryTheirGroups() throws {
    let poetry = try reading("new/poetry/poetry.lock").pins
    XCTAssertEqual(poetry.first { $0.name == "httpx" }?.group, "main")
    XCTAssertEqual(poetry.first { $0.name == "iniconfig" }?.group, "dev")
    let pdm = try reading("new/pdm/pdm.lock").pins
    XCTAssertEqual(pdm.first { $0.name == "httpx" }?.group, "default")
    XCTAssertEqual(pdm.first { $0.name == "iniconfig" }?.group, "dev")
  }

  func testPyprojectDeclarationsCarryGroups() throws {
    let pep621 = try reading("old/pyproject.toml").pins
    XCTAssertEqual(pep621.first { $0.name == "urllib3" }?.specifier, "<2")
    XCTAssertEqual(pep621.first { $0.name == "urllib3" }?.group, nil)
    XCTAssertEqual(pep621.first { $0.name == "iniconfig" }?.group, "dev")
    XCTAssertEqual(pep621.first { $0.name == "httpx" && $0.group == "socks" }?.line, 13)
    let poetry = try reading("new/poetry/pyproject.toml").pins
    XCTAssertEqual(poetry.first { $0.name == "urllib3" }?.specifier, ">=2.4")
    XCTAssertEqual(poetry.first { $0.name == "httpx" }?.group, "main")
    XCTAssertEqual(poetry.first { $0.name == "iniconfig" }?.group, "dev")
    XCTAssertNil(poetry.first { $0.name == "python" })
  }

  func testLockfileInputsAreNotPins() {
    XCTAssertNil(LockfileReaders.reader(for: "old/pip-compile/requirements.in"))
    XCTAssertNil(LockfileReaders.reader(for: "old/pipenv/Pipfile"))
  }
}

import XCTest

@testable import TrustgateCore

final class LockfileTOMLAndJSONTests: XCTestCase {
  func testTOMLSyntaxErrorIsOneIssueAtItsLineAndEarlierPinsCount() throws {
    let reading = UvLockReader.read(try Fixtures.text("lockfiles/edge/broken-syntax-uv.lock"))
    XCTAssertEqual(reading.issues.count, 1)
    XCTAssertEqual(reading.issues.first?.line, 40)
    XCTAssertEqual(reading.pins.map(\.line), [10, 27])
  }

  func testHeaderWithoutKeyIsAnIssueAndNeverReachesTOMLKit() throws {
    // Found by fuzz-lockfiles (now fuzz-parsers, FUZZ_TARGET=lockfiles): toml++ asserts (debug) or assumes (release) on `[[[`.
    let text = try Fixtures.text("lockfiles/edge/fuzz-toml-bad-header.toml")
    for reader in [UvLockReader.self, PoetryLockReader.self, PyprojectReader.self] as [any LockfileReader.Type] {
      XCTAssertEqual(reader.read(text).issues.map(\.line), [1], "\(reader.format)")
    }
    XCTAssertEqual(PdmLockReader.read("[[package]]\nname = \"a\"\n[\n").issues.map(\.line), [3])
  }

  func testClosingBraceInAnArrayIsAnIssueAndNeverReachesTOMLKit() {
    // Found by fuzz-parsers (FUZZ_TARGET=lockfiles): toml++ asserts (debug) or assumes (release) that an array value
    // never starts with `}`.
    let pyproject = "[project]\nname = \"x\"\ndependencies = [\n  \"httpx==0.28.1\",\n}\n"
    XCTAssertEqual(PyprojectReader.read(pyproject).issues.map(\.line), [5])
    let uv = "[[package]]\nname = \"a\"\nwheels = [{ url = \"u\" }, { x = [ } ] }]\n"
    XCTAssertEqual(UvLockReader.read(uv).issues.map(\.line), [3])
    XCTAssertEqual(UvLockReader.read(uv).pins.map(\.name), ["a"])
  }

  func testPackageWithoutNameIsAnIssueAndTheRestStillCount() {
    let text = """
      [[package]]
      name = "httpx"
      version = "0.28.1"

      [[package]]
      version = "1.0"

      [package.dependencies]
      name = "not-a-package"

      [[package]]
      name = "certifi"
      version = "2026.4.22"
      """
    let reading = PoetryLockReader.read(text)
    XCTAssertEqual(reading.pins, [Pin(name: "httpx", version: "0.28.1", line: 2), Pin(name: "certifi", version: "2026.4.22", line: 12)])
    XCTAssertEqual(reading.issues.map(\.line), [5])
  }

  func testMultilineStringsAndSubTablesAreNotEntries() {
    let text = """
      [[package]]
      name = "a"
      description = \"\"\"
      name = "evil"
      \"\"\"
      version = '1.0'

      [[package.wheels]]
      name = "b"
      """
    XCTAssertEqual(UvLockReader.read(text).pins, [Pin(name: "a", version: "1.0", line: 2)])
  }

  func testPylockReadsPackagesTables() {
    let text = "lock-version = \"1.0\"\n\n[[packages]]\nname = \"httpx\"\nversion = \"0.28.1\"\n"
    XCTAssertEqual(PylockReader.read(text).pins, [Pin(name: "httpx", version: "0.28.1", line: 4)])
  }

  func testTruncatedPipfileLockIsAnIssueAndFinishedEntriesCount() throws {
    let reading = PipfileLockReader.read(try Fixtures.text("lockfiles/edge/truncated-Pipfile.lock"))
    XCTAssertEqual(reading.issues.count, 1)
    XCTAssertEqual(reading.issues.first?.line, 249)
    XCTAssertEqual(reading.pins.count, 7)
    XCTAssertEqual(reading.pins.last, Pin(name: "httpcore", version: "1.0.9", line: 238, group: "default"))
    XCTAssertNil(reading.pins.first { $0.name == "httpx" })
  }

  func testPipfileLockWithWrongTypeIsAnIssue() {
    let reading = PipfileLockReader.read("{\"default\": {\"httpx\": {\"version\": 28}}, \"develop\": {}}")
    XCTAssertEqual(reading.issues.count, 1)
  }

  func testPyprojectBadRequirementIsAnIssueWithItsLine() {
    let text = """
      [project]
      name = "x"
      dependencies = [
        "httpx>=0.27,<0.29",
        "not valid!!",
        "certifi",
      ]

      [tool.poetry.group.test.dependencies]
      requests = { version = "^2.31", extras = ["socks"] }
      """
    let reading = PyprojectReader.read(text)
    XCTAssertEqual(
      reading.pins,
      [
        Pin(name: "httpx", specifier: ">=0.27,<0.29", line: 4), Pin(name: "certifi", line: 6),
        Pin(name: "requests", specifier: "^2.31", line: 10, group: "test"),
      ])
    XCTAssertEqual(reading.issues.map(\.line), [5])
  }
}

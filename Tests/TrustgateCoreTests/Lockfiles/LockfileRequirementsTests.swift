import XCTest

@testable import TrustgateCore

final class LockfileRequirementsTests: XCTestCase {
  private func pin(_ reading: LockfileReading, _ name: String) -> Pin? { reading.pins.first { $0.name == name } }

  func testEdgeFileReadsEveryShapePipAccepts() throws {
    let reading = RequirementsReader.read(try Fixtures.text("lockfiles/edge/requirements-edge.txt"))
    XCTAssertEqual(reading.references, ["base-requirements.txt", "more/requirements.txt", "constraints.txt"])
    XCTAssertEqual(pin(reading, "httpx"), Pin(name: "httpx", version: "0.28.1", line: 7))
    XCTAssertEqual(pin(reading, "requests"), Pin(name: "requests", version: "2.32.3", line: 10))
    XCTAssertEqual(pin(reading, "urllib3"), Pin(name: "urllib3", specifier: ">=2.4,<3", line: 11))
    XCTAssertEqual(pin(reading, "certifi"), Pin(name: "certifi", specifier: "===2026.4.22", line: 12))
    XCTAssertEqual(pin(reading, "idna"), Pin(name: "idna", specifier: "~=3.7", line: 13))
    XCTAssertEqual(pin(reading, "foo-bar-baz"), Pin(name: "foo-bar-baz", version: "1.0", line: 14))
    XCTAssertEqual(pin(reading, "h2"), Pin(name: "h2", line: 15))
    XCTAssertEqual(pin(reading, "httpcore"), Pin(name: "httpcore", line: 16))
    XCTAssertEqual(pin(reading, "sniffio"), Pin(name: "sniffio", line: 17))
    XCTAssertEqual(pin(reading, "anyio"), Pin(name: "anyio", line: 18))
    XCTAssertEqual(pin(reading, "h11"), Pin(name: "h11", version: "0.16.0", line: 22))
    XCTAssertEqual(pin(reading, "socksio"), Pin(name: "socksio", version: "1.0.0", line: 23))
    XCTAssertEqual(reading.pins.count, 12)
    XCTAssertEqual(reading.issues.map(\.line), [19, 20])
  }

  func testContinuedEntryKeepsItsFirstLine() {
    let reading = RequirementsReader.read("# top\n\nhttpx==0.28.1 \\\n  --hash=sha256:aa \\\n  --hash=sha256:bb\nidna==3.10\n")
    XCTAssertEqual(reading.pins, [Pin(name: "httpx", version: "0.28.1", line: 3), Pin(name: "idna", version: "3.10", line: 6)])
  }

  func testMarkersAndExtrasDoNotChangeThePin() {
    let reading = RequirementsReader.read("httpx[http2,socks]==0.28.1; python_version < \"3.8\"\nrequests (>=2.31,<3)\n")
    XCTAssertEqual(reading.pins[0], Pin(name: "httpx", version: "0.28.1", line: 1))
    XCTAssertEqual(reading.pins[1], Pin(name: "requests", specifier: ">=2.31,<3", line: 2))
  }

  func testWildcardEqualityIsARange() {
    XCTAssertEqual(RequirementsReader.read("urllib3==1.26.*").pins, [Pin(name: "urllib3", specifier: "==1.26.*", line: 1)])
  }

  func testBrokenEntryIsAnIssueAndTheRestStillCount() {
    let reading = RequirementsReader.read("httpx==0.28.1\n==1.0\ncertifi>=\nrequests[security==2\nidna==3.10\n-r\n")
    XCTAssertEqual(reading.pins.map(\.name), ["httpx", "idna"])
    XCTAssertEqual(reading.issues.map(\.line), [2, 3, 4, 6])
  }

  func testOptionsWithAttachedArgumentsAreReferences() {
    let reading = RequirementsReader.read("-rbase.txt\n--constraint=c.txt\n-c   other.txt  # why\n--pre\n-i https://x.invalid\n")
    XCTAssertEqual(reading.references, ["base.txt", "c.txt", "other.txt"])
    XCTAssertEqual(reading.pins, [])
    XCTAssertEqual(reading.issues, [])
  }

  func testWindowsLineEndingsAreRead() {
    let reading = RequirementsReader.read("httpx==0.28.1 \\\r\n  --hash=sha256:aa\r\ncertifi==2026.4.22\r\n")
    XCTAssertEqual(reading.pins, [Pin(name: "httpx", version: "0.28.1", line: 1), Pin(name: "certifi", version: "2026.4.22", line: 3)])
  }

  func testTenThousandLineFileIsReadQuickly() {
    var text = ""
    for index in 0..<5_000 {
      text += "package-\(index)[extra]==1.\(index).0 ; python_version >= \"3.9\" \\\n    --hash=sha256:0123456789abcdef\n"
    }
    let start = ContinuousClock.now
    let reading = RequirementsReader.read(text)
    let elapsed = ContinuousClock.now - start
    XCTAssertEqual(reading.pins.count, 5_000)
    XCTAssertEqual(reading.pins.last?.line, 9_999)
    // Debug builds are ~10× slower than release; the release figure is in the helper's report.
    XCTAssertLessThan(elapsed, .seconds(2))
  }
}

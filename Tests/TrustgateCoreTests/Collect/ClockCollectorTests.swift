import XCTest

@testable import TrustgateCore

/// Expected strings from coreutils `date -u -d @N +%Y-%m-%dT%H:%M:%SZ`.
final class ClockCollectorTests: XCTestCase {
  func testTimestampsMatchCoreutilsDate() {
    let cases: [(Int64, String)] = [
      (0, "1970-01-01T00:00:00Z"),
      (-1, "1969-12-31T23:59:59Z"),
      (951_782_400, "2000-02-29T00:00:00Z"),
      (1_749_827_200, "2025-06-13T15:06:40Z"),
      (4_102_444_800, "2100-01-01T00:00:00Z"),
      (-62_135_596_800, "0001-01-01T00:00:00Z"),
    ]
    for (seconds, expected) in cases { XCTAssertEqual(isoTimestamp(epochSeconds: seconds), expected, "\(seconds)") }
  }

  func testCollectRecordsNowAndHeadCommitTime() {
    let info = ClockCollector().collect(now: 1_749_827_200, headCommitTime: 0)
    XCTAssertEqual(info.now, "2025-06-13T15:06:40Z")
    XCTAssertEqual(info.headCommitTime, "1970-01-01T00:00:00Z")
    XCTAssertNil(ClockCollector().collect(now: 0, headCommitTime: nil).headCommitTime)
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// TG106 names at most three expired roots; when there are more, the list must say it goes on.
final class ExpiredRootsRuleTests: XCTestCase {
  /// 2040-01-01T00:00:00Z: most roots of certifi 2022.12.7 have expired by then.
  static let now: Int64 = 2_208_988_800

  /// Certificates of a PEM bundle whose notAfter lies before 2040, counted from `openssl storeutl -text`.
  private func expiredByOpenSSL(_ bundle: String) throws -> Int {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl", "storeutl", "-noout", "-text", "-certs", bundle]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "MMM d HH:mm:ss yyyy zzz"
    let dates = text.split(separator: "\n").compactMap { line -> Date? in
      guard let range = line.range(of: "Not After : ") else { return nil }
      return formatter.date(
        from: line[range.upperBound...].split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "))
    }
    XCTAssertGreaterThan(dates.count, 100, "openssl listed the bundle's certificates")
    return dates.filter { $0.timeIntervalSince1970 < Double(Self.now) }.count
  }

  func testMoreThanThreeExpiredRootsEndWithAnEllipsis() throws {
    let scratch = try TemporaryDirectory()
    let bundle = Fixtures.path("certifi/2022.12.7/cacert.pem")
    try scratch.write(
      "root/etc/ssl/certs/ca-certificates.crt", Array(try Fixtures.data("certifi/2022.12.7/cacert.pem")))
    var request = InspectRequest(
      fs: HostFileSystem(root: scratch.path + "/root"), env: [:], target: Target(kind: .root), repository: nil,
      repositoryPathInView: nil, now: Self.now)
    request.includeClock = false
    let snapshot = Inspector.inspect(request)
    let expired = try expiredByOpenSSL(bundle)
    XCTAssertGreaterThan(expired, 3)
    let context = RuleContext(current: snapshot, baseline: nil, changes: [], now: isoTimestamp(epochSeconds: Self.now))
    let finding = try XCTUnwrap(ExpiredRootsRule().evaluate(context).findings.first)
    XCTAssertTrue(
      finding.message.hasPrefix("\(expired) expired root(s) in /etc/ssl/certs/ca-certificates.crt: "), finding.message)
    XCTAssertTrue(finding.message.hasSuffix(", …"), finding.message)
    XCTAssertEqual(finding.message.components(separatedBy: "(sha256:").count - 1, 3, "three roots named")
  }
}

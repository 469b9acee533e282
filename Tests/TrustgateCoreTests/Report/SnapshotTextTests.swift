import Foundation
import XCTest

/// `inspect`'s text summary against what the JSON snapshot holds.
final class SnapshotTextTests: XCTestCase {
  /// An os-release with `ID` and `VERSION_ID` but no `PRETTY_NAME` (os-release(5) makes every field optional) printed
  /// "platform unknown (no /etc/os-release)" while the JSON showed both values.
  func testPlatformLineUsesIDAndVersionWithoutPrettyName() throws {
    let scenario = try Scenario()
    let root = scenario.sandbox.path("rootfs")
    XCTAssertEqual(try ExternalTool.run(["cp", "-a", Scenario.healthyRoot, root]).status, 0)
    for osRelease in ["ID=debian\nVERSION_ID=\"12\"\n", "PRETTY_NAME=\"\"\nID=debian\nVERSION_ID='12'\n"] {
      try osRelease.write(toFile: root + "/etc/os-release", atomically: true, encoding: .utf8)
      let text = try CLI.run(["inspect", "--repo", scenario.repo, "--root", root], in: scenario.sandbox.root)
      XCTAssertEqual(text.status, 0, text.all)
      let platform = text.stdout.split(separator: "\n").first { $0.hasPrefix("platform") }.map(String.init)
      XCTAssertEqual(platform, "platform     debian 12, ca-certificates-bundle 20240705-r0", text.stdout)
      let json = try CLI.run(
        ["inspect", "--repo", scenario.repo, "--root", root, "--format", "json"], in: scenario.sandbox.root)
      let snapshot = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
      let fields = try XCTUnwrap(snapshot["platform"] as? [String: Any])
      XCTAssertEqual(fields["osID"] as? String, "debian")
      XCTAssertEqual(fields["osVersionID"] as? String, "12")
      XCTAssertNil(fields["prettyName"], "an empty PRETTY_NAME is no name: \(fields)")
    }
    // Nothing known at all: said so, without claiming which file is missing.
    try FileManager.default.removeItem(atPath: root + "/etc/os-release")
    try FileManager.default.removeItem(atPath: root + "/lib/apk/db/installed")
    let bare = try CLI.run(["inspect", "--repo", scenario.repo, "--root", root], in: scenario.sandbox.root)
    XCTAssertTrue(bare.stdout.contains("\nplatform     unknown (no os-release with PRETTY_NAME or ID"), bare.stdout)
  }
}

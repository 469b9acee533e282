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

  /// Trust variables whose target is not a usable file read as words in the text (the JSON keeps the state names):
  /// links made on disk, a loop and a dangling one, read through a real root.
  func testVariableTargetsAreSaidInWords() throws {
    let scenario = try Scenario()
    let root = scenario.sandbox.path("rootfs")
    XCTAssertEqual(try ExternalTool.run(["cp", "-a", Scenario.healthyRoot, root]).status, 0)
    try FileManager.default.createSymbolicLink(atPath: root + "/etc/loop-a.pem", withDestinationPath: "loop-b.pem")
    try FileManager.default.createSymbolicLink(atPath: root + "/etc/loop-b.pem", withDestinationPath: "loop-a.pem")
    try FileManager.default.createSymbolicLink(atPath: root + "/etc/gone.pem", withDestinationPath: "nothing.pem")
    try scenario.sandbox.write("vars.env", "SSL_CERT_FILE=/etc/loop-a.pem\nREQUESTS_CA_BUNDLE=/etc/gone.pem\n")
    let text = try CLI.run(
      ["inspect", "--repo", scenario.repo, "--root", root, "--env-file", scenario.sandbox.path("vars.env")],
      in: scenario.sandbox.root)
    XCTAssertTrue(text.stdout.contains("SSL_CERT_FILE=/etc/loop-a.pem: a loop of links\n"), text.stdout)
    XCTAssertTrue(
      text.stdout.contains("REQUESTS_CA_BUNDLE=/etc/gone.pem: a link to a file that is gone\n"), text.stdout)
  }
}

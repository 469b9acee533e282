import Foundation
import XCTest

@testable import TrustgateCore

/// Expected values are read from the fixture files with plain string operations in the test.
final class PlatformCollectorTests: XCTestCase {
  private func collect(_ layout: String) -> PlatformInfo {
    PlatformCollector().collect(CollectionContext(fs: HostFileSystem(root: Fixtures.path("rootfs/" + layout)), now: "2025-06-01T00:00:00Z"))
  }

  /// `KEY=value` or `KEY="value"` from a fixture's os-release.
  private func osRelease(_ layout: String, _ file: String, _ key: String) throws -> String? {
    for line in try Fixtures.text("rootfs/\(layout)/\(file)").split(separator: "\n") where line.hasPrefix(key + "=") {
      return line.dropFirst(key.count + 1).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
    }
    return nil
  }

  func testOSReleaseFieldsThroughTheDebianAndRHELLink() throws {
    for (layout, file) in [("debian", "usr/lib/os-release"), ("rhel", "usr/lib/os-release"), ("alpine", "etc/os-release")] {
      let info = collect(layout)
      XCTAssertEqual(info.osID, try osRelease(layout, file, "ID"), layout)
      XCTAssertEqual(info.osVersionID, try osRelease(layout, file, "VERSION_ID"), layout)
      XCTAssertEqual(info.prettyName, try osRelease(layout, file, "PRETTY_NAME"), layout)
      XCTAssertNotNil(info.osID, layout)
    }
  }

  func testDebianCAPackageFromDpkgStatus() throws {
    let status = try Fixtures.text("rootfs/debian/var/lib/dpkg/status")
    let stanza = try XCTUnwrap(status.components(separatedBy: "\n\n").first { $0.hasPrefix("Package: ca-certificates\n") })
    let version = try XCTUnwrap(stanza.split(separator: "\n").first { $0.hasPrefix("Version: ") }).dropFirst(9)
    XCTAssertEqual(collect("debian").caPackage, InstalledPackage(manager: "dpkg", name: "ca-certificates", version: String(version)))
  }

  func testAlpineCAPackageFromApkDatabase() throws {
    let db = try Fixtures.text("rootfs/alpine/lib/apk/db/installed")
    let record = try XCTUnwrap(db.components(separatedBy: "\n\n").first { $0.contains("\nP:ca-certificates-bundle\n") })
    let version = try XCTUnwrap(record.split(separator: "\n").first { $0.hasPrefix("V:") }).dropFirst(2)
    XCTAssertEqual(
      collect("alpine").caPackage, InstalledPackage(manager: "apk", name: "ca-certificates-bundle", version: String(version)))
  }

  func testRHELHasNoPackageRecordWithoutAnRPMDatabase() {
    XCTAssertNil(collect("rhel").caPackage)
  }

  func testPackageNotInstalledIsNotReported() {
    let status = "Package: ca-certificates\nStatus: deinstall ok config-files\nVersion: 20230311\n"
    XCTAssertNil(PlatformCollector.dpkgPackage("ca-certificates", in: status))
    XCTAssertNil(PlatformCollector.dpkgPackage("ca-certificates", in: "Package: ca-certificates-java\nStatus: install ok installed\nVersion: 1\n"))
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// Issue #10's image case on a real image: the debootstrap bookworm root as one umoci layer (prod.tar), and a
/// candidate whose later layer removes ca-certificates.crt while its config points REQUESTS_CA_BUNDLE at it
/// (scripts/fixtures/make-debian-images.sh). The gate must fail, and for the right reasons.
final class DebianImagePromotionTests: XCTestCase {
  private func withWork<T>(_ body: (String) throws -> T) throws -> T {
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("tg-debimg-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    return try body(work)
  }

  func testCandidateThatRemovesTheOSBundleFailsForTheRightReasons() throws {
    let images = try DebianRoots.bookwormImages()
    let (result, findings) = try withWork { work -> (CLI.Result, [[String: Any]]) in
      let report = work + "/findings.json"
      let result = try CLI.run(
        ["check", "--image", images.candidate, "--baseline-image", images.production, "--repo", work,
         "--annotations", "none", "--report", "json=" + report],
        in: work)
      let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
      return (result, (object as? [String: Any])?["findings"] as? [[String: Any]] ?? [])
    }
    XCTAssertEqual(result.status, 1, result.all)
    func rule(_ id: String) -> [[String: Any]] { findings.filter { $0["ruleID"] as? String == id } }
    func subjects(_ id: String) -> Set<String> { Set(rule(id).compactMap { $0["subject"] as? String }) }

    // apt's requests reads REQUESTS_CA_BUNDLE: nothing says the clients in use ignore it.
    XCTAssertEqual(rule("TG204").count, 0, "\(rule("TG204"))")
    // requests (REQUESTS_CA_BUNDLE) and httpx (Debian's certifi.where()) load the removed file and fail; OpenSSL's
    // default folder /etc/ssl/certs keeps its hash links, so OpenSSL-default clients still verify.
    XCTAssertEqual(subjects("TG207"), ["requests", "httpx"], "\(rule("TG207"))")
    for client in ["openssl", "python-ssl", "urllib3"] {
      let claims = findings.filter {
        $0["subject"] as? String == client
          && ($0["message"] as? String)?.contains("every verified request fails") == true
      }
      XCTAssertEqual(claims.count, 0, "\(client): \(claims)")
    }
    // One removal, one TG101, naming the layer that removed it.
    let removed = rule("TG101")
    XCTAssertEqual(removed.count, 1, "\(removed)")
    XCTAssertEqual(removed.first?["subject"] as? String, "/etc/ssl/certs/ca-certificates.crt")
    XCTAssertTrue((removed.first?["message"] as? String)?.contains("RUN rm /etc/ssl/certs/ca-certificates.crt") == true)
    // This host's clock is not the image's.
    XCTAssertEqual(findings.filter { ($0["area"] as? String) == "clock" }.count, 0, "\(findings)")
  }

  func testImageInspectionShowsTheImagesPythonOpenSSLAndNoHostClock() throws {
    let images = try DebianRoots.bookwormImages()
    let root = try DebianRoots.root("bookworm")
    let snapshot = try withWork { work -> Snapshot in
      let result = try CLI.run(["inspect", "--image", images.production, "--repo", work, "--format", "json"], in: work)
      XCTAssertEqual(result.status, 0, result.stderr)
      return try SnapshotCoding.decode(Array(result.stdout.utf8), path: images.production)
    }
    XCTAssertNil(snapshot.clock, "the clock section describes this host, not the image")
    let installed = try XCTUnwrap(try DebianRootTests.dpkgVersion(root, "libssl3"))
    XCTAssertEqual(snapshot.openssl.version, "OpenSSL \(installed.prefix { $0 != "-" }) (dpkg libssl3 \(installed))")
    let project = try XCTUnwrap(PythonSelection.primary(snapshot.python.environments))
    XCTAssertEqual(project.path, "/usr")
    XCTAssertEqual(project.distribution("requests")?.version, root.oracle["requests.version"])
    XCTAssertEqual(project.distribution("httpx")?.version, root.oracle["httpx.version"])
    let python = try XCTUnwrap(project.pythonVersion, "the version from the /usr/bin/python3 link")
    XCTAssertTrue(root.oracle["python.version"]?.hasPrefix(python + ".") == true, python)
    let requests = try XCTUnwrap(snapshot.effectiveTrust.first { $0.client == "requests" })
    XCTAssertEqual(requests.path, root.oracle["certifi.where"])
    XCTAssertEqual(requests.status, .ok)
  }
}

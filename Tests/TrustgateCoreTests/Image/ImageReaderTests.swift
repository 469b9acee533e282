import Foundation
import XCTest

@testable import TrustgateCore

/// The images in `Tests/Fixtures/images/` are built by `scripts/fixtures/make-images.sh` with umoci and skopeo;
/// expected digests are read here from the layout's own JSON, not from trustgate.
final class ImageReaderTests: XCTestCase {
  static let ociDirectory = Fixtures.path("images/app-oci")
  static let ociTar = Fixtures.path("images/app-oci.tar")
  static let dockerArchive = Fixtures.path("images/app-docker.tar")

  /// Layer digests and diff ids of the fixture, read with Foundation's JSON parser.
  static func fixtureLayers() throws -> (digests: [String], diffIDs: [String]) {
    func blob(_ digest: String) throws -> [String: Any] {
      let hex = digest.replacingOccurrences(of: "sha256:", with: "")
      let data = try Data(contentsOf: URL(fileURLWithPath: ociDirectory + "/blobs/sha256/" + hex))
      return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
    let indexData = try Data(contentsOf: URL(fileURLWithPath: ociDirectory + "/index.json"))
    let index = try XCTUnwrap(JSONSerialization.jsonObject(with: indexData) as? [String: Any])
    let manifests = try XCTUnwrap(index["manifests"] as? [[String: Any]])
    let manifest = try blob(try XCTUnwrap(manifests.first?["digest"] as? String))
    let layers = try XCTUnwrap(manifest["layers"] as? [[String: Any]])
    let config = try blob(try XCTUnwrap((manifest["config"] as? [String: Any])?["digest"] as? String))
    let rootfs = try XCTUnwrap(config["rootfs"] as? [String: Any])
    return (layers.compactMap { $0["digest"] as? String }, try XCTUnwrap(rootfs["diff_ids"] as? [String]))
  }

  func text(_ image: ContainerImage, _ path: String) throws -> String {
    String(decoding: try image.files.read(path), as: UTF8.self)
  }

  func testLayersMergeIntoTrustRelevantFiles() throws {
    let image = try ContainerImage.open(path: Self.ociDirectory)
    XCTAssertEqual(
      try text(image, "/etc/ssl/certs/ca-certificates.crt"),
      "-----BEGIN CERTIFICATE-----\nupdated bundle\n-----END CERTIFICATE-----\n")
    XCTAssertEqual(try text(image, "/usr/local/share/ca-certificates/corp.crt"), "corporate root\n")
    XCTAssertTrue(try text(image, "/etc/os-release").contains("ID=debian"))
    XCTAssertEqual(
      try text(image, "/usr/lib/python3/site-packages/certifi-2024.2.2.dist-info/METADATA"),
      "Metadata-Version: 2.1\nName: certifi\nVersion: 2024.2.2\n")
    XCTAssertFalse(image.files.exists("/usr/bin/tool"), "files outside the wanted list are not kept")
    XCTAssertEqual(image.os, "linux")
    XCTAssertEqual(image.warnings, [])
  }

  func testSymlinksAreKeptAndResolveInsideTheImage() throws {
    let image = try ContainerImage.open(path: Self.ociDirectory)
    XCTAssertEqual(image.files.linkKind("/usr/lib/ssl/certs"), .symlink(target: "/etc/ssl/certs"))
    XCTAssertEqual(
      try text(image, "/usr/lib/ssl/certs/ca-certificates.crt"),
      try text(image, "/etc/ssl/certs/ca-certificates.crt"))
  }

  func testWhiteoutRemovesFileAndRecordsTheLayer() throws {
    let image = try ContainerImage.open(path: Self.ociDirectory)
    let layers = try Self.fixtureLayers()
    XCTAssertFalse(image.files.exists("/etc/ssl/certs/old.pem"))
    XCTAssertEqual(image.removals["/etc/ssl/certs/old.pem"]?.digest, layers.digests[1])
    XCTAssertEqual(image.removals["/etc/ssl/certs/old.pem"]?.createdBy, "update-ca-certificates")
  }

  func testWhiteoutOfADirectoryRemovesEverythingBelowIt() throws {
    let image = try ContainerImage.open(path: Self.ociDirectory)
    XCTAssertFalse(image.files.exists("/usr/lib/python3/site-packages/certifi"))
    XCTAssertFalse(image.files.exists("/usr/lib/python3/site-packages/certifi/cacert.pem"))
    XCTAssertEqual(
      image.removals["/usr/lib/python3/site-packages/certifi/cacert.pem"]?.createdBy, "pip uninstall certifi")
    XCTAssertEqual(image.removals["/usr/lib/python3/site-packages/certifi/cacert.pem"]?.index, 3)
  }

  func testOpaqueDirectoryHidesLowerLayersContents() throws {
    let image = try ContainerImage.open(path: Self.ociDirectory)
    XCTAssertEqual(try image.files.list("/etc/ssl/legacy"), ["c.pem"])
    XCTAssertEqual(image.removals["/etc/ssl/legacy/a.pem"]?.createdBy, "replace /etc/ssl/legacy")
    XCTAssertEqual(image.provenance["/etc/ssl/legacy/c.pem"]?.index, 2)
  }

  func testEnvironmentComesFromTheConfig() throws {
    let image = try ContainerImage.open(path: Self.ociDirectory)
    XCTAssertEqual(image.env["SSL_CERT_FILE"], "/etc/ssl/certs/ca-certificates.crt")
    XCTAssertEqual(image.env["HTTPS_PROXY"], "http://proxy.example:3128")
  }

  func testProvenanceNamesTheLayerAndItsCommand() throws {
    let image = try ContainerImage.open(path: Self.ociDirectory)
    let layers = try Self.fixtureLayers()
    XCTAssertEqual(image.layers.map(\.digest), layers.digests)
    XCTAssertEqual(image.layers.map(\.diffID), layers.diffIDs)
    XCTAssertEqual(
      image.layers.map(\.createdBy),
      [
        "base: os-release, CA store, certifi", "update-ca-certificates", "replace /etc/ssl/legacy",
        "pip uninstall certifi",
      ])
    let bundle = try XCTUnwrap(image.provenance["/etc/ssl/certs/ca-certificates.crt"])
    XCTAssertEqual(
      bundle,
      LayerInfo(index: 1, digest: layers.digests[1], diffID: layers.diffIDs[1], createdBy: "update-ca-certificates"))
    XCTAssertEqual(image.provenance["/etc/os-release"]?.index, 0)
  }

  func testDockerArchiveOCIDirectoryAndOCITarGiveTheSameTree() throws {
    let directory = try ContainerImage.open(path: Self.ociDirectory)
    let tar = try ContainerImage.open(path: Self.ociTar)
    let docker = try ContainerImage.open(path: Self.dockerArchive)
    XCTAssertEqual(directory.files.nodes, tar.files.nodes)
    XCTAssertEqual(directory.files.nodes, docker.files.nodes)
    XCTAssertEqual(directory.env, docker.env)
    XCTAssertEqual(directory.layers, tar.layers)
    // A docker archive stores uncompressed layers, named by diff id; the commands are the same.
    let layers = try Self.fixtureLayers()
    XCTAssertEqual(docker.layers.map(\.digest), layers.diffIDs)
    XCTAssertEqual(docker.layers.map(\.createdBy), directory.layers.map(\.createdBy))
    XCTAssertEqual(docker.provenance.mapValues(\.index), directory.provenance.mapValues(\.index))
    XCTAssertEqual(docker.removals.mapValues(\.index), directory.removals.mapValues(\.index))
  }

  func testCustomPredicateKeepsOtherFiles() throws {
    let image = try ContainerImage.open(path: Self.dockerArchive) { $0.hasPrefix("/usr/bin") }
    XCTAssertEqual(try text(image, "/usr/bin/tool"), "#!/bin/sh\necho tool\n")
    XCTAssertFalse(image.files.exists("/etc/os-release"))
  }

  func testTrustRelevantPatterns() {
    XCTAssertTrue(ContainerImage.isTrustRelevant("/etc/ssl"))
    XCTAssertTrue(ContainerImage.isTrustRelevant("/etc/ssl/certs/ca-certificates.crt"))
    XCTAssertTrue(ContainerImage.isTrustRelevant("/opt/venv/lib/python3.12/site-packages/certifi/cacert.pem"))
    XCTAssertTrue(ContainerImage.isTrustRelevant("/app/.venv/pyvenv.cfg"))
    XCTAssertTrue(ContainerImage.isTrustRelevant("/usr/lib/python3/site-packages/requests-2.31.0.dist-info/METADATA"))
    // Who the config's User is (ImageUser), and nothing else under /etc outside the stores.
    XCTAssertTrue(ContainerImage.isTrustRelevant("/etc/passwd"))
    XCTAssertFalse(ContainerImage.isTrustRelevant("/etc/shadow"))
    XCTAssertFalse(ContainerImage.isTrustRelevant("/etc/ssl-other/x"))
    // Debian's python3-certifi patches where() in core.py to return the OS bundle; the collector reads it.
    XCTAssertTrue(ContainerImage.isTrustRelevant("/usr/lib/python3/dist-packages/certifi/core.py"))
    XCTAssertTrue(ContainerImage.isTrustRelevant("/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO"))
    XCTAssertFalse(ContainerImage.isTrustRelevant("/usr/lib/python3/site-packages/certifi/__init__.py"))
    // The clients' own files: git's, curl's, uv's (system, user, project).
    for path in [
      "/etc/gitconfig", "/root/.gitconfig", "/home/app/.config/git/config", "/root/.curlrc", "/root/.config/curlrc",
      "/etc/uv/uv.toml", "/root/.config/uv/uv.toml", "/app/uv.toml", "/app/pyproject.toml",
    ] {
      XCTAssertTrue(ContainerImage.isTrustRelevant(path), path)
    }
  }

  /// The index by last component answers as every pattern asked in turn, for every path of a real root filesystem
  /// (the debootstrap bookworm root: 11,125 paths, python3 and its packages included) and the patterns' own
  /// examples.
  func testIndexedPatternsAnswerAsEveryPatternAskedInTurn() throws {
    let root = try DebianRoots.root("bookworm").rootfs
    var paths = ["/", "/etc/ssl", "/root/.gitconfig", "/app/.venv/pip.conf", "/home/a/.config/git/config"]
    let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: root))
    while let relative = walker.nextObject() as? String { paths.append("/" + relative) }
    XCTAssertGreaterThan(paths.count, 10_000)
    var kept = 0
    for path in paths {
      let expected = ContainerImage.trustRelevantPatterns.contains { $0.matches(path) }
      XCTAssertEqual(ContainerImage.isTrustRelevant(path), expected, path)
      if expected { kept += 1 }
    }
    XCTAssertGreaterThan(kept, 100)
  }
}

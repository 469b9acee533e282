import Foundation
import XCTest

@testable import TrustgateCore

/// Broken and hostile images from `scripts/fixtures/make-images.sh`: each gives a typed error naming the image
/// (and layer), or a warning, and nothing is written anywhere.
final class ImageBadInputTests: XCTestCase {
  func openError(_ relative: String) -> ImageError? {
    do {
      _ = try ContainerImage.open(path: Fixtures.path(relative))
      return nil
    } catch {
      return error
    }
  }

  func testTruncatedArchiveIsReported() {
    let error = openError("images/app-truncated.tar")
    guard case .truncated(let image, _)? = error else { return XCTFail("got \(String(describing: error))") }
    XCTAssertEqual(image, Fixtures.path("images/app-truncated.tar"))
  }

  func testTarWithoutAnImageIsNotAnImage() {
    guard case .notAnImage? = openError("images/not-an-image.tar") else { return XCTFail() }
  }

  func testFileThatIsNotATarIsNotAnImage() throws {
    guard case .notAnImage? = openError("images/app-oci/index.json") else { return XCTFail() }
  }

  func testMissingPathIsAnIOError() {
    guard case .io? = openError("images/no-such-image.tar") else { return XCTFail() }
  }

  func testChangedLayerByteIsADigestMismatchNamingTheLayer() throws {
    let layers = try ImageReaderTests.fixtureLayers()
    let error = openError("images/app-bad-digest")
    guard case .digestMismatch(_, let layer, let expected, let actual)? = error else {
      return XCTFail("got \(String(describing: error))")
    }
    XCTAssertEqual(layer, layers.digests[0])
    XCTAssertEqual(expected, layers.digests[0])
    XCTAssertNotEqual(actual, expected)
    XCTAssertTrue(error?.description.contains(layers.digests[0]) == true)
  }

  func testMissingLayerBlobIsReported() throws {
    let layers = try ImageReaderTests.fixtureLayers()
    guard case .missingBlob(_, let digest)? = openError("images/app-missing-blob") else { return XCTFail() }
    XCTAssertEqual(digest, layers.digests[1])
  }

  func testZstdLayerIsUnsupportedCompressionNamingTheLayer() {
    let error = openError("images/app-zstd-oci")
    guard case .unsupportedCompression(_, let layer, let compression)? = error else {
      return XCTFail("got \(String(describing: error))")
    }
    XCTAssertTrue(layer.hasPrefix("sha256:"))
    XCTAssertEqual(compression, "zstd")
  }

  func testHostileLayerStaysInsideMemoryAndIsReported() throws {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("trustgate-hostile-\(getpid())")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let previous = FileManager.default.currentDirectoryPath
    FileManager.default.changeCurrentDirectoryPath(scratch.path)
    defer { FileManager.default.changeCurrentDirectoryPath(previous) }
    let fixturesBefore = try FileManager.default.subpathsOfDirectory(atPath: Fixtures.path("images"))

    let image = try ContainerImage.open(path: Fixtures.path("images/hostile-docker.tar"))

    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    XCTAssertEqual(try FileManager.default.subpathsOfDirectory(atPath: Fixtures.path("images")), fixturesBefore)
    XCTAssertFalse(image.files.exists("/etc/passwd"))
    XCTAssertTrue(image.warnings.contains { $0.contains("../../etc/passwd") && $0.contains("layer 0") })
    // An absolute member lands inside the image, with a warning.
    XCTAssertEqual(
      String(decoding: try image.files.read("/etc/ssl/certs/absolute.pem"), as: UTF8.self), "absolute member\n")
    XCTAssertTrue(image.warnings.contains { $0.contains("absolute path") })
    // Links out of the root resolve to the image root, never the host's.
    XCTAssertEqual(try image.files.resolve("/etc/ssl/root-link"), "/")
    XCTAssertEqual(try image.files.resolve("/etc/ssl/up-link"), "/")
    XCTAssertTrue(image.warnings.contains { $0.contains("up-link") && $0.contains("out of the image root") })
    XCTAssertFalse(image.files.exists("/etc/ssl/root-link/etc/passwd"))
    // A pax long name survives.
    XCTAssertTrue(image.files.exists("/etc/ssl/certs/" + String(repeating: "long-name-", count: 12) + ".pem"))
    XCTAssertEqual(image.layers.first?.createdBy, "hostile layer")
    XCTAssertEqual(image.env, ["PATH": "/usr/bin"])
  }

  func testErrorDescriptionsNameTheImageAndSayWhatToDo() {
    let error = ImageError.unsupportedCompression(image: "app.tar", layer: "sha256:abc", compression: "zstd")
    XCTAssertTrue(error.description.contains("app.tar"))
    XCTAssertTrue(error.description.contains("sha256:abc"))
    XCTAssertTrue(error.description.contains("skopeo copy"))
  }
}

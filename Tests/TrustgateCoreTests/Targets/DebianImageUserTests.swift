import Foundation
import XCTest

@testable import TrustgateCore

/// An image whose config says `User nobody` and whose REQUESTS_CA_BUNDLE names a corporate root in /opt/corp, a
/// folder no pattern of the image reader names (scripts/fixtures/make-debian-images.sh): once readable by everyone
/// (user-open.tar), once 0600 by root (user-closed.tar). The oracle is the image itself: unpacked with umoci, its own
/// Python and requests run as its user (chroot --userspec) against `openssl s_server` with a certificate the root
/// signs. trustgate must say what they do.
final class DebianImageUserTests: XCTestCase {
  private struct Case {
    var name: String
    var tar: String
    /// What requests does in the image, as the image's user.
    var oracle: String
    var snapshot: Snapshot
    var findings: [[String: Any]]
    var status: Int32
  }

  /// Runs the oracle, and trustgate's `inspect` and `check` (the rules judge the image alone), on one image: its
  /// tag, the REQUESTS_CA_BUNDLE its config sets, and its WorkingDir, where the oracle starts.
  private func run(
    _ variant: String, tag: String? = nil, bundle: String = "/opt/corp/ca.pem", workingDirectory: String = "/"
  ) throws -> Case {
    let images = try DebianRoots.bookwormImages()
    let tag = tag ?? "user-\(variant)"
    let tar = images.folder + "/\(tag).tar"
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("tg-imguser-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }

    // The image's own client, as the image's user, in its root filesystem.
    let rootfs = try Self.rootFilesystem(of: tag, images: images, work: work)
    defer { rootfs.unmount() }
    let servers = LocalServers()
    defer { servers.stopAll() }
    let port = try LocalServers.freePort()
    try servers.sServer(
      address: "127.0.0.1", port: port, certificate: images.folder + "/pki/leaf.pem",
      key: images.folder + "/pki/leaf.key", chain: nil, www: true)
    let script = """
      import requests
      try:
          requests.get("https://127.0.0.1:\(port)/", timeout=10)
          print("verified")
      except Exception as error:
          print(type(error).__name__, repr(error))
      """
    let oracle = try Command.run(
      "/usr/sbin/chroot",
      ["--userspec=65534:65534", rootfs.path, "/usr/bin/env", "-i", "-C", workingDirectory,
       "REQUESTS_CA_BUNDLE=\(bundle)", "/usr/bin/python3", "-c", script])
    XCTAssertEqual(oracle.status, 0, oracle.stderr)

    let inspected = try CLI.run(["inspect", "--image", tar, "--repo", work, "--format", "json"], in: work)
    XCTAssertEqual(inspected.status, 0, inspected.stderr)
    let snapshot = try SnapshotCoding.decode(Array(inspected.stdout.utf8), path: tar)
    let report = work + "/findings.json"
    let checked = try CLI.run(
      ["check", "--image", tar, "--repo", work, "--annotations", "none", "--report", "json=" + report], in: work)
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
    return Case(
      name: variant, tar: tar, oracle: oracle.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
      snapshot: snapshot, findings: (object as? [String: Any])?["findings"] as? [[String: Any]] ?? [],
      status: checked.status)
  }

  /// The image's root filesystem as a runtime composes it: the lower layer (prod.tar's, made from the debootstrap
  /// root folder that make-debian-images.sh inserted) under an overlay mount, with the image's own top layer
  /// unpacked as the upper one, owners and modes kept. Where this machine refuses an overlay mount, the whole image
  /// through `umoci raw unpack` (5-15 s here).
  private static func rootFilesystem(
    of tag: String, images: DebianRoots.Images, work: String
  ) throws -> (path: String, unmount: () -> Void) {
    let oci = images.folder + "/oci"
    func json(_ path: String) throws -> [String: Any] {
      try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }
    func blob(_ digest: String) -> String { oci + "/blobs/sha256/" + digest.dropFirst("sha256:".count) }
    let manifests = try json(oci + "/index.json")["manifests"] as? [[String: Any]] ?? []
    let entry = try XCTUnwrap(
      manifests.first { ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == tag })
    let layers = try json(blob(try XCTUnwrap(entry["digest"] as? String)))["layers"] as? [[String: Any]] ?? []
    let top = try XCTUnwrap(layers.last?["digest"] as? String)
    let lower = try DebianRoots.root("bookworm").rootfs
    let merged = work + "/merged"
    for folder in ["upper", "overlay-work", "merged"] {
      try FileManager.default.createDirectory(atPath: work + "/" + folder, withIntermediateDirectories: true)
    }
    // Python's tarfile, as root, keeps owners and modes. umoci's layers end without the end-of-archive blocks, which
    // GNU tar and tarfile call an error after the last member: the members before it are what the layer holds.
    let extract = """
      import sys, tarfile
      layer = tarfile.open(sys.argv[1])
      members = []
      try:
          for member in layer:
              members.append(member)
      except tarfile.ReadError:
          pass
      layer.extractall(sys.argv[2], members=members, numeric_owner=True)
      """
    let untar = try Command.run("/usr/bin/python3", ["-c", extract, blob(top), work + "/upper"])
    XCTAssertEqual(untar.status, 0, untar.stderr)
    let mount = try Command.run(
      "/bin/mount",
      ["-t", "overlay", "overlay", "-o",
       "lowerdir=\(lower),upperdir=\(work)/upper,workdir=\(work)/overlay-work", merged])
    if mount.status == 0 {
      return (merged, { _ = try? Command.run("/bin/umount", [merged]) })
    }
    let unpack = try Command.run("/usr/bin/umoci", ["raw", "unpack", "--image", oci + ":" + tag, work + "/rootfs"])
    XCTAssertEqual(unpack.status, 0, unpack.stderr)
    return (work + "/rootfs", {})
  }

  private func requests(_ snapshot: Snapshot) throws -> ClientTrust {
    try XCTUnwrap(snapshot.effectiveTrust.first { $0.client == "requests" }, "\(snapshot.effectiveTrust)")
  }

  /// A readable root in a folder no pattern names: read, and requests verifies with it, as it does in the image.
  /// (trustgate called the file missing: TG201, TG207 "invalid path" for a client that verifies.)
  func testRootInAnUnlistedFolderIsReadAndRequestsVerifiesWithIt() throws {
    let open = try run("open")
    XCTAssertEqual(open.oracle, "verified")
    XCTAssertEqual(open.snapshot.target.user, "nobody (uid 65534, gid 65534)")
    let variable = try XCTUnwrap(open.snapshot.environment.first { $0.name == "REQUESTS_CA_BUNDLE" })
    XCTAssertEqual(variable.target?.state, .file)
    XCTAssertEqual(variable.target?.certificates?.count, 1)
    let trust = try requests(open.snapshot)
    XCTAssertEqual(trust.status, .ok, "\(trust)")
    XCTAssertEqual(trust.path, "/opt/corp/ca.pem")
    XCTAssertEqual(trust.roots, 1)
    for rule in ["TG201", "TG207"] {
      XCTAssertEqual(open.findings.filter { $0["ruleID"] as? String == rule }.count, 0, "\(open.findings)")
    }
  }

  /// The same root closed to the image's user: requests raises PermissionError in the image, and trustgate says so
  /// (it read the file as root and called requests fine).
  func testRootTheImagesUserMayNotReadBreaksRequestsAsInTheImage() throws {
    let closed = try run("closed")
    XCTAssertTrue(closed.oracle.contains("PermissionError(13, 'Permission denied')"), closed.oracle)
    let variable = try XCTUnwrap(closed.snapshot.environment.first { $0.name == "REQUESTS_CA_BUNDLE" })
    XCTAssertEqual(variable.target?.state, .unreadable)
    let trust = try requests(closed.snapshot)
    XCTAssertEqual(trust.status, .broken, "\(trust)")
    XCTAssertTrue(trust.note?.contains("PermissionError") == true, "\(trust)")
    XCTAssertEqual(closed.status, 1)
    let tg207 = closed.findings.filter { $0["ruleID"] as? String == "TG207" && $0["subject"] as? String == "requests" }
    XCTAssertEqual(tg207.count, 1, "\(closed.findings)")
    XCTAssertTrue((tg207.first?["message"] as? String)?.contains("PermissionError") == true, "\(tg207)")
    // Who could not read it: the config's User, as the image's passwd names it.
    XCTAssertTrue(
      (tg207.first?["message"] as? String)?.contains("cannot be read by the image's user nobody (uid 65534") == true,
      "\(tg207)")
    let tg201 = closed.findings.filter { $0["ruleID"] as? String == "TG201" }
    XCTAssertTrue((tg201.first?["fix"] as? String)?.contains("chmod a+r") == true, "\(tg201)")
    // OpenSSL's own default paths are open to everyone: those clients still verify.
    for client in ["openssl", "python-ssl", "urllib3"] {
      XCTAssertEqual(closed.snapshot.effectiveTrust.first { $0.client == client }?.status, .ok, client)
    }
  }

  /// A relative REQUESTS_CA_BUNDLE (`certs/ca.pem`) in an image whose WorkingDir is /app: requests opens
  /// /app/certs/ca.pem and verifies, and trustgate reads that file. (It looked for /certs/ca.pem: TG201, and TG207
  /// "invalid path" for a client that verifies.)
  func testRelativeBundleIsOpenedFromTheImagesWorkingDir() throws {
    let image = try run("workdir", tag: "workdir", bundle: "certs/ca.pem", workingDirectory: "/app")
    XCTAssertEqual(image.oracle, "verified")
    let variable = try XCTUnwrap(image.snapshot.environment.first { $0.name == "REQUESTS_CA_BUNDLE" })
    XCTAssertEqual(variable.value, "certs/ca.pem")
    XCTAssertEqual(variable.path, "/app/certs/ca.pem")
    XCTAssertEqual(variable.target?.state, .file)
    XCTAssertEqual(variable.target?.certificates?.count, 1)
    let trust = try requests(image.snapshot)
    XCTAssertEqual(trust.status, .ok, "\(trust)")
    XCTAssertEqual(trust.path, "/app/certs/ca.pem")
    // The corporate root is a private anchor of the image: requests, which reads the variable, verifies it (the
    // verifier looked for it in certs/ca.pem of the repository: "the root is in no trust source here", TG801).
    let anchor = try XCTUnwrap(
      image.snapshot.verdicts?.first { $0.client == "requests" && $0.subject.hasPrefix(Verdicts.anchorPrefix) },
      "\(image.snapshot.verdicts ?? [])")
    XCTAssertTrue(anchor.verifies, "\(anchor)")
    XCTAssertFalse(
      image.findings.contains {
        $0["ruleID"] as? String == "TG801" && ($0["message"] as? String)?.hasPrefix("requests ") == true
      },
      "\(image.findings)")
    for rule in ["TG201", "TG207"] {
      XCTAssertEqual(image.findings.filter { $0["ruleID"] as? String == rule }.count, 0, "\(image.findings)")
    }
  }
}

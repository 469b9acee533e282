import Foundation
import XCTest

@testable import TrustgateCore

/// Files an image's `User` may read, and files its settings name outside the reader's patterns. The image is made
/// here with umoci from a tree with real owners and modes; the kernel is the oracle for each file: the same tree,
/// unpacked by umoci, read with `cat` under setpriv as the ids trustgate resolved.
final class ImageUserTests: XCTestCase {
  static let script = #"""
    set -eu
    work=$1
    tree=$work/tree
    mkdir -p "$tree/etc" "$tree/srv/ca" "$tree/srv/private" "$tree/app" "$tree/home/app"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'app:x:1000:1000::/home/app:/bin/sh' \
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$tree/etc/passwd"
    printf '%s\n' 'root:x:0:' 'app:x:1000:' 'certs:x:2000:app' 'nogroup:x:65534:' >"$tree/etc/group"
    pem=$(openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
      -subj /CN=user-test -days 30 2>/dev/null)
    for name in open group owner closed; do printf '%s\n' "$pem" >"$tree/srv/ca/$name.pem"; done
    printf '%s\n' "$pem" >"$tree/srv/private/inner.pem"
    chown 0:2000 "$tree/srv/ca/group.pem" && chmod 640 "$tree/srv/ca/group.pem"
    chown 1000:1000 "$tree/srv/ca/owner.pem" && chmod 600 "$tree/srv/ca/owner.pem"
    chmod 600 "$tree/srv/ca/closed.pem"
    chmod 644 "$tree/srv/ca/open.pem" "$tree/srv/private/inner.pem"
    chmod 700 "$tree/srv/private"
    ln -s /srv/ca/owner.pem "$tree/app/link.pem"
    umoci init --layout "$work/oci" >/dev/null
    umoci new --image "$work/oci:base" >/dev/null
    umoci insert --image "$work/oci:base" "$tree" / >/dev/null
    umoci config --image "$work/oci:base" --config.env=SSL_CERT_FILE=/app/link.pem >/dev/null
    for user in app nobody ghost 1234:certs 1234 root; do
      layout=$work/user-$(printf '%s' "$user" | tr ':' '-')
      cp -r "$work/oci" "$layout"
      umoci config --image "$layout:base" --config.user="$user" >/dev/null
    done
    umoci raw unpack --image "$work/oci:base" "$work/rootfs" >/dev/null 2>&1
    """#

  private static let built: Result<String, Error> = Result {
    guard getuid() == 0 else { throw XCTSkip("owners other than this user need root") }
    for tool in ["umoci", "openssl", "setpriv"] where Shell.which(tool) == nil { throw XCTSkip("no \(tool)") }
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("tg-user-\(UUID().uuidString)").path
    let result = try Shell.run(["/bin/sh", "-c", script, "sh", work])
    guard result.status == 0 else { throw XCTSkip("the user images could not be made: \(result.output)") }
    return work
  }

  override class func tearDown() {
    if case .success(let work) = built { try? FileManager.default.removeItem(atPath: work) }
    super.tearDown()
  }

  /// The image with `User` set to `user`; `everything` keeps every file, not only the trust-relevant ones.
  private func image(_ user: String, everything: Bool = false) throws -> ContainerImage {
    let work = try Self.built.get()
    let path = work + "/user-" + user.replacingOccurrences(of: ":", with: "-")
    return everything
      ? try ContainerImage.open(path: path, wanted: { _ in true }) : try ContainerImage.open(path: path)
  }

  /// Whether the kernel lets these ids read the file in the unpacked tree.
  private func kernelReads(_ path: String, as user: ImageUser) throws -> Bool {
    let work = try Self.built.get()
    let groups =
      user.groups.isEmpty ? ["--clear-groups"] : ["--groups", user.groups.map(String.init).joined(separator: ",")]
    let setpriv = try XCTUnwrap(Shell.which("setpriv"))
    let result = try Shell.run(
      [setpriv, "--reuid", "\(user.uid)", "--regid", "\(user.gid)"] + groups + ["cat", work + "/rootfs" + path])
    return result.status == 0
  }

  private func readable(_ image: ContainerImage, _ path: String) -> Bool {
    (try? image.files.read(path)) != nil
  }

  func testUserIsResolvedAsARuntimeDoes() throws {
    XCTAssertEqual(
      try image("app").user,
      ImageUser(spec: "app", uid: 1000, gid: 1000, groups: [2000], name: "app", home: "/home/app"))
    XCTAssertEqual(
      try image("nobody").user,
      ImageUser(spec: "nobody", uid: 65534, gid: 65534, groups: [], name: "nobody", home: "/nonexistent"))
    // A number need not be in passwd; an explicit group replaces the primary one and brings no supplementary ones.
    XCTAssertEqual(
      try image("1234:certs").user,
      ImageUser(spec: "1234:certs", uid: 1234, gid: 2000, groups: [], name: nil, home: nil))
    XCTAssertEqual(try image("1234").user, ImageUser(spec: "1234", uid: 1234, gid: 0, groups: [], name: nil, home: nil))
    // A name that is not in passwd: runtimes refuse to start the container; said, and read as root.
    let ghost = try image("ghost", everything: true)
    XCTAssertNil(ghost.user)
    XCTAssertTrue(
      ghost.warnings.contains { $0.contains("User `ghost` cannot be resolved (unable to find user ghost") },
      "\(ghost.warnings)")
    XCTAssertTrue(readable(ghost, "/srv/ca/closed.pem"))
  }

  /// The name comes from the image: a hostile passwd cannot make a finding or a warning kilobytes long.
  func testNamesFromTheImageAreCut() throws {
    let name = String(repeating: "n", count: 5_000)
    let passwd = Array("\(name):x:1000:1000::/:/bin/sh\n".utf8)
    let group =
      Array(("big:x:3000:" + name + "\n").utf8)
      + (0..<100).flatMap { Array("g\($0):x:\(4000 + $0):\(name)\n".utf8) }
    let user = try ImageUser.resolve(name, passwd: passwd, group: group).get()
    XCTAssertEqual(user.groups.count, 101)
    XCTAssertLessThan(user.description.count, 250, user.description)
    guard case .failure(let unresolved) = ImageUser.resolve(name + "x", passwd: passwd, group: nil) else {
      return XCTFail("a name missing from passwd resolved")
    }
    XCTAssertLessThan(unresolved.reason.count, 150, unresolved.reason)
  }

  func testEachFileIsReadableExactlyWhenTheKernelLetsTheUserReadIt() throws {
    let paths = [
      "/srv/ca/open.pem", "/srv/ca/group.pem", "/srv/ca/owner.pem", "/srv/ca/closed.pem", "/srv/private/inner.pem",
    ]
    var table: [String: [String: Bool]] = [:]
    for spec in ["app", "nobody", "1234:certs", "1234", "root"] {
      let image = try image(spec, everything: true)
      let user = try XCTUnwrap(image.user, spec)
      for path in paths {
        let kernel = try kernelReads(path, as: user)
        table[spec, default: [:]][path] = kernel
        XCTAssertEqual(readable(image, path), kernel, "\(spec) reading \(path)")
      }
    }
    // The table is not trivial: each file is refused to someone, and root reads them all.
    for path in paths.dropFirst() {
      let answers = Set(table.values.compactMap { $0[path] })
      XCTAssertEqual(answers, [true, false], "\(path): \(table)")
    }
    // A folder the user may not search hides its files (stat fails there, as os.path.exists says False); a file
    // the user may not read is there and refuses the read.
    let nobody = try image("nobody", everything: true)
    XCTAssertNil(nobody.files.kind("/srv/private/inner.pem"))
    XCTAssertThrowsError(try nobody.files.read("/srv/ca/closed.pem")) { error in
      XCTAssertEqual(error as? FileError, .notReadable("/srv/ca/closed.pem", reason: "Permission denied"))
    }
  }

  /// `--image-user` reads the image as a runtime told to start it as another user would (`docker run --user`,
  /// Kubernetes `runAsUser`); without `--image` it is an input error.
  func testImageUserOverridesTheConfigsUser() throws {
    let work = try Self.built.get()
    let overridden = try ContainerImage.open(path: work + "/user-nobody", user: "app", wanted: { _ in true })
    XCTAssertEqual(overridden.user?.uid, 1000)
    XCTAssertEqual(overridden.user?.groups, [2000])
    XCTAssertTrue(readable(overridden, "/srv/ca/owner.pem"))
    XCTAssertTrue(readable(overridden, "/srv/ca/group.pem"))
    XCTAssertFalse(readable(try image("nobody", everything: true), "/srv/ca/owner.pem"))

    let inspected = try CLI.run(
      ["inspect", "--image", work + "/user-nobody", "--image-user", "app", "--repo", work, "--format", "json"],
      in: work)
    XCTAssertEqual(inspected.status, 0, inspected.stderr)
    let snapshot = try SnapshotCoding.decode(Array(inspected.stdout.utf8), path: "inspect")
    XCTAssertEqual(snapshot.target.user, "app (uid 1000, gid 1000, groups 2000)")
    let ghost = try CLI.run(
      ["inspect", "--image", work + "/user-nobody", "--image-user", "ghost", "--repo", work], in: work)
    XCTAssertTrue(ghost.stdout.contains("the --image-user `ghost` cannot be resolved"), ghost.all)

    let alone = try CLI.run(["inspect", "--image-user", "app", "--repo", work], in: work)
    XCTAssertEqual(alone.status, 2)
    XCTAssertTrue(alone.stderr.contains("--image-user says who reads --image; give --image too"), alone.stderr)
  }

  /// SSL_CERT_FILE names /app/link.pem, a link to /srv/ca/owner.pem: no pattern names either folder. The link's
  /// target is kept by a second read of the layers, and the user (its owner) reads it.
  func testAFileTheEnvironmentNamesBehindALinkIsKept() throws {
    let app = try image("app")
    XCTAssertEqual(app.env["SSL_CERT_FILE"], "/app/link.pem")
    XCTAssertEqual(try app.files.resolve("/app/link.pem"), "/srv/ca/owner.pem")
    XCTAssertTrue(readable(app, "/app/link.pem"))
    // Files nobody names stay out of the tree.
    XCTAssertFalse(app.files.exists("/srv/ca/open.pem"))
    // umoci writes the root folder as the member `/`: not an absolute path to warn of.
    XCTAssertEqual(app.warnings, [])
  }
}

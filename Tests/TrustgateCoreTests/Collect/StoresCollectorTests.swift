import Foundation
import XCTest

@testable import TrustgateCore

/// Stores of the fake roots in rootfs/ and of the pki/hashed directory. Fingerprints and counts come from
/// rootfs/expected.tsv, rootfs/links.tsv, pki/expected.tsv and pki/hashed-links.tsv (openssl CLI).
final class StoresCollectorTests: XCTestCase {
  static let now = "2025-06-01T00:00:00Z"

  private func collect(root: String, now: String = now) -> (stores: [TrustStore], primary: String?, context: CollectionContext) {
    let context = CollectionContext(fs: HostFileSystem(root: root), now: now)
    let result = StoresCollector().collect(context)
    return (result.stores, result.primaryBundle, context)
  }

  private func collect(layout: String) -> (stores: [TrustStore], primary: String?, context: CollectionContext) {
    collect(root: Fixtures.path("rootfs/" + layout))
  }

  /// Sorted fingerprints of one file in rootfs/expected.tsv.
  private func expectedFingerprints(_ layout: String, _ path: String) throws -> [String] {
    let row = try TSV.rows("rootfs/expected.tsv").first { $0["layout"] == layout && $0["path"] == path }
    let fingerprints = try XCTUnwrap(row, "\(layout) \(path) not in expected.tsv")["sha256_sorted"]!
    return fingerprints.split(separator: ",").map(String.init)
  }

  private func store(_ stores: [TrustStore], _ path: String) throws -> TrustStore {
    try XCTUnwrap(stores.first { $0.path == path }, "no store \(path) in \(stores.map(\.path))")
  }

  func testDebianStoresAndTheCorpRootLeftOutOfTheBundle() throws {
    let (stores, primary, context) = collect(layout: "debian")
    let bundlePath = "/etc/ssl/certs/ca-certificates.crt"
    XCTAssertEqual(primary, bundlePath)
    let bundle = try store(stores, bundlePath)
    XCTAssertEqual(bundle.kind, .bundle)
    XCTAssertEqual(bundle.certificates.certificates.sorted(), try expectedFingerprints("debian", "etc/ssl/certs/ca-certificates.crt"))

    let hashed = try store(stores, "/etc/ssl/certs")
    XCTAssertEqual(hashed.kind, .hashedDirectory)
    XCTAssertEqual(hashed.certificates.distinct, Set(try expectedFingerprints("debian", "etc/ssl/certs/ca-certificates.crt")))
    XCTAssertEqual(hashed.mismatchedHashLinks, [])
    // escape.pem points outside the root: inside the view its target does not exist.
    XCTAssertEqual(hashed.danglingLinks, ["escape.pem"])
    for loop in ["loop-a.pem", "loop-b.pem"] {
      XCTAssertTrue(
        context.problems.contains { $0.path == "/etc/ssl/certs/" + loop && $0.message.contains("loop") },
        "\(loop): \(context.problems)")
    }

    let offered = try store(stores, "/usr/share/ca-certificates")
    XCTAssertEqual(offered.kind, .directory)
    XCTAssertEqual(
      offered.certificates.certificates.sorted(),
      (try expectedFingerprints("debian", "usr/share/ca-certificates/mozilla/RootEC.crt")
        + expectedFingerprints("debian", "usr/share/ca-certificates/mozilla/RootRSA.crt")).sorted())

    let corp = try expectedFingerprints("debian", "usr/local/share/ca-certificates/corp-root.crt")
    let anchors = try store(stores, "/usr/local/share/ca-certificates")
    XCTAssertEqual(anchors.kind, .anchors)
    XCTAssertEqual(anchors.certificates.certificates, corp)
    XCTAssertEqual(anchors.notInBundle, corp)
    let problem = try XCTUnwrap(context.problems.first { $0.path == "/usr/local/share/ca-certificates" })
    XCTAssertTrue(problem.message.contains(bundlePath), problem.message)
    XCTAssertTrue(problem.message.contains("Example Corp Internal Root CA"), problem.message)
    XCTAssertTrue(problem.fix.contains("update-ca-certificates"), problem.fix)
  }

  func testRHELBundlesFollowTheirLinksAndTheAnchorNeedsUpdateCATrust() throws {
    let (stores, primary, context) = collect(layout: "rhel")
    let links = try TSV.rows("rootfs/links.tsv").filter { $0["layout"] == "rhel" }
    let pem = try expectedFingerprints("rhel", "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem")
    let trust = try expectedFingerprints("rhel", "etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt")
    XCTAssertEqual(primary, "/etc/pki/tls/certs/ca-bundle.crt")
    for path in ["/etc/pki/tls/certs/ca-bundle.crt", "/etc/pki/tls/cert.pem"] {
      let bundle = try store(stores, path)
      XCTAssertEqual(bundle.linksTo, links.first { "/" + $0["link"]! == path }?["target"], path)
      XCTAssertEqual(bundle.certificates.certificates.sorted(), pem, path)
    }
    XCTAssertEqual(try store(stores, "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem").linksTo, nil)
    XCTAssertEqual(
      try store(stores, "/etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt").certificates.certificates.sorted(), trust)

    let corp = try expectedFingerprints("rhel", "etc/pki/ca-trust/source/anchors/corp-root.pem")
    let anchors = try store(stores, "/etc/pki/ca-trust/source/anchors")
    XCTAssertEqual(anchors.notInBundle, corp)
    let problem = try XCTUnwrap(context.problems.first { $0.path == "/etc/pki/ca-trust/source/anchors" })
    XCTAssertTrue(problem.message.contains("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"), problem.message)
    XCTAssertTrue(problem.fix.contains("update-ca-trust"), problem.fix)
    XCTAssertFalse(stores.contains { $0.path == "/etc/ssl/certs/ca-certificates.crt" })
  }

  func testAlpineCorpRootIsInTheBundleSoNothingIsReported() throws {
    let (stores, primary, context) = collect(layout: "alpine")
    let bundle = try expectedFingerprints("alpine", "etc/ssl/certs/ca-certificates.crt")
    XCTAssertEqual(primary, "/etc/ssl/certs/ca-certificates.crt")
    XCTAssertEqual(try store(stores, "/etc/ssl/certs/ca-certificates.crt").certificates.certificates.sorted(), bundle)
    let certPem = try store(stores, "/etc/ssl/cert.pem")
    XCTAssertEqual(certPem.linksTo, "/etc/ssl/certs/ca-certificates.crt")
    XCTAssertEqual(certPem.certificates.certificates.sorted(), bundle)
    let anchors = try store(stores, "/usr/local/share/ca-certificates")
    XCTAssertEqual(anchors.certificates.certificates, try expectedFingerprints("alpine", "usr/local/share/ca-certificates/corp-root.crt"))
    XCTAssertNil(anchors.notInBundle)
    let hashed = try store(stores, "/etc/ssl/certs")
    XCTAssertEqual(hashed.kind, .hashedDirectory)
    XCTAssertEqual(hashed.mismatchedHashLinks, [])
    XCTAssertEqual(hashed.danglingLinks, [])
    XCTAssertEqual(hashed.certificates.distinct, Set(bundle))
    XCTAssertEqual(context.problems, [], "\(context.problems)")
  }

  func testHashedDirectoryReportsTheMismatchedAndTheDanglingLink() throws {
    let scratch = try TemporaryDirectory()
    try scratch.copyTree(from: Fixtures.path("pki/hashed"), to: "etc/ssl/certs")
    let links = try TSV.rows("pki/hashed-links.tsv")
    let name = { (row: [String: String]) in String(row["link"]!.split(separator: "/").last!) }
    let mismatched = links.filter { $0["target_exists"] == "true" && $0["name_matches_hash"] == "false" }.map(name)
    let dangling = links.filter { $0["target_exists"] == "false" }.map(name)
    XCTAssertEqual(mismatched, ["deadbeef.0"])
    XCTAssertEqual(dangling, ["0badc0de.0"])

    let (stores, _, context) = collect(root: scratch.path)
    let directory = try store(stores, "/etc/ssl/certs")
    XCTAssertEqual(directory.kind, .hashedDirectory)
    XCTAssertEqual(directory.mismatchedHashLinks, mismatched)
    XCTAssertEqual(directory.danglingLinks, dangling)
    let certs = try TSV.rows("pki/expected.tsv").filter { $0["file"]!.hasPrefix("hashed/") }
    XCTAssertEqual(directory.certificates.distinct, Set(certs.map { $0["sha256"]! }))
    XCTAssertEqual(directory.certificates.count, certs.count)
    XCTAssertEqual(directory.certificates.expired, certs.filter { $0["not_after"]! < Self.now }.count)
    for link in mismatched + dangling {
      let problem = context.problems.first { $0.path == "/etc/ssl/certs/" + link }
      XCTAssertNotNil(problem, "\(link): \(context.problems)")
    }
    // No bundle in this root: that is a problem of its own.
    XCTAssertTrue(context.problems.contains { $0.message.contains("no CA bundle") })
  }

  /// Only names OpenSSL's directory lookup can open (`%08lx.%d`: eight hex digits, a dot, a decimal number) are
  /// judged as hash links. A name of full-width digits, seven digits, a second suffix or a CRL's `.r0` is not: it
  /// used to be reported as a mismatched hash link when its characters only looked like digits to Unicode.
  func testOnlyNamesOpenSSLLooksUpAreHashLinks() throws {
    let scratch = try TemporaryDirectory()
    try scratch.copyTree(from: Fixtures.path("pki/hashed"), to: "etc/ssl/certs")
    let folder = scratch.path + "/etc/ssl/certs"
    let rows = try TSV.rows("pki/hashed-links.tsv")
    let hash = try XCTUnwrap(rows.first { $0["target"] == "root-rsa.pem" }?["target_subject_hash"])
    // What `openssl x509 -hash` says of the file, and what OpenSSL reads from the folder for that hash.
    let said = try ExternalTool.run(["openssl", "x509", "-hash", "-noout", "-in", folder + "/root-rsa.pem"])
    XCTAssertEqual(said.output.trimmingCharacters(in: .whitespacesAndNewlines), hash)
    for name in ["\u{FF11}\u{FF12}\u{FF13}\u{FF14}\u{FF15}\u{FF16}\u{FF17}\u{FF18}.0", "1234567.0", hash + ".0.old",
      hash + ".r0", hash + ".", "12345678.x"]
    {
      try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: "root-rsa.pem")
    }
    // Upper-case digits are read as the hash they spell (the name matches), a second link as the next number.
    for name in [hash.uppercased() + ".1", hash + ".10"] {
      try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: "root-rsa.pem")
    }
    let (stores, _, _) = collect(root: scratch.path)
    let directory = try store(stores, "/etc/ssl/certs")
    XCTAssertEqual(directory.mismatchedHashLinks, ["deadbeef.0"])
    XCTAssertEqual(directory.danglingLinks, ["0badc0de.0"])
  }

  /// A hash link whose target's folder is gone too (`/gone/root.pem`) is as dangling as one whose file is gone: it
  /// used to be an anonymous "no such file" problem that no rule reported. Many of them are one problem, and the
  /// store lists only the first names with the count.
  func testDanglingLinksIntoMissingFoldersAreDanglingAndAggregated() throws {
    let scratch = try TemporaryDirectory()
    let made = try ExternalTool.run([
      "bash", "-euo", "pipefail", "-c",
      "mkdir -p '\(scratch.path)/etc/ssl/certs' && cd '\(scratch.path)/etc/ssl/certs' && "
        + "seq 0 99 | awk '{ printf \"/gone/%08x.0\\n\", $1 + 268435456 }' | xargs ln -s -t .",
    ])
    XCTAssertEqual(made.status, 0, made.output)
    let (stores, _, context) = collect(root: scratch.path)
    let directory = try store(stores, "/etc/ssl/certs")
    XCTAssertEqual(directory.kind, .hashedDirectory)
    XCTAssertEqual(directory.danglingLinkCount, 100)
    XCTAssertEqual(directory.danglingLinks?.count, StoresCollector.listedLinks)
    XCTAssertEqual(directory.danglingLinks?.first, "10000000.0")
    let dangling = context.problems.filter { $0.message.contains("dangling link") }
    XCTAssertEqual(dangling.map(\.path), ["/etc/ssl/certs"], "\(context.problems)")
    XCTAssertTrue(dangling.first?.message.hasPrefix("100 links: dangling link") == true, "\(dangling)")
    XCTAssertFalse(context.problems.contains { $0.message.contains("no such file") }, "\(context.problems)")
  }

  func testExpiredAndNotYetValidAreCountedAgainstTheGivenTime() throws {
    let scratch = try TemporaryDirectory()
    try scratch.write("etc/ssl/certs/ca-certificates.crt", Array(try Fixtures.data("pki/bundle.pem")))
    let rows = try TSV.rows("pki/expected.tsv").filter { $0["file"] == "bundle.pem" }
    for now in ["2025-06-01T00:00:00Z", "2031-01-01T00:00:00Z", "2015-01-01T00:00:00Z"] {
      let (stores, _, context) = collect(root: scratch.path, now: now)
      let set = try store(stores, "/etc/ssl/certs/ca-certificates.crt").certificates
      let expired = rows.filter { $0["not_after"]! < now }.count
      let future = rows.filter { $0["not_before"]! > now }.count
      XCTAssertEqual(set.expired, expired, now)
      XCTAssertEqual(set.notYetValid, future, now)
      XCTAssertEqual(
        context.problems.contains { $0.message.contains("expired certificate") }, expired > 0, "\(now): \(context.problems)")
      XCTAssertEqual(context.problems.contains { $0.message.contains("not yet valid at \(now)") }, future > 0, now)
    }
  }

  func testDuplicateEmptyAndMissingBundlesAreProblems() throws {
    let duplicates = try TemporaryDirectory()
    try duplicates.write("etc/ssl/certs/ca-certificates.crt", Array(try Fixtures.data("pki/bundle-duplicate.pem")))
    let dup = collect(root: duplicates.path)
    let rows = try TSV.rows("pki/expected.tsv").filter { $0["file"] == "bundle-duplicate.pem" }
    XCTAssertEqual(try store(dup.stores, "/etc/ssl/certs/ca-certificates.crt").certificates.duplicates, rows.count - Set(rows.map { $0["sha256"]! }).count)
    XCTAssertTrue(dup.context.problems.contains { $0.message.contains("duplicate") })

    let empty = try TemporaryDirectory()
    try empty.write("etc/ssl/certs/ca-certificates.crt", [])
    let none = collect(root: empty.path)
    XCTAssertNil(none.primary)
    XCTAssertTrue(none.context.problems.contains { $0.message.contains("holds no certificates") }, "\(none.context.problems)")
    XCTAssertTrue(none.context.problems.contains { $0.message.contains("no CA bundle") })

    let bare = try TemporaryDirectory()
    let nothing = collect(root: bare.path)
    XCTAssertEqual(nothing.stores, [])
    XCTAssertEqual(nothing.context.problems.map(\.path), ["/etc/ssl/certs/ca-certificates.crt"])
  }

  func testBrokenBundleProblemCarriesTheLine() throws {
    let scratch = try TemporaryDirectory()
    try scratch.write("etc/ssl/certs/ca-certificates.crt", Array(try Fixtures.data("pki/bundle-broken-middle.pem")))
    let (stores, _, context) = collect(root: scratch.path)
    let set = try store(stores, "/etc/ssl/certs/ca-certificates.crt").certificates
    XCTAssertEqual(set.count, 3)
    XCTAssertEqual(set.unparsable, 1)
    let begins = try Fixtures.text("pki/bundle-broken-middle.pem").split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated().filter { $0.element.hasPrefix("-----BEGIN") }.map { $0.offset + 1 }
    let lines = context.problems.filter { $0.path == "/etc/ssl/certs/ca-certificates.crt" }.compactMap(\.line)
    XCTAssertEqual(lines, [begins[1]])
  }
  func testLocalCAInASubfolderStillCountsAsMissingFromTheBundle() throws {
    // update-ca-certificates includes every .crt *below* /usr/local/share/ca-certificates.
    let scratch = try TemporaryDirectory()
    try scratch.write("etc/ssl/certs/ca-certificates.crt", Array(try Fixtures.data("pki/root-rsa.pem")))
    try scratch.write("usr/local/share/ca-certificates/corp/corp-root.crt", Array(try Fixtures.data("pki/corp-root.pem")))
    try scratch.link("usr/local/share/ca-certificates/corp/self", to: "..")
    let corp = try TSV.rows("pki/expected.tsv").filter { $0["file"] == "corp-root.pem" }.map { $0["sha256"]! }
    let (stores, _, context) = collect(root: scratch.path)
    XCTAssertEqual(try store(stores, "/usr/local/share/ca-certificates").notInBundle, corp)
    XCTAssertEqual(context.problems.filter { $0.path == "/usr/local/share/ca-certificates" }.count, 1, "\(context.problems)")
  }
}


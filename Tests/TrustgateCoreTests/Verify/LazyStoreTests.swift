import Foundation
import Synchronization
import XCTest

@testable import TrustgateCore

/// CA files are read lazily (only the certificates a verification asks for are parsed): every verdict must equal the
/// one with the files loaded whole, and `openssl verify` with the same `-CAfile`/`-CApath`.
final class LazyStoreTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
  }

  /// Writes `parts` (PKI file names, or literal text) into one file of the scratch folder.
  func write(_ name: String, _ parts: [String]) throws -> String {
    var text = ""
    for part in parts {
      text += FileManager.default.fileExists(atPath: pki.file(part)) ? try String(contentsOfFile: pki.file(part)) : part
    }
    let path = scratch.path + "/" + name
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    return path
  }

  /// What openssl makes of one PEM: `openssl x509 -in FILE ARGS`, or `openssl crl …`.
  func openssl(_ arguments: [String]) throws -> String {
    guard let openssl = Shell.which("openssl") else { throw XCTSkip("no openssl on PATH") }
    let result = try Shell.run([openssl] + arguments)
    XCTAssertEqual(result.status, 0, result.output)
    return result.output
  }

  func store(files: [String], folder: String?, lazily: Bool) throws -> (CertificateStore, [Int]) {
    let store = try CertificateStore()
    var counts: [Int] = []
    for file in files {
      counts.append(store.add(pem: Array(try Data(contentsOf: URL(fileURLWithPath: file))), lazily: lazily))
    }
    if let folder {
      try store.addHashedFolder { name in
        (try? Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))).map(Array.init)
      }
    }
    return (store, counts)
  }

  /// Lazily and whole, every chain and flag set gives the same verdict, and it is `openssl verify`'s.
  func assertSameVerdicts(
    files: [String], folder: String? = nil, expectCounts: [Int]? = nil, file: StaticString = #filePath,
    line: UInt = #line
  ) throws {
    let (lazy, lazyCounts) = try store(files: files, folder: folder, lazily: true)
    let (whole, wholeCounts) = try store(files: files, folder: folder, lazily: false)
    XCTAssertEqual(lazyCounts, wholeCounts, "certificates loaded", file: file, line: line)
    if let expectCounts { XCTAssertEqual(lazyCounts, expectCounts, file: file, line: line) }
    let now = Int64(Date().timeIntervalSince1970)
    // openssl verify takes one -CAfile: the files concatenated are what a store of all of them holds, unless one
    // does not load (then OpenSSL loads nothing of that one): only loading files go in.
    let loading = zip(files, wholeCounts).filter { $0.1 > 0 }.map(\.0)
    let combined = try write("combined-\(UUID().uuidString).pem", try loading.map { try String(contentsOfFile: $0) })
    for (leaf, untrusted) in [("leaf.pem", "inter.pem"), ("leaf.pem", nil), ("nokuleaf.pem", nil)] as [(String, String?)] {
      let chain = try CertificateChain(pem: try pki.bytes(leaf) + (untrusted.map { try pki.bytes($0) } ?? []))
      for flags: VerificationFlags in [[], [.x509Strict, .partialChain]] {
        let a = lazy.verify(chain, host: HostIdentity("localhost"), flags: flags, at: now)
        let b = whole.verify(chain, host: HostIdentity("localhost"), flags: flags, at: now)
        XCTAssertEqual(a, b, "\(leaf) \(flags.names): lazy vs whole", file: file, line: line)
        var arguments = ["-CAfile", combined] + flags.names.map { "-" + $0 }
        arguments += folder.map { ["-CApath", $0] } ?? ["-no-CApath"]
        // openssl verify takes the leaf alone: the chain's intermediates go in as -untrusted.
        let oracle = try OpenSSLOracle.verify(
          leaf: pki.file(leaf), untrusted: untrusted.map { pki.file($0) }, arguments: arguments, host: "localhost")
        XCTAssertEqual(a.verifies, oracle.verifies, "\(leaf) \(flags.names): vs openssl verify", file: file, line: line)
        XCTAssertEqual(a.error, oracle.error, "\(leaf) \(flags.names): vs openssl verify", file: file, line: line)
      }
    }
    XCTAssertFalse(lazy.inexact, file: file, line: line)
  }

  func testPlainBundlesVerifyAsWhenLoadedWhole() throws {
    let system = "/etc/ssl/certs/ca-certificates.crt"
    var files = [try write("roots.pem", ["root.pem", "noku.pem"])]
    if FileManager.default.fileExists(atPath: system) { files.append(system) }
    try assertSameVerdicts(files: files)
    try assertSameVerdicts(files: [try write("inter.pem", ["inter.pem"]), try write("root.pem", ["root.pem"])])
  }

  /// A bundle with one block that does not decode loads nothing in OpenSSL, lazily too.
  func testABundleWithABrokenBlockLoadsNothing() throws {
    let root = try String(contentsOfFile: pki.file("root.pem"))
    // One base64 character changed inside the signature-free body: the block frames, its DER does not decode.
    var lines = root.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines[2] = String(repeating: "A", count: lines[2].count)
    let broken = try write("broken.pem", ["noku.pem", lines.joined(separator: "\n")])
    let whole = try CertificateStore()
    let count = whole.add(pem: Array(try Data(contentsOf: URL(fileURLWithPath: broken))), lazily: false)
    XCTAssertEqual(count, 0, "OpenSSL loads nothing of a bundle with a block that does not decode")
    XCTAssertNil(LazyFiles.index(Array(try Data(contentsOf: URL(fileURLWithPath: broken)))))
    try assertSameVerdicts(files: [broken, try write("inter.pem", ["inter.pem"])], expectCounts: [0, 1])
  }

  /// Trust attributes (`TRUSTED CERTIFICATE`), a CRL and PEM headers are read by OpenSSL whole: so are they here, and
  /// a plain file added after one of them is loaded whole too.
  func testFilesWithOtherBlocksAreLoadedWhole() throws {
    let trusted = try openssl(["x509", "-in", pki.file("root.pem"), "-addtrust", "serverAuth", "-trustout"])
    let crl = try openssl([
      "crl", "-in", try makeCRL(), "-outform", "PEM",
    ])
    let withTrust = try write("trusted.pem", [trusted])
    let withCRL = try write("crl.pem", ["noku.pem", crl])
    XCTAssertNil(LazyFiles.index(Array(trusted.utf8)))
    XCTAssertNil(LazyFiles.index(Array(try String(contentsOfFile: withCRL).utf8)))
    XCTAssertNotNil(LazyFiles.index(try pki.bytes("root.pem")))
    try assertSameVerdicts(files: [withTrust, try write("inter.pem", ["inter.pem"])])
    try assertSameVerdicts(files: [try write("inter.pem", ["inter.pem"]), withCRL, try write("root.pem", ["root.pem"])])
  }

  /// A CA file and a hashed folder: the file is searched first whatever the order, the folder by `<hash>.N`; a
  /// folder file named for one subject and holding another still puts the file's certificates of that subject first.
  func testFilesAndHashedFoldersTogether() throws {
    let folder = scratch.path + "/hashed"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let rootHash = try openssl(["x509", "-in", pki.file("root.pem"), "-noout", "-subject_hash"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let interHash = try openssl(["x509", "-in", pki.file("inter.pem"), "-noout", "-subject_hash"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    try FileManager.default.copyItem(atPath: pki.file("root.pem"), toPath: folder + "/\(rootHash).0")
    try assertSameVerdicts(files: [try write("inter.pem", ["inter.pem"])], folder: folder)
    // Misnamed: the intermediate's hash names a file holding the root and the intermediate.
    let misnamed = scratch.path + "/misnamed"
    try FileManager.default.createDirectory(atPath: misnamed, withIntermediateDirectories: true)
    _ = try write("misnamed/\(interHash).0", ["root.pem", "inter.pem"])
    try assertSameVerdicts(files: [try write("noku.pem", ["noku.pem"])], folder: misnamed)
    try assertSameVerdicts(files: [try write("root.pem", ["root.pem"])], folder: misnamed)
  }

  /// A second root with the test root's subject and another key (a re-keyed root): a store that holds only it for
  /// that subject cannot verify the test chain, one that holds both can.
  func makeRekeyedRoot() throws -> String {
    _ = try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", pki.file("root2.key")])
    _ = try openssl([
      "req", "-x509", "-new", "-key", pki.file("root2.key"), "-subj", "/CN=trustgate test root", "-days", "3650",
      "-config", pki.file("ext.cnf"), "-extensions", "root_ku", "-out", pki.file("root2.pem"),
    ])
    return pki.file("root2.pem")
  }

  /// A file OpenSSL reads whole (trust attributes) puts the re-keyed root's subject in the store: the test root of a
  /// plain file must be there too, before or after it.
  func testAFileLoadedWholeDoesNotHideALazyFilesCertificates() throws {
    let rekeyed = try makeRekeyedRoot()
    let trusted = try write("rekeyed-trusted.pem", [try openssl(["x509", "-in", rekeyed, "-addtrust", "serverAuth", "-trustout"])])
    let root = try write("root.pem", ["root.pem"])
    try assertSameVerdicts(files: [trusted, root])
    try assertSameVerdicts(files: [root, trusted])
    let (store, _) = try store(files: [trusted, root], folder: nil, lazily: true)
    let chain = try CertificateChain(pem: try pki.bytes("chain.pem"))
    XCTAssertTrue(store.verify(chain, host: nil, flags: [], at: Int64(Date().timeIntervalSince1970)).verifies)
  }

  /// A hashed-folder file named for the intermediate holds it and the re-keyed root: the test root of the CA file,
  /// same subject, must still be in the store when the intermediate's issuer is looked for.
  func testAMisnamedFolderFileDoesNotHideALazyFilesCertificates() throws {
    let rekeyed = try makeRekeyedRoot()
    let interHash = try openssl(["x509", "-in", pki.file("inter.pem"), "-noout", "-subject_hash"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let folder = scratch.path + "/mixed"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    _ = try write("mixed/\(interHash).0", ["inter.pem", try String(contentsOfFile: rekeyed)])
    let root = try write("root.pem", ["root.pem"])
    try assertSameVerdicts(files: [root], folder: folder)
    let (store, _) = try store(files: [root], folder: folder, lazily: true)
    let leaf = try CertificateChain(pem: try pki.bytes("leaf.pem"))
    XCTAssertTrue(store.verify(leaf, host: nil, flags: [], at: Int64(Date().timeIntervalSince1970)).verifies)
  }

  /// A CRL issued by the test root (openssl ca with a throwaway configuration).
  func makeCRL() throws -> String {
    let dir = scratch.path + "/ca"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try "".write(toFile: dir + "/index.txt", atomically: false, encoding: .utf8)
    let config = """
      [ca]
      default_ca = test
      [test]
      database = \(dir)/index.txt
      default_md = sha256
      default_crl_days = 30
      """
    try config.write(toFile: dir + "/ca.cnf", atomically: false, encoding: .utf8)
    _ = try openssl([
      "ca", "-gencrl", "-config", dir + "/ca.cnf", "-keyfile", pki.file("root.key"), "-cert", pki.file("root.pem"),
      "-out", dir + "/crl.pem",
    ])
    return dir + "/crl.pem"
  }
}

/// A CA file indexed once is decoded once: every store of the run that loads a certificate of it, and every root
/// chain made from it, hold the same decoded certificate, and each keeps it alive on its own.
final class SharedDecodingTests: XCTestCase {
  func testStoresAndChainsShareOneDecodingThatOutlivesTheFile() throws {
    let pki = try VerifyPKI()
    let leaf = try CertificateChain(pem: try pki.bytes("chain.pem"))
    let now = Int64(Date().timeIntervalSince1970)
    var stores: [CertificateStore] = []
    var chain: CertificateChain?
    do {
      let file = CAFile(try pki.bytes("root.pem"))
      let entry = try XCTUnwrap(file.entries?.first)
      let decoded = try XCTUnwrap(entry.certificate.x509())
      // Asked from many threads at once: one decoding.
      let pointers = Mutex<Set<UInt>>([])
      DispatchQueue.concurrentPerform(iterations: 8) { _ in
        let pointer = entry.certificate.x509().map { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer($0))) }
        pointers.withLock { $0.insert(pointer ?? 0) }
      }
      XCTAssertEqual(pointers.withLock { $0 }, [UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(decoded)))])
      for _ in 0..<2 {
        let store = try CertificateStore()
        XCTAssertEqual(store.add(file), 1)
        stores.append(store)
      }
      chain = try CertificateChain(entry.certificate)
    }
    // The CA file and its decoded certificate are gone; the stores and the chain still hold theirs.
    for store in stores {
      let outcome = store.verify(leaf, host: HostIdentity("localhost"), flags: [], at: now)
      XCTAssertTrue(outcome.verifies, "\(outcome)")
      XCTAssertFalse(store.inexact)
      let root = store.verify(try XCTUnwrap(chain), host: nil, flags: [], at: now, purpose: nil)
      XCTAssertTrue(root.verifies, "\(root)")
    }
    XCTAssertEqual(chain?.count, 1)
  }

  /// Bytes `d2i_X509` refuses decode to nothing, every time, and a chain of them is refused.
  func testRefusedBytesStayRefused() {
    let refused = DecodedCertificate(der: [0x30, 0x03, 0x02, 0x01, 0x01])
    XCTAssertNil(refused.x509())
    XCTAssertNil(refused.x509())
    XCTAssertThrowsError(try CertificateChain(refused))
  }
}

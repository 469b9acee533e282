import Foundation
import XCTest

@testable import TrustgateCore

/// Per-client verification against a private PKI made by openssl, each verdict compared with what `openssl verify`
/// says for the same store and flags (trust-regressions.md §10 for what real clients did).
final class ClientVerificationTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var root: String { scratch.path + "/root" }

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    try scratch.mkdir("root/etc")
  }

  /// Verdicts for every client found in the `--root` tree with `env`.
  func verdicts(env: [String: String], host: String? = "localhost", chain: String = "chain.pem") throws
    -> [ClientVerdict]
  {
    let fs = HostFileSystem(root: root)
    var request = InspectRequest(
      fs: fs, env: env, target: Target(kind: .root), repository: nil, repositoryPathInView: nil,
      now: Int64(Date().timeIntervalSince1970))
    request.includeClock = false
    let parsed = try CertificateChain(pem: try pki.bytes(chain))
    return ChainCheck.run(request, chain: parsed, chainName: chain, host: host.flatMap(HostIdentity.init))
  }

  func verdict(_ verdicts: [ClientVerdict], _ client: String, file: StaticString = #filePath, line: UInt = #line)
    throws -> ClientVerdict
  {
    try XCTUnwrap(
      verdicts.first { $0.client == client }, "\(client) in \(verdicts.map(\.client))", file: file, line: line)
  }

  func copy(_ name: String, to relative: String) throws { try scratch.write("root/" + relative, try pki.bytes(name)) }

  func rehash(_ relative: String) throws {
    let result = try Shell.run([try XCTUnwrap(Shell.which("openssl")), "rehash", root + "/" + relative])
    XCTAssertEqual(result.status, 0, result.output)
  }

  // MARK: folders

  func testFolderWithoutHashLinksVerifiesNothingUntilRehashed() throws {
    try copy("root.pem", to: "certs/root.pem")
    let env = ["SSL_CERT_DIR": "/certs"]
    let oracleArguments = ["-no-CAfile", "-CApath", root + "/certs"]
    let before = try verdict(try verdicts(env: env), "openssl")
    let oracleBefore = try OpenSSLOracle.verify(
      leaf: pki.file("leaf.pem"), untrusted: pki.file("inter.pem"), arguments: oracleArguments, host: "localhost")
    XCTAssertFalse(oracleBefore.verifies)
    XCTAssertEqual(before.verifies, oracleBefore.verifies)
    XCTAssertEqual(before.error, oracleBefore.error)
    XCTAssertEqual(before.error, "unable to get local issuer certificate")

    try rehash("certs")
    let after = try verdict(try verdicts(env: env), "openssl")
    let oracleAfter = try OpenSSLOracle.verify(
      leaf: pki.file("leaf.pem"), untrusted: pki.file("inter.pem"), arguments: oracleArguments, host: "localhost")
    XCTAssertTrue(oracleAfter.verifies, "\(oracleAfter)")
    XCTAssertEqual(after.verifies, oracleAfter.verifies, "\(after)")
    XCTAssertNil(after.error)
    XCTAssertTrue(after.sources.contains { $0.hasPrefix("SSL_CERT_DIR /certs (hashed folder") }, "\(after.sources)")
  }

  /// SSL_CERT_DIR as a `:` list whose first folder is gone: OpenSSL splits it and looks roots up in each folder.
  /// Before, trustgate judged the whole value as one path, found it missing, and said nothing verifies.
  func testSSLCertDirListIsSplitAsOpenSSLSplitsIt() throws {
    try copy("root.pem", to: "certs/root.pem")
    try rehash("certs")
    let all = try verdicts(env: ["SSL_CERT_FILE": "/gone.pem", "SSL_CERT_DIR": "/nowhere:/certs"])
    let openssl = try verdict(all, "openssl")
    let oracle = try OpenSSLOracle.verify(
      leaf: pki.file("leaf.pem"), untrusted: pki.file("inter.pem"), arguments: [], host: "localhost",
      environment: ["SSL_CERT_FILE": root + "/gone.pem", "SSL_CERT_DIR": root + "/nowhere:" + root + "/certs"])
    XCTAssertTrue(oracle.verifies, "\(oracle)")
    XCTAssertEqual(openssl.verifies, oracle.verifies, "\(openssl)")
    XCTAssertTrue(openssl.sources.contains { $0.hasPrefix("SSL_CERT_DIR /certs (hashed folder") }, "\(openssl)")
    XCTAssertTrue(openssl.sources.contains { $0.contains("/nowhere is not a folder") }, "\(openssl)")
  }

  func testMissingSSLCertFileNextToAWorkingFolderStillVerifiesForOpenSSLButNotForCurl() throws {
    try copy("root.pem", to: "certs/root.pem")
    try rehash("certs")
    let curl = Shell.which("curl")
    if let curl { try scratch.write("root/usr/bin/curl", Array(try Data(contentsOf: URL(fileURLWithPath: curl)))) }
    let env = ["SSL_CERT_FILE": "/gone.pem", "SSL_CERT_DIR": "/certs"]
    let all = try verdicts(env: env)
    let openssl = try verdict(all, "openssl")
    // The real OpenSSL default-paths loader with the same variables (host paths for the root's).
    let oracle = try OpenSSLOracle.verify(
      leaf: pki.file("leaf.pem"), untrusted: pki.file("inter.pem"), arguments: [], host: "localhost",
      environment: ["SSL_CERT_FILE": root + "/gone.pem", "SSL_CERT_DIR": root + "/certs"])
    XCTAssertTrue(oracle.verifies, "\(oracle)")
    XCTAssertTrue(openssl.verifies, "\(openssl)")
    XCTAssertTrue(openssl.sources.contains { $0.contains("SSL_CERT_FILE /gone.pem is missing: skipped") }, "\(openssl)")
    if curl != nil {
      // Measured (docs/conformance.md, cell missing-file+ssl-cert-dir): curl 7.88.1 does not read SSL_CERT_FILE while
      // SSL_CERT_DIR is set, so it loads its built-in bundle and the folder, and verifies.
      try copy("root.pem", to: "etc/ssl/certs/ca-certificates.crt")
      let withFolder = try verdict(try verdicts(env: env), "curl")
      XCTAssertTrue(withFolder.verifies, "\(withFolder)")
      XCTAssertFalse(withFolder.sources.contains { $0.contains("/gone.pem") }, "\(withFolder)")
      // Measured (trust-regressions.md §10): with SSL_CERT_FILE alone, curl exits 77 "error setting certificate file".
      let alone = try verdict(try verdicts(env: ["SSL_CERT_FILE": "/gone.pem"]), "curl")
      XCTAssertFalse(alone.verifies)
      XCTAssertEqual(alone.error, "error setting certificate file: /gone.pem (curl exit 77)")
    }
  }

  func testSSLCertFileNamingAFolderLoadsNothingFromIt() throws {
    try copy("root.pem", to: "certs/root.pem")
    try rehash("certs")
    let env = ["SSL_CERT_FILE": "/certs", "SSL_CERT_DIR": "/nowhere"]
    let openssl = try verdict(try verdicts(env: env), "openssl")
    let oracle = try OpenSSLOracle.verify(
      leaf: pki.file("leaf.pem"), untrusted: pki.file("inter.pem"), arguments: [], host: "localhost",
      environment: ["SSL_CERT_FILE": root + "/certs", "SSL_CERT_DIR": root + "/nowhere"])
    XCTAssertFalse(oracle.verifies)
    XCTAssertEqual(openssl.verifies, oracle.verifies)
    XCTAssertEqual(openssl.error, oracle.error)
  }

  /// A hash link whose target climbs out of the root must not reach the host's file (OpenSSL opening the path itself
  /// would follow it out of `--root`).
  func testHashLinksResolveInsideTheRoot() throws {
    try scratch.write("outside/root.pem", try pki.bytes("root.pem"))
    try copy("root.pem", to: "probe/root.pem")
    try rehash("probe")
    let hashName = try XCTUnwrap(
      try FileManager.default.contentsOfDirectory(atPath: root + "/probe").first { $0.hasSuffix(".0") })
    try scratch.mkdir("root/certs")
    try scratch.link("root/certs/" + hashName, to: "../../outside/root.pem")
    let env = ["SSL_CERT_DIR": "/certs"]
    let oracle = try OpenSSLOracle.verify(
      leaf: pki.file("leaf.pem"), untrusted: pki.file("inter.pem"),
      arguments: ["-no-CAfile", "-CApath", root + "/certs"])
    XCTAssertTrue(oracle.verifies, "the host's OpenSSL follows the link out of the root: \(oracle)")
    let openssl = try verdict(try verdicts(env: env), "openssl")
    XCTAssertFalse(openssl.verifies, "\(openssl)")
    XCTAssertEqual(openssl.error, "unable to get local issuer certificate")
  }

  // MARK: strict flags

  func testRootWithoutKeyUsageFailsOnlyWithStrictFlags() throws {
    let chain = try CertificateChain(pem: try pki.bytes("nokuleaf.pem"))
    let store = try CertificateStore()
    XCTAssertEqual(store.add(pem: try pki.bytes("noku.pem")), 1)
    let now = Int64(Date().timeIntervalSince1970)
    for flags: VerificationFlags in [[], [.x509Strict, .partialChain]] {
      let ours = store.verify(chain, host: HostIdentity("localhost"), flags: flags, at: now)
      let oracle = try OpenSSLOracle.verify(
        leaf: pki.file("nokuleaf.pem"), untrusted: nil,
        arguments: ["-CAfile", pki.file("noku.pem")] + flags.names.map { "-" + $0 }, host: "localhost")
      XCTAssertEqual(ours.verifies, oracle.verifies, "\(flags.names)")
      XCTAssertEqual(ours.error, oracle.error, "\(flags.names)")
    }
    let strict = store.verify(chain, host: nil, flags: [.x509Strict, .partialChain], at: now)
    XCTAssertEqual(strict.error, "CA cert does not include key usage extension")
  }

  /// A real venv per Python (`python3.X -m venv --without-pip`): python-ssl on 3.13 sets the strict flags of
  /// `ssl.create_default_context`, on 3.12 it does not.
  func testPython313RejectsARootWithoutKeyUsageWhere312Verifies() throws {
    try copy("noku.pem", to: "ca/noku.pem")
    var results: [String: ClientVerdict] = [:]
    for minor in ["3.12", "3.13"] {
      guard let python = Self.interpreter(minor) else { throw XCTSkip("no Python \(minor) here") }
      let venv = "venv" + minor.replacing(".", with: "")
      let made = try Shell.run([python, "-m", "venv", "--without-pip", root + "/" + venv])
      XCTAssertEqual(made.status, 0, made.output)
      let all = try verdicts(env: ["VIRTUAL_ENV": "/" + venv, "SSL_CERT_FILE": "/ca/noku.pem"], chain: "nokuleaf.pem")
      results[minor] = try verdict(all, "python-ssl")
      try FileManager.default.removeItem(atPath: root + "/" + venv)
    }
    let old = try XCTUnwrap(results["3.12"])
    let new = try XCTUnwrap(results["3.13"])
    XCTAssertTrue(old.verifies, "\(old)")
    XCTAssertEqual(old.flags, [])
    XCTAssertFalse(new.verifies)
    XCTAssertEqual(new.flags, ["x509_strict", "partial_chain"])
    let oracle = try OpenSSLOracle.verify(
      leaf: pki.file("nokuleaf.pem"), untrusted: nil,
      arguments: ["-no-CApath", "-CAfile", root + "/ca/noku.pem", "-x509_strict", "-partial_chain"], host: "localhost")
    XCTAssertEqual(new.error, oracle.error)
    XCTAssertEqual(new.error, "CA cert does not include key usage extension")
  }

  /// Python's contexts run at security level 2 (bpo-43998): a 1024-bit root fails for python-ssl as libssl makes it
  /// fail (`openssl verify -auth_level 2`). The openssl program runs at the tree's level, which SecurityLevelTests
  /// measures: this root, with no os-release, has OpenSSL's default, 1, which takes a 1024-bit key.
  func testPythonContextsRejectA1024BitRootAtSecurityLevel2() throws {
    guard let python = Self.interpreter("3.12") else { throw XCTSkip("no Python 3.12 here") }
    try copy("weak.pem", to: "ca/weak.pem")
    let made = try Shell.run([python, "-m", "venv", "--without-pip", root + "/venv"])
    XCTAssertEqual(made.status, 0, made.output)
    let all = try verdicts(env: ["VIRTUAL_ENV": "/venv", "SSL_CERT_FILE": "/ca/weak.pem"], chain: "weakleaf.pem")
    let pythonSSL = try verdict(all, "python-ssl")
    let oracle = try OpenSSLOracle.verify(
      leaf: pki.file("weakleaf.pem"), untrusted: nil, arguments: ["-CAfile", pki.file("weak.pem"), "-auth_level", "2"],
      host: "localhost")
    XCTAssertFalse(oracle.verifies)
    XCTAssertEqual(pythonSSL.securityLevel, 2)
    XCTAssertEqual(pythonSSL.verifies, oracle.verifies)
    XCTAssertEqual(pythonSSL.error, oracle.error)
    XCTAssertEqual(pythonSSL.error, "CA certificate key too weak")
    let openssl = try verdict(all, "openssl")
    XCTAssertEqual(openssl.securityLevel, 1)
    XCTAssertTrue(openssl.verifies, "\(openssl)")
  }

  static func interpreter(_ minor: String) -> String? {
    let versions = (ProcessInfo.processInfo.environment["PYENV_ROOT"] ?? NSHomeDirectory() + "/.pyenv") + "/versions"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: versions)) ?? []
    return names.sorted().last { $0.hasPrefix(minor + ".") }.map { versions + "/" + $0 + "/bin/python" + minor }
      .flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
  }

  // MARK: host names

  func testHostIsCheckedAsOpenSSLChecksIt() throws {
    let store = try CertificateStore()
    store.add(pem: try pki.bytes("root.pem"))
    let chain = try CertificateChain(pem: try pki.bytes("chain.pem"))
    XCTAssertEqual(chain.count, 2)
    let now = Int64(Date().timeIntervalSince1970)
    for host in ["localhost", "example.com", "127.0.0.1", "10.0.0.1"] {
      let ours = store.verify(chain, host: try XCTUnwrap(HostIdentity(host)), flags: [], at: now)
      let oracle = try OpenSSLOracle.verify(
        leaf: pki.file("leaf.pem"), untrusted: pki.file("inter.pem"), arguments: ["-CAfile", pki.file("root.pem")],
        host: host)
      XCTAssertEqual(ours.verifies, oracle.verifies, host)
      XCTAssertEqual(ours.error, oracle.error, host)
    }
    XCTAssertTrue(CertificateStore.matches(chain, host: try XCTUnwrap(HostIdentity("127.0.0.1"))))
    XCTAssertFalse(CertificateStore.matches(chain, host: try XCTUnwrap(HostIdentity("example.com"))))
  }

  func testBadChainsAndHostsAreRefused() throws {
    XCTAssertThrowsError(try CertificateChain(pem: [])) { XCTAssertEqual($0 as? ChainError, .empty) }
    XCTAssertThrowsError(try CertificateChain(pem: Array("hello".utf8))) { XCTAssertEqual($0 as? ChainError, .empty) }
    XCTAssertThrowsError(try CertificateChain(pem: try pki.bytes("leaf.key") + pki.bytes("leaf.pem"))) {
      XCTAssertEqual($0 as? ChainError, .privateKey)
    }
    var broken = try pki.bytes("leaf.pem")
    broken.replaceSubrange(40..<60, with: Array(repeating: UInt8(ascii: "!"), count: 20))
    XCTAssertThrowsError(try CertificateChain(pem: broken)) { XCTAssertEqual($0 as? ChainError, .unparsable) }
    for bad in ["bad host", "https://example.com", "example.com:443", "", "-a.example", "1.2.3.4.5", "a..b"] {
      XCTAssertNil(HostIdentity(bad), bad)
    }
    for good in ["localhost", "api.example.com", "::1", "127.0.0.1", "xn--bcher-kva.example"] {
      XCTAssertNotNil(HostIdentity(good), good)
    }
  }
}

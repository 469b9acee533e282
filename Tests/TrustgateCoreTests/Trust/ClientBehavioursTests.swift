import XCTest

@testable import TrustgateCore

/// The knowledge table decides each client's trust (trust-regressions.md §1–§7, measured facts in §10).
final class ClientBehavioursTests: XCTestCase {
  private func trust(_ s: Snapshot, _ client: String, _ configuration: TrustConfiguration = .init()) -> ClientTrust? {
    EffectiveTrust.resolve(s, configuration: configuration).first { $0.client == client }
  }

  private func add(_ s: inout Snapshot, _ name: String, _ version: String) {
    s.python.environments[0].distributions.append(
      Distribution(name: name, version: version, metadata: "\(name)-\(version).dist-info/METADATA"))
  }

  func testEveryRowNamesItsSource() {
    for row in ClientBehaviours.all {
      XCTAssertFalse(row.source.isEmpty, row.client)
      XCTAssertFalse(row.slots.isEmpty, row.client)
    }
    for rule in ClientBehaviours.flagRules { XCTAssertTrue(rule.source.hasPrefix("https://"), rule.source) }
    XCTAssertEqual(
      Set(ClientBehaviours.clients),
      [
        "httpx", "requests", "urllib3", "python-ssl", "aiohttp", "pip", "botocore", "truststore", "shotgun-api3",
        "curl", "git", "openssl", "node", "uv", "go", "java", "maven",
      ])
  }

  /// §10: OpenSSL's default-paths loader skips a missing SSL_CERT_FILE and still uses the hashed folder.
  func testMissingSSLCertFileNextToAHashedFolderIsNotBrokenForOpenSSLClients() {
    var s = Examples.snapshot()
    Examples.setVariable(&s, "SSL_CERT_FILE", "/gone.pem", state: .missing)
    s.openssl.defaultCertDir = "/etc/ssl/certs"
    s.stores.append(
      TrustStore(path: "/etc/ssl/certs", kind: .hashedDirectory, certificates: Examples.set([Examples.rootA])))
    for client in ["python-ssl", "openssl"] {
      let line = trust(s, client)
      XCTAssertEqual(line?.status, .ok, "\(client): \(String(describing: line))")
      XCTAssertEqual(line?.source, "SSL_CERT_FILE")
      XCTAssertTrue(line?.note?.contains("/gone.pem is missing: skipped") == true, line?.note ?? "no note")
    }
  }

  /// §10: httpx 0.28.1 raises IsADirectoryError when SSL_CERT_FILE names a folder; 0.27.2 ignores it.
  func testSSLCertFileNamingAFolderRaisesIsADirectoryErrorInHttpx028() {
    var new = Examples.snapshot(httpx: "0.28.1")
    Examples.setVariable(&new, "SSL_CERT_FILE", "/etc/ssl/certs", state: .directory)
    XCTAssertEqual(trust(new, "httpx")?.status, .broken)
    XCTAssertTrue(trust(new, "httpx")?.note?.hasPrefix("IsADirectoryError") == true, trust(new, "httpx")?.note ?? "")
    var old = Examples.snapshot(httpx: "0.27.2")
    Examples.setVariable(&old, "SSL_CERT_FILE", "/etc/ssl/certs", state: .directory)
    XCTAssertEqual(trust(old, "httpx")?.source, "certifi")
    XCTAssertEqual(trust(old, "httpx")?.status, .ok)
  }

  /// §10: pip reads `cert =` from pip.conf; requests' variables still come first (merge_environment_settings).
  func testPipReadsCertFromPipConfUnlessRequestsCABundleIsSet() {
    var s = Examples.snapshot()
    add(&s, "pip", "23.2.1")
    var configuration = TrustConfiguration()
    configuration.values["pip cert"] = Examples.bundlePath
    XCTAssertEqual(trust(s, "pip", configuration)?.source, "pip.conf cert")
    XCTAssertEqual(trust(s, "pip", configuration)?.path, Examples.bundlePath)
    XCTAssertEqual(trust(s, "pip")?.source, "vendored certifi")
    Examples.setVariable(&s, "REQUESTS_CA_BUNDLE", Examples.bundlePath)
    XCTAssertEqual(trust(s, "pip", configuration)?.source, "REQUESTS_CA_BUNDLE")
  }

  /// §10: shotgun-api3 3.10.3 loads its own bundled certifi, honours SHOTGUN_API_CACERTS, ignores SSL_CERT_FILE.
  func testShotgunUsesItsOwnBundleAndIgnoresSSLCertFile() {
    var s = Examples.snapshot()
    add(&s, "shotgun-api3", "3.10.3")
    let bundled = ".venv/lib/python3.12/site-packages/shotgun_api3/lib/certifi/cacert.pem"
    s.python.environments[0].vendoredBundles = [
      BundledCA(package: "shotgun-api3", path: bundled, certificates: Examples.set([Examples.rootA]))
    ]
    Examples.setVariable(&s, "SSL_CERT_FILE", Examples.bundlePath)
    XCTAssertEqual(trust(s, "shotgun-api3")?.source, "bundled certifi")
    XCTAssertEqual(trust(s, "shotgun-api3")?.path, bundled)
    XCTAssertEqual(trust(s, "shotgun-api3")?.ignores, ["SSL_CERT_FILE"])
    Examples.setVariable(&s, "SHOTGUN_API_CACERTS", Examples.bundlePath)
    XCTAssertEqual(trust(s, "shotgun-api3")?.source, "SHOTGUN_API_CACERTS")
  }

  /// urllib3 2.4 adds the strict flags on Python 3.13 only; httpx 0.28 inherits them from the stdlib.
  func testStrictFlagsFollowPythonAndUrllib3Versions() {
    func flags(python: String, urllib3: String, httpx: String) -> [String: VerificationFlags] {
      var s = Examples.snapshot(httpx: httpx, python: python)
      add(&s, "urllib3", urllib3)
      let planner = TrustPlanner(s, state: { _ in .file })
      return Dictionary(uniqueKeysWithValues: planner.plans().map { ($0.client, $0.flags) })
    }
    let strict: VerificationFlags = [.x509Strict, .partialChain]
    // urllib3 2 (and requests on it) and httpx 0.27 match names without the common name; pip's urllib3 is its own.
    XCTAssertEqual(flags(python: "3.13.0", urllib3: "2.4.0", httpx: "0.28.1")["requests"], strict.union(.noCommonName))
    XCTAssertEqual(flags(python: "3.13.0", urllib3: "2.3.0", httpx: "0.28.1")["requests"], [.noCommonName])
    XCTAssertEqual(flags(python: "3.13.0", urllib3: "1.26.20", httpx: "0.28.1")["requests"], [])
    XCTAssertEqual(flags(python: "3.13.0", urllib3: "2.3.0", httpx: "0.28.1")["httpx"], strict)
    XCTAssertEqual(flags(python: "3.13.0", urllib3: "2.3.0", httpx: "0.27.2")["httpx"], [.noCommonName])
    XCTAssertEqual(flags(python: "3.12.1", urllib3: "2.5.0", httpx: "0.28.1")["httpx"], [])
    XCTAssertEqual(flags(python: "3.12.1", urllib3: "2.5.0", httpx: "0.28.1")["python-ssl"], [])
    XCTAssertEqual(flags(python: "3.13.0", urllib3: "2.5.0", httpx: "0.28.1")["python-ssl"], strict)
  }

  func testVariableReadersComeFromTheTable() {
    let readers = TrustVariables.variable("SSL_CERT_FILE")?.readBy ?? ""
    for client in ["httpx", "urllib3", "python-ssl", "curl", "openssl"] {
      XCTAssertTrue(readers.contains(client), readers)
    }
    XCTAssertFalse(readers.contains("requests"), readers)
    XCTAssertEqual(ClientBehaviours.readers(of: "SHOTGUN_API_CACERTS"), ["shotgun-api3"])
  }

  func testPipConfAndGitConfigAreReadThroughTheView() throws {
    let scratch = try TemporaryDirectory()
    try scratch.write("root/etc/pip.conf", "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n")
    try scratch.write("root/home/u/.config/pip/pip.conf", "[install]\ncert: /home/u/corp.pem\n")
    try scratch.write("root/home/u/.gitconfig", "[http]\n\tsslCAInfo = /home/u/git.pem\n")
    let fs = HostFileSystem(root: scratch.path + "/root")
    let configuration = TrustConfiguration.read(fs, env: ["HOME": "/home/u"], prefix: nil)
    XCTAssertEqual(configuration.values["pip cert"], "/home/u/corp.pem")
    XCTAssertEqual(configuration.origins["pip cert"], "/home/u/.config/pip/pip.conf")
    XCTAssertEqual(configuration.values["git http.sslCAInfo"], "/home/u/git.pem")
    let system = TrustConfiguration.read(fs, env: ["HOME": "/nobody"], prefix: nil)
    XCTAssertEqual(system.values["pip cert"], "/etc/ssl/certs/ca-certificates.crt")
  }
}

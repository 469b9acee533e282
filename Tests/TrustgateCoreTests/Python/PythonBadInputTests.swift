import Foundation
import Synchronization
import XCTest

@testable import TrustgateCore

/// Broken installations are made on disk in a temporary folder; each must become a Problem, never a crash.
final class PythonBadInputTests: XCTestCase {
  var root = ""

  override func setUpWithError() throws {
    root = NSTemporaryDirectory() + "trustgate-python-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: root)
  }

  func write(_ path: String, _ bytes: [UInt8]) throws {
    let url = URL(fileURLWithPath: root + path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
  }

  func write(_ path: String, _ text: String) throws { try write(path, Array(text.utf8)) }

  func link(_ path: String, to target: String) throws {
    try FileManager.default.createSymbolicLink(atPath: root + path, withDestinationPath: target)
  }

  func collect(env: [String: String] = [:], repository: String? = nil) -> (PythonInfo, [Problem]) {
    let context = CollectionContext(fs: HostFileSystem(root: root), now: "2025-01-01T00:00:00Z")
    let info = PythonCollector(env: env, repository: repository).collect(context, osBundles: [])
    return (info, context.problems)
  }

  func testBrokenMetadataBecomesProblemsAndGoodDistributionsStillCount() throws {
    let site = "/usr/local/lib/python3.12/site-packages"
    try write(
      site + "/good-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: Good_Pkg\nVersion: 1.0\n\nVersion: 9\n")
    try write(site + "/noversion-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: noversion\n\nbody\n")
    try write(
      site + "/binary-1.0.dist-info/METADATA", [0x4E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xFF, 0xFE, 0x00, 0x0A, 0xC3])
    try write(site + "/crlf-2.0.dist-info/METADATA", "Name: CRLF.Pkg\r\nVersion: 2.0\r\n\r\nName: other\r\n")
    try write(site + "/foo-1.0.dist-info", "not a folder")
    try FileManager.default.createDirectory(
      atPath: root + site + "/empty-1.0.dist-info", withIntermediateDirectories: true)
    try link(site + "/loop", to: "loop")
    try link(site + "/gone-1.0.dist-info", to: "/nowhere")

    let (info, problems) = collect()
    XCTAssertEqual(info.environments.map(\.path), ["/usr/local"])
    let environment = try XCTUnwrap(info.environments.first)
    XCTAssertEqual(environment.kind, .local)
    XCTAssertEqual(environment.pythonVersion, "3.12")
    XCTAssertEqual(environment.distributions.map { "\($0.name) \($0.version)" }, ["crlf-pkg 2.0", "good-pkg 1.0"])

    let byPath = Dictionary(grouping: problems, by: { $0.path ?? "" })
    XCTAssertTrue(problems.allSatisfy { $0.area == .python && !$0.fix.isEmpty })
    XCTAssertEqual(byPath[site + "/noversion-1.0.dist-info/METADATA"]?.first?.message.contains("Version"), true)
    let binary = byPath[site + "/binary-1.0.dist-info/METADATA"]?.map(\.message) ?? []
    XCTAssertTrue(binary.contains { $0.contains("UTF-8") }, "\(binary)")
    XCTAssertEqual(byPath[site + "/foo-1.0.dist-info"]?.first?.message.contains("is a file"), true)
    XCTAssertNotNil(byPath[site + "/empty-1.0.dist-info/METADATA"])
    XCTAssertEqual(byPath[site + "/loop"]?.first?.message.contains("loop"), true)
    XCTAssertEqual(byPath[site + "/gone-1.0.dist-info"]?.first?.message.contains("/nowhere"), true)
    XCTAssertEqual(byPath.count, 6, "\(problems)")
  }

  func testLinkLoopOnTheWayToSitePackagesIsNotACrash() throws {
    try FileManager.default.createDirectory(atPath: root + "/usr/lib", withIntermediateDirectories: true)
    try link("/usr/lib/python3.11", to: "python3.11")
    try link("/venv", to: "/venv")
    let (info, problems) = collect(env: ["VIRTUAL_ENV": "/venv", "PATH": "/venv/bin:/usr/bin"])
    XCTAssertEqual(info.environments, [])
    XCTAssertEqual(problems.map(\.path), ["/venv"])
  }

  /// Each site-packages folder reads its bundles beside its metadata, and environments are read side by side: the
  /// matcher they share answers the same on every thread, reading the OS bundle once.
  func testTheOSBundleMatcherAnswersTheSameFromManyThreads() throws {
    let pem = try Fixtures.text("python/debian-root/etc/ssl/certs/ca-certificates.crt")
    try write("/etc/ssl/certs/ca-certificates.crt", pem)
    try write("/copy.pem", pem)
    let firstBlock = try XCTUnwrap(pem.range(of: "-----END CERTIFICATE-----\n"))
    try write("/one.pem", String(pem[..<firstBlock.upperBound]))
    let context = CollectionContext(fs: HostFileSystem(root: root), now: "2025-01-01T00:00:00Z")
    let copy = try XCTUnwrap(context.certificates(inFile: "/copy.pem", area: .python))
    let one = try XCTUnwrap(context.certificates(inFile: "/one.pem", area: .python))
    XCTAssertGreaterThan(copy.certificates.count, 1)
    let matcher = OSBundleMatcher(context: context, bundles: ["/etc/ssl/certs/ca-certificates.crt"])
    let answers = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: 16) { _ in
      let found = [
        matcher.matches(path: "/copy.pem", certificates: copy),
        matcher.matches(path: "/etc/ssl/certs/ca-certificates.crt", certificates: CertificateSet()),
        matcher.matches(path: "/one.pem", certificates: one),
      ]
      answers.withLock { $0.append(found.map { $0 ? "yes" : "no" }.joined(separator: " ")) }
    }
    XCTAssertEqual(answers.withLock { $0 }, Array(repeating: "yes yes no", count: 16))
  }

  func testCertifiCopyWithTheOSBundleCertificatesIsTheOSBundle() throws {
    let pem = try Fixtures.text("python/debian-root/etc/ssl/certs/ca-certificates.crt")
    try write("/etc/ssl/certs/ca-certificates.crt", pem)
    try write(
      "/opt/app/pyvenv.cfg", "home = /usr/bin\ninclude-system-site-packages = true\nversion_info = 3.12.1.final.0\n")
    try write("/opt/app/lib/python3.12/site-packages/certifi/cacert.pem", pem)
    try write("/opt/app/lib/python3.12/site-packages/botocore/cacert.pem", "garbage\n")
    try write("/usr/lib/python3/dist-packages/six-1.16.0.egg-info", "Name: six\nVersion: 1.16.0\n")
    let context = CollectionContext(fs: HostFileSystem(root: root), now: "2025-01-01T00:00:00Z")
    let info = PythonCollector(env: ["VIRTUAL_ENV": "/opt/app"], repository: nil)
      .collect(context, osBundles: ["/etc/ssl/certs/ca-certificates.crt"])
    XCTAssertEqual(info.environments.map(\.path), ["/opt/app", "/usr"])
    let venv = try XCTUnwrap(info.environments.first)
    XCTAssertEqual(venv.pythonVersion, "3.12.1")
    XCTAssertEqual(venv.base, "/usr")
    XCTAssertEqual(venv.certifi?.isOSBundle, true)
    XCTAssertNil(venv.certifi?.linksTo)
    XCTAssertEqual(venv.vendoredBundles.map(\.package), ["botocore"])
    XCTAssertEqual(venv.vendoredBundles.first?.certificates.count, 0)
    XCTAssertEqual(info.environments.last?.distributions.map(\.name), ["six"])
  }

  func testPyenvShimLeadsToTheSelectedVersion() throws {
    try write(
      "/root/.pyenv/shims/python3",
      "#!/usr/bin/env bash\nset -e\nexec \"/root/.pyenv/libexec/pyenv\" exec \"$program\"\n")
    try write("/root/.pyenv/version", "3.12.1\n")
    try write(
      "/root/.pyenv/versions/3.12.1/lib/python3.12/site-packages/idna-3.7.dist-info/METADATA",
      "Name: idna\nVersion: 3.7\n")
    try write(
      "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/idna-3.6.dist-info/METADATA",
      "Name: idna\nVersion: 3.6\n")
    let (info, _) = collect(env: ["PATH": "/root/.pyenv/shims:/usr/bin"])
    XCTAssertEqual(info.environments.map(\.path), ["/root/.pyenv/versions/3.12.1"])
    XCTAssertEqual(info.environments.first?.kind, .local)
    XCTAssertEqual(info.environments.first?.pythonVersion, "3.12.1")
    let (chosen, _) = collect(env: ["PATH": "/root/.pyenv/shims", "PYENV_VERSION": "3.11.7"])
    XCTAssertEqual(chosen.environments.first?.distributions.first?.version, "3.6")
  }

  func testLinkedMetadataFolderResolvesInsideTheView() throws {
    let site = "/usr/local/lib/python3.12/site-packages"
    try write("/opt/meta/linked-1.0.dist-info/METADATA", "Name: linked\nVersion: 1.0\n")
    try FileManager.default.createDirectory(atPath: root + site, withIntermediateDirectories: true)
    try link(site + "/linked-1.0.dist-info", to: "/opt/meta/linked-1.0.dist-info")
    let (info, problems) = collect()
    XCTAssertEqual(info.environments.first?.distributions.map(\.name), ["linked"])
    XCTAssertEqual(problems, [])
  }
}

import XCTest

@testable import TrustgateCore

/// The fixtures in Tests/Fixtures/python were made by venv, pip, setuptools, distutils and Debian's package;
/// expected.tsv holds what Python itself reported about them (scripts/fixtures/make-python.sh).
final class PythonFixtureTests: XCTestCase {
  static let osBundle = "/etc/ssl/certs/ca-certificates.crt"

  func collect(_ fixture: String, env: [String: String], repository: String? = nil) -> (PythonInfo, CollectionContext) {
    let context = CollectionContext(
      fs: HostFileSystem(root: Fixtures.path("python/" + fixture)), now: "2025-01-01T00:00:00Z")
    let info = PythonCollector(env: env, repository: repository).collect(context, osBundles: [Self.osBundle])
    return (info, context)
  }

  func testRepositoryVenvOnPathIsReadWithRepositoryRelativePaths() throws {
    let expected = try ExpectedPython.load(case: "repo-venv")
    let (info, context) = collect("repo-venv", env: ["PATH": "/repo/.venv/bin:/usr/bin"], repository: "/repo")
    XCTAssertEqual(info.environments.map(\.path), [".venv"])
    let venv = try XCTUnwrap(info.environments.first)
    XCTAssertEqual(venv.kind, .virtualenv)
    XCTAssertEqual(venv.pythonVersion, expected.version)
    XCTAssertEqual(venv.sitePackages, expected.sitePackages)
    XCTAssertEqual(venv.base, "/root/.pyenv/versions/3.11.7")
    XCTAssertEqual(venv.includesSystemSitePackages, false)
    XCTAssertEqual(venv.distributions.map { "\($0.name) \($0.version)" }, expected.distributions)
    XCTAssertTrue(venv.distributions.allSatisfy { $0.metadata.hasPrefix(".venv/lib/python3.11/site-packages/") })
    XCTAssertTrue(venv.hasTruststore)

    let certifi = try XCTUnwrap(venv.certifi)
    XCTAssertEqual("/repo/" + certifi.path, expected.certifi.path)
    XCTAssertNil(certifi.linksTo)
    XCTAssertNil(certifi.loadedFrom)
    XCTAssertFalse(certifi.isOSBundle)
    XCTAssertEqual(certifi.certificates.count, expected.certifi.count)
    XCTAssertEqual(certifi.certificates.unparsable, 0)

    let pip = try XCTUnwrap(venv.pipCertifi)
    XCTAssertEqual("/repo/" + pip.path, expected.pipCertifi?.path)
    XCTAssertEqual(pip.certificates.count, expected.pipCertifi?.count)
    XCTAssertEqual(venv.vendoredBundles, [])
    XCTAssertEqual(context.problems.filter { $0.area == .python }, [])
  }

  func testVirtualEnvVariableOutsideTheRepositoryKeepsAbsolutePaths() throws {
    let (info, _) = collect("repo-venv", env: ["VIRTUAL_ENV": "/repo/.venv/"])
    XCTAssertEqual(info.environments.map(\.path), ["/repo/.venv"])
    XCTAssertEqual(
      info.environments.first?.certifi?.path, "/repo/.venv/lib/python3.11/site-packages/certifi/cacert.pem")
  }

  func testOneEnvironmentPerRealPrefixWhateverFindsIt() {
    let env = ["VIRTUAL_ENV": "/repo/.venv", "PATH": "/repo/.venv/bin:/repo/.venv/bin"]
    let (info, _) = collect("repo-venv", env: env, repository: "/repo")
    XCTAssertEqual(info.environments.map(\.path), [".venv"])
  }

  func testDebianCertifiPatchedToReturnTheOSBundleIsTheOSBundle() throws {
    let expected = try ExpectedPython.load(case: "debian-root")
    let (info, context) = collect("debian-root", env: ["PATH": "/usr/local/bin:/usr/bin"])
    XCTAssertEqual(info.environments.map(\.path), ["/usr"])
    let system = try XCTUnwrap(info.environments.first)
    XCTAssertEqual(system.kind, .system)
    XCTAssertEqual(system.pythonVersion, expected.version)
    XCTAssertEqual(system.sitePackages, expected.sitePackages)
    XCTAssertEqual(system.distributions.map { "\($0.name) \($0.version)" }, expected.distributions)
    XCTAssertEqual(
      system.distributions.first?.metadata, "/usr/lib/python3/dist-packages/certifi-2022.9.24.egg-info/PKG-INFO")
    XCTAssertFalse(system.hasTruststore)
    XCTAssertNil(system.pipCertifi)
    let certifi = try XCTUnwrap(system.certifi)
    XCTAssertEqual(certifi.path, expected.certifi.path)
    XCTAssertNil(certifi.linksTo)
    XCTAssertEqual(certifi.loadedFrom, expected.certifi.loaded)
    XCTAssertTrue(certifi.isOSBundle)
    XCTAssertEqual(certifi.certificates.count, expected.certifi.count)
    XCTAssertEqual(context.problems, [])
  }

  func testCertifiLinkedToTheOSBundleIsTheOSBundle() throws {
    let expected = try ExpectedPython.load(case: "linked-root")
    let (info, _) = collect("linked-root", env: [:])
    let certifi = try XCTUnwrap(info.environments.first?.certifi)
    XCTAssertEqual(certifi.path, expected.certifi.path)
    XCTAssertEqual(certifi.linksTo, expected.certifi.linksTo)
    XCTAssertNil(certifi.loadedFrom)
    XCTAssertTrue(certifi.isOSBundle)
    XCTAssertEqual(certifi.certificates.count, expected.certifi.count)
    XCTAssertEqual(info.environments.first?.pythonVersion, expected.version)
  }

  func testCertifiWithoutTheOSBundleGivenIsNotTheOSBundle() throws {
    let context = CollectionContext(
      fs: HostFileSystem(root: Fixtures.path("python/linked-root")), now: "2025-01-01T00:00:00Z")
    let info = PythonCollector(env: [:], repository: nil).collect(context, osBundles: [])
    XCTAssertEqual(info.environments.first?.certifi?.isOSBundle, false)
  }
}

/// expected.tsv rows of one fixture case.
struct ExpectedPython {
  struct Bundle {
    var path: String
    var linksTo: String?
    var loaded: String?
    var count: Int
  }
  var version = ""
  var sitePackages: [String] = []
  var distributions: [String] = []
  var certifi = Bundle(path: "", count: -1)
  var pipCertifi: Bundle?

  static func load(case name: String) throws -> ExpectedPython {
    var expected = ExpectedPython()
    for line in try Fixtures.text("python/expected.tsv").split(separator: "\n") {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard fields.count >= 4, fields[0] == name else { continue }
      switch fields[2] {
      case "environment": expected.version = fields[4]
      case "site-packages": expected.sitePackages.append(fields[3])
      case "distribution": expected.distributions.append(fields[3] + " " + fields[4])
      case "certifi":
        expected.certifi = Bundle(
          path: fields[3], linksTo: fields[4] == "-" ? nil : fields[4], loaded: fields[5], count: Int(fields[6]) ?? -1)
      case "pip-certifi": expected.pipCertifi = Bundle(path: fields[3], count: Int(fields[4]) ?? -1)
      default: break
      }
    }
    return expected
  }
}

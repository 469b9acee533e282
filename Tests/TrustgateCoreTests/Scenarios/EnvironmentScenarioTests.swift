import Foundation
import XCTest

/// Seeded regressions outside lockfiles: fixture root file systems (`--root`) and variables (`--env-file`), so the
/// host's own stores and environment never leak into the result.
final class EnvironmentScenarioTests: XCTestCase {
  /// A repository whose lockfile pins requests and httpx, so the clients' effective trust is resolved.
  func lockedScenario() throws -> Scenario {
    let scenario = try Scenario()
    try scenario.write("uv.lock", try LockTool.all[0].fixture("new"))
    try scenario.commitAll("lockfile")
    return scenario
  }

  func ruleIDs(_ scenario: Scenario) throws -> Set<String> {
    Set(try scenario.reports.jsonFindings().compactMap { $0["ruleID"] as? String })
  }

  func testCABundleVariableAtMissingFile() throws {
    let scenario = try lockedScenario()
    let env = try scenario.envFile(["REQUESTS_CA_BUNDLE": "/etc/corp/missing-ca.pem"])
    let result = try scenario.check(["--baseline-ref", "HEAD", "--env-file", env], root: Fixtures.path("rootfs/debian"))
    XCTAssertEqual(result.status, 1, result.all)
    let ids = try ruleIDs(scenario)
    XCTAssertTrue(ids.contains("TG201"), "\(ids)")
    XCTAssertTrue(ids.contains("TG207"), "requests would load the missing file: \(ids)")
    let tg207 = try scenario.reports.jsonFindings().first { $0["ruleID"] as? String == "TG207" && $0["subject"] as? String == "requests" }
    XCTAssertNotNil(tg207, "TG207 names requests")
    XCTAssertTrue(try textFile(scenario.reports.github).contains("/etc/corp/missing-ca.pem"))
    try scenario.reports.validate()
  }

  /// A variable set in --env-file is annotated at its line there, the only file that says where it came from.
  func testFindingAboutAVariablePointsAtItsEnvFileLine() throws {
    let scenario = try lockedScenario()
    let env = try scenario.envFile(["REQUESTS_CA_BUNDLE": "/etc/corp/missing-ca.pem"])
    let lines = try textFile(env).split(separator: "\n", omittingEmptySubsequences: false)
    let expected = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("REQUESTS_CA_BUNDLE=") }) + 1
    _ = try scenario.check(["--baseline-ref", "HEAD", "--env-file", env])
    let tg201 = try XCTUnwrap(try scenario.reports.jsonFindings().first { $0["ruleID"] as? String == "TG201" })
    XCTAssertEqual(tg201.jsonLocation.0, env)
    XCTAssertEqual(tg201.jsonLocation.1, expected)
    XCTAssertTrue(try textFile(scenario.reports.github).contains("file=\(env),line=\(expected)"))
  }

  func testCorporateRootNotInBundleOnDebian() throws {
    let scenario = try lockedScenario()
    let result = try scenario.check(["--baseline-ref", "HEAD"], root: Fixtures.path("rootfs/debian"))
    XCTAssertEqual(result.status, 1, result.all)
    let findings = try scenario.reports.jsonFindings()
    let tg104 = findings.first { $0["ruleID"] as? String == "TG104" }
    XCTAssertNotNil(tg104, "\(findings.map { $0["ruleID"] ?? "" })")
    XCTAssertEqual(tg104?["subject"] as? String, "a880631a25015f8192349f09c77b24746fd5bfa96f0c642c65424a15a24af060")
    XCTAssertEqual(tg104?.jsonLocation.0, "/usr/local/share/ca-certificates")
    XCTAssertTrue(try textFile(scenario.reports.azure).contains("code=TG104;"))
    try scenario.reports.validate()
  }

  func testVerificationSwitchedOff() throws {
    let scenario = try lockedScenario()
    let env = try scenario.envFile(["NODE_TLS_REJECT_UNAUTHORIZED": "0", "GIT_SSL_NO_VERIFY": "1"])
    let result = try scenario.check(["--baseline-ref", "HEAD", "--env-file", env])
    XCTAssertEqual(result.status, 1, result.all)
    let subjects = Set(try scenario.reports.jsonFindings().filter { $0["ruleID"] as? String == "TG203" }.compactMap { $0["subject"] as? String })
    XCTAssertEqual(subjects, ["NODE_TLS_REJECT_UNAUTHORIZED", "GIT_SSL_NO_VERIFY"])
    XCTAssertTrue(try textFile(scenario.reports.junit).contains("TG203"))
    try scenario.reports.validate()
  }

  /// The proxy password is flagged (TG603) and never written anywhere: no report, no output.
  func testProxyCredentialsAreFlaggedAndRedacted() throws {
    let scenario = try lockedScenario()
    let secret = "s3cr3t-Pa55w0rd"
    let env = try scenario.envFile(["HTTPS_PROXY": "http://builder:\(secret)@proxy.example.com:3128", "https_proxy": "http://builder:\(secret)@proxy.example.com:3128"])
    let result = try scenario.check(["--baseline-ref", "HEAD", "--env-file", env, "--fail-on", "warning"])
    XCTAssertEqual(result.status, 1, result.all)
    XCTAssertTrue(try ruleIDs(scenario).contains("TG603"))
    for path in scenario.reports.paths {
      XCTAssertFalse(try textFile(path).contains(secret), "password leaked into \(path)")
    }
    XCTAssertFalse(result.all.contains(secret), "password leaked into the output")
    let inspect = try CLI.run(["inspect", "--root", scenario.emptyRoot, "--repo", scenario.repo, "--env-file", env, "--format", "json"], in: scenario.sandbox.root)
    XCTAssertEqual(inspect.status, 0, inspect.all)
    XCTAssertFalse(inspect.all.contains(secret), "password leaked into inspect")
    try scenario.reports.validate()
  }

  /// `trustgate baseline --output` records the fixture root; a root then removed from the bundle is TG102.
  func testRootRemovedFromBundleSinceRecordedBaseline() throws {
    let scenario = try lockedScenario()
    let copy = try TemporaryDirectory()
    try copy.copyTree(from: Fixtures.path("rootfs/debian"), to: "debian")
    let root = copy.path + "/debian"
    let baselineFile = scenario.sandbox.path("recorded/baseline.json")
    let recorded = try CLI.run(["baseline", "--root", root, "--repo", scenario.repo, "--output", baselineFile], in: scenario.sandbox.root)
    XCTAssertEqual(recorded.status, 0, recorded.all)
    XCTAssertTrue(FileManager.default.fileExists(atPath: baselineFile))

    // Control: nothing changed since the recording → no TG102.
    let unchanged = try scenario.check(["--baseline", baselineFile], root: root)
    XCTAssertFalse(try ruleIDs(scenario).contains("TG102"), unchanged.all)

    // Keep only the first certificate of the bundle.
    let bundlePath = root + "/etc/ssl/certs/ca-certificates.crt"
    let bundle = try textFile(bundlePath)
    let end = "-----END CERTIFICATE-----"
    let first = try XCTUnwrap(bundle.range(of: end))
    try (String(bundle[..<first.upperBound]) + "\n").write(toFile: bundlePath, atomically: true, encoding: .utf8)

    let result = try scenario.check(["--baseline", baselineFile], root: root)
    XCTAssertEqual(result.status, 1, result.all)
    let findings = try scenario.reports.jsonFindings()
    let tg102 = findings.first { $0["ruleID"] as? String == "TG102" }
    XCTAssertNotNil(tg102, "\(findings.map { $0["ruleID"] ?? "" })")
    XCTAssertEqual(tg102?.jsonLocation.0, "/etc/ssl/certs/ca-certificates.crt")
    XCTAssertTrue((tg102?["message"] as? String ?? "").contains("1 root(s) removed"), "\(tg102 ?? [:])")
    XCTAssertTrue(try textFile(scenario.reports.gitlab).contains("TG102"))
    try scenario.reports.validate()
  }

  /// Alpine and RHEL trees have no `/usr/lib/ssl/cert.pem` (this build's OPENSSLDIR): OpenSSL's default must be
  /// found in their own OPENSSLDIR, not reported as a missing file that breaks every client (was TG207 ×2).
  func testOpenSSLDefaultOfOtherDistributions() throws {
    let scenario = try lockedScenario()
    for (name, bundle) in [("alpine", "/etc/ssl/cert.pem"), ("rhel", "/etc/pki/tls/cert.pem")] {
      let result = try scenario.check(["--baseline-ref", "HEAD"], root: Fixtures.path("rootfs/\(name)"))
      XCTAssertFalse(try ruleIDs(scenario).contains("TG207"), "\(name): \(result.all)")
      let inspect = try CLI.run(["inspect", "--root", Fixtures.path("rootfs/\(name)"), "--repo", scenario.repo, "--format", "json"], in: scenario.sandbox.root)
      let snapshot = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
      XCTAssertEqual((snapshot["openssl"] as? [String: Any])?["defaultCertFile"] as? String, bundle, name)
    }
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// The gate follows outcomes (issue #10, observed failures 4–7): a private PKI made by `openssl` at test time, a real
/// git repository with the uv.lock fixtures (made by uv) for baselines, a `--root` tree, and the real `trustgate`.
final class OutcomeGateTests: XCTestCase {
  var pki: VerifyPKI!
  var scenario: Scenario!
  var root: String { scenario.sandbox.path("root") }
  var json: String { scenario.sandbox.path("reports/findings.json") }

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scenario = try Scenario()
  }

  func put(_ relative: String, _ names: [String]) throws {
    var bytes: [UInt8] = []
    for name in names { bytes += try pki.bytes(name) }
    let path = root + "/" + relative
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// A repository whose policy lists one endpoint: the leaf and intermediate under the test root, for localhost.
  func commitEndpointPolicy(lockfile: String? = nil, extra: String = "") throws {
    try scenario.write("tls/api-chain.pem", String(decoding: try pki.bytes("chain.pem"), as: UTF8.self))
    try scenario.write(
      ".trustgate.yml",
      "version: 1\n\(extra)endpoints:\n  - name: api\n    chain: tls/api-chain.pem\n    host: localhost\n")
    if let lockfile { try scenario.write("uv.lock", lockfile) }
    try scenario.commitAll("policy")
  }

  /// HEAD's uv.lock pins httpx 0.27.2 (and requests 2.31, urllib3 1.26); the working tree's pins 0.28.1. The
  /// fixtures' certifi bump (TG302) is another matter than the crossing these tests judge, so it is off.
  func commitHttpxUpgrade() throws {
    try scenario.write(".trustgate.yml", "version: 1\nrules:\n  TG302: off\n")
    try scenario.write("uv.lock", try Fixtures.text("lockfiles/old/uv/uv.lock"))
    try scenario.commitAll("lock")
    try scenario.write("uv.lock", try Fixtures.text("lockfiles/new/uv/uv.lock"))
  }

  func check(_ arguments: [String], env: [String: String]) throws -> (CLI.Result, [[String: Any]]) {
    try? FileManager.default.removeItem(atPath: json)
    let result = try CLI.run(
      [
        "check", "--repo", scenario.repo, "--root", root, "--env-file", try scenario.envFile(env), "--annotations",
        "none", "--report", "json=\(json)",
      ] + arguments, in: scenario.sandbox.root)
    let document = (try? jsonFile(json)) as? [String: Any]
    return (result, document?["findings"] as? [[String: Any]] ?? [])
  }

  func recordBaseline(env: [String: String]) throws -> String {
    let path = scenario.sandbox.path("baseline.json")
    let result = try CLI.run(
      [
        "baseline", "--repo", scenario.repo, "--root", root, "--env-file", try scenario.envFile(env), "--output", path,
      ], in: scenario.sandbox.root)
    XCTAssertEqual(result.status, 0, result.all)
    return path
  }

  func findings(_ all: [[String: Any]], _ rule: String) -> [[String: Any]] {
    all.filter { $0["ruleID"] as? String == rule }
  }

  /// Issue #10 item 4: the bundle SSL_CERT_FILE names is rewritten at the same path without the private root. Only OS
  /// stores were compared root by root, so `check --baseline` passed.
  func testRootRemovedFromTheBundleSSLCertFileNamesIsReportedLikeTG102() throws {
    try put("etc/corp/bundle.pem", ["root.pem", "noku.pem"])
    try scenario.write("README", "x\n")
    try scenario.commitAll("init")
    let env = ["SSL_CERT_FILE": "/etc/corp/bundle.pem"]
    let baseline = try recordBaseline(env: env)
    try put("etc/corp/bundle.pem", ["noku.pem"])
    let (result, all) = try check(["--baseline", baseline], env: env)
    XCTAssertEqual(result.status, 1, result.all)
    let removed = findings(all, "TG102")
    XCTAssertEqual(removed.count, 1, result.all)
    let message = removed.first?["message"] as? String ?? ""
    XCTAssertTrue(message.contains("the bundle SSL_CERT_FILE names (/etc/corp/bundle.pem)"), message)
    XCTAssertTrue(message.contains("trustgate test root"), message)
    XCTAssertEqual(removed.first?["severity"] as? String, "error")
  }

  /// Item 4 with an endpoint: the client that verified it at the baseline no longer does; the finding names the
  /// client, its version, the endpoint, OpenSSL's reason and the removed root.
  func testEndpointNoLongerVerifiedAfterTheRootLeftTheBundle() throws {
    try put("etc/corp/bundle.pem", ["root.pem", "noku.pem"])
    try commitEndpointPolicy()
    let env = ["SSL_CERT_FILE": "/etc/corp/bundle.pem"]
    let baseline = try recordBaseline(env: env)
    let recorded = try String(contentsOfFile: baseline, encoding: .utf8)
    XCTAssertTrue(recorded.contains("\"subject\" : \"endpoint api\""), "the baseline records verdicts")
    try put("etc/corp/bundle.pem", ["noku.pem"])
    let (result, all) = try check(["--baseline", baseline], env: env)
    XCTAssertEqual(result.status, 1, result.all)
    let flips = findings(all, "TG801")
    let openssl = try XCTUnwrap(flips.first { ($0["message"] as? String ?? "").hasPrefix("openssl ") }, result.all)
    let message = openssl["message"] as? String ?? ""
    XCTAssertTrue(message.contains("no longer verifies endpoint api: unable to get local issuer certificate"), message)
    XCTAssertTrue(message.contains("trustgate test root"), message)
    XCTAssertTrue(message.contains("removed from SSL_CERT_FILE"), message)
    XCTAssertEqual(openssl["severity"] as? String, "error")
  }

  /// Issue #10 item 5: httpx 0.27.2 → 0.28.1 (and requests, urllib3) with SSL_CERT_FILE a valid bundle: every client
  /// verifies before and after, so TG301 warns and the build passes. The baseline (git HEAD's uv.lock) is verified with
  /// the baseline's versions in the same run.
  func testUpgradeAfterWhichEveryClientStillVerifiesIsAWarning() throws {
    try put("etc/corp/bundle.pem", ["root.pem"])
    try put("etc/ssl/certs/ca-certificates.crt", ["root.pem"])
    // The fixtures' certifi bump (TG302) is another matter than the one tested here.
    try commitEndpointPolicy(
      lockfile: try Fixtures.text("lockfiles/old/uv/uv.lock"), extra: "rules:\n  TG302: off\n")
    try scenario.write("uv.lock", try Fixtures.text("lockfiles/new/uv/uv.lock"))
    let (result, all) = try check(
      ["--baseline-ref", "HEAD"],
      env: ["SSL_CERT_FILE": "/etc/corp/bundle.pem", "REQUESTS_CA_BUNDLE": "/etc/corp/bundle.pem"])
    XCTAssertEqual(result.status, 0, result.all)
    let crossings = findings(all, "TG301")
    let httpx = try XCTUnwrap(crossings.first { $0["subject"] as? String == "httpx" }, result.all)
    XCTAssertEqual(httpx["severity"] as? String, "warning")
    XCTAssertTrue((httpx["message"] as? String ?? "").contains("still verifies what it did"))
    XCTAssertTrue(crossings.allSatisfy { $0["severity"] as? String == "warning" }, result.all)
    XCTAssertTrue(findings(all, "TG801").isEmpty, result.all)
  }

  /// Item 5 with the host's private anchors as the evidence: every client verifies the corporate root before and after
  /// the upgrade (issue #10 §3: "still verifies what it did" covers private anchors), so TG301 warns.
  func testUpgradeWithPrivateAnchorsStillVerifiedIsAWarning() throws {
    try put("etc/ssl/certs/ca-certificates.crt", ["root.pem"])
    try put("usr/local/share/ca-certificates/corp.crt", ["root.pem"])
    try commitHttpxUpgrade()
    let bundle = "/etc/ssl/certs/ca-certificates.crt"
    let (result, all) = try check(
      ["--baseline-ref", "HEAD"], env: ["SSL_CERT_FILE": bundle, "REQUESTS_CA_BUNDLE": bundle])
    XCTAssertEqual(result.status, 0, result.all)
    let httpx = try XCTUnwrap(findings(all, "TG301").first { $0["subject"] as? String == "httpx" }, result.all)
    XCTAssertEqual(httpx["severity"] as? String, "warning")
    XCTAssertTrue((httpx["message"] as? String ?? "").contains("private roots of its trust sources"), result.all)
  }

  /// Item 5 as filed: no endpoints, no OS anchor, SSL_CERT_FILE a bundle holding the corporate root (next to a public
  /// store, so the root is known to be private): the root the clients read is the evidence, and it still verifies.
  func testUpgradeWithTheCorporateRootOfSSLCertFileStillVerifiedIsAWarning() throws {
    try put("etc/corp/bundle.pem", ["root.pem", "noku.pem"])
    try put("etc/ssl/certs/ca-certificates.crt", ["noku.pem"])
    try put("usr/share/ca-certificates/mozilla/Public.crt", ["noku.pem"])
    try commitHttpxUpgrade()
    let env = ["SSL_CERT_FILE": "/etc/corp/bundle.pem", "REQUESTS_CA_BUNDLE": "/etc/corp/bundle.pem"]
    let (result, all) = try check(["--baseline-ref", "HEAD"], env: env)
    XCTAssertEqual(result.status, 0, result.all)
    let crossings = findings(all, "TG301")
    XCTAssertFalse(crossings.isEmpty, result.all)
    XCTAssertTrue(crossings.allSatisfy { $0["severity"] as? String == "warning" }, result.all)
    // Take the root out of the bundle: the corporate root no longer verifies for anyone, and that is an error.
    try put("etc/corp/bundle.pem", ["noku.pem"])
    let (broken, _) = try check(["--baseline-ref", "HEAD"], env: env)
    XCTAssertEqual(broken.status, 1, broken.all)
  }

  /// Nothing to verify (no endpoint, required root or private root): no evidence either way, so the crossing stays an
  /// error, as before verdicts existed.
  func testUpgradeWithNothingToVerifyStaysAnError() throws {
    try put("etc/ssl/certs/ca-certificates.crt", ["root.pem"])
    try commitHttpxUpgrade()
    let (result, all) = try check(["--baseline-ref", "HEAD"], env: [:])
    XCTAssertEqual(result.status, 1, result.all)
    let httpx = try XCTUnwrap(findings(all, "TG301").first { $0["subject"] as? String == "httpx" }, result.all)
    XCTAssertEqual(httpx["severity"] as? String, "error")
  }

  /// Verification judges what is installed: with httpx 0.28.1 installed (a real venv from PyPI), a uv.lock moving
  /// httpx 0.28.1 → 0.27.2 was not judged at 0.27.2, and the move back was not judged at 0.27.2 on the baseline side
  /// (the same venv serves both): either way the verdicts say nothing about the crossing and TG301 stays an error.
  /// (Both sides judged at their own versions — pins only, or a baseline recorded while 0.27.2 was installed — is
  /// what makes it a warning: the tests above.)
  func testLockfileCrossingIsJudgedOnlyWhenItsVersionIsInstalled() throws {
    let venv = try RealVenvVerificationTests.venv("3.12")
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    let copy = try Shell.run(["/bin/cp", "-a", venv, root + "/venv"])
    XCTAssertEqual(copy.status, 0, copy.output)
    try put("etc/ssl/certs/ca-certificates.crt", ["root.pem"])
    try put("usr/local/share/ca-certificates/corp.crt", ["root.pem"])
    let bundle = "/etc/ssl/certs/ca-certificates.crt"
    let env = ["SSL_CERT_FILE": bundle, "REQUESTS_CA_BUNDLE": bundle, "VIRTUAL_ENV": "/venv"]
    try scenario.write(".trustgate.yml", "version: 1\nrules:\n  TG302: off\n")
    try scenario.write("uv.lock", try Fixtures.text("lockfiles/new/uv/uv.lock"))
    try scenario.commitAll("lock at 0.28.1")
    try scenario.write("uv.lock", try Fixtures.text("lockfiles/old/uv/uv.lock"))
    let (down, downAll) = try check(["--baseline-ref", "HEAD"], env: env)
    let downgrade = try XCTUnwrap(findings(downAll, "TG301").first { $0["subject"] as? String == "httpx" }, down.all)
    XCTAssertEqual(downgrade["severity"] as? String, "error", down.all)
    XCTAssertEqual(down.status, 1, down.all)
    try scenario.commitAll("lock at 0.27.2")
    try scenario.write("uv.lock", try Fixtures.text("lockfiles/new/uv/uv.lock"))
    let (up, upAll) = try check(["--baseline-ref", "HEAD"], env: env)
    let upgrade = try XCTUnwrap(findings(upAll, "TG301").first { $0["subject"] as? String == "httpx" }, up.all)
    XCTAssertEqual(upgrade["severity"] as? String, "error", up.all)
    XCTAssertEqual(up.status, 1, up.all)
  }

  /// The same upgrade where httpx 0.28.1 raises on a folder in SSL_CERT_FILE while 0.27.2 skipped it: the verdict
  /// flipped, so TG301 stays an error and TG801 names the upgrade at its uv.lock line.
  func testUpgradeAfterWhichHttpxFailsIsAnError() throws {
    try put("etc/corp/certs/root.pem", ["root.pem"])
    try put("etc/corp/bundle.pem", ["root.pem"])
    let rehash = try Shell.run([try XCTUnwrap(Shell.which("openssl")), "rehash", root + "/etc/corp/certs"])
    XCTAssertEqual(rehash.status, 0, rehash.output)
    try commitEndpointPolicy(lockfile: try Fixtures.text("lockfiles/old/uv/uv.lock"))
    try scenario.write("uv.lock", try Fixtures.text("lockfiles/new/uv/uv.lock"))
    let env = ["SSL_CERT_FILE": "/etc/corp/certs", "SSL_CERT_DIR": "/etc/corp/certs"]
    let (result, all) = try check(["--baseline-ref", "HEAD"], env: env)
    XCTAssertEqual(result.status, 1, result.all)
    let httpx = try XCTUnwrap(findings(all, "TG301").first { $0["subject"] as? String == "httpx" }, result.all)
    XCTAssertEqual(httpx["severity"] as? String, "error")
    let flip = try XCTUnwrap(
      findings(all, "TG801").first { ($0["message"] as? String ?? "").hasPrefix("httpx 0.28.1") }, result.all)
    let message = flip["message"] as? String ?? ""
    XCTAssertTrue(message.contains("IsADirectoryError"), message)
    XCTAssertTrue(message.contains("httpx 0.27.2 → 0.28.1 at uv.lock:322"), message)
  }

  /// Issue #10 item 7: a private root in the OS store while the clients in use read certifi: a warning naming them
  /// and the ways out.
  func testPrivateRootInTheOSStoreWhileClientsReadCertifiIsAWarning() throws {
    try put("etc/ssl/certs/ca-certificates.crt", ["root.pem"])
    try put("usr/local/share/ca-certificates/corp.crt", ["root.pem"])
    try scenario.write("README", "x\n")
    try scenario.commitAll("init")
    try copyVenv("3.12")
    let (result, all) = try check([], env: ["VIRTUAL_ENV": "/venv"])
    let warnings = findings(all, "TG802")
    XCTAssertEqual(warnings.count, 1, result.all)
    XCTAssertTrue(findings(all, "TG801").isEmpty, "a warning, not an error: \(result.all)")
    XCTAssertEqual(result.status, 0, result.all)
    let message = warnings.first?["message"] as? String ?? ""
    XCTAssertEqual(warnings.first?["severity"] as? String, "warning")
    for expected in ["trustgate test root", "httpx", "requests", "truststore", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "verify="] {
      XCTAssertTrue(message.contains(expected), "\(expected) in \(message)")
    }
  }

  /// A project locked with uv, a corporate root in the OS store, and uv on the Mozilla roots compiled into it: uv
  /// will refuse servers that root signs (measured with uv 0.13.9: `invalid peer certificate: UnknownIssuer` until
  /// UV_SYSTEM_CERTS=1, with the root added by update-ca-certificates). TG802 names uv and its way out, as for the
  /// clients on certifi, and is no TG801; with UV_SYSTEM_CERTS=1 uv verifies the anchor through the OS bundle.
  func testPrivateRootInTheOSStoreIsAWarningForUvOnItsBundledRoots() throws {
    try put("etc/ssl/certs/ca-certificates.crt", ["root.pem"])
    try put("usr/local/share/ca-certificates/corp.crt", ["root.pem"])
    try scenario.write("uv.lock", try Fixtures.text("lockfiles/new/uv/uv.lock"))
    try scenario.commitAll("init")
    let (result, all) = try check([], env: [:])
    let warnings = findings(all, "TG802")
    XCTAssertEqual(warnings.count, 1, result.all)
    let message = warnings.first?["message"] as? String ?? ""
    for expected in ["uv reads the Mozilla roots compiled into it", "UV_SYSTEM_CERTS"] {
      XCTAssertTrue(message.contains(expected), "\(expected) in \(message)")
    }
    XCTAssertTrue(findings(all, "TG801").isEmpty, result.all)
    XCTAssertEqual(result.status, 0, result.all)

    func uvAnchorVerdict(_ env: [String: String]) throws -> [String: Any]? {
      let run = try CLI.run(
        ["inspect", "--repo", scenario.repo, "--root", root, "--env-file", try scenario.envFile(env), "--format",
         "json"], in: scenario.sandbox.root)
      let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
      let verdicts = object["verdicts"] as? [[String: Any]] ?? []
      return verdicts.first { $0["client"] as? String == "uv" }
    }
    let bundled = try XCTUnwrap(try uvAnchorVerdict([:]))
    XCTAssertEqual(bundled["verifies"] as? Bool, false, "\(bundled)")
    XCTAssertEqual(bundled["error"] as? String, "uv's bundled Mozilla roots hold no private root")
    let system = try XCTUnwrap(try uvAnchorVerdict(["UV_SYSTEM_CERTS": "1"]))
    XCTAssertEqual(system["verifies"] as? Bool, true, "\(system)")
    let (_, allSystem) = try check([], env: ["UV_SYSTEM_CERTS": "1"])
    XCTAssertFalse(findings(allSystem, "TG802").contains { ($0["message"] as? String ?? "").contains("uv") })
  }

  /// Issue #10 item 6: on Python 3.13, old public roots without keyUsage that nothing here verifies are notes naming
  /// the strict clients, not errors; a private anchor without keyUsage is an error.
  func testStrictX509NamesClientsAndErrsOnlyForRootsThatMustVerify() throws {
    // noku.pem stands for an old public root without keyUsage: in certifi's copy and the OS bundle, verified by nothing.
    try put("etc/ssl/certs/ca-certificates.crt", ["noku.pem", "root.pem"])
    try scenario.write("README", "x\n")
    try scenario.commitAll("init")
    try copyVenv("3.13")
    let stock = try Data(contentsOf: URL(fileURLWithPath: certifi("3.13")))
    try (stock + Data(try pki.bytes("noku.pem")) + Data(try pki.bytes("root.pem"))).write(
      to: URL(fileURLWithPath: certifi("3.13")))
    let (result, all) = try check([], env: ["VIRTUAL_ENV": "/venv"])
    // Real certifi ships public roots that lack an extension too (TWCA Global Root CA, ePKI): notes as well.
    let strict = findings(all, "TG401")
    XCTAssertTrue(strict.allSatisfy { $0["severity"] as? String == "note" }, "\(strict)")
    let test = try XCTUnwrap(
      strict.first { ($0["message"] as? String ?? "").contains("trustgate test root without keyUsage") }, "\(strict)")
    let message = test["message"] as? String ?? ""
    XCTAssertTrue(message.contains("httpx 0.28.1"), message)
    XCTAssertTrue(message.contains("python-ssl"), message)
    XCTAssertEqual(result.status, 0, result.all)

    // The same root as a private anchor (in the OS store, in no public store): an error.
    try (stock + Data(try pki.bytes("root.pem"))).write(to: URL(fileURLWithPath: certifi("3.13")))
    try put("usr/local/share/ca-certificates/noku.crt", ["noku.pem"])
    let (again, allAgain) = try check([], env: ["VIRTUAL_ENV": "/venv"])
    let errors = findings(allAgain, "TG401").filter { $0["severity"] as? String == "error" }
    XCTAssertFalse(errors.isEmpty, again.all)
    XCTAssertEqual(again.status, 1, again.all)
  }

  /// The real venv (pip-installed httpx 0.28.1, requests 2.32.3, urllib3 2.5.0, certifi) copied to `/venv`.
  func copyVenv(_ minor: String) throws {
    let venv = try RealVenvVerificationTests.venv(minor)
    let copy = try Shell.run(["/bin/cp", "-a", venv, root + "/venv"])
    XCTAssertEqual(copy.status, 0, copy.output)
  }

  func certifi(_ minor: String) -> String { root + "/venv/lib/python\(minor)/site-packages/certifi/cacert.pem" }

  /// `inspect` shows every endpoint for every client, in text and JSON.
  func testInspectShowsEveryEndpointForEveryClient() throws {
    try put("etc/corp/bundle.pem", ["root.pem"])
    try commitEndpointPolicy()
    let envFile = try scenario.envFile(["SSL_CERT_FILE": "/etc/corp/bundle.pem"])
    let text = try CLI.run(
      ["inspect", "--repo", scenario.repo, "--root", root, "--env-file", envFile], in: scenario.sandbox.root)
    XCTAssertEqual(text.status, 0, text.all)
    XCTAssertTrue(text.stdout.contains("endpoint api: ok"), text.stdout)
    let json = try CLI.run(
      ["inspect", "--repo", scenario.repo, "--root", root, "--env-file", envFile, "--format", "json"],
      in: scenario.sandbox.root)
    let snapshot = try SnapshotCoding.decode(Array(json.stdout.utf8), path: "stdout")
    let verdicts = try XCTUnwrap(snapshot.verdicts)
    XCTAssertFalse(verdicts.isEmpty)
    XCTAssertTrue(verdicts.allSatisfy { $0.subject == "endpoint api" && $0.verifies }, "\(verdicts)")
  }

  /// An input error (exit 2) while the collectors still parse certificates on other threads: OpenSSL's exit handler
  /// used to free its locks under them (SIGSEGV, exit status 11, in about one run in twenty here).
  func testExitingOnAnInputErrorWhileCollectorsRunNeverCrashes() throws {
    try put("etc/ssl/certs/ca-certificates.crt", ["root.pem", "noku.pem", "inter.pem"])
    try scenario.write("tls/api-chain.pem", String(decoding: try pki.bytes("root.key"), as: UTF8.self))
    try scenario.write(
      ".trustgate.yml", "version: 1\nendpoints:\n  - name: api\n    chain: tls/api-chain.pem\n    host: localhost\n")
    var statuses: [Int32] = []
    for _ in 0..<40 {
      let result = try CLI.run(
        ["check", "--repo", scenario.repo, "--root", root, "--annotations", "none"], in: scenario.sandbox.root)
      statuses.append(result.status)
      if result.status != 2 { XCTFail(result.all) }
    }
    XCTAssertEqual(Set(statuses), [2])
  }

  /// A chain file that holds a private key, or a chain outside the repository, exits 2 naming the policy line.
  func testBadEndpointChainExitsTwoNamingThePolicyLine() throws {
    try scenario.write("tls/api-chain.pem", String(decoding: try pki.bytes("root.key"), as: UTF8.self))
    try scenario.write(
      ".trustgate.yml", "version: 1\nendpoints:\n  - name: api\n    chain: tls/api-chain.pem\n    host: localhost\n")
    let (result, _) = try check([], env: [:])
    XCTAssertEqual(result.status, 2, result.all)
    XCTAssertTrue(result.stderr.contains(".trustgate.yml:3: endpoint api"), result.stderr)
    XCTAssertTrue(result.stderr.contains("holds a private key"), result.stderr)

    try scenario.write(
      ".trustgate.yml", "version: 1\nendpoints:\n  - name: api\n    chain: ../outside.pem\n    host: localhost\n")
    let (outside, _) = try check([], env: [:])
    XCTAssertEqual(outside.status, 2, outside.all)
    XCTAssertTrue(outside.stderr.contains("outside the repository"), outside.stderr)

    try scenario.write(
      ".trustgate.yml", "version: 1\nendpoints:\n  - name: api\n    chain: tls/api-chain.pem\n    host: 'a b'\n")
    let (host, _) = try check([], env: [:])
    XCTAssertEqual(host.status, 2, host.all)
    XCTAssertTrue(host.stderr.contains(".trustgate.yml:5"), host.stderr)
    XCTAssertTrue(host.stderr.contains("neither a DNS name nor an IP address"), host.stderr)
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// `.trustgate.yml`: every key parsed to its value, every kind of mistake reported at its line, and the policy's
/// effect on a real `check` run.
final class PolicyLoaderTests: XCTestCase {
  static let corpSHA256 = "a880631a25015f8192349f09c77b24746fd5bfa96f0c642c65424a15a24af060"

  static let everyKey = """
    version: 1
    fail-on: warning
    baseline: .trustgate/recorded.json
    compare: [stores, environment, python, lockfiles, proxy, openssl]
    exclude: [/tests/fixtures, vendor/]
    rules:
      TG103: note
      tg106: off
      TG501: error
    ignore:
      - rule: TG301
        package: HTTPX
        reason: migrating to 0.28 in PLAT-123
        expires: 2026-12-31
      - rule: TG107
        path: /etc/ssl/certs/ca-certificates.crt
        reason: vendor bundle, tracked in SEC-9
        expires: 2027-01-15
      - rule: TG104
        fingerprint: "A8:80:63:1A"
        reason: corp root rolled out next sprint
        expires: 2026-07-01
    required-roots:
      - name: Corp Root CA
        sha256: "A8:80:63:1A:25:01:5F:81:92:34:9F:09:C7:7B:24:74:6F:D5:BF:A9:6F:0C:64:2C:65:42:4A:15:A2:4A:F0:60"
        in: [os-bundle, certifi, requests]
      - name: Legacy Root
        sha1: 0123456789abcdef0123456789abcdef01234567
    """

  func testEveryKeyParses() throws {
    let policy = try PolicyLoader.load(Self.everyKey, path: ".trustgate.yml")
    XCTAssertEqual(policy.path, ".trustgate.yml")
    XCTAssertEqual(policy.failOn, .warning)
    XCTAssertEqual(policy.baseline, ".trustgate/recorded.json")
    XCTAssertEqual(policy.compare, Set(Area.allCases.filter { ["stores", "environment", "python", "lockfiles", "proxy", "openssl"].contains($0.rawValue) }))
    XCTAssertEqual(policy.exclude, ["tests/fixtures", "vendor/"])
    XCTAssertEqual(policy.severities, ["TG103": .note, "TG501": .error])
    XCTAssertEqual(policy.disabled, ["TG106"])
    XCTAssertEqual(policy.ignores.count, 3)
    XCTAssertEqual(policy.ignores[0], Policy.Ignore(rule: "TG301", package: "httpx", reason: "migrating to 0.28 in PLAT-123", expires: "2026-12-31", line: 11))
    XCTAssertEqual(policy.ignores[1].path, "/etc/ssl/certs/ca-certificates.crt")
    XCTAssertEqual(policy.ignores[1].expires, "2027-01-15")
    XCTAssertEqual(policy.ignores[1].line, 15)
    XCTAssertEqual(policy.ignores[2].fingerprint, "a880631a")
    XCTAssertEqual(policy.ignores[2].rule, "TG104")
    XCTAssertEqual(policy.requiredRoots.count, 2)
    XCTAssertEqual(policy.requiredRoots[0], Policy.RequiredRoot(name: "Corp Root CA", sha256: Self.corpSHA256, sources: ["os-bundle", "certifi", "requests"], line: 24))
    XCTAssertEqual(policy.requiredRoots[1].sha1, "0123456789abcdef0123456789abcdef01234567")
    XCTAssertEqual(policy.requiredRoots[1].sources, ["os-bundle"], "in: defaults to the OS bundle")
  }

  func testEmptyFileIsTheDefaultPolicy() throws {
    var expected = Policy()
    expected.path = "p.yml"
    XCTAssertEqual(try PolicyLoader.load("", path: "p.yml"), expected)
    XCTAssertEqual(try PolicyLoader.load("# only a comment\n", path: "p.yml"), expected)
  }

  /// (name, YAML, line the error must name, words the message must contain)
  static let broken: [(String, String, Int, String)] = [
    ("unknown top-level key", "version: 1\nfail_on: error\n", 2, "unknown key 'fail_on'"),
    ("unknown rule", "version: 1\nrules:\n  TG999: off\n", 3, "unknown rule 'TG999'"),
    ("ignore without reason", "ignore:\n  - rule: TG301\n    package: httpx\n    expires: 2026-12-31\n", 2, "'reason' is required"),
    ("ignore with empty reason", "ignore:\n  - rule: TG301\n    reason: \"  \"\n    expires: 2026-12-31\n", 2, "'reason' is required"),
    // A bad expiry is reported at the `expires:` line itself.
    ("bad date", "ignore:\n  - rule: TG301\n    reason: later\n    expires: 2026-13-01\n", 4, "YYYY-MM-DD"),
    ("date in another format",
     "ignore:\n  - rule: TG301\n    reason: later\n    expires: 31/12/2026\n", 4, "YYYY-MM-DD"),
    ("day the calendar lacks",
     "ignore:\n  - rule: TG301\n    reason: later\n    expires: 2026-02-31\n", 4, "not a day of the calendar"),
    ("ignore without expires", "ignore:\n  - rule: TG301\n    reason: later\n", 2, "'expires' is required"),
    ("anchor", "version: 1\nfail-on: &level error\n", 2, "refuses anchors and aliases"),
    ("unknown key in an ignore", "ignore:\n  - rule: TG301\n    reason: later\n    expires: 2026-12-31\n    until: never\n", 5, "unknown key 'until'"),
    ("bad sha256 length", "required-roots:\n  - name: Corp\n    sha256: abcd\n", 2, "64 hex digits"),
    ("bad sha1 length", "required-roots:\n  - name: Corp\n    sha1: 0123456789abcdef\n", 2, "40 hex digits"),
    ("sha256 not hex", "required-roots:\n  - name: Corp\n    sha256: \(String(repeating: "zz", count: 32))\n", 2, "64 hex digits"),
    ("required root without hash", "required-roots:\n  - name: Corp\n", 2, "give 'sha256' or 'sha1'"),
    ("invalid YAML", "version: 1\nrules: [TG101\nfail-on: error\n", 3, "not valid YAML"),
    ("bad indentation", "version: 1\n  fail-on: error\n", 2, "not valid YAML"),
    ("list where a mapping is expected", "rules:\n  - TG101\n  - TG102\n", 1, "rules must map"),
    ("list at the top level", "- version: 1\n", 1, "expected a mapping"),
    ("mapping where a list is expected", "ignore:\n  rule: TG301\n", 1, "ignore must be a list"),
    ("bad severity", "fail-on: fatal\n", 1, "must be error, warning or note"),
    ("bad rule severity", "rules:\n  TG101: critical\n", 2, "must be error, warning or note"),
    ("unknown compare area", "compare: [stores, dns]\n", 1, "unknown area 'dns'"),
    ("version 2", "version: 2\n", 1, "version must be 1"),
    ("ignore of an unknown rule", "ignore:\n  - rule: TG999\n    reason: x\n    expires: 2026-01-01\n", 2, "must name a rule id"),
  ]

  func testBrokenPoliciesNameTheLine() {
    for (name, text, line, words) in Self.broken {
      do {
        let policy = try PolicyLoader.load(text, path: "ci/.trustgate.yml")
        XCTFail("\(name): accepted as \(policy)")
      } catch {
        XCTAssertEqual(error.path, "ci/.trustgate.yml", name)
        XCTAssertEqual(error.line, line, "\(name): \(error)")
        XCTAssertTrue(error.message.contains(words), "\(name): \(error)")
        XCTAssertTrue(error.description.hasPrefix("ci/.trustgate.yml:\(line): "), "\(name): \(error)")
      }
    }
  }

  /// libyaml starts a line at a lone CR and at U+2028, U+2029 and U+0085; git and CI annotations count LF. Lines in
  /// errors and in the policy are the LF-counted ones (the `policyalias` fuzz target found an alias reported on a line
  /// past the file's last).
  func testLinesAreCountedAsGitCountsThem() throws {
    let cases: [(String, String, Int)] = [
      ("lone CR in a comment", "# one\r# two\nversion: 2\n", 2),
      ("line separator in a comment", "# one\u{2028}# two\nversion: 2\n", 2),
      ("paragraph separator and NEL", "# a\u{2029}# b\u{85}# c\nversion: 2\n", 2),
      ("CR LF", "# one\r\n# two\r\nversion: 2\r\n", 3),
      ("an alias after a lone CR", "version: 1 # &x\r# *y\nbaseline: *b\n", 2),
      ("a control character after a lone CR", "# one\r# two\n\u{1}\n", 2),
    ]
    for (name, text, line) in cases {
      do {
        let policy = try PolicyLoader.load(text, path: ".trustgate.yml")
        XCTFail("\(name): accepted as \(policy)")
      } catch {
        XCTAssertEqual(error.line, line, "\(name): \(error)")
      }
    }
    let text = "version: 1\r# c\u{2028}# d\nbaseline: b.json\nignore:\r  - rule: TG301\n    reason: x\n"
      + "    expires: 2099-01-01\nrequired-roots:\n  - name: r\r    sha1: \(String(repeating: "a", count: 40))\n"
    let policy = try PolicyLoader.load(text, path: ".trustgate.yml")
    XCTAssertEqual(policy.baselineLine, 2)
    XCTAssertEqual(policy.ignores.map(\.line), [3])
    XCTAssertEqual(policy.requiredRoots.map(\.line), [7])
  }

  // MARK: - Through the CLI

  /// A repository whose lockfile upgrade produces TG301 (httpx) and TG302 (certifi).
  func upgradeScenario() throws -> Scenario {
    let scenario = try Scenario()
    let tool = LockTool.all[0]
    try scenario.write(tool.file, try tool.fixture("old"))
    try scenario.commitAll("baseline")
    try scenario.write(tool.file, try tool.fixture("new"))
    try scenario.commitAll("candidate")
    return scenario
  }

  func findings(_ scenario: Scenario, _ rule: String) throws -> [[String: Any]] {
    try scenario.reports.jsonFindings().filter { $0["ruleID"] as? String == rule }
  }

  func testBrokenPolicyFileExitsTwoWithFileAndLine() throws {
    let scenario = try upgradeScenario()
    for (name, text, line, _) in Self.broken {
      try scenario.sandbox.write("broken.yml", text)
      let result = try scenario.check(["--baseline-ref", "HEAD~1", "--policy", "broken.yml"])
      XCTAssertEqual(result.status, 2, "\(name): \(result.all)")
      XCTAssertTrue(result.stderr.contains("broken.yml:\(line): "), "\(name): \(result.stderr)")
      XCTAssertFalse(result.stderr.contains("Fatal error") || result.stderr.contains("Stack dump") || result.stderr.contains("0x0"), "\(name): \(result.stderr)")
      XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(name): one line on stderr, got \(result.stderr)")
    }
    let missing = try scenario.check(["--baseline-ref", "HEAD~1", "--policy", "absent.yml"])
    XCTAssertEqual(missing.status, 2, missing.all)
    XCTAssertTrue(missing.stderr.contains("absent.yml"), missing.stderr)
  }

  func testPolicyInTheRepositoryIsFoundByDefault() throws {
    let scenario = try upgradeScenario()
    try scenario.write(".trustgate.yml", "version: 1\nrules:\n  TG999: off\n")
    let result = try scenario.check(["--baseline-ref", "HEAD~1"])
    XCTAssertEqual(result.status, 2, result.all)
    XCTAssertTrue(result.stderr.contains(".trustgate.yml:3: "), result.stderr)
  }

  func testUnexpiredIgnoreSuppresses() throws {
    let scenario = try upgradeScenario()
    let httpxOnly = """
      version: 1
      ignore:
        - rule: TG301
          package: httpx
          reason: migrating in PLAT-123
          expires: 2999-12-31

      """
    try scenario.write(".trustgate.yml", httpxOnly)
    _ = try scenario.check(["--baseline-ref", "HEAD~1"])
    let subjects = try findings(scenario, "TG301").compactMap { $0["subject"] as? String }
    XCTAssertFalse(subjects.contains("httpx"), "\(subjects)")
    XCTAssertTrue(subjects.contains("requests"), "an ignore narrowed to httpx leaves requests: \(subjects)")

    try scenario.write(".trustgate.yml", httpxOnly + """
        - rule: TG301
          path: uv.lock
          reason: urllib3 and requests upgrades reviewed
          expires: 2999-12-31
        - rule: TG302
          path: uv.lock
          reason: certifi removals reviewed
          expires: 2999-12-31
      """)
    let result = try scenario.check(["--baseline-ref", "HEAD~1"])
    XCTAssertEqual(result.status, 0, result.all)
    XCTAssertEqual(try findings(scenario, "TG301").count, 0)
    XCTAssertEqual(try findings(scenario, "TG302").count, 0)
    XCTAssertEqual(try findings(scenario, "TG702").count, 0)
  }

  func testExpiredIgnoreIsReportedAndNoLongerApplies() throws {
    let scenario = try upgradeScenario()
    let expiredIgnore = """
      version: 1
      ignore:
        - rule: TG301
          package: httpx
          reason: migrating in PLAT-123
          expires: 2020-01-31

      """
    try scenario.write(".trustgate.yml", expiredIgnore)
    let result = try scenario.check(["--baseline-ref", "HEAD~1"])
    XCTAssertEqual(result.status, 1, result.all)
    XCTAssertEqual(try findings(scenario, "TG301").filter { $0["subject"] as? String == "httpx" }.count, 1, "the expired ignore no longer suppresses")
    let expired = try findings(scenario, "TG702")
    XCTAssertEqual(expired.count, 1)
    XCTAssertEqual(expired.first?.jsonLocation.0, ".trustgate.yml")
    XCTAssertEqual(expired.first?.jsonLocation.1, 3)

    // An ignore of TG702 itself would hide every expiry: the rule's findings are not ignorable.
    try scenario.write(".trustgate.yml", expiredIgnore + """
        - rule: TG702
          reason: expiries reviewed elsewhere
          expires: 2999-12-31
      """)
    XCTAssertEqual(try scenario.check(["--baseline-ref", "HEAD~1"]).status, 1)
    XCTAssertEqual(try findings(scenario, "TG702").map(\.jsonLocation.1), [3], "the ignore of TG702 does not apply")
  }

  func testRuleSwitchedOff() throws {
    let scenario = try Scenario()
    try scenario.write("uv.lock", try LockTool.all[0].fixture("new"))
    try scenario.commitAll("lockfile")
    // The debian fixture's bundle holds an expired root? TG106 is a warning: fail on warnings to see it matter.
    let root = Fixtures.path("rootfs/debian")
    _ = try scenario.check(["--baseline-ref", "HEAD", "--fail-on", "note"], root: root)
    let before = try scenario.reports.jsonFindings().compactMap { $0["ruleID"] as? String }
    try scenario.write(".trustgate.yml", "version: 1\nrules:\n  TG104: off\n  TG106: off\n")
    _ = try scenario.check(["--baseline-ref", "HEAD", "--fail-on", "note"], root: root)
    let after = try scenario.reports.jsonFindings().compactMap { $0["ruleID"] as? String }
    XCTAssertTrue(before.contains("TG104"), "\(before)")
    XCTAssertFalse(after.contains("TG104"), "\(after)")
    XCTAssertFalse(after.contains("TG106"), "\(after)")
    let rules = (try jsonFile(scenario.reports.json) as? [String: Any])?["rules"] as? [[String: Any]] ?? []
    XCTAssertFalse(rules.contains { $0["id"] as? String == "TG106" }, "a disabled rule is not listed as run")
  }

  func testSeverityOverrideChangesTheExitCode() throws {
    let scenario = try upgradeScenario()
    // TG301 and TG302 are errors by default: exit 1.
    XCTAssertEqual(try scenario.check(["--baseline-ref", "HEAD~1"]).status, 1)
    // Lowered to warnings, they no longer fail at the default fail level…
    try scenario.write(".trustgate.yml", "version: 1\nrules:\n  TG301: warning\n  TG302: note\n")
    let lowered = try scenario.check(["--baseline-ref", "HEAD~1"])
    XCTAssertEqual(lowered.status, 0, lowered.all)
    XCTAssertEqual(try findings(scenario, "TG301").first?["severity"] as? String, "warning")
    XCTAssertEqual(try findings(scenario, "TG302").first?["severity"] as? String, "note")
    // …but do with --fail-on warning (TG301), and the policy's fail-on is overridden by the flag.
    XCTAssertEqual(try scenario.check(["--baseline-ref", "HEAD~1", "--fail-on", "warning"]).status, 1)
    try scenario.write(".trustgate.yml", "version: 1\nfail-on: note\nrules:\n  TG301: note\n  TG302: note\n")
    XCTAssertEqual(try scenario.check(["--baseline-ref", "HEAD~1"]).status, 1, "policy fail-on: note")
    XCTAssertEqual(try scenario.check(["--baseline-ref", "HEAD~1", "--fail-on", "error"]).status, 0, "flag beats policy")
  }
}

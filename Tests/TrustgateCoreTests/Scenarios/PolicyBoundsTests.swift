import Foundation
import XCTest

@testable import TrustgateCore

/// Hostile and mistaken `.trustgate.yml` files: refused with exit 2 at their line, quickly, before anything is built
/// from them or read because of them.
final class PolicyBoundsTests: XCTestCase {
  static func seed(_ name: String) throws -> String {
    try String(contentsOfFile: CLI.packageRoot + "/fuzz/seeds/policy/" + name, encoding: .utf8)
  }

  /// `check` of a fresh repository whose `.trustgate.yml` is a seed, stopped after 20 s.
  func checkWithPolicy(
    seed name: String, file: StaticString = #filePath, line: UInt = #line
  ) throws -> BoundedRun.Outcome {
    let scenario = try Scenario()
    try scenario.write(".trustgate.yml", try Self.seed(name))
    let outcome = try BoundedRun.trustgate(
      ["check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--annotations", "none"],
      in: scenario.sandbox.root, seconds: 20)
    XCTAssertFalse(outcome.timedOut, "check with the policy \(name) ran past 20 s", file: file, line: line)
    return outcome
  }

  /// The 563-byte alias bomb (`scripts/fixtures/make-hostile-policies.py`) used as a mapping key hung `check`
  /// (stopped by this test after 20 s); it is refused at its first anchor, line 1.
  func testAliasBombIsRefusedQuicklyAtItsLine() throws {
    let outcome = try checkWithPolicy(seed: "alias-bomb.yml")
    XCTAssertEqual(outcome.status, 2, outcome.all)
    XCTAssertTrue(outcome.stderr.contains(".trustgate.yml:1: YAML anchor '&a0'"), outcome.stderr)
  }

  /// 30,000 nested flow sequences on one line (60 KB, `scripts/fixtures/make-hostile-policies.py`) took libyaml's
  /// scanner seconds, and 200,000 took minutes: it is quadratic in the nesting. Collections deeper than 64 are
  /// refused at their line, as soon as the scan reaches them.
  func testDeeplyNestedPolicyIsRefusedQuicklyAtItsLine() throws {
    let outcome = try checkWithPolicy(seed: "deep-flow.yml")
    XCTAssertLessThan(outcome.seconds, 5, "check with 30,000 nested sequences took \(outcome.seconds) s")
    XCTAssertEqual(outcome.status, 2, outcome.all)
    XCTAssertTrue(outcome.stderr.contains(".trustgate.yml:2: collections nested more than 64 deep"), outcome.stderr)
    // Block collections count too: 70 mappings indented one inside the other are refused at the 64th level's line.
    let indented = (0..<70).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n") + " 1\n"
    XCTAssertThrowsError(try PolicyLoader.load(indented, path: "p.yml")) { error in
      XCTAssertEqual((error as? PolicyError)?.line, 65)
      XCTAssertTrue((error as? PolicyError)?.message.contains("nested more than 64 deep") == true, "\(error)")
    }
    // A policy's own shape, four deep, is untouched.
    let policy = try PolicyLoader.load(
      "version: 1\nignore:\n  - rule: TG301\n    package: httpx\n    reason: r\n    expires: 2099-01-01\n"
        + "required-roots:\n  - name: Corp\n    sha256: \(String(repeating: "ab", count: 32))\n"
        + "    in: [os-bundle, certifi]\n",
      path: "p.yml")
    XCTAssertEqual(policy.ignores.count, 1)
    XCTAssertEqual(policy.requiredRoots.count, 1)
  }

  func testAnchorsAndAliasesAreRefusedAtTheirLine() {
    XCTAssertThrowsError(try PolicyLoader.load(try Self.seed("alias-merge.yml"), path: "p.yml")) { error in
      let error = error as? PolicyError
      XCTAssertEqual(error?.line, 3)
      XCTAssertTrue(error?.message.contains("anchor '&common'") == true, "\(String(describing: error))")
    }
    // An alias with no anchor is refused too (Yams would call it unknown; it is never looked up).
    XCTAssertThrowsError(try PolicyLoader.load("version: 1\nfail-on: *level\n", path: "p.yml")) { error in
      XCTAssertEqual((error as? PolicyError)?.line, 2)
      XCTAssertTrue((error as? PolicyError)?.message.contains("alias '*level'") == true)
    }
  }

  /// `&` and `*` inside quoted strings, plain scalars and comments are text, not anchors.
  func testAmpersandsAndStarsInTextAreNotAnchors() throws {
    let policy = try PolicyLoader.load(try Self.seed("alias-quoted-not.yml"), path: "p.yml")
    XCTAssertEqual(
      policy.ignores.map(\.reason), ["R&D *legacy* pins &a *b", "see &x and *y", "plain text with a&b and c*d"])
  }

  /// `expires: 2026-02-31` was accepted; a day the calendar does not have is exit 2 at its line.
  func testImpossibleExpiryDateIsExitTwoAtItsLine() throws {
    let scenario = try Scenario()
    try scenario.write(
      ".trustgate.yml",
      "version: 1\nignore:\n  - rule: TG301\n    reason: later\n    expires: 2026-02-31\n")
    let outcome = try BoundedRun.trustgate(
      ["check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--annotations", "none"],
      in: scenario.sandbox.root, seconds: 60)
    XCTAssertEqual(outcome.status, 2, outcome.all)
    XCTAssertTrue(outcome.stderr.contains(".trustgate.yml:5: "), outcome.stderr)
    XCTAssertTrue(outcome.stderr.contains("2026-02-31"), outcome.stderr)
  }

  func testDatesAreCheckedAgainstTheCalendar() {
    for good in ["2026-12-31", "2028-02-29", "2000-02-29", "2026-04-30", "2026-01-01"] {
      XCTAssertTrue(PolicyLoader.isDate(good), good)
    }
    for bad in ["2026-02-31", "2027-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00",
      "2026-1-01", "２０２６-01-01", "2026-01-01-", "2026--01"]
    {
      XCTAssertFalse(PolicyLoader.isDate(bad), bad)
    }
  }

  /// `baseline:` naming a host file (`/etc/passwd`), a path above the repository, or a link out of it is exit 2 at
  /// its line, and the message never suggests writing there. Before, `/etc/passwd` was read as the baseline and the
  /// error said `record one with trustgate baseline --output /etc/passwd`.
  func testPolicyBaselineOutsideTheRepositoryIsRefused() throws {
    let scenario = try Scenario()
    try scenario.sandbox.write("outside/baseline.json", "{}")
    try FileManager.default.createSymbolicLink(
      atPath: scenario.repo + "/linked", withDestinationPath: scenario.sandbox.path("outside"))
    for baseline in ["/etc/passwd", "../outside/baseline.json", "linked/baseline.json", "sub/../../outside/x.json"] {
      try scenario.write(".trustgate.yml", "version: 1\nfail-on: error\nbaseline: \(baseline)\n")
      let outcome = try BoundedRun.trustgate(
        ["check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--annotations", "none"],
        in: scenario.sandbox.root, seconds: 60)
      XCTAssertEqual(outcome.status, 2, "\(baseline): \(outcome.all)")
      XCTAssertTrue(outcome.stderr.contains(".trustgate.yml:3: baseline '\(baseline)'"), outcome.stderr)
      XCTAssertTrue(outcome.stderr.contains("outside the repository"), outcome.stderr)
      XCTAssertFalse(outcome.all.contains("--output"), outcome.all)
    }
    // Inside the repository (through a link that stays inside, and a file not recorded yet) is fine.
    try FileManager.default.createSymbolicLink(atPath: scenario.repo + "/inside", withDestinationPath: "sub")
    for baseline in [".trustgate/baseline.json", "inside/base.json", "sub/../.trustgate/none.json"] {
      try scenario.write(".trustgate.yml", "version: 1\nbaseline: \(baseline)\n")
      let outcome = try BoundedRun.trustgate(
        ["check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--annotations", "none"],
        in: scenario.sandbox.root, seconds: 60)
      XCTAssertNotEqual(outcome.status, 2, "\(baseline): \(outcome.all)")
    }
  }

  /// `.trustgate.yml` as a link out of the repository (a pull request can commit one) is refused, as a lockfile's
  /// link is: before, `check` read the host file it named as the policy, and the errors quoted its keys.
  func testPolicyLinkOutOfTheRepositoryIsNotFollowed() throws {
    let scenario = try Scenario()
    try scenario.sandbox.write("outside/host.yml", "password: hunter2\n")
    try FileManager.default.createSymbolicLink(
      atPath: scenario.repo + "/.trustgate.yml", withDestinationPath: scenario.sandbox.path("outside/host.yml"))
    let arguments = ["check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--annotations", "none"]
    let outside = try BoundedRun.trustgate(arguments, in: scenario.sandbox.root, seconds: 60)
    XCTAssertEqual(outside.status, 2, outside.all)
    XCTAssertTrue(outside.stderr.contains(".trustgate.yml: is a link to "), outside.stderr)
    XCTAssertTrue(outside.stderr.contains("outside the repository: not followed"), outside.stderr)
    XCTAssertFalse(outside.all.contains("password"), outside.all)
    // A link that stays inside the repository is followed: its policy applies (fail-on: note fails on warnings).
    try FileManager.default.removeItem(atPath: scenario.repo + "/.trustgate.yml")
    try scenario.write("config/trustgate.yml", "version: 1\nfail-on: note\n")
    try FileManager.default.createSymbolicLink(
      atPath: scenario.repo + "/.trustgate.yml", withDestinationPath: "config/trustgate.yml")
    let inside = try BoundedRun.trustgate(arguments + ["--format", "json"], in: scenario.sandbox.root, seconds: 60)
    XCTAssertNotEqual(inside.status, 2, inside.all)
    XCTAssertTrue(inside.stdout.contains("\"failOn\": \"note\""), inside.stdout)
  }

  /// Files under /proc say they hold 0 bytes: `--policy /proc/self/environ` was read as an empty policy (exit 0 with
  /// the defaults), and `--env-file /proc/self/environ` as no variables. Both are read to their end now and refused
  /// at their line, and the error names the problem without quoting the file (Yams's description of a reader error
  /// quoted the whole line: every variable of the environment).
  func testFilesThatSayTheyAreEmptyAreReadAndNotQuoted() throws {
    let scenario = try Scenario()
    let secret = ["TG_TEST_SECRET": "hunter2-not-for-logs"]
    let base = ["check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--annotations", "none"]
    let policy = try BoundedRun.trustgate(
      base + ["--policy", "/proc/self/environ"], in: scenario.sandbox.root, environment: secret, seconds: 60)
    XCTAssertEqual(policy.status, 2, policy.all)
    let refused = "/proc/self/environ:1: not valid YAML (control characters are not allowed (character U+0))"
    XCTAssertTrue(policy.stderr.contains(refused), policy.stderr)
    XCTAssertFalse(policy.all.contains("hunter2"), policy.all)
    let envFile = try BoundedRun.trustgate(
      base + ["--env-file", "/proc/self/environ"], in: scenario.sandbox.root, environment: secret, seconds: 60)
    XCTAssertEqual(envFile.status, 2, envFile.all)
    XCTAssertTrue(envFile.stderr.contains("/proc/self/environ:1: holds a NUL byte"), envFile.stderr)
    XCTAssertFalse(envFile.all.contains("hunter2"), envFile.all)
    // A reader error further down is placed at its line.
    let controlOnLine4 = "version: 1\nfail-on: error\n# caf\u{E9}\nx: \"\u{1}\"\n"
    XCTAssertThrowsError(try PolicyLoader.load(controlOnLine4, path: "p.yml")) {
      XCTAssertEqual(($0 as? PolicyError)?.line, 4, "\($0)")
    }
  }

  /// Yams's default encoding reads YAMS_DEFAULT_ENCODING and, when it is set, prints a line on standard output:
  /// `check --format json` then wrote that line before the JSON.
  func testNoVariableAddsToStandardOutput() throws {
    let scenario = try Scenario()
    try scenario.write(".trustgate.yml", "version: 1\n")
    let outcome = try BoundedRun.trustgate(
      ["check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--annotations", "none", "--format", "json"],
      in: scenario.sandbox.root, environment: ["YAMS_DEFAULT_ENCODING": "utf16"], seconds: 60)
    XCTAssertNotEqual(outcome.status, 2, outcome.all)
    XCTAssertTrue(outcome.stdout.hasPrefix("{"), String(outcome.stdout.prefix(200)))
    XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)))
  }
}

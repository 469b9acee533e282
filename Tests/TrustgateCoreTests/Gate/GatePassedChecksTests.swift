import XCTest

@testable import TrustgateCore

/// The checks that passed, as the gate lists them: each subject a rule checked once, in order, without the subjects it
/// found something on.
final class GatePassedChecksTests: XCTestCase {
  /// A rule that checked `checked` (repeats and all, in that order) and found something on `failing`.
  struct ListingRule: Rule {
    static let description = RuleDescription(
      id: "TG999", title: "test", area: .lockfiles, severity: .error, rationale: "test", fix: "test", sources: [])
    static let examples: [RuleExample] = []
    var checked: [String]
    var failing: [String]

    func evaluate(_ context: RuleContext) -> RuleResult {
      RuleResult(findings: failing.map { finding($0, "found on \($0)") }, checked: checked)
    }
  }

  func passed(checked: [String], failing: [String]) -> [String] {
    let context = Examples.context(Examples.snapshot())
    let (evaluation, _) = Gate.evaluate(
      current: context.current, baseline: nil, baselineLabel: "none", policy: context.policy, now: context.now,
      rules: [ListingRule(checked: checked, failing: failing)])
    return evaluation.passed.filter { $0.ruleID == "TG999" }.map(\.subject)
  }

  func testEachSubjectPassesOnceInOrderWithoutTheFailingOnes() {
    XCTAssertEqual(passed(checked: ["c", "a", "b", "a", "c", "c"], failing: ["b"]), ["a", "c"])
    XCTAssertEqual(passed(checked: ["z", "z"], failing: []), ["z"])
    XCTAssertEqual(passed(checked: ["only"], failing: ["only"]), [])
    XCTAssertEqual(passed(checked: [], failing: []), [])
  }

  /// Thousands of subjects in runs (what a lockfile bump gives TG301), with repeats across the runs: the same list a
  /// set would give, sorted.
  func testManySubjectsInRunsGiveTheSortedDistinctList() {
    let names = (0..<3000).map { "package-\($0)" }
    let checked = names + names.prefix(500) + ["zz", "aa"] + names.suffix(10)
    let failing = ["package-7", "aa"]
    XCTAssertEqual(
      passed(checked: checked, failing: failing), Set(checked).subtracting(failing).sorted())
  }
}

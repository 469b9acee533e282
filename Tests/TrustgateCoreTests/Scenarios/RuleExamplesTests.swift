import XCTest

@testable import TrustgateCore

/// Every rule proves itself on its own documented examples: each triggering example yields at least one finding
/// with the rule's id, each passing example none. A rule cannot join the catalogue without examples of both kinds.
final class RuleExamplesTests: XCTestCase {
  func testEveryRuleFiresOnItsTriggeringExamplesAndOnlyThere() throws {
    // One file per rule in Catalogue/, each registered once with its own id.
    let files = try FileManager.default.contentsOfDirectory(
      atPath: CLI.packageRoot + "/Sources/TrustgateCore/Rules/Catalogue"
    ).filter { $0.hasSuffix("Rule.swift") }
    XCTAssertEqual(RuleCatalogue.all.count, files.count, "every file in Rules/Catalogue is one rule in RuleCatalogue.all")
    XCTAssertEqual(Set(RuleCatalogue.all.map(\.description.id)).count, RuleCatalogue.all.count, "rule ids are unique")
    for rule in RuleCatalogue.all {
      let id = rule.description.id
      let examples = type(of: rule).examples
      XCTAssertTrue(examples.contains { $0.triggers }, "\(id) has no triggering example")
      XCTAssertTrue(examples.contains { !$0.triggers }, "\(id) has no passing example")
      for example in examples {
        let result = rule.evaluate(example.context())
        let own = result.findings.filter { $0.ruleID == id }
        if example.triggers {
          XCTAssertFalse(own.isEmpty, "\(id) should fire on “\(example.name)”")
        } else {
          XCTAssertTrue(own.isEmpty, "\(id) should not fire on “\(example.name)”: \(own.map(\.message))")
        }
        XCTAssertEqual(own.count, result.findings.count, "\(id) produced findings with another rule id on “\(example.name)”")
      }
    }
  }

  func testRuleIdsAreUniqueAndWellFormed() {
    let ids = RuleCatalogue.all.map(\.description.id)
    XCTAssertEqual(Set(ids).count, ids.count, "duplicate rule ids: \(ids)")
    for id in ids {
      XCTAssertTrue(id.hasPrefix("TG") && id.count == 5 && id.dropFirst(2).allSatisfy(\.isNumber), "bad rule id \(id)")
      XCTAssertNotNil(RuleCatalogue.rule(id.lowercased()), "rule(\(id)) is case-insensitive")
    }
    XCTAssertEqual(ids.min(), "TG001")
    XCTAssertEqual(ids.max(), "TG802")
  }

  /// The same examples run through the gate (as `check` does): the finding survives policy application.
  func testTriggeringExamplesFailThroughTheGate() {
    for rule in RuleCatalogue.all {
      let id = rule.description.id
      for example in type(of: rule).examples where example.triggers {
        let context = example.context()
        let (evaluation, _) = Gate.evaluate(
          current: context.current, baseline: context.baseline, baselineLabel: "example", policy: context.policy,
          now: context.now, rules: [rule])
        XCTAssertTrue(evaluation.findings.contains { $0.ruleID == id }, "\(id) lost its finding in the gate on “\(example.name)”")
      }
    }
  }
}

/// Runs the rule pack over a snapshot (and its baseline), then applies the policy: disabled rules, severity
/// overrides, ignores. Reporters receive the resulting `Evaluation` and only format it.
public enum Gate {
  public static func evaluate(
    current: Snapshot, baseline: Snapshot?, baselineLabel: String, policy: Policy, now: String,
    rules: [any Rule] = RuleCatalogue.all
  ) -> (evaluation: Evaluation, changes: [Change]) {
    let changes = baseline.map { SnapshotDiff.diff(baseline: $0, current: current, areas: policy.compare) } ?? []
    let context = RuleContext(current: current, baseline: baseline, changes: changes, policy: policy, now: now)
    var findings: [Finding] = []
    var passed: [PassedCheck] = []
    var descriptions: [RuleDescription] = []
    for rule in rules {
      var description = rule.description
      guard !policy.disabled.contains(description.id) else { continue }
      if let severity = policy.severities[description.id] { description.severity = severity }
      descriptions.append(description)
      let result = rule.evaluate(context)
      var failedSubjects = Set<String>()
      let ignorable = type(of: rule).ignorable
      for var finding in result.findings {
        if let severity = policy.severities[description.id] { finding.severity = severity }
        failedSubjects.insert(finding.subject)
        let ignored = ignorable && policy.ignores.contains { $0.matches(finding) && !$0.isExpired(at: now) }
        if !ignored { findings.append(finding) }
      }
      for subject in uniqueSorted(result.checked) where !failedSubjects.contains(subject) {
        passed.append(PassedCheck(ruleID: description.id, subject: subject))
      }
    }
    let evaluation = Evaluation(
      rules: descriptions, findings: Array(Set(findings)), passed: passed, failOn: policy.failOn, baseline: baselineLabel,
      time: now)
    return (evaluation, changes)
  }

  /// The subjects sorted, each once. A rule lists what it checked mostly in order (the changes are sorted), and the
  /// sort takes such runs in one pass; a set would scramble them first (thousands of pin changes in a lockfile bump).
  static func uniqueSorted(_ subjects: [String]) -> [String] {
    var sorted = subjects.sorted()
    var kept = 0
    for index in sorted.indices where kept == 0 || sorted[index] != sorted[kept - 1] {
      sorted.swapAt(kept, index)
      kept += 1
    }
    sorted.removeSubrange(kept...)
    return sorted
  }
}

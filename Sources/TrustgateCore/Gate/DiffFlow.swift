/// The `diff` flow: two recorded snapshots (A the baseline, B the candidate), judged like `check`, with the list of
/// changes first unless reports were asked for.
public enum DiffFlow {
  public static func run(
    baseline: String, candidate: String, policyFile: String?, failOn: Severity?, delivery: ReportDelivery
  ) throws(InputError) -> CheckOutcome {
    let here = delivery.currentDirectory
    let loader = BaselineLoader(repositoryRoot: here, environment: [:])
    var policy = Policy()
    if let policyFile {
      policy = try Workspace(
        root: nil, repository: nil, envFile: nil, policyFile: policyFile, processEnvironment: [:],
        currentDirectory: here
      ).policy()
    }
    if let failOn { policy.failOn = failOn }
    let a = try loader.readSnapshot(baseline)
    let b = try loader.readSnapshot(candidate)
    let now = b.clock?.now ?? isoTimestamp(epochSeconds: ClockCollector.currentTime())
    let (evaluation, changes) = Gate.evaluate(
      current: b, baseline: a, baselineLabel: "snapshot \(baseline)", policy: policy, now: now)
    var output = ""
    if delivery.reports.isEmpty && !delivery.quiet && delivery.format == .text {
      output = ControlCharacters.neutralised(render(changes, from: baseline, to: candidate), keepNewlines: true)
    }
    output += try delivery.deliver(evaluation)
    return CheckOutcome(evaluation: evaluation, changes: changes, standardOutput: output)
  }

  /// One line per change: kind, subject, source, before → after, location.
  public static func render(_ changes: [Change], from baseline: String, to candidate: String) -> String {
    var lines = ["\(changes.count) change(s) from \(baseline) to \(candidate):"]
    for change in changes {
      var line = "  \(change.kind.rawValue) \(change.subject)"
      if let source = change.source { line += " in \(source)" }
      if change.before != nil || change.after != nil { line += ": \(change.before ?? "—") → \(change.after ?? "—")" }
      if let location = change.location { line += " (\(location.path)\(location.line.map { ":\($0)" } ?? ""))" }
      lines.append(line)
    }
    return lines.joined(separator: "\n") + "\n\n"
  }
}

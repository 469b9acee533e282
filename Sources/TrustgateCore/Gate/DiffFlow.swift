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
      output = ChangeListText.render(changes, from: baseline, to: candidate)
    }
    output += try delivery.deliver(evaluation)
    return CheckOutcome(evaluation: evaluation, changes: changes, standardOutput: output)
  }
}

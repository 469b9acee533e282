/// TG301: a pinned or installed client library crossed a version that changes where trust comes from.
public struct TrustChangingUpgradeRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG301", title: "Client library crossed a trust-changing version", area: .lockfiles, severity: .error,
    rationale: "Some releases change how a library builds its TLS context or reads CA variables (httpx 0.28, requests 2.28/2.32, urllib3 2.0/2.4, pip 24.2): a lockfile bump with no code change then fails with CERTIFICATE_VERIFY_FAILED.",
    fix: "Read the change below, make the trust source the new version uses hold your roots, or pin the previous version until it does.",
    sources: TrustChanges.all.map(\.source))

  public static let examples: [RuleExample] = [
    .init("httpx 0.27.2 → 0.28.1 in uv.lock", triggers: true, context: {
      Examples.context(Examples.snapshot(httpx: "0.28.1"), baseline: Examples.snapshot(httpx: "0.27.2"))
    }),
    .init("httpx 0.27.2 → 0.28.1 after which httpx stops verifying the endpoint", triggers: true, context: {
      var before = Examples.snapshot(httpx: "0.27.2")
      before.verdicts = [Examples.verdict("httpx", "0.27.2", verifies: true)]
      var after = Examples.snapshot(httpx: "0.28.1")
      after.verdicts = [Examples.verdict("httpx", "0.28.1", verifies: false, error: "unable to get local issuer certificate")]
      return Examples.context(after, baseline: before)
    }),
    .init("httpx 0.28.0 → 0.28.1", triggers: false, context: {
      Examples.context(Examples.snapshot(httpx: "0.28.1"), baseline: Examples.snapshot(httpx: "0.28.0"))
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let python = PythonSelection.primary(context.current.python.environments)?.pythonVersion.flatMap(Version.init)
    var reported = Set<String>()
    func judge(_ change: Change) {
      result.checked.append(change.subject)
      guard let before = change.before, let after = change.after else { return }
      for crossed in TrustChanges.crossed(package: change.subject, from: before, to: after) {
        if let minimum = crossed.minimumPython.flatMap(Version.init), let python, python < minimum { continue }
        let key = "\(change.subject)@\(crossed.boundary)@\(change.location?.path ?? "")"
        guard reported.insert(key).inserted else { continue }
        let direction = (Version(after) ?? Version(0)) > (Version(before) ?? Version(0)) ? "upgraded" : "downgraded"
        var related: [Location] = []
        if let base = change.baseLocation { related.append(base) }
        let where_ = change.baseLocation.map { " (baseline \($0.path)\($0.line.map { ":\($0)" } ?? ""))" } ?? ""
        var message =
          "\(change.subject) \(direction) \(before) → \(after)\(where_) crosses \(crossed.boundary): \(crossed.summary); \(crossed.impact)"
        // Verdicts decide: a crossing after which every client still verifies what it did is a warning.
        var severity: Severity?
        if let flipped = VerdictComparison.flipped(by: change.subject, from: before, to: after, context) {
          if flipped.isEmpty {
            severity = .warning
            message +=
              ". Every client it affects still verifies what it did at the baseline (the policy's endpoints and "
              + "required roots, and the private roots of its trust sources), so nothing here breaks; keep the "
              + "warning in mind for servers not listed in endpoints"
          } else {
            let names = flipped.map { verdict in
              "\(verdict.client)\(verdict.version.map { " \($0)" } ?? "") no longer verifies "
                + "\(Verdicts.describe(verdict.subject, certificates: context.current.certificates)) "
                + "(\(verdict.error ?? "does not verify"))"
            }
            message += ". Now: " + names.joined(separator: "; ")
          }
        }
        result.findings.append(
          finding(change.subject, message, at: change.location, related: related, fix: crossed.fix, severity: severity))
      }
    }
    // Each kind as `context` holds it: a lockfile bump can change thousands of pins, not worth copying.
    for change in context.changes(.pinChanged) where change.location != nil { judge(change) }
    for change in context.changes(.installedChanged, .pythonVersionChanged) { judge(change) }
    return result
  }
}

/// TG702: an ignore in the policy is past its expiry date. Its findings cannot be ignored in turn (an ignore of
/// TG702 would hide every expiry); `rules: {TG702: off}` is the visible way to switch it off.
public struct IgnoreExpiredRule: Rule {
  public init() {}
  public static let ignorable = false
  public static let description = RuleDescription(
    id: "TG702", title: "Policy ignore has expired", area: .stores, severity: .error,
    rationale: "Every ignore carries a reason and an expiry so that accepted risks are reviewed; once expired, the ignore no longer applies and must be renewed or removed.",
    fix: "Fix the underlying finding and delete the ignore, or renew it with a new date and reason in .trustgate.yml.",
    sources: ["https://docs.github.com/en/code-security/code-scanning/managing-code-scanning-alerts/resolving-code-scanning-alerts#dismissing-alerts"])

  public static let examples: [RuleExample] = [
    .init("ignore expired last year", triggers: true, context: {
      var policy = Policy()
      policy.ignores = [.init(rule: "TG301", package: "httpx", reason: "migration", expires: "2025-01-01", line: 4)]
      return Examples.context(Examples.snapshot(), policy: policy)
    }),
    .init("ignore valid until next year", triggers: false, context: {
      var policy = Policy()
      policy.ignores = [.init(rule: "TG301", package: "httpx", reason: "migration", expires: "2027-01-01", line: 4)]
      return Examples.context(Examples.snapshot(), policy: policy)
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let path = context.policy.path ?? ".trustgate.yml"
    for ignore in context.policy.ignores {
      let target = ignore.package ?? ignore.path ?? ignore.fingerprint ?? "all"
      let subject = "\(ignore.rule)@\(target)"
      result.checked.append(subject)
      if ignore.isExpired(at: context.now) {
        result.findings.append(
          finding(subject, "ignore of \(ignore.rule) for \(target) expired on \(ignore.expires) (reason: \(ignore.reason))", at: Location(path: path, line: ignore.line)))
      }
    }
    return result
  }
}

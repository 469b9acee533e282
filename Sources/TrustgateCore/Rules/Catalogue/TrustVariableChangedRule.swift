/// TG202: a trust variable set, unset or pointed elsewhere since the baseline.
public struct TrustVariableChangedRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG202", title: "Trust variable set, unset or retargeted since the baseline", area: .environment, severity: .warning,
    rationale: "Where requests, httpx, pip, botocore, curl and git take their roots from is decided by these variables; a runner or image that changes them moves trust without any code change.",
    fix: "If the change is intended, re-record the baseline; otherwise restore the variable in the runner or image (ENV in the Dockerfile, the CI variables).",
    sources: ["../shared/knowledge/trust-regressions.md §7"])

  public static let examples: [RuleExample] = [
    .init("SSL_CERT_FILE newly set", triggers: true, context: { Examples.compare { Examples.setVariable(&$0, "SSL_CERT_FILE", Examples.bundlePath) } }),
    .init("nothing changed", triggers: false, context: { Examples.compare { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: context.current.environment.map(\.name))
    for change in context.changes(.envSet, .envUnset, .envRetargeted) {
      let text: String
      switch change.kind {
      case .envSet: text = "\(change.subject) is now set to \(quoted(change.after)) (unset in the baseline)"
      case .envUnset: text = "\(change.subject) is no longer set (baseline: \(quoted(change.before)))"
      default: text = "\(change.subject) changed from \(quoted(change.before)) to \(quoted(change.after))"
      }
      result.findings.append(finding(change.subject, text))
    }
    return result
  }

  private func quoted(_ value: String?) -> String { "\"\((value ?? "").capped())\"" }
}

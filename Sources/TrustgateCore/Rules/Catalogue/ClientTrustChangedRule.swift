/// TG206: a client's trust source moved since the baseline, even if no single file changed.
public struct ClientTrustChangedRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG206", title: "A client's trust source changed", area: .environment, severity: .error,
    rationale: "A library upgrade (httpx 0.27 → 0.28, pip 24.2), a variable or a store change can move where a client loads its roots from; the next request to a server signed by a private CA fails although nothing looks different.",
    fix: "Make the new source hold the roots you need (SSL_CERT_FILE/REQUESTS_CA_BUNDLE at a bundle with your CA), or pin the client until it does; re-record the baseline once intended.",
    sources: ["../shared/knowledge/trust-regressions.md §1, §2, §5"])

  public static let examples: [RuleExample] = [
    .init("requests moves from certifi to REQUESTS_CA_BUNDLE", triggers: true, context: {
      Examples.compare { Examples.setVariable(&$0, "REQUESTS_CA_BUNDLE", Examples.bundlePath) }
    }),
    .init("no change", triggers: false, context: { Examples.compare { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: context.current.effectiveTrust.map(\.client))
    for change in context.changes(.trustSourceChanged) {
      result.findings.append(
        finding(change.subject, "\(change.subject) now takes its trust from \(change.after ?? "?") (baseline: \(change.before ?? "?"))"))
    }
    return result
  }
}

/// TG502: the clock is demonstrably wrong: earlier than the HEAD commit, or before a trusted root's start date.
public struct ClockBehindRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG502", title: "Clock earlier than known timestamps", area: .clock, severity: .error,
    rationale: "A clock earlier than the HEAD commit or than a store root's notBefore is wrong; TLS then rejects current certificates as not yet valid.",
    fix: "Fix the system time (NTP) on the runner or the image build host.",
    sources: ["https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5"])

  public static let examples: [RuleExample] = [
    .init("clock before HEAD", triggers: true, context: { Examples.context { $0.clock?.headCommitTime = "2030-01-01T00:00:00Z" } }),
    .init("clock after HEAD", triggers: false, context: { Examples.context { $0.clock?.headCommitTime = "2026-01-01T00:00:00Z" } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: ["clock"])
    guard let clock = context.current.clock else { return result }
    if let head = clock.headCommitTime, clock.now < head {
      result.findings.append(finding("clock", "the clock says \(clock.now) but HEAD was committed at \(head)"))
    }
    // Only an unsynchronised clock is blamed for roots that start in the future; a synchronised one means the roots
    // really are post-dated (TG106 reports those).
    let future = context.current.stores.filter { $0.kind == .bundle }.flatMap(\.certificates.certificates)
      .compactMap { context.current.certificates[$0] }.filter { $0.notBefore > clock.now }
    if clock.sync != .synchronised, let first = future.min(by: { $0.notBefore < $1.notBefore }) {
      result.findings.append(
        finding("clock#roots", "the clock says \(clock.now), before the start of \(future.count) trusted root(s), e.g. \(commonName(first.subject)) (\(first.notBefore))"))
    }
    return result
  }
}

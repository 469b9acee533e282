/// TG501: the kernel says the clock is not synchronised.
public struct ClockUnsynchronisedRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG501", title: "Clock not synchronised", area: .clock, severity: .warning,
    rationale: "Certificate validity is checked against the local clock; a drifting clock turns valid certificates into `certificate is not yet valid` or `certificate has expired`.",
    fix: "Enable NTP on the runner (systemd-timesyncd, chrony); in containers the host's clock counts.",
    sources: ["https://man7.org/linux/man-pages/man2/adjtimex.2.html"])

  public static let examples: [RuleExample] = [
    .init("kernel reports unsynchronised", triggers: true, context: { Examples.context { $0.clock?.sync = .unsynchronised } }),
    .init("synchronised", triggers: false, context: { Examples.context { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: ["clock"])
    if let clock = context.current.clock, clock.sync == .unsynchronised {
      let error = clock.maxErrorMicroseconds.map { ", estimated max error \($0 / 1000) ms" } ?? ""
      result.findings.append(finding("clock", "the kernel reports the clock as not synchronised\(error)"))
    }
    return result
  }
}

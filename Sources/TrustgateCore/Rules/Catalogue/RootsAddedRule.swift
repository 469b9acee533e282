/// TG103: roots the baseline did not trust.
public struct RootsAddedRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG103", title: "Roots added since the baseline (unexpected trust)", area: .stores, severity: .warning,
    rationale: "A root nobody asked for widens who can impersonate any server; in an image it can come from a base-image update or a build step.",
    fix: "Check who added the root and why; if it is expected, re-record the baseline (`trustgate baseline`).",
    sources: ["https://csrc.nist.gov/glossary/term/trust_anchor"])

  public static let examples: [RuleExample] = [
    .init("a new root in the OS bundle", triggers: true, context: {
      Examples.compare { $0.stores[0].certificates = Examples.set([Examples.rootA, Examples.rootB, Examples.corporate]) }
    }),
    .init("same roots", triggers: false, context: { Examples.compare { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: context.current.stores.map(\.path))
    let added = context.changes(.rootAdded).filter { $0.area == .stores }
    for source in Set(added.compactMap(\.source)).sorted() {
      let roots = added.filter { $0.source == source }.map(\.subject).sorted()
      let names = roots.prefix(5).map(context.label).joined(separator: ", ")
      let more = roots.count > 5 ? " and \(roots.count - 5) more" : ""
      result.findings.append(finding(source, "\(roots.count) root(s) added to \(source): \(names)\(more)", at: Location(path: source)))
    }
    return result
  }
}

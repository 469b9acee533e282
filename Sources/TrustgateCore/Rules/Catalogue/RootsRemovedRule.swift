/// TG102: roots that the baseline trusted and the current store does not.
public struct RootsRemovedRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG102", title: "Trusted roots removed since the baseline", area: .stores, severity: .error,
    rationale: "Servers that chain only to a removed root fail with `unable to get local issuer certificate`; a corporate root dropped from an image breaks every internal call.",
    fix: "Restore the root (reinstall the CA package, copy the corporate root into the anchors folder and run the update step), or confirm the removal and re-record the baseline.",
    sources: ["https://wiki.mozilla.org/CA/Removed_Certificates"])

  public static let examples: [RuleExample] = [
    .init("a root disappears from the OS bundle", triggers: true, context: {
      Examples.compare { $0.stores[0].certificates = Examples.set([Examples.rootA]) }
    }),
    .init("same roots", triggers: false, context: { Examples.compare { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: context.current.stores.map(\.path))
    let removed = context.changes(.rootRemoved).filter { $0.area == .stores }
    for source in Set(removed.compactMap(\.source)).sorted() {
      let roots = removed.filter { $0.source == source }.map(\.subject).sorted()
      let names = roots.prefix(5).map(context.label).joined(separator: ", ")
      let more = roots.count > 5 ? " and \(roots.count - 5) more" : ""
      result.findings.append(
        finding(source, "\(roots.count) root(s) removed from \(source) since the baseline: \(names)\(more)", at: Location(path: source)))
    }
    return result
  }
}

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
    .init("the bundle SSL_CERT_FILE names is rewritten without a root", triggers: true, context: {
      var base = Examples.snapshot()
      Examples.setVariable(&base, "SSL_CERT_FILE", "/etc/corp/bundle.pem", certificates: [Examples.rootA, Examples.corporate])
      var now = base
      Examples.setVariable(&now, "SSL_CERT_FILE", "/etc/corp/bundle.pem", certificates: [Examples.rootA])
      return Examples.context(now, baseline: base)
    }),
    .init("same roots", triggers: false, context: { Examples.compare { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: context.current.stores.map(\.path))
    // Every trust source is compared, not only OS stores: the bundle a variable names (rewritten at the same path)
    // and bundles vendored in packages. certifi's own removals are TG203's.
    let removed = context.changes(.rootRemoved).filter {
      $0.area == .stores || $0.area == .environment || ($0.area == .python && $0.source != "certifi")
    }
    let variables = Dictionary(
      context.current.environment.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    for source in Set(removed.compactMap(\.source)).sorted() {
      let roots = removed.filter { $0.source == source }.map(\.subject).sorted()
      let names = roots.prefix(5).map(context.label).joined(separator: ", ")
      let more = roots.count > 5 ? " and \(roots.count - 5) more" : ""
      var what = source
      var location = Location(path: source)
      if let variable = variables[source] {
        what = "the bundle \(source) names (\(variable.shownValue))"
        location = Location(path: variable.openedPath)
        let readers = ClientBehaviours.readers(of: source)
        if !readers.isEmpty { what += ", read by \(readers.joined(separator: ", "))" }
      } else if removed.first(where: { $0.source == source })?.area == .python {
        what = "the bundle vendored at \(source)"
      }
      result.findings.append(
        finding(source, "\(roots.count) root(s) removed from \(what) since the baseline: \(names)\(more)", at: location))
    }
    return result
  }
}

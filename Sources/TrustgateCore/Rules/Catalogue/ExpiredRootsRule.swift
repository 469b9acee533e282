/// TG106: expired or not-yet-valid certificates in the OS stores.
public struct ExpiredRootsRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG106", title: "Expired or not-yet-valid roots in a store", area: .stores, severity: .warning,
    rationale: "An expired root verifies nothing, so a bundle full of them is an outdated CA package; a root that is not valid yet means the clock is wrong or the root was issued with a future date.",
    fix: "Update the CA package (`apt-get install --only-upgrade ca-certificates`); for not-yet-valid roots check the clock.",
    sources: ["https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5"])

  public static let examples: [RuleExample] = [
    .init("an expired root in the bundle", triggers: true, context: {
      Examples.context { $0.stores[0].certificates.expired = 1 }
    }),
    .init("all roots valid", triggers: false, context: { Examples.context { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    for store in context.current.stores where store.kind == .bundle {
      result.checked.append(store.path)
      let set = store.certificates
      if set.expired > 0 {
        let names = Array(Set(set.certificates.filter { context.current.certificates[$0]?.isExpired(at: context.now) == true })).sorted()
        // At most three names; an ellipsis says the list goes on.
        let listed = names.prefix(3).map(context.label).joined(separator: ", ") + (names.count > 3 ? ", …" : "")
        result.findings.append(
          finding(store.path, "\(set.expired) expired root(s) in \(store.path)\(listed.isEmpty ? "" : ": " + listed)", at: Location(path: store.path)))
      }
      if set.notYetValid > 0 {
        result.findings.append(
          finding(
            store.path + "#not-yet-valid", "\(set.notYetValid) root(s) in \(store.path) are not valid until after \(context.now)",
            at: Location(path: store.path), fix: "Check the system clock (NTP); replace roots issued with a future start date."))
      }
    }
    return result
  }
}

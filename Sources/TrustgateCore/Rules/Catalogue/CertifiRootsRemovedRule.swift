/// TG302: a certifi update removed roots.
public struct CertifiRootsRemovedRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG302", title: "certifi update removed trusted roots", area: .python, severity: .error,
    rationale: "requests, httpx and botocore trust certifi's bundle by default; servers chaining only to a removed root fail with `unable to get local issuer certificate` while curl and the OS store still work.",
    fix: "Serve a chain to a current root, or make the client trust the OS store (truststore, or SSL_CERT_FILE/REQUESTS_CA_BUNDLE at the OS bundle); pin certifi meanwhile.",
    sources: ["https://github.com/certifi/python-certifi/issues/234", "https://github.com/certifi/python-certifi/issues/356"])

  public static let examples: [RuleExample] = [
    .init("installed certifi lost a root", triggers: true, context: {
      Examples.compare { $0.python.environments[0].certifi?.certificates = Examples.set([Examples.rootA]) }
    }),
    .init("certifi pinned across 2026.4.22 in uv.lock", triggers: true, context: {
      var base = Examples.snapshot()
      base.lockfiles[0].pins[0].version = "2025.11.12"
      return Examples.context(Examples.snapshot(), baseline: base)
    }),
    .init("certifi unchanged", triggers: false, context: { Examples.compare { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: ["certifi"])
    let removed = context.changes(.rootRemoved).filter { $0.source == "certifi" }.map(\.subject).sorted()
    // certifi patched or linked to load the OS bundle (Debian's python3-certifi) loses what the OS store loses, and
    // TG101/TG102 report that removal once.
    let certifi = PythonSelection.primary(context.current.python.environments)?.certifi
    let loadsOSBundle = certifi.map { $0.isOSBundle && ($0.loadedFrom != nil || $0.linksTo != nil) } ?? false
    if !removed.isEmpty && !loadsOSBundle {
      let names = removed.prefix(8).map(context.label).joined(separator: ", ")
      let path = PythonSelection.primary(context.current.python.environments)?.certifi?.path
      result.findings.append(
        finding("certifi", "certifi's bundle lost \(removed.count) root(s): \(names)\(removed.count > 8 ? ", …" : "")", at: path.map { Location(path: $0) }))
    }
    for change in context.changes(.pinChanged) where change.subject == "certifi" {
      guard let before = change.before.flatMap(Version.init), let after = change.after.flatMap(Version.init), after > before else { continue }
      let crossed = TrustChanges.certifiRemovals.filter { removal in
        Version(removal.version).map { Version.crosses(from: before, to: after, boundary: $0) } ?? false
      }
      guard !crossed.isEmpty else { continue }
      let what = crossed.map { "\($0.version) removed \($0.removed)" }.joined(separator: "; ")
      result.findings.append(
        finding(
          "certifi@\(change.location?.path ?? "")", "certifi \(change.before ?? "") → \(change.after ?? "") crosses releases that removed roots: \(what)",
          at: change.location, related: change.baseLocation.map { [$0] } ?? []))
    }
    return result
  }
}

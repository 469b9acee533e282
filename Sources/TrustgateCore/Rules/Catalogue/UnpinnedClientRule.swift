/// TG304: a TLS client library is required without an exact version and no lockfile pins it.
public struct UnpinnedClientRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG304", title: "TLS client library not pinned", area: .lockfiles, severity: .note,
    rationale: "An unpinned httpx, requests, urllib3 or certifi is upgraded by the next install, and with it where trust comes from; the regression then arrives without a diff to review.",
    fix: "Pin it (`httpx==0.28.1`) or commit a lockfile (uv.lock, poetry.lock, …) so upgrades show up in review.",
    sources: ["https://pip.pypa.io/en/stable/topics/repeatable-installs/"])

  public static let examples: [RuleExample] = [
    .init("httpx>=0.27 in requirements.txt, no lockfile", triggers: true, context: {
      Examples.context { $0.lockfiles = [Lockfile(path: "requirements.txt", format: .requirements, pins: [Pin(name: "httpx", specifier: ">=0.27", line: 3)])] }
    }),
    .init("pinned in uv.lock", triggers: false, context: { Examples.context { _ in } }),
  ]

  static let clients: Set<String> = ["httpx", "requests", "urllib3", "certifi", "aiohttp", "truststore", "botocore"]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let requirements = context.current.lockfiles.filter { $0.format == .requirements }
    // Only the clients' names are looked up in other files: no set of every pinned name (thousands in a lockfile).
    var named = Set<String>()
    for lockfile in requirements {
      for pin in lockfile.pins where Self.clients.contains(pin.name) { named.insert(pin.name) }
    }
    guard !named.isEmpty else { return result }
    var exact = Set<String>()
    for lockfile in context.current.lockfiles {
      for pin in lockfile.pins where pin.version != nil && named.contains(pin.name) { exact.insert(pin.name) }
    }
    for lockfile in requirements {
      for pin in lockfile.pins where Self.clients.contains(pin.name) {
        result.checked.append("\(pin.name)@\(lockfile.path)")
        guard pin.version == nil, !exact.contains(pin.name) else { continue }
        result.findings.append(
          finding(
            "\(pin.name)@\(lockfile.path)", "\(pin.name)\(pin.specifier ?? "") in \(lockfile.path) is not pinned to one version",
            at: Location(path: lockfile.path, line: pin.line)))
      }
    }
    return result
  }
}

/// TG101: clients that use the OS store need a bundle with certificates.
public struct OSBundleMissingRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG101", title: "OS CA bundle missing, empty or removed", area: .stores, severity: .error,
    rationale: "OpenSSL-default programs, curl, git, pip's truststore and every client pointed at the OS store trust nothing without a bundle: every TLS connection fails with `unable to get local issuer certificate`.",
    fix: "Install the CA package in the image (`apt-get install ca-certificates`, `apk add ca-certificates`, `dnf install ca-certificates`) and run its update step.",
    sources: ["https://pkg.go.dev/crypto/x509 (root_linux.go certFiles)", "https://manpages.debian.org/bookworm/ca-certificates/update-ca-certificates.8.en.html"])

  public static let examples: [RuleExample] = [
    .init("no store at all", triggers: true, context: { Examples.context { $0.stores = [] } }),
    .init("bundle emptied since the baseline", triggers: true, context: {
      Examples.compare { $0.stores[0].certificates = CertificateSet() }
    }),
    .init("bundle removed since the baseline", triggers: true, context: {
      Examples.compare { $0.stores.removeAll { $0.kind == .bundle } }
    }),
    .init("healthy bundle", triggers: false, context: { Examples.context { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: ["os-bundle"])
    let bundles = context.current.stores.filter { $0.kind == .bundle }
    let none = bundles.allSatisfy { $0.certificates.count == 0 }
    // One removal is one finding: the bundle that went, saying that none is left, not a second finding beside it.
    let removals = context.changes(.storeRemoved, .storeEmptied).filter {
      $0.subject.hasSuffix(".crt") || $0.subject.hasSuffix(".pem")
    }
    for change in removals {
      let what = change.kind == .storeRemoved ? "is gone" : "is now empty"
      let left = none ? "; no OS CA bundle with certificates is left" : ""
      result.findings.append(
        finding(
          change.subject, "\(change.subject) \(what) (baseline: \(change.before ?? "present"))\(left)",
          at: Location(path: change.subject)))
    }
    if none && removals.isEmpty {
      let path = bundles.first?.path ?? StoreLocations.bundles[0].path
      let looked = StoreLocations.bundles.map(\.path).joined(separator: ", ")
      // A bundle that is there but could not be read (its mode, another owner) is the reason, and its fix.
      let unread = context.current.problems.first { problem in
        problem.area == .stores && (problem.isUnreadableFile || problem.isTooLargeFile)
          && bundles.contains { $0.path == problem.path }
      }
      if let unread, unread.isTooLargeFile, let large = unread.path {
        // Not missing: there, and what it holds unknown.
        result.findings.append(
          finding(
            "os-bundle",
            "the OS CA bundle \(large) is over \(defaultReadLimit >> 20) MiB, more than trustgate reads: the roots "
              + "the clients that use the OS store would trust cannot be judged",
            at: Location(path: large), fix: unread.fix))
        return result
      }
      let reason = unread.map { "; \($0.path ?? path): \($0.message)" } ?? ""
      result.findings.append(
        finding(
          "os-bundle", "no OS CA bundle with certificates: looked in \(looked)\(reason)",
          at: Location(path: unread?.path ?? path), fix: unread?.fix))
    }
    return result
  }
}

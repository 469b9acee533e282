/// TG105: an OpenSSL hashed directory whose links no longer match its certificates.
public struct HashedDirectoryStaleRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG105", title: "Hashed certificate directory is stale", area: .stores, severity: .warning,
    rationale: "OpenSSL looks certificates up in a CApath directory by subject-hash link name; a link with the wrong name or no target means that root is invisible to programs using SSL_CERT_DIR or the default directory.",
    fix: "Rebuild the links with `openssl rehash DIR` or `update-ca-certificates --fresh`.",
    sources: ["https://docs.openssl.org/3.0/man1/openssl-rehash/"])

  public static let examples: [RuleExample] = [
    .init("dangling hash link", triggers: true, context: {
      Examples.context { s in
        var dir = TrustStore(path: "/etc/ssl/certs", kind: .hashedDirectory, certificates: Examples.set([Examples.rootA]))
        dir.danglingLinks = ["0badc0de.0"]
        s.stores.append(dir)
      }
    }),
    .init("clean directory", triggers: false, context: {
      Examples.context { s in s.stores.append(TrustStore(path: "/etc/ssl/certs", kind: .hashedDirectory, certificates: Examples.set([Examples.rootA]))) }
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    for store in context.current.stores where store.kind == .hashedDirectory {
      result.checked.append(store.path)
      let mismatched = store.mismatchedHashLinks ?? []
      let dangling = store.danglingLinks ?? []
      guard !mismatched.isEmpty || !dangling.isEmpty else { continue }
      let mismatchedCount = store.mismatchedHashLinkCount ?? mismatched.count
      let danglingCount = store.danglingLinkCount ?? dangling.count
      var parts: [String] = []
      if !mismatched.isEmpty {
        let first = mismatched.prefix(3).joined(separator: ", ")
        parts.append("\(mismatchedCount) link(s) named for the wrong subject hash (first: \(first))")
      }
      if !dangling.isEmpty {
        parts.append("\(danglingCount) dangling link(s) (first: \(dangling.prefix(3).joined(separator: ", ")))")
      }
      result.findings.append(finding(store.path, "\(store.path): " + parts.joined(separator: "; "), at: Location(path: store.path)))
    }
    return result
  }
}

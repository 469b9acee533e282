/// TG402: the OpenSSL major version changed since the baseline.
public struct OpenSSLMajorChangedRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG402", title: "OpenSSL major version changed", area: .openssl, severity: .warning,
    rationale: "OpenSSL 3 changed default security levels, removed legacy algorithms (MD5/SHA-1 signatures, small keys) and moved the default paths in some builds: old CAs and servers can fail verification.",
    fix: "Test TLS to your internal endpoints on the new image; reissue certificates with SHA-1 signatures or < 2048-bit keys.",
    sources: ["https://docs.openssl.org/3.0/man7/migration_guide/"])

  public static let examples: [RuleExample] = [
    .init("1.1.1 → 3.0", triggers: true, context: {
      var base = Examples.snapshot()
      base.openssl.version = "OpenSSL 1.1.1w 11 Sep 2023"
      return Examples.context(Examples.snapshot(), baseline: base)
    }),
    .init("3.0.19 → 3.0.20", triggers: false, context: {
      var base = Examples.snapshot()
      base.openssl.version = "OpenSSL 3.0.20 1 Jan 2027"
      return Examples.context(Examples.snapshot(), baseline: base)
    }),
  ]

  static func major(_ version: String) -> Int? {
    version.split(separator: " ").dropFirst().first.flatMap { Version(String($0))?.release.first }
  }

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: ["openssl"])
    for change in context.changes(.opensslVersionChanged) {
      guard let a = change.before.flatMap(Self.major), let b = change.after.flatMap(Self.major), a != b else { continue }
      result.findings.append(finding("openssl", "OpenSSL changed from \(change.before ?? "") to \(change.after ?? "")"))
    }
    return result
  }
}

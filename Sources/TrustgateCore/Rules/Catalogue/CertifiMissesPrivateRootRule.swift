/// TG802: the OS store holds a private root while a client present reads certifi, which never sees it.
public struct CertifiMissesPrivateRootRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG802", title: "Private root in the OS store, but a client reads certifi", area: .python, severity: .warning,
    rationale: "requests, httpx and pip load certifi's copy of Mozilla's roots, and uv the Mozilla roots compiled into it, not the OS store: a root added with update-ca-certificates is invisible to them, and calls to servers it signs fail with `unable to get local issuer certificate` (uv: `invalid peer certificate: UnknownIssuer`).",
    fix: "Let the client use the OS store: `truststore.inject_into_ssl()`, SSL_CERT_FILE or REQUESTS_CA_BUNDLE at the OS bundle, or `verify=` with that bundle in code; for uv, UV_SYSTEM_CERTS=true or `system-certs = true` in uv.toml.",
    sources: ["https://truststore.readthedocs.io/", "https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification", "https://docs.astral.sh/uv/concepts/authentication/certificates/"])

  public static let examples: [RuleExample] = [
    .init("a corporate root in the OS bundle, httpx on certifi", triggers: true, context: {
      Examples.context { $0.stores[0].certificates = Examples.set([Examples.rootA, Examples.rootB, Examples.corporate]) }
    }),
    .init("public roots only", triggers: false, context: { Examples.context { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let users = context.current.effectiveTrust.filter(\.readsPublicRoots)
    let anchors = Verdicts.privateAnchors(context.current).sorted()
    for fingerprint in anchors {
      result.checked.append(fingerprint)
      guard !users.isEmpty else { continue }
      func named(_ trusts: [ClientTrust]) -> String {
        trusts.map { $0.client + ($0.version.map { " \($0)" } ?? "") }.joined(separator: ", ")
      }
      let certifi = users.filter { $0.source == "certifi" }
      let bundled = users.filter { $0.source != "certifi" }
      var readers: [String] = []
      var ways: [String] = []
      if !certifi.isEmpty {
        readers.append("\(named(certifi)) read certifi")
        ways.append(
          "truststore (`truststore.inject_into_ssl()`), SSL_CERT_FILE or REQUESTS_CA_BUNDLE at the OS bundle, or "
            + "`verify=` with that bundle")
      }
      if !bundled.isEmpty {
        readers.append("\(named(bundled)) read\(bundled.count == 1 ? "s" : "") the Mozilla roots compiled into it")
        ways.append(
          "for uv, UV_SYSTEM_CERTS=true (or `system-certs = true` in uv.toml), or SSL_CERT_FILE at the OS bundle")
      }
      result.findings.append(
        finding(
          fingerprint,
          "the OS store trusts \(context.label(fingerprint)), a root in no public store, but "
            + "\(readers.joined(separator: " and ")) and will not see it; ways out: \(ways.joined(separator: "; "))"))
    }
    return result
  }
}

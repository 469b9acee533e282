/// TG604: a proxy is set while the OS store holds roots that are not public: TLS interception is likely.
public struct ProxyInterceptionRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG604", title: "Proxy with a private root: TLS interception likely", area: .proxy, severity: .warning,
    rationale: "An intercepting proxy re-signs every site with its own CA. Clients that trust only certifi (requests, httpx, botocore) then fail with `self-signed certificate in certificate chain` unless that CA reaches their trust source.",
    fix: "Make the interception CA reach every client: SSL_CERT_FILE and REQUESTS_CA_BUNDLE at the OS bundle that holds it, NODE_EXTRA_CA_CERTS, PIP_CERT, AWS_CA_BUNDLE — or use truststore.",
    sources: ["../shared/knowledge/trust-regressions.md §8"])

  public static let examples: [RuleExample] = [
    .init("HTTPS_PROXY with a corporate root certifi lacks", triggers: true, context: {
      Examples.context { s in
        s.proxy.variables = [ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://proxy:3128")]
        s.stores[0].certificates = Examples.set([Examples.rootA, Examples.rootB, Examples.corporate])
      }
    }),
    .init("HTTPS_PROXY with public roots only", triggers: false, context: {
      Examples.context { $0.proxy.variables = [ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://proxy:3128")] }
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let proxies = context.current.proxy.variables.filter { ["https_proxy", "all_proxy"].contains($0.name.lowercased()) && $0.malformed == nil }
    guard let proxy = proxies.first else { return result }
    result.checked.append(proxy.name)
    guard let certifi = PythonSelection.primary(context.current.python.environments)?.certifi, !certifi.isOSBundle,
      let bundle = context.trust.osBundle, let os = context.current.stores.first(where: { $0.path == bundle })
    else { return result }
    let publicRoots = certifi.certificates.distinct
    // Roots in the OS store that certifi (Mozilla's public set) lacks; old public roots a distribution still ships
    // count too, which errs on the side of warning.
    let privateRoots = os.certificates.distinct.subtracting(publicRoots)
      .filter { context.current.certificates[$0].map { !$0.isExpired(at: context.now) && $0.selfSigned } ?? false }
    guard !privateRoots.isEmpty else { return result }
    let names = privateRoots.sorted().prefix(3).map(context.label).joined(separator: ", ")
    let users = context.current.effectiveTrust.filter { $0.source == "certifi" }.map(\.client)
    guard !users.isEmpty else { return result }
    result.findings.append(
      finding(
        proxy.name, "\(proxy.name) is set and the OS store trusts root(s) certifi does not (\(names)); \(users.joined(separator: ", ")) trust only certifi and will fail through an intercepting proxy"))
    return result
  }
}

/// TG802: the OS store holds a private root while a client present reads certifi, which never sees it.
public struct CertifiMissesPrivateRootRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG802", title: "Private root in the OS store, but a client reads certifi", area: .python, severity: .warning,
    rationale: "requests, httpx and pip load certifi's copy of Mozilla's roots, and uv the Mozilla roots compiled into it, not the OS store: a root added with update-ca-certificates is invisible to them, and calls to servers it signs fail with `unable to get local issuer certificate` (uv: `invalid peer certificate: UnknownIssuer`). Java reads the JDK's own keystore, which the OS store reaches only through ca-certificates-java's hook (`PKIX path building failed`); node reads the Mozilla roots compiled into it (`SELF_SIGNED_CERT_IN_CHAIN`, `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`).",
    fix: "Let the client use the OS store: `truststore.inject_into_ssl()`, SSL_CERT_FILE or REQUESTS_CA_BUNDLE at the OS bundle, or `verify=` with that bundle in code; for uv, UV_SYSTEM_CERTS=true or `system-certs = true` in uv.toml; for Java, import the root into the JDK's cacerts (`keytool -importcert -cacerts`) or install ca-certificates-java; for node, NODE_EXTRA_CA_CERTS at the OS bundle (or the root's file), or NODE_OPTIONS=--use-openssl-ca.",
    sources: ["https://truststore.readthedocs.io/", "https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification", "https://docs.astral.sh/uv/concepts/authentication/certificates/"])

  public static let examples: [RuleExample] = [
    .init("a corporate root in the OS bundle, httpx on certifi", triggers: true, context: {
      Examples.context { $0.stores[0].certificates = Examples.set([Examples.rootA, Examples.rootB, Examples.corporate]) }
    }),
    .init("public roots only", triggers: false, context: { Examples.context { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let anchors = Verdicts.privateAnchors(context.current).sorted()
    for fingerprint in anchors {
      result.checked.append(fingerprint)
      // Java on the JDK's keystore, node on its bundled roots, where this run's verdict says the root is not in them
      // (NODE_EXTRA_CA_CERTS may add it to node's).
      let missed = Set(
        (context.current.verdicts ?? []).filter { $0.subject == Verdicts.anchorPrefix + fingerprint && !$0.verifies }
          .map(\.client))
      let users = context.current.effectiveTrust.filter {
        $0.readsPublicRoots || (($0.readsJDKStore || $0.readsNodeBundledRoots) && missed.contains($0.client))
      }
      guard !users.isEmpty else { continue }
      func named(_ trusts: [ClientTrust]) -> String {
        trusts.map { $0.client + ($0.version.map { " \($0)" } ?? "") }.joined(separator: ", ")
      }
      let certifi = users.filter { $0.source == "certifi" }
      let bundled = users.filter { $0.source.hasPrefix(ClientBehaviours.uvBundledRoots) }
      let jdk = users.filter(\.readsJDKStore)
      let node = users.filter(\.readsNodeBundledRoots)
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
      if !jdk.isEmpty {
        let stores = Set(jdk.map { "\($0.source) (\($0.path ?? ""))" }).sorted().joined(separator: ", ")
        readers.append("\(named(jdk)) read\(jdk.count == 1 ? "s" : "") the JDK's \(stores)")
        ways.append(
          "for java, `keytool -importcert -cacerts -alias NAME -file ROOT.crt`, or Debian's ca-certificates-java "
            + "(then update-ca-certificates), or a store of your own named by -Djavax.net.ssl.trustStore")
      }
      if !node.isEmpty {
        let programs = Set(node.compactMap(\.path)).sorted().joined(separator: ", ")
        readers.append("node (\(programs)) reads the Mozilla roots compiled into it")
        ways.append(
          "for node, NODE_EXTRA_CA_CERTS at the OS bundle (or the root's own file), or NODE_OPTIONS=--use-openssl-ca")
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

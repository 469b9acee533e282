/// TG207: given its version and the environment, a client would load a trust source that cannot work.
public struct ClientTrustBrokenRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG207", title: "A client's effective trust source is broken", area: .environment, severity: .error,
    rationale: "Resolving each client's source the way its version does (httpx >= 0.28 uses a non-empty SSL_CERT_FILE even if it is missing; requests uses REQUESTS_CA_BUNDLE before certifi) shows failures that no single file check shows.",
    fix: "Point the variable the client reads at an existing bundle, or unset it so the client falls back to its default.",
    sources: ["../shared/knowledge/trust-regressions.md §1, §2, §7"])

  public static let examples: [RuleExample] = [
    .init("httpx 0.28 with SSL_CERT_FILE missing", triggers: true, context: {
      var s = Examples.snapshot(httpx: "0.28.1")
      Examples.setVariable(&s, "SSL_CERT_FILE", "/gone.pem", state: .missing)
      return Examples.context(s)
    }),
    .init("httpx 0.28 with SSL_CERT_FILE at the bundle", triggers: false, context: {
      var s = Examples.snapshot(httpx: "0.28.1")
      Examples.setVariable(&s, "SSL_CERT_FILE", Examples.bundlePath)
      return Examples.context(s)
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: context.current.effectiveTrust.map(\.client))
    for trust in context.current.effectiveTrust where trust.status == .broken {
      var text = "\(trust.client)\(trust.version.map { " " + $0 } ?? "") → \(trust.source)"
      if let path = trust.path, path != trust.source { text += " \(path.capped())" }
      text += ": " + (trust.note ?? "no valid roots there: every verified request fails")
      if trust.source == TrustPlanner.configurationSource {
        result.findings.append(
          finding(
            trust.client, text,
            fix: "Fix the file at the line named: the client stops before any request until it can parse it."))
      } else if ClientBehaviours.rows(trust.client).first?.context == .java {
        result.findings.append(
          finding(
            trust.client, text,
            fix: "Import the roots into a keystore Java loads (keytool -importcert -keystore FILE -storepass PASS), "
              + "name it with -Djavax.net.ssl.trustStore (and its password) in JAVA_TOOL_OPTIONS, or unset that "
              + "property so Java falls back to the JDK's cacerts."))
      } else {
        result.findings.append(finding(trust.client, text))
      }
    }
    return result
  }
}

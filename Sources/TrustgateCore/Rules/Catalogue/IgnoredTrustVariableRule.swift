/// TG204: a trust variable is set, but the client libraries in use do not read it.
public struct IgnoredTrustVariableRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG204", title: "Trust variable set that the clients in use ignore", area: .environment, severity: .warning,
    rationale: "requests reads REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE but not SSL_CERT_FILE; httpx reads SSL_CERT_FILE/SSL_CERT_DIR but not REQUESTS_CA_BUNDLE. A variable only the other library reads gives a false sense that the corporate CA is configured.",
    fix: "Set the variable each client reads (SSL_CERT_FILE for httpx, REQUESTS_CA_BUNDLE for requests), or pass the CA explicitly.",
    sources: ["https://github.com/psf/requests/blob/main/src/requests/sessions.py", "https://github.com/encode/httpx/blob/master/httpx/_config.py"])

  public static let examples: [RuleExample] = [
    .init("SSL_CERT_DIR holds the roots requests already loads", triggers: false, context: {
      Examples.context { s in
        Examples.setVariable(&s, "SSL_CERT_DIR", "/etc/ssl/certs", state: .directory)
        Examples.setVariable(&s, "REQUESTS_CA_BUNDLE", Examples.bundlePath)
        s.python.environments[0].distributions.removeAll { $0.name == "httpx" }
        s.lockfiles[0].pins.removeAll { $0.name == "httpx" }
      }
    }),
    .init("REQUESTS_CA_BUNDLE with httpx only", triggers: true, context: {
      Examples.context { s in
        s.python.environments[0].distributions.removeAll { $0.name == "requests" }
        s.lockfiles[0].pins.removeAll { $0.name == "requests" }
        Examples.setVariable(
          &s, "REQUESTS_CA_BUNDLE", "/etc/corp/bundle.pem", certificates: [Examples.rootA, Examples.rootB, Examples.corporate])
      }
    }),
    .init("REQUESTS_CA_BUNDLE with requests", triggers: false, context: {
      Examples.context { Examples.setVariable(&$0, "REQUESTS_CA_BUNDLE", Examples.bundlePath) }
    }),
  ]

  /// The Python libraries a project calls directly. Which variables each reads comes from `ClientBehaviours`, at the
  /// version present (the row that applies), so this rule and the resolver cannot disagree.
  static let libraries = ["httpx", "requests", "aiohttp", "botocore"]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let resolver = context.trust
    let planner = TrustPlanner(context.current, state: { resolver.state($0) })
    var reads: [String: Set<String>] = [:]
    for library in Self.libraries {
      if let row = planner.row(for: library)?.row { reads[library] = Set(row.reads) }
    }
    let present = Set(reads.keys)
    guard !present.isEmpty else { return result }
    // Variables some Python library of the table reads (at any version): the ones this rule speaks about.
    let pythonFacing = Set(Self.libraries.flatMap { library in ClientBehaviours.rows(library).flatMap(\.reads) })
    let trust = Dictionary(context.current.effectiveTrust.map { ($0.client, $0) }, uniquingKeysWith: { a, _ in a })
    for variable in context.current.environment where !variable.isEmpty {
      guard pythonFacing.contains(variable.name) else { continue }
      result.checked.append(variable.name)
      guard !present.contains(where: { reads[$0]?.contains(variable.name) == true }) else { continue }
      // A library that loads the same file through its own variable is configured; only the others are misled.
      let target = variable.target?.resolvedPath ?? variable.openedPath
      // …or one whose own source holds the same roots (SSL_CERT_DIR=/etc/ssl/certs beside the bundle made from it).
      let roots = variable.target?.certificates?.distinct
      let misled = present.sorted().filter { client in
        guard let path = trust[client]?.path else { return true }
        if path == variable.openedPath || path == target { return false }
        return roots == nil || resolver.sets[path]?.distinct != roots
      }
      guard !misled.isEmpty else { continue }
      let elsewhere = misled.map { "\($0) uses \(trust[$0]?.source ?? "its default")" }.joined(separator: ", ")
      result.findings.append(
        finding(variable.name, "\(variable.name) is set, but the client libraries in use do not read it (\(elsewhere))"))
    }
    return result
  }
}

/// TG401: Python 3.13's strict X.509 checks meet CAs that lack the extensions they require.
public struct StrictX509Rule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG401", title: "Python ≥ 3.13 with CAs that fail strict verification", area: .python, severity: .error,
    rationale: "Python 3.13 adds VERIFY_X509_STRICT to ssl.create_default_context(): a CA without keyUsage fails with `CA cert does not include key usage extension` (httpx >= 0.28, aiohttp, urllib.request, and requests with urllib3 >= 2.4).",
    fix: "Reissue the CA RFC 5280-conformant (keyUsage keyCertSign, subjectKeyIdentifier); as a stopgap clear VERIFY_X509_STRICT on your own SSLContext.",
    sources: ["https://github.com/python/cpython/issues/107361", "https://github.com/python/cpython/pull/112389"])

  public static let examples: [RuleExample] = [
    .init("Python 3.13 with a corporate CA without keyUsage in SSL_CERT_FILE", triggers: true, context: {
      var s = Examples.snapshot(python: "3.13.0")
      Examples.setVariable(&s, "SSL_CERT_FILE", "/etc/corp/bundle.pem", certificates: [Examples.rootA, Examples.corporate])
      return Examples.context(s)
    }),
    .init("Python 3.12 with the same CA", triggers: false, context: {
      var s = Examples.snapshot(python: "3.12.3")
      Examples.setVariable(&s, "SSL_CERT_FILE", "/etc/corp/bundle.pem", certificates: [Examples.rootA, Examples.corporate])
      return Examples.context(s)
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    guard let environment = PythonSelection.primary(context.current.python.environments),
      let python = environment.pythonVersion.flatMap(Version.init), python >= Version(3, 13)
    else { return result }
    // The clients whose context sets VERIFY_X509_STRICT at their version (the knowledge table's flag rules).
    let resolver = context.trust
    let planner = TrustPlanner(context.current, state: { resolver.state($0) })
    let strict = planner.plans().filter { $0.flags.contains(.x509Strict) }
    guard !strict.isEmpty else { return result }
    let clients = strict.map { $0.client + ($0.version.map { " \($0)" } ?? "") }.joined(separator: ", ")
    // CAs some client here must verify: private anchors and required roots. Endpoints' CAs show in the verdicts.
    var mustVerify = Verdicts.privateAnchors(context.current)
    for required in context.policy.requiredRoots {
      if let sha256 = required.sha256 { mustVerify.insert(sha256) }
      if let sha1 = required.sha1,
        let found = context.current.certificates.values.first(where: { $0.sha1 == sha1 })
      {
        mustVerify.insert(found.sha256)
      }
    }
    let publicRoots = Verdicts.publicRoots(context.current).roots
    // Sources Python clients load: what effective trust resolved, and the anchors an admin added.
    var sources: [(String, CertificateSet)] = []
    for trust in context.current.effectiveTrust {
      if let path = trust.path, let set = resolver.sets[path] { sources.append((path, set)) }
    }
    for store in context.current.stores where store.kind == .anchors { sources.append((store.path, store.certificates)) }
    var seen = Set<String>()
    for (path, set) in sources {
      for fingerprint in set.distinct.sorted() where seen.insert(fingerprint).inserted {
        guard let certificate = context.current.certificates[fingerprint], certificate.isCA else { continue }
        result.checked.append(fingerprint)
        guard !certificate.passesStrictVerification else { continue }
        let missing = [
          certificate.hasKeyUsage ? nil : "keyUsage", certificate.hasSubjectKeyIdentifier ? nil : "subjectKeyIdentifier",
        ].compactMap { $0 }
        let base =
          "\(clients) on Python \(environment.pythonVersion ?? "") verify strictly and reject \(context.label(fingerprint)) from \(path): it lacks \(missing.joined(separator: " and "))"
        let severity: Severity
        let why: String
        if mustVerify.contains(fingerprint) {
          severity = .error
          why = "; it is a private anchor or required root here, so calls to servers it signs fail"
        } else if publicRoots.contains(fingerprint) {
          severity = .note
          why = "; a public root nothing here is known to verify (no endpoint, required root or private anchor needs it)"
        } else {
          severity = .warning
          why = "; a root in no public store: servers it signs fail for these clients"
        }
        result.findings.append(finding(fingerprint, base + why, at: Location(path: path), severity: severity))
      }
    }
    // Endpoints whose chain a strict client rejects for a missing extension.
    for verdict in context.current.verdicts ?? [] where !verdict.verifies && verdict.flags.contains("x509_strict") {
      guard let error = verdict.error, Self.strictErrors.contains(where: { error.contains($0) }) else { continue }
      let what = Verdicts.describe(verdict.subject, certificates: context.current.certificates)
      result.findings.append(
        finding(
          "\(verdict.client) \(verdict.subject)",
          "\(verdict.client)\(verdict.version.map { " \($0)" } ?? "") verifies strictly and rejects \(what): \(error)",
          severity: .error))
    }
    return result
  }

  /// OpenSSL's reasons under X509_V_FLAG_X509_STRICT for a CA missing an extension.
  static let strictErrors = [
    "CA cert does not include key usage extension", "Missing Authority Key Identifier",
    "Missing Subject Key Identifier",
  ]
}

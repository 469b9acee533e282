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
    // Sources Python clients load: what effective trust resolved, and the anchors an admin added.
    var sources: [(String, CertificateSet)] = []
    let resolver = context.trust
    for trust in context.current.effectiveTrust {
      if let path = trust.path, let set = resolver.sets[path] { sources.append((path, set)) }
    }
    for store in context.current.stores where store.kind == .anchors { sources.append((store.path, store.certificates)) }
    var seen = Set<String>()
    for (path, set) in sources {
      for fingerprint in set.distinct.sorted() where seen.insert(fingerprint).inserted {
        guard let certificate = context.current.certificates[fingerprint], certificate.isCA else { continue }
        result.checked.append(fingerprint)
        if !certificate.passesStrictVerification {
          let missing = [certificate.hasKeyUsage ? nil : "keyUsage", certificate.hasSubjectKeyIdentifier ? nil : "subjectKeyIdentifier"].compactMap { $0 }
          result.findings.append(
            finding(
              fingerprint, "Python \(environment.pythonVersion ?? "") rejects \(context.label(fingerprint)) from \(path): it lacks \(missing.joined(separator: " and "))",
              at: Location(path: path)))
        }
      }
    }
    return result
  }
}

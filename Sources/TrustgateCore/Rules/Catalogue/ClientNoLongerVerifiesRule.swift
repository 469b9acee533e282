/// TG801: a client that verified an endpoint, required root or private anchor at the baseline no longer does (or
/// fails with no baseline to compare with). The verdict is OpenSSL's, with the store the client builds at its version.
public struct ClientNoLongerVerifiesRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG801", title: "A client no longer verifies an endpoint, required root or private anchor",
    area: .environment, severity: .error,
    rationale: "trustgate builds each client's X509_STORE as the client does (files and folders in its order, the flags its version sets) and verifies with OpenSSL: a verdict that flipped is the failure production will see.",
    fix: "Undo the change named (pin the previous version, restore the variable or the root), or make the trust source the client now uses hold the root; then re-record the baseline.",
    sources: ["https://docs.openssl.org/3.0/man3/X509_verify_cert/", "../shared/knowledge/trust-regressions.md"])

  public static let examples: [RuleExample] = [
    .init("httpx stops verifying the endpoint after an upgrade", triggers: true, context: {
      var before = Examples.snapshot(httpx: "0.27.2")
      before.verdicts = [Examples.verdict("httpx", "0.27.2", verifies: true)]
      var after = Examples.snapshot(httpx: "0.28.1")
      after.verdicts = [
        Examples.verdict("httpx", "0.28.1", verifies: false, error: "CA cert does not include key usage extension")
      ]
      return Examples.context(after, baseline: before)
    }),
    .init("every client still verifies", triggers: false, context: {
      var before = Examples.snapshot(httpx: "0.27.2")
      before.verdicts = [Examples.verdict("httpx", "0.27.2", verifies: true)]
      var after = Examples.snapshot(httpx: "0.28.1")
      after.verdicts = [Examples.verdict("httpx", "0.28.1", verifies: true)]
      return Examples.context(after, baseline: before)
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    guard let verdicts = context.current.verdicts else { return result }
    let before = VerdictComparison.index(context.baseline?.verdicts)
    let onCertifi = Set(
      context.current.effectiveTrust.filter { $0.readsPublicRoots || $0.readsJDKStore || $0.readsNodeBundledRoots }
        .map(\.client))
    for verdict in verdicts {
      let key = "\(verdict.client) \(verdict.subject)"
      result.checked.append(key)
      guard !verdict.verifies else { continue }
      let old = before[VerdictComparison.key(verdict)]
      if let old, !old.verifies { continue }  // failing at the baseline too: not this change's doing
      // A client on certifi (uv's or node's bundled roots, the JDK's cacerts) never saw the OS store's private anchors:
      // TG802 warns about that, unless it used to.
      if old == nil, verdict.subject.hasPrefix(Verdicts.anchorPrefix), onCertifi.contains(verdict.client) { continue }
      let name = verdict.client + (verdict.version.map { " \($0)" } ?? "")
      let what = Verdicts.describe(verdict.subject, certificates: context.current.certificates)
      let reason = verdict.error ?? "does not verify"
      var message: String
      if context.baseline == nil {
        message = "\(name) does not verify \(what): \(reason) (no baseline to compare with)"
      } else if let old {
        let was = old.version.map { old.version != verdict.version ? " (\(verdict.client) \($0) did)" : "" } ?? ""
        message = "\(name) no longer verifies \(what): \(reason); it did at the baseline\(was)"
      } else {
        message = "\(name) does not verify \(what): \(reason) (the baseline recorded no verdict for it)"
      }
      let causes = VerdictComparison.causes(of: verdict, context)
      if !causes.isEmpty { message += "; caused by: " + causes.map(\.text).joined(separator: "; ") }
      result.findings.append(finding(key, message, at: causes.compactMap(\.location).first))
    }
    return result
  }
}

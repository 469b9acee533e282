/// TG104: a CA dropped into an anchors folder that the bundle does not contain.
public struct LocalCANotInBundleRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG104", title: "Local or corporate CA not in the bundle (update step not run)", area: .stores, severity: .error,
    rationale: "Copying a certificate into /usr/local/share/ca-certificates or /etc/pki/ca-trust/source/anchors does nothing until update-ca-certificates / update-ca-trust rebuilds the bundle: clients still fail on internal hosts.",
    fix: "Run `update-ca-certificates` (Debian, Ubuntu, Alpine) or `update-ca-trust` (RHEL, Fedora) right after copying the certificate, in the same image layer.",
    sources: [
      "https://manpages.debian.org/bookworm/ca-certificates/update-ca-certificates.8.en.html",
      "https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/9/html/securing_networks/using-shared-system-certificates_securing-networks",
    ])

  public static let examples: [RuleExample] = [
    .init("corporate root copied but not registered", triggers: true, context: {
      Examples.context { s in
        var anchors = TrustStore(path: "/usr/local/share/ca-certificates", kind: .anchors, certificates: Examples.set([Examples.corporate]))
        anchors.notInBundle = [Examples.corporate.sha256]
        s.stores.append(anchors)
      }
    }),
    .init("corporate root registered", triggers: false, context: {
      Examples.context { s in
        s.stores.append(TrustStore(path: "/usr/local/share/ca-certificates", kind: .anchors, certificates: Examples.set([Examples.corporate])))
      }
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    for store in context.current.stores where store.kind == .anchors {
      result.checked.append(store.path)
      for fingerprint in store.notInBundle ?? [] {
        let update = StoreLocations.anchors.first { $0.path == store.path }?.updateCommand ?? "update-ca-certificates"
        result.findings.append(
          finding(
            fingerprint, "\(context.label(fingerprint)) is in \(store.path) but not in the CA bundle: `\(update)` was not run",
            at: Location(path: store.path),
            fix: "Run `\(update)` after copying the certificate, in the same image layer."))
      }
    }
    return result
  }
}

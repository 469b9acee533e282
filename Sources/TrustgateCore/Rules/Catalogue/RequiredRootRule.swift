/// TG701: a root the policy requires is missing from a named trust source.
public struct RequiredRootRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG701", title: "Required root missing from a trust source", area: .stores, severity: .error,
    rationale: "Teams know which roots their traffic needs (a corporate root, a cloud vendor's root by SHA-1 thumbprint); checking each trust source for them catches the image or variable that lost one.",
    fix: "Add the root to that source (anchors folder + update step, or the bundle the variable names), or correct the policy.",
    sources: ["https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingEncryption.html"])

  public static let examples: [RuleExample] = [
    .init("corporate root required in the OS bundle", triggers: true, context: {
      var policy = Policy()
      policy.requiredRoots = [.init(name: "Corp Root", sha256: Examples.corporate.sha256, sources: ["os-bundle"])]
      return Examples.context(Examples.snapshot(), policy: policy)
    }),
    .init("root A required by SHA-1 in certifi", triggers: false, context: {
      var policy = Policy()
      policy.requiredRoots = [.init(name: "Root A", sha1: Examples.rootA.sha1, sources: ["certifi", "requests"])]
      return Examples.context(Examples.snapshot(), policy: policy)
    }),
  ]

  /// The certificates of a named trust source, or nil when the source is absent.
  static func source(_ name: String, _ context: RuleContext) -> (path: String, set: CertificateSet)? {
    let resolver = context.trust
    if name == "os-bundle" {
      guard let path = resolver.osBundle, let set = resolver.sets[path] else { return nil }
      return (path, set)
    }
    if name == "certifi" {
      guard let certifi = PythonSelection.primary(context.current.python.environments)?.certifi else { return nil }
      return (certifi.path, certifi.certificates)
    }
    if let variable = context.current.environment.first(where: { $0.name == name }) {
      return (variable.openedPath, variable.target?.certificates ?? CertificateSet())
    }
    if let trust = context.current.effectiveTrust.first(where: { $0.client == name }), let path = trust.path {
      return (path, resolver.sets[path] ?? CertificateSet())
    }
    if let store = context.current.stores.first(where: { $0.path == name }) { return (store.path, store.certificates) }
    return nil
  }

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let policyPath = context.policy.path ?? ".trustgate.yml"
    for required in context.policy.requiredRoots {
      for name in required.sources {
        let subject = "\(required.name)@\(name)"
        result.checked.append(subject)
        guard let (path, set) = Self.source(name, context) else {
          result.findings.append(
            finding(subject, "required root \(required.name): trust source \(name) is not present", at: Location(path: policyPath, line: required.line)))
          continue
        }
        let found = set.distinct.contains { fingerprint in
          if let sha256 = required.sha256, fingerprint == sha256 { return true }
          if let sha1 = required.sha1, context.current.certificates[fingerprint]?.sha1 == sha1 { return true }
          return false
        }
        if !found {
          let id = required.sha256.map { "sha256 \($0.prefix(16))…" } ?? required.sha1.map { "sha1 \($0)" } ?? "?"
          result.findings.append(
            finding(subject, "required root \(required.name) (\(id)) is not in \(name) (\(path))", at: Location(path: policyPath, line: required.line)))
        }
      }
    }
    return result
  }
}

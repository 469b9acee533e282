/// Verdicts of the baseline beside the current ones: which flipped, and the changes that explain a flip (the
/// upgrade at file:line, the variable, the removed root). Rules TG801 and TG301 read it.
public enum VerdictComparison {
  /// Client and subject: the same check on both sides.
  public static func key(_ verdict: ClientVerdict) -> String { "\(verdict.client)\u{0}\(verdict.subject)" }

  public static func index(_ verdicts: [ClientVerdict]?) -> [String: ClientVerdict] {
    Dictionary((verdicts ?? []).map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// Distributions whose version changes what a client does: its own, the ones whose version sets its context's
  /// flags (urllib3 for requests), and certifi.
  public static func packages(of client: String) -> Set<String> {
    var packages: Set<String> = ["certifi"]
    for row in ClientBehaviours.rows(client) {
      if case .package(let name) = row.version { packages.insert(name) }
      if case .package(let name) = row.presence { packages.insert(name) }
      for rule in ClientBehaviours.flagRules
      where rule.context == row.context && rule.clients?.contains(client) != false {
        if let package = rule.package { packages.insert(package) }
      }
    }
    return packages
  }

  /// Verdicts of clients that `package` affects which verified at the baseline and do not now; nil when there is no
  /// evidence either way: either side recorded no verdicts, the verdicts were not judged with the crossed versions
  /// (a lockfile bump while the old version is still installed: verification judges what is installed), or these
  /// clients verified nothing at the baseline (no endpoint, required root or private anchor).
  public static func flipped(
    by package: String, from before: String? = nil, to after: String? = nil, _ context: RuleContext
  ) -> [ClientVerdict]? {
    guard let current = context.current.verdicts, let baseline = context.baseline?.verdicts else { return nil }
    if let after, judgedVersion(of: package, in: context.current) != after { return nil }
    if let before, let base = context.baseline, judgedVersion(of: package, in: base) != before { return nil }
    let previous = index(baseline)
    let concerned = current.filter { packages(of: $0.client).contains(package) }
    // Evidence is what the clients verified at the baseline: the policy's endpoints and required roots, and the
    // private anchors of the trust sources (a root only this organisation trusts).
    let compared = concerned.filter { previous[key($0)]?.verifies == true }
    guard !compared.isEmpty else { return nil }
    return compared.filter { !$0.verifies }
  }

  /// The version of `package` verification judged with, as `TrustPlanner` chooses it (installed in the project's
  /// Python, else the first exact pin).
  static func judgedVersion(of package: String, in snapshot: Snapshot) -> String? {
    TrustPlanner(snapshot, state: { _ in .unknown }).version(of: package).version
  }

  /// The changes that can explain why a verdict failed, most specific first.
  static func causes(of verdict: ClientVerdict, _ context: RuleContext) -> [(text: String, location: Location?)] {
    var causes: [(text: String, location: Location?)] = []
    let packages = packages(of: verdict.client)
    for change in context.changes(.pinChanged, .installedChanged) where packages.contains(change.subject) {
      let at = change.location.map { " at \($0.path)\($0.line.map { ":\($0)" } ?? "")" } ?? ""
      causes.append(("\(change.subject) \(change.before ?? "?") → \(change.after ?? "?")\(at)", change.location))
    }
    for change in context.changes(.pythonVersionChanged) {
      causes.append(("Python \(change.before ?? "?") → \(change.after ?? "?")", nil))
    }
    let sources = verdict.sources.joined(separator: "\n")
    for change in context.changes(.envSet, .envUnset, .envRetargeted) {
      let readers = ClientBehaviours.readers(of: change.subject)
      guard readers.contains(verdict.client) || sources.contains(change.subject) else { continue }
      // A variable's values as echoed values: cut at `InertText.valueLimit`.
      let before = (change.before ?? "").capped()
      let after = (change.after ?? "").capped()
      switch change.kind {
      case .envSet: causes.append(("\(change.subject) set to \(after)", nil))
      case .envUnset: causes.append(("\(change.subject) unset (was \(before))", nil))
      default: causes.append(("\(change.subject) \(before) → \(after)", nil))
      }
    }
    let fingerprint =
      verdict.subject.hasPrefix(Verdicts.anchorPrefix)
      ? String(verdict.subject.dropFirst(Verdicts.anchorPrefix.count)) : nil
    var removed = context.changes(.rootRemoved)
    if let fingerprint { removed = removed.filter { $0.subject == fingerprint } }
    for change in removed.prefix(3) {
      causes.append(("\(context.label(change.subject)) removed from \(change.source ?? "a trust source")", nil))
    }
    for change in context.changes(.storeRemoved, .storeEmptied) {
      causes.append(
        ("\(change.subject) \(change.kind == .storeRemoved ? "removed" : "emptied")", Location(path: change.subject)))
    }
    // Nothing the snapshots compare explains it (a store they do not record, as a JDK's cacerts): what the client
    // loaded then and loads now, where the two differ.
    if causes.isEmpty, let old = index(context.baseline?.verdicts)[key(verdict)], old.sources != verdict.sources {
      let then = old.sources.filter { !verdict.sources.contains($0) }
      let now = verdict.sources.filter { !old.sources.contains($0) }
      if !then.isEmpty || !now.isEmpty {
        let shown = { (lines: [String]) in lines.isEmpty ? "nothing" : lines.joined(separator: ", ") }
        causes.append(("\(verdict.client) loaded \(shown(then)), now \(shown(now))", nil))
      }
    }
    return causes
  }
}

extension Examples {
  /// A verdict on `endpoint api`, as verification would record it.
  public static func verdict(_ client: String, _ version: String, verifies: Bool, error: String? = nil) -> ClientVerdict
  {
    ClientVerdict(
      client: client, version: version, subject: Verdicts.endpointPrefix + "api", verifies: verifies, error: error,
      sources: [], flags: [])
  }
}

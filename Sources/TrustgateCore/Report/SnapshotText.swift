/// The short, human summary `inspect` prints by default: per area what was found, then every problem with its fix.
/// Every line is `InertText`: paths, values and versions come from the inspected files.
public enum SnapshotText {
  public static func render(_ snapshot: Snapshot) -> String {
    var out: [InertText] = []
    var target: InertText =
      snapshot.target.kind == .image ? "image \(snapshot.target.image ?? "")" : "\(snapshot.target.kind.rawValue)"
    if let user = snapshot.target.user { target += ", read as its user \(user)" }
    out.append("trustgate inspect — \(target)")
    out.append("platform     \(platform(snapshot.platform))")
    for store in snapshot.stores {
      var line: InertText = "store        \(path: store.path) (\(store.kind.rawValue))"
      if let link = store.linksTo { line += " → \(path: link)" }
      line += ": \(summary(store.certificates))"
      if let missing = store.notInBundle, !missing.isEmpty { line += ", \(missing.count) not in the bundle" }
      out.append(line)
    }
    if snapshot.stores.isEmpty { out.append("store        none found") }
    var openssl: InertText = "openssl      \(snapshot.openssl.version ?? "unknown")"
    if let file = snapshot.openssl.defaultCertFile {
      openssl += ", default CA file \(path: file)"
      if let real = snapshot.openssl.resolvedCertFile { openssl += " → \(path: real)" }
      if let set = snapshot.openssl.certFile {
        openssl += " (\(summary(set)))"
      } else {
        // There but not read (its mode, another owner): a problem about the file says so.
        let read = Set([file, snapshot.openssl.resolvedCertFile ?? file])
        let unread = snapshot.problems.contains { $0.path.map(read.contains) == true && $0.isUnreadableFile }
        openssl += unread ? " (cannot be read)" : " (missing)"
      }
    }
    out.append(openssl)
    out.append(contentsOf: environment(snapshot.environment))
    for variable in snapshot.proxy.variables {
      out.append("proxy        \(variable.name)=\(variable.value)")
    }
    for found in snapshot.configSwitches ?? [] {
      out.append(
        "config       \(found.client) \(found.key) = \(found.value) "
          + "(\(found.variable.map { "environment \($0)" } ?? "\(path: found.path):\(found.line)")): "
          + "verification OFF \(found.scope)")
    }
    for environment in snapshot.python.environments { out.append(contentsOf: python(environment)) }
    if snapshot.python.environments.isEmpty { out.append("python       no Python environment found") }
    for lockfile in snapshot.lockfiles {
      let clients = lockfile.pins.filter { TrustChanges.trustPackages.contains($0.name) }
        .map { pin -> InertText in "\(pin.name) \(pin.version ?? pin.specifier ?? "(any)") (line \(pin.line))" }
      var line: InertText =
        "lockfile     \(path: lockfile.path) (\(lockfile.format.rawValue)): \(lockfile.pins.count) pins"
      if !clients.isEmpty { line += "; " + InertText.joined(clients, separator: ", ") }
      out.append(line)
    }
    if snapshot.lockfiles.isEmpty { out.append("lockfile     none found in the repository") }
    if let clock = snapshot.clock {
      var line: InertText = "clock        \(clock.now), \(clock.sync.rawValue)"
      if let error = clock.maxErrorMicroseconds, clock.sync != .unknown { line += " (max error \(error) µs)" }
      if let head = clock.headCommitTime { line += ", HEAD committed \(head)" }
      out.append(line)
    }
    for trust in snapshot.effectiveTrust {
      var line: InertText = "trust        \(trust.client)"
      if let version = trust.version { line += " \(version)" }
      line += " → \(trust.source)"
      if let path = trust.path { line += " \(path: path)" }
      if let roots = trust.roots { line += " (\(roots) roots)" }
      if trust.status != .ok { line += " [\(trust.status.rawValue)]" }
      if let note = trust.note { line += ": \(note, limit: InertText.sentenceLimit)" }
      out.append(line)
    }
    out += verdictLines(snapshot)
    out.append("")
    if snapshot.problems.isEmpty {
      out.append("No problems found.")
    } else {
      out.append("\(snapshot.problems.count) problem(s):")
      for problem in snapshot.problems {
        var location: InertText = problem.path.map { "\(path: $0)" } ?? "\(problem.area.rawValue)"
        if let line = problem.line { location += ":\(line)" }
        out.append("  \(location): \(problem.message, limit: InertText.sentenceLimit)")
        out.append("    fix: \(problem.fix, limit: InertText.sentenceLimit)")
      }
    }
    return InertText.document(out)
  }

  /// `verifies     httpx 0.28.1 endpoint api: ok` / `FAIL (reason)`, one per client and thing verified.
  static func verdictLines(_ snapshot: Snapshot) -> [InertText] {
    (snapshot.verdicts ?? []).map { verdict in
      let what = Verdicts.describe(verdict.subject, certificates: snapshot.certificates)
      let name = verdict.client + (verdict.version.map { " \($0)" } ?? "")
      let outcome = verdict.verifies ? "ok" : "FAIL (\(verdict.error ?? "does not verify"))"
      return "verifies     \(name) \(what): \(outcome, limit: InertText.sentenceLimit)"
    }
  }

  /// `PRETTY_NAME`, else `ID VERSION_ID` (os-release(5) makes every field optional), then the CA package.
  static func platform(_ platform: PlatformInfo) -> InertText {
    var parts: [InertText] = []
    if let pretty = platform.prettyName, !pretty.isEmpty {
      parts.append("\(pretty)")
    } else if let id = platform.osID, !id.isEmpty {
      parts.append(platform.osVersionID.map { "\(id) \($0)" } ?? "\(id)")
    }
    if let package = platform.caPackage { parts.append("\(package.name) \(package.version)") }
    guard parts.isEmpty else { return InertText.joined(parts, separator: ", ") }
    return "unknown (no os-release with PRETTY_NAME or ID, no CA package recorded)"
  }

  /// A target's state as the text says it (the JSON keeps the names).
  static func words(_ state: EnvTarget.State) -> String {
    switch state {
    case .file: "file"
    case .directory: "directory"
    case .missing: "missing"
    case .danglingLink: "a link to a file that is gone"
    case .linkLoop: "a loop of links"
    case .unreadable: "cannot be read"
    case .notAFile: "not a file"
    case .tooLarge: "over \(defaultReadLimit >> 20) MiB, not read"
    case .fifo: "a FIFO (named pipe)"
    }
  }

  /// Variables with the same value and outcome share one line: CI images often set a dozen to the same bundle.
  static func environment(_ variables: [EnvVariable]) -> [InertText] {
    guard !variables.isEmpty else { return ["env          no trust variables set"] }
    var groups: [(names: [String], line: InertText)] = []
    for variable in variables {
      var line: InertText = "=\(variable.value)"
      if variable.isEmpty { line += "(empty)" }
      if let path = variable.path { line += " (opened as \(path: path))" }
      if let target = variable.target {
        line += ": \(words(target.state))"
        if let set = target.certificates { line += ", \(summary(set))" }
        if let same = target.sameAs, !same.isEmpty {
          line += ", same as " + InertText.joined(same.map { "\($0)" }, separator: ", ")
        }
      }
      if variable.disablesVerification == true { line += ": turns verification OFF" }
      if let index = groups.firstIndex(where: { $0.line == line }) {
        groups[index].names.append(variable.name)
      } else {
        groups.append(([variable.name], line))
      }
    }
    return groups.map { "env          \(InertText.joined($0.names.map { "\($0)" }, separator: ", "))\($0.line)" }
  }

  static func python(_ environment: PythonEnvironment) -> [InertText] {
    var line: InertText = "python       \(path: environment.path) (\(environment.kind.rawValue)"
    if let version = environment.pythonVersion { line += ", Python \(version)" }
    if environment.active == true { line += ", VIRTUAL_ENV" }
    if environment.projectPython == true { line += ", the project's Python" }
    line += "): \(environment.distributions.count) distributions"
    let clients = ["certifi", "httpx", "requests", "urllib3", "pip", "truststore", "aiohttp", "botocore"]
      .compactMap { name in environment.distribution(name).map { "\($0.name) \($0.version)" as InertText } }
    if !clients.isEmpty { line += "; " + InertText.joined(clients, separator: ", ") }
    guard let certifi = environment.certifi else { return [line] }
    var bundle: InertText = "             certifi bundle \(path: certifi.path)"
    if let link = certifi.linksTo { bundle += " → \(path: link)" }
    bundle += certifi.unreadable == true
      ? ": cannot be read" : ": \(summary(certifi.certificates))\(certifi.isOSBundle ? " (the OS bundle)" : "")"
    return [line, bundle]
  }

  static func summary(_ set: CertificateSet) -> InertText {
    // One set of distinct fingerprints for both numbers (hashing 64-character strings is what this costs).
    let distinct = set.distinct.count
    var parts: [InertText] = ["\(distinct) certificates"]
    if set.count > distinct { parts.append("\(set.count - distinct) duplicates") }
    if set.expired > 0 { parts.append("\(set.expired) expired") }
    if set.notYetValid > 0 { parts.append("\(set.notYetValid) not yet valid") }
    if set.unparsable > 0 { parts.append("\(set.unparsable) unparsable") }
    return InertText.joined(parts, separator: ", ")
  }
}

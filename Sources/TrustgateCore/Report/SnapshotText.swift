/// The short, human summary `inspect` prints by default: per area what was found, then every problem with its fix.
public enum SnapshotText {
  public static func render(_ snapshot: Snapshot) -> String {
    var out: [String] = []
    let target = snapshot.target.kind == .image ? "image \(snapshot.target.image ?? "")" : snapshot.target.kind.rawValue
    out.append("trustgate inspect — \(target)")
    let platform = [snapshot.platform.prettyName, snapshot.platform.caPackage.map { "\($0.name) \($0.version)" }]
      .compactMap { $0 }.joined(separator: ", ")
    out.append("platform     \(platform.isEmpty ? "unknown (no /etc/os-release)" : platform)")
    for store in snapshot.stores {
      var line = "store        \(store.path) (\(store.kind.rawValue))"
      if let link = store.linksTo { line += " → \(link)" }
      line += ": \(summary(store.certificates))"
      if let missing = store.notInBundle, !missing.isEmpty { line += ", \(missing.count) not in the bundle" }
      out.append(line)
    }
    if snapshot.stores.isEmpty { out.append("store        none found") }
    var openssl = "openssl      \(snapshot.openssl.version ?? "unknown")"
    if let file = snapshot.openssl.defaultCertFile {
      openssl += ", default CA file \(file)"
      if let real = snapshot.openssl.resolvedCertFile { openssl += " → \(real)" }
      if let set = snapshot.openssl.certFile { openssl += " (\(summary(set)))" } else { openssl += " (missing)" }
    }
    out.append(openssl)
    // Variables with the same value and outcome share one line: CI images often set a dozen to the same bundle.
    var groups: [(names: [String], line: String)] = []
    for variable in snapshot.environment {
      var line = "=\(variable.value)"
      if variable.isEmpty { line += "(empty)" }
      if let target = variable.target {
        line += ": \(target.state.rawValue)"
        if let set = target.certificates { line += ", \(summary(set))" }
        if let same = target.sameAs, !same.isEmpty { line += ", same as \(same.joined(separator: ", "))" }
      }
      if variable.disablesVerification == true { line += ": turns verification OFF" }
      if let index = groups.firstIndex(where: { $0.line == line }) { groups[index].names.append(variable.name) } else {
        groups.append(([variable.name], line))
      }
    }
    for group in groups {
      out.append("env          \(group.names.joined(separator: ", "))\(group.line)")
    }
    if snapshot.environment.isEmpty { out.append("env          no trust variables set") }
    for variable in snapshot.proxy.variables {
      out.append("proxy        \(variable.name)=\(variable.value)")
    }
    for environment in snapshot.python.environments {
      var line = "python       \(environment.path) (\(environment.kind.rawValue)"
      if let version = environment.pythonVersion { line += ", Python \(version)" }
      line += "): \(environment.distributions.count) distributions"
      let clients = ["certifi", "httpx", "requests", "urllib3", "pip", "truststore", "aiohttp", "botocore"]
        .compactMap { name in environment.distribution(name).map { "\($0.name) \($0.version)" } }
      if !clients.isEmpty { line += "; " + clients.joined(separator: ", ") }
      out.append(line)
      if let certifi = environment.certifi {
        var c = "             certifi bundle \(certifi.path)"
        if let link = certifi.linksTo { c += " → \(link)" }
        c += ": \(summary(certifi.certificates))\(certifi.isOSBundle ? " (the OS bundle)" : "")"
        out.append(c)
      }
    }
    if snapshot.python.environments.isEmpty { out.append("python       no Python environment found") }
    for lockfile in snapshot.lockfiles {
      let clients = lockfile.pins.filter { TrustChanges.trustPackages.contains($0.name) }
        .map { "\($0.name) \($0.version ?? $0.specifier ?? "(any)") (line \($0.line))" }
      var line = "lockfile     \(lockfile.path) (\(lockfile.format.rawValue)): \(lockfile.pins.count) pins"
      if !clients.isEmpty { line += "; " + clients.joined(separator: ", ") }
      out.append(line)
    }
    if snapshot.lockfiles.isEmpty { out.append("lockfile     none found in the repository") }
    if let clock = snapshot.clock {
      var line = "clock        \(clock.now), \(clock.sync.rawValue)"
      if let error = clock.maxErrorMicroseconds, clock.sync != .unknown { line += " (max error \(error) µs)" }
      if let head = clock.headCommitTime { line += ", HEAD committed \(head)" }
      out.append(line)
    }
    for trust in snapshot.effectiveTrust {
      var line = "trust        \(trust.client)\(trust.version.map { " " + $0 } ?? "") → \(trust.source)"
      if let path = trust.path { line += " \(path)" }
      if let roots = trust.roots { line += " (\(roots) roots)" }
      if trust.status != .ok { line += " [\(trust.status.rawValue)]" }
      if let note = trust.note { line += ": \(note)" }
      out.append(line)
    }
    out += verdictLines(snapshot)
    out.append("")
    if snapshot.problems.isEmpty {
      out.append("No problems found.")
    } else {
      out.append("\(snapshot.problems.count) problem(s):")
      for problem in snapshot.problems {
        var location = problem.path ?? problem.area.rawValue
        if let line = problem.line { location += ":\(line)" }
        out.append("  \(location): \(problem.message)")
        out.append("    fix: \(problem.fix)")
      }
    }
    return out.joined(separator: "\n") + "\n"
  }

  /// `verifies     httpx 0.28.1 endpoint api: ok` / `FAIL (reason)`, one per client and thing verified.
  static func verdictLines(_ snapshot: Snapshot) -> [String] {
    (snapshot.verdicts ?? []).map { verdict in
      let what = Verdicts.describe(verdict.subject, certificates: snapshot.certificates)
      let name = verdict.client + (verdict.version.map { " \($0)" } ?? "")
      let outcome = verdict.verifies ? "ok" : "FAIL (\(verdict.error ?? "does not verify"))"
      return ChainCheck.inert("verifies     \(name) \(what): \(outcome)")
    }
  }

  static func summary(_ set: CertificateSet) -> String {
    // One set of distinct fingerprints for both numbers (hashing 64-character strings is what this costs).
    let distinct = set.distinct.count
    var parts = ["\(distinct) certificates"]
    if set.count > distinct { parts.append("\(set.count - distinct) duplicates") }
    if set.expired > 0 { parts.append("\(set.expired) expired") }
    if set.notYetValid > 0 { parts.append("\(set.notYetValid) not yet valid") }
    if set.unparsable > 0 { parts.append("\(set.unparsable) unparsable") }
    return parts.joined(separator: ", ")
  }
}

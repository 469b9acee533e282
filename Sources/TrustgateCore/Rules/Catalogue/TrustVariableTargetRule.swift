/// TG201: a trust variable that names a missing, unreadable, empty or expired file.
public struct TrustVariableTargetRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG201", title: "Trust variable points at a missing or useless file", area: .environment, severity: .error,
    rationale: "requests raises `Could not find a suitable TLS CA certificate bundle, invalid path`, httpx >= 0.28 raises FileNotFoundError, OpenSSL's default paths skip the file and go on: the finding names which of the clients present fail (each by its own reaction) and which go on, and is a warning when none of them fails.",
    fix: "Point the variable at an existing PEM bundle that holds your roots (e.g. /etc/ssl/certs/ca-certificates.crt), or unset it.",
    sources: ["https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification", "https://github.com/encode/httpx/blob/master/httpx/_config.py"])

  public static let examples: [RuleExample] = [
    .init("REQUESTS_CA_BUNDLE names a deleted file", triggers: true, context: {
      Examples.context { Examples.setVariable(&$0, "REQUESTS_CA_BUNDLE", "/etc/corp/ca.pem", state: .missing) }
    }),
    .init("SSL_CERT_FILE names a file without certificates", triggers: true, context: {
      Examples.context { Examples.setVariable(&$0, "SSL_CERT_FILE", "/tmp/empty.pem", state: .file, certificates: []) }
    }),
    .init("SSL_CERT_FILE names the OS bundle", triggers: false, context: {
      Examples.context { Examples.setVariable(&$0, "SSL_CERT_FILE", Examples.bundlePath) }
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    for variable in context.current.environment where variable.role != .disablesVerification && !variable.isEmpty {
      result.checked.append(variable.name)
      guard let target = variable.target else { continue }
      let readers = TrustVariables.variable(variable.name)?.readBy ?? "its readers"
      var problem: String?
      switch target.state {
      case .missing: problem = "points at \(variable.shownValue), which does not exist"
      case .danglingLink: problem = "points at \(variable.shownValue), a link to a file that is gone"
      case .linkLoop: problem = "points at \(variable.shownValue), a loop of links that leads nowhere"
      case .unreadable: problem = "points at \(variable.shownValue), which cannot be read"
      case .notAFile: problem = "points at \(variable.shownValue), which is not a file"
      case .fifo: problem = "points at \(variable.shownValue), a FIFO (named pipe) its readers block on"
      case .tooLarge: problem = "points at \(variable.shownValue), which is over \(defaultReadLimit >> 20) MiB, more than trustgate reads"
      case .directory where variable.role == .caFile: problem = "points at the directory \(variable.shownValue); its readers (\(readers)) expect a file"
      case .file where variable.role == .caDirectory: problem = "points at the file \(variable.shownValue); its readers (\(readers)) expect a directory"
      case .file, .directory:
        if let set = target.certificates {
          if set.count == 0 { problem = "points at \(variable.shownValue), which holds no certificates" }
          else if set.expired >= set.count { problem = "points at \(variable.shownValue), where every certificate has expired" }
        }
      }
      if let problem {
        // What a file too large to read holds is unknown: the gate cannot say whether its readers verify.
        let (consequence, breaks) =
          target.state == .tooLarge
          ? ("what \(readers) would trust from it cannot be judged", true)
          : Self.consequence(of: variable, readers: readers, in: context.current)
        // There, but closed to the user the clients run as (its mode, its owner, a folder above it).
        let fix =
          switch target.state {
          case .unreadable:
            FileError.permissionFix(variable.openedPath, instead: "point \(variable.name) at a bundle that user can read")
          case .tooLarge:
            "Point \(variable.name) at a CA bundle of a usual size (the OS bundle is about 200 KiB); one this large is "
              + "not a list of roots a client should load."
          default: nil as String?
          }
        result.findings.append(
          finding(
            variable.name, "\(variable.name) \(problem): \(consequence)", at: nil, fix: fix,
            severity: breaks ? nil : .warning))
      }
    }
    return result
  }

  /// What the bad target does to the clients present that read the variable, from their effective trust (each
  /// client's own reaction: Python raises, OpenSSL's default paths skip the file and go on to the folder), and
  /// whether it breaks one of them. With none of them present, the table's readers, which it breaks.
  static func consequence(
    of variable: EnvVariable, readers: String, in snapshot: Snapshot
  ) -> (text: String, breaks: Bool) {
    let present = snapshot.effectiveTrust.filter { $0.honours.contains(variable.name) }
    guard !present.isEmpty else { return ("\(readers) fail to verify", true) }
    let broken = present.filter { $0.status == .broken }.map(\.client)
    let going = present.filter { $0.status == .ok || $0.status == .unknown }
    // requests (and pip through it) loads a folder as a hashed one (`ca_cert_dir`): it reads the folder, not nothing.
    let targets = Set([variable.openedPath] + (variable.target?.resolvedPath.map { [$0] } ?? []))
    let folder = variable.target?.state == .directory ? going.filter { $0.path.map(targets.contains) == true } : []
    let others = going.filter { trust in !folder.contains { $0.client == trust.client } }.map(\.client)
    var parts: [String] = []
    if !broken.isEmpty {
      parts.append(broken.joined(separator: ", ") + (broken.count == 1 ? " fails" : " fail") + " to verify")
    }
    if !folder.isEmpty {
      parts.append(
        folder.map(\.client).joined(separator: ", ") + (folder.count == 1 ? " reads" : " read")
          + " it as a hashed folder (<subject-hash>.N)")
    }
    if !others.isEmpty {
      parts.append(others.joined(separator: ", ") + (others.count == 1 ? " goes" : " go") + " on without it")
    }
    if parts.isEmpty { parts.append("\(present.map(\.client).joined(separator: ", ")) read it") }
    return (parts.joined(separator: "; "), !broken.isEmpty)
  }
}

/// What one client will do to verify a server, decided from the knowledge table: the files and folders it loads in
/// its order, the flags its context sets, or why it never gets to verify (it raises, stops, or verifies nothing).
public struct TrustPlan: Sendable {
  public struct Load: Sendable, Equatable {
    public enum Kind: Sendable, Hashable {
      case file
      /// A hashed folder; `split`: a `:`-separated list, as OpenSSL reads SSL_CERT_DIR.
      case folder(split: Bool)
      /// Every regular file of a folder (uv's SSL_CERT_DIR); `split`: of each folder of a `:`-separated list.
      case everyFile(split: Bool)
      /// A Java keystore's trusted entries (`JavaKeyStore`).
      case keyStore
      /// The roots compiled into a program, as read from it (`NodeProgram`).
      case programRoots
    }
    public var kind: Kind
    /// In view paths (relative paths are inside the repository).
    public var path: String
    public var label: String
    /// What the client does when the file holds no certificate.
    public var noCertificates: TrustChoice.Reaction
    /// How the client reads a PEM file (`ClientBehaviour.reading`, or the choice's own).
    public var reading = PEMReading.openssl
    /// The keystore's password (`javax.net.ssl.trustStorePassword`), never shown.
    public var password: String? = nil
  }

  public enum Outcome: Sendable, Equatable {
    /// Verifies with what `loads` hold.
    case verifies
    /// Raises before connecting.
    case raises(String)
    /// The program stops.
    case exits(String)
    /// Verification is off.
    case disabled(String)
    /// Its roots are nowhere trustgate can read them.
    case unknown(String)
  }

  public var client: String
  public var version: String?
  public var row: ClientBehaviour
  public var loads: [Load] = []
  public var outcome: Outcome = .verifies
  public var flags: VerificationFlags = []
  /// The TLS security level its context runs at, nil when none applies.
  public var securityLevel: Int?
  /// Why it runs at that level: the configuration line, the build's default, the client's own rule.
  public var securityLevelOrigin: String?
  /// The first slot's choice: what the client's trust is named after.
  public var source: String = "none"
  /// Whether the client's roots are compiled into it (Node's, uv's bundled Mozilla roots): nothing here can be
  /// loaded into a store for them.
  public var compiledIn = false
  public var path: String?
  /// What was skipped or ignored, and why.
  public var notes: [String] = []
}

/// What sits at a path, as far as the planner needs to know.
public enum PathState: Sendable, Equatable {
  /// `fifo`: a named pipe, which a client that opens it blocks on.
  case file, folder, missing, fifo
  /// Not known (the snapshot did not record it): treated as a file.
  case unknown
}

/// Settings read from clients' own configuration files and the programs present, which the snapshot does not hold.
public struct TrustConfiguration: Sendable, Equatable {
  /// `pip cert`, `git http.sslCAInfo`, `git http.sslCAPath`, `aws ca_bundle` → value.
  public var values: [String: String] = [:]
  /// Where each value was read (file path), for sources.
  public var origins: [String: String] = [:]
  /// Program paths that exist in the tree (`/usr/bin/curl`).
  public var programs: Set<String> = []
  /// The home folder `~/` stands for (HOME in the tree), for clients that expand it.
  public var home: String?
  /// The variables a client's presence names (UV_SYSTEM_CERTS, UV_NATIVE_TLS…) that are set: most are no trust
  /// variable, so the snapshot's environment does not hold them.
  public var presenceVariables: Set<String> = []
  /// Settings in the clients' configuration files that turn verification off (pip's `trusted-host`, git's
  /// `http.sslVerify = false`), with the file and line that set them.
  public var switches: [ConfigSwitch] = []
  /// Clients that stop before any request because a configuration file of theirs cannot be parsed, with what they
  /// say (git: "fatal: bad config line 2 in file /root/.gitconfig").
  public var failures: [String: String] = [:]
  /// The security level libssl gives every new context in the tree (`SystemSecurityLevel`).
  public var securityLevel = SecuritySetting(level: 1, origin: SystemSecurityLevel.upstreamDefault)
  /// Clients linked with another TLS library than OpenSSL (Debian's git: GnuTLS, through libcurl-gnutls).
  public var tlsLibraries: [String: String] = [:]
  /// What sits at paths the configuration names and no snapshot records, as the client sees it (Java's keystores:
  /// one it may not read is passed over, as `File.canRead` makes it).
  public var pathStates: [String: PathState] = [:]
  /// CA files the configuration names that are over the size trustgate reads.
  public var oversized: Set<String> = []
  /// The Java keystores among them as Java loads them, by `JavaKeyStore.key` (read once a run: the effective trust
  /// counts them, the verifier loads them).
  public var keyStores: [String: JavaKeyStore.Reading] = [:]
  /// The `node` program PATH finds, as read once a run, when Node's settings say it is used here.
  public var node: NodeProgram?
  /// Client configuration files that are there but could not be read, with why: a blind spot, reported (TG002).
  public var unread: [String: String] = [:]
  public init() {}
}

/// A security level and where it comes from (`/etc/ssl/openssl.cnf:62` or the build's default).
public struct SecuritySetting: Sendable, Equatable {
  public var level: Int
  public var origin: String
}

/// Turns the knowledge table into plans for one snapshot. `state` says what sits at a path (the snapshot's record
/// for `EffectiveTrust.resolve`, the file tree itself for verification).
public struct TrustPlanner: Sendable {
  /// The source of a client that stops on a configuration file it cannot parse.
  public static let configurationSource = "its configuration"

  public let snapshot: Snapshot
  public let configuration: TrustConfiguration
  let state: @Sendable (String) -> PathState
  let env: [String: String]
  /// The variables as set, before relative paths were made absolute.
  let rawValues: [String: String]
  let python: PythonEnvironment?

  public init(
    _ snapshot: Snapshot, configuration: TrustConfiguration = .init(), state: @escaping @Sendable (String) -> PathState
  ) {
    self.snapshot = snapshot
    self.configuration = configuration
    self.state = state
    // Relative paths as the clients open them, from the folder they run in.
    env = Dictionary(snapshot.environment.map { ($0.name, $0.openedPath) }, uniquingKeysWith: { a, _ in a })
    rawValues = Dictionary(snapshot.environment.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    python = PythonSelection.primary(snapshot.python.environments)
  }

  /// Installed version in the project's Python, else the first exact pin in the lockfiles.
  func version(of package: String) -> (version: String?, present: Bool) {
    if let installed = python?.distribution(package) { return (installed.version, true) }
    for lockfile in snapshot.lockfiles {
      if let pin = lockfile.pins.first(where: { $0.name == package }) { return (pin.version, true) }
    }
    return (nil, false)
  }

  func isPresent(_ presence: Presence) -> Bool {
    switch presence {
    case .package(let name): return version(of: name).present
    case .python: return python != nil
    case .always: return true
    case .configured(let variables, let programs, let lockfiles):
      return variables.contains { env[$0] != nil || configuration.presenceVariables.contains($0) }
        || programs.contains { configuration.programs.contains($0) }
        || snapshot.lockfiles.contains { lockfiles.contains($0.format) }
    case .setting(let key): return configuration.values[key] != nil
    case .anyOf(let presences): return presences.contains(where: isPresent)
    }
  }

  func version(_ source: VersionSource) -> String? {
    switch source {
    case .package(let name): return version(of: name).version
    case .python: return python?.pythonVersion
    case .openssl: return snapshot.openssl.version
    case .none: return nil
    }
  }

  /// The row that applies to a client here, and its version; nil when the client is absent.
  func row(for client: String) -> (row: ClientBehaviour, version: String?)? {
    let rows = ClientBehaviours.rows(client)
    // A configuration file of the client's that stops it says the client is used here.
    guard let first = rows.first, isPresent(first.presence) || configuration.failures[client] != nil else { return nil }
    let pythonVersion = python?.pythonVersion
    for row in rows {
      if let key = row.when, configuration.values[key] != "true" { continue }
      let version = version(row.version)
      let rowVersion = row.version == .python || row.version == .openssl ? nil : version
      if row.versions.contains(rowVersion), row.python.contains(pythonVersion) { return (row, version) }
    }
    return nil
  }

  /// Plans for every client present, in the table's order.
  public func plans() -> [TrustPlan] {
    ClientBehaviours.clients.compactMap { client in row(for: client).map { plan($0.row, version: $0.version) } }
  }

  public func flags(for context: ContextKind, client: String? = nil) -> VerificationFlags {
    var flags: VerificationFlags = []
    for rule in ClientBehaviours.flagRules where rule.context == context {
      if let clients = rule.clients, !clients.contains(client ?? "") { continue }
      if let package = rule.package, !rule.versions.contains(version(of: package).version) { continue }
      if rule.python.contains(python?.pythonVersion) { flags.formUnion(rule.flags) }
    }
    return flags
  }

  func plan(_ row: ClientBehaviour, version: String?) -> TrustPlan {
    var plan = TrustPlan(client: row.client, version: version, row: row)
    plan.flags = flags(for: row.context, client: row.client).union(row.flags)
    // A JVM told to check revocation (`com.sun.net.ssl.checkRevocation=true` in its option variables), fetching
    // CRLs or nothing.
    let revocationKey = JavaSettings.revocationKey(row.client)
    if row.context == .java, let revocation = configuration.values[revocationKey] {
      plan.flags.formUnion(revocation == "crls" ? [.revocationRequired, .fetchesCRLs] : [.revocationRequired])
      let origin = configuration.origins[revocationKey].map { " (\($0))" } ?? ""
      plan.notes.append(
        "com.sun.net.ssl.checkRevocation=true\(origin): "
          + (revocation == "crls"
            ? "a certificate below the anchor that names no CRL fails \"Could not determine revocation status\""
            : "with nothing fetched, a server that staples no OCSP response fails \"Could not determine revocation "
              + "status\""))
    }
    let levelRule = ClientBehaviours.securityLevelRules.last { rule in
      rule.contexts.contains(row.context) && rule.python.contains(python?.pythonVersion)
        && rule.library == configuration.tlsLibraries[row.client]
    }
    switch levelRule?.level {
    case .fixed(let level):
      plan.securityLevel = level
      plan.securityLevelOrigin = levelRule?.because
    case .system:
      plan.securityLevel = configuration.securityLevel.level
      plan.securityLevelOrigin = configuration.securityLevel.origin
    case nil: plan.securityLevel = nil
    }
    if let failure = configuration.failures[row.client] {
      plan.source = Self.configurationSource
      plan.outcome = .exits(failure)
      return plan
    }
    for trustSwitch in row.switches {
      guard let value = env[trustSwitch.variable], trustSwitch.value == nil || trustSwitch.value == value else {
        continue
      }
      plan.source = trustSwitch.value.map { "\(trustSwitch.variable)=\($0)" } ?? trustSwitch.variable
      plan.outcome = .disabled("\(plan.source): verification turned off")
      return plan
    }
    // A configuration file's switch for every host (git's http.sslVerify = false), where no variable decided.
    if let off = configuration.switches.first(where: { $0.client == row.client && $0.everyHost }) {
      plan.source = "\(off.key)=\(off.value)"
      plan.outcome = .disabled("\(off.key) = \(off.value) in \(off.place): verification turned off")
      return plan
    }
    // Variables that replace the client's defaults (its last slot) when set.
    let replaced = row.defaultsUnlessSet.contains { env[$0].map { !$0.isEmpty } ?? false }
    for (index, slot) in row.slots.enumerated() {
      if replaced, index == row.slots.count - 1 { break }
      // A client whose defaults come last (uv) is named after the first slot that decides.
      let first = index == 0 || (!row.defaultsUnlessSet.isEmpty && plan.source == "none")
      if !take(slot, first: first, into: &plan) { return plan }
    }
    return plan
  }

  /// Applies the slot's first choice that applies; false when the plan ended (the client raised or stopped).
  func take(_ slot: [TrustChoice], first: Bool, into plan: inout TrustPlan) -> Bool {
    let configured = plan.row.variablesUnlessConfigured.contains { path(.config($0)) != nil }
    for choice in slot {
      let reaction: TrustChoice.Reaction
      var path: String?
      if let name = choice.variable {
        if configured { continue }
        if case .variableUnlessSet(_, let other) = choice.input, env[other] != nil { continue }
        guard var value = env[name] else { continue }
        // `~/` in a variable the client passes through os.path.expanduser (pip's PIP_CERT; botocore's, which
        // urllib3 expands).
        if choice.expandsHome, let raw = rawValues[name], raw.hasPrefix("~/"), let home = configuration.home {
          value = home + raw.dropFirst(1)
        }
        if value.isEmpty {
          reaction = choice.empty
          if reaction == .next { continue }
        } else {
          path = value
          reaction = self.reaction(choice, path: value, plan: &plan)
        }
      } else {
        if case .builtIn(let what) = choice.input {
          plan.compiledIn = true
          if first { plan.source = choice.label }
          // A `node` found that holds no roots to read (a version manager's shim script, not a Node build).
          let found = what == NodeProgram.bundledRoots ? configuration.values[NodeProgram.presentKey] : nil
          plan.outcome = .unknown(
            "\(what) are compiled into the program"
              + (found.map { $0.hasPrefix("/") ? " (\($0) holds none to read: a shim script, or no Node build)" : "" }
                ?? ""))
          return true
        }
        guard let resolved = self.path(choice.input) else {
          if first, choice == slot.last {
            plan.source = choice.label
            plan.outcome = .unknown("\(choice.label) not found")
          }
          continue
        }
        path = resolved
        reaction = self.reaction(choice, path: resolved, plan: &plan)
      }
      if reaction == .next { continue }
      if first {
        plan.source = choice.label
        plan.path = path
      }
      let shown = path ?? ""
      switch reaction {
      case .loadFile:
        plan.loads.append(
          .init(
            kind: .file, path: shown, label: choice.label, noCertificates: choice.noCertificates,
            reading: choice.reading ?? plan.row.reading))
      case .lookUpFolder(let split):
        plan.loads.append(
          .init(kind: .folder(split: split), path: shown, label: choice.label, noCertificates: .nothing))
      case .loadProgramRoots:
        plan.loads.append(.init(kind: .programRoots, path: shown, label: choice.label, noCertificates: .nothing))
      case .loadKeyStore(let password):
        plan.loads.append(
          .init(
            kind: .keyStore, path: shown, label: choice.label, noCertificates: choice.noCertificates,
            password: configuration.values[password]))
      case .loadEveryFile(let split):
        plan.loads.append(
          .init(
            kind: .everyFile(split: split), path: shown, label: choice.label, noCertificates: .nothing,
            reading: plan.row.reading))
      case .nothing:
        if path != nil { plan.notes.append("\(choice.label) \(shown.capped()) is \(describe(state(shown))): skipped") }
      case .raises(let message):
        plan.outcome = .raises(message.replacing("{path}", with: shown.capped()))
        return false
      case .exits(let message):
        plan.outcome = .exits(message.replacing("{path}", with: shown.capped()))
        return false
      case .disables:
        if first { plan.source = "\(choice.label)=\"\"" }
        plan.outcome = .disabled("\(choice.label) is empty: \(plan.client) turns verification off")
        return false
      case .next: break
      }
      return true
    }
    return true
  }

  func reaction(_ choice: TrustChoice, path: String, plan: inout TrustPlan) -> TrustChoice.Reaction {
    var state = configuration.pathStates[path] ?? self.state(path)
    // A `:` list for a client that splits it (OpenSSL's capath, Go's and uv's SSL_CERT_DIR): a folder when any
    // part is one; each part is loaded (or passed over) on its own.
    if path.contains(":"), choice.folder == .lookUpFolder(split: true) || choice.folder == .loadEveryFile(split: true) {
      let states = path.split(separator: ":").map { self.state(String($0)) }
      state = [.folder, .file, .unknown].first { states.contains($0) } ?? .missing
    }
    let reaction: TrustChoice.Reaction
    switch state {
    case .file: reaction = choice.file
    case .fifo: reaction = choice.fifo ?? choice.file
    // Not recorded: read it the way that loads something (a folder choice as a folder).
    case .unknown: reaction = choice.file == .nothing || choice.file == .next ? choice.folder : choice.file
    case .folder: reaction = choice.folder
    case .missing: reaction = choice.missing
    }
    // A JDK without jssecacerts is the usual case, not worth a note.
    let usual = state == .missing && { if case .javaHome = choice.input { return true } else { return false } }()
    if reaction == .next, !usual {
      plan.notes.append("\(choice.label) \(path.capped()) is \(describe(state)): \(plan.client) ignores it")
    }
    return reaction
  }

  /// What a client does with a FIFO it opens as a CA file or store.
  static let fifoReaction = "a FIFO (named pipe): the client opens it and blocks, so the job hangs until its timeout"

  /// A load at a FIFO, as its verdict and the effective trust say it.
  static func fifoFailure(_ load: TrustPlan.Load) -> String { "\(load.label) \(load.path.capped()) is " + fifoReaction }

  /// A load at a file over the size trustgate reads: what it holds is unknown, so the client cannot be said to verify.
  static func tooLargeFailure(_ load: TrustPlan.Load) -> String {
    "\(load.label) \(load.path.capped()) is over \(defaultReadLimit >> 20) MiB, more than trustgate reads: the roots "
      + "in it cannot be judged"
  }

  func describe(_ state: PathState) -> String {
    switch state {
    case .file: return "a file"
    case .fifo: return "a FIFO (named pipe)"
    case .folder: return "a folder"
    case .missing: return "missing"
    case .unknown: return "unknown"
    }
  }

  /// The OS bundle clients fall back to: the first of the usual locations that holds certificates.
  public var osBundle: String? { path(.osBundle) }

  /// The path an input names here, nil when there is none.
  func path(_ input: TrustChoice.Input) -> String? {
    switch input {
    case .variable(let name): return env[name]
    case .variableUnlessSet(let name, let other): return env[other] == nil ? env[name] : nil
    case .config(let key): return configuration.values[key].flatMap { $0.isEmpty ? nil : $0 }
    case .certifi: return python?.certifi.map { $0.loadedFrom ?? $0.path }
    case .pipCertifi: return python?.pipCertifi?.path ?? python?.certifi.map { $0.loadedFrom ?? $0.path }
    case .packageFile(let file):
      if let bundle = python?.vendoredBundles.first(where: { $0.path.hasSuffix("/" + file) }) { return bundle.path }
      return python?.sitePackages.map { $0 + "/" + file }.first { state($0) == .file }
    case .opensslDefaultFile: return snapshot.openssl.defaultCertFile
    // Through its link inside the tree (Debian: /usr/lib/ssl/certs → /etc/ssl/certs), where the stores list it.
    case .opensslDefaultDir: return snapshot.openssl.resolvedCertDir ?? snapshot.openssl.defaultCertDir
    case .osBundle:
      return StoreLocations.bundles.map(\.path).first { path in
        snapshot.stores.contains { $0.path == path && $0.certificates.count > 0 } || state(path) == .file
      }
    case .file(let path), .directory(let path): return path
    case .directoryUnlessSet(let path, let other): return (env[other] ?? "").isEmpty ? path : nil
    case .builtIn: return nil
    case .nodeBundledRoots: return configuration.node.flatMap { $0.bundledCount > 0 ? $0.path : nil }
    case .javaHome(let file, let unless):
      if let unless, configuration.values[unless] != nil { return nil }
      return configuration.values[JavaSettings.homeKey].map { ($0 == "/" ? "" : $0) + "/" + file }
    case .mozillaCopy:
      return [python?.certifi, python?.pipCertifi].lazy.compactMap { $0 }
        .first { !$0.isOSBundle && $0.loadedFrom == nil }?.path
    }
  }
}

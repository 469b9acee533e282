/// Derives, for every client present, where its trust comes from: which file or folder it would load given its
/// version and the variables it honours, and how many valid roots that holds. Every decision is a lookup in the
/// knowledge table (`ClientBehaviours`); this file only turns the resulting plans into `ClientTrust` lines.
public enum EffectiveTrust {
  public static func resolve(_ snapshot: Snapshot, configuration: TrustConfiguration = .init()) -> [ClientTrust] {
    var record = SnapshotPaths(
      snapshot, keyStores: configuration.keyStores,
      programRoots: configuration.node.map { [$0.path: $0.bundledCount] } ?? [:])
    // What the configuration's own CA paths are (pip.conf's cert, .curlrc's cacert, git's sslCAInfo).
    record.fifos.formUnion(configuration.pathStates.filter { $0.value == .fifo }.keys)
    record.oversized.formUnion(configuration.oversized)
    let paths = record
    let planner = TrustPlanner(snapshot, configuration: configuration, state: { paths.state($0) })
    return planner.plans().map { paths.trust($0, snapshot: snapshot) }.sorted()
  }
}

/// What the snapshot recorded about each path: files with their certificates, folders, missing targets.
struct SnapshotPaths: Sendable {
  var states: [String: PathState] = [:]
  var sets: [String: CertificateSet] = [:]
  /// Hashed folders OpenSSL can look roots up in (the collector read their `<hash>.N` links).
  var hashedFolders: [String: CertificateSet] = [:]
  /// Files the collectors could not read (a bundle of mode 600 that another user owns): a client loading one raises
  /// or skips it, as its load's reaction says.
  var unreadable: Set<String> = []
  /// Files over the size trustgate reads: a client loading one cannot be judged.
  var oversized: Set<String> = []
  /// FIFOs where a CA file is named: a client that opens one blocks.
  var fifos: Set<String> = []
  var setVariables: Set<String>
  /// Java keystores the configuration read (`TrustConfiguration.keyStores`).
  let keyStores: [String: JavaKeyStore.Reading]
  /// How many roots each program read this run holds (`TrustConfiguration.node`).
  let programRoots: [String: Int]
  /// The OS bundle clients fall back to: the first of the usual locations that holds certificates (Go's order).
  var osBundle: String?
  let planner: TrustPlanner

  init(
    _ snapshot: Snapshot, keyStores: [String: JavaKeyStore.Reading] = [:], programRoots: [String: Int] = [:]
  ) {
    self.keyStores = keyStores
    self.programRoots = programRoots
    setVariables = Set(snapshot.environment.map(\.name))
    osBundle = StoreLocations.bundles.map(\.path).first { path in
      snapshot.stores.contains { $0.path == path && $0.certificates.count > 0 }
    }
    planner = TrustPlanner(snapshot, state: { _ in .unknown })
    for store in snapshot.stores {
      let state: PathState = store.kind == .bundle ? .file : .folder
      for path in [store.path] + (store.linksTo.map { [$0] } ?? []) {
        states[path] = state
        sets[path] = sets[path] ?? store.certificates
        if store.kind == .hashedDirectory { hashedFolders[path] = hashedFolders[path] ?? store.certificates }
      }
    }
    for variable in snapshot.environment {
      guard let target = variable.target else { continue }
      let state: PathState
      switch target.state {
      // A file the build user may not read is still a file to the client (`os.path.isfile`): it tries to load it,
      // and what it does then (PermissionError, or OpenSSL skipping it) is the load's reaction.
      // A FIFO is there (`os.path.exists`), so the client opens it, and blocks.
      case .file, .unreadable, .tooLarge: state = .file
      case .fifo: state = .fifo
      case .directory: state = .folder
      case .missing, .danglingLink, .linkLoop, .notAFile: state = .missing
      }
      for path in [variable.openedPath] + (target.resolvedPath.map { [$0] } ?? []) {
        if target.state == .unreadable { unreadable.insert(path) }
        if target.state == .tooLarge { oversized.insert(path) }
        if target.state == .fifo { fifos.insert(path) }
        states[path] = states[path] ?? state
        if let set = target.certificates, state == .file { sets[path] = sets[path] ?? set }
      }
    }
    if let file = snapshot.openssl.defaultCertFile, let set = snapshot.openssl.certFile {
      for path in [file] + (snapshot.openssl.resolvedCertFile.map { [$0] } ?? []) {
        states[path] = .file
        sets[path] = sets[path] ?? set
      }
    }
    for environment in snapshot.python.environments {
      for bundle in [environment.certifi, environment.pipCertifi].compactMap({ $0 }) + environment.vendoredBundles {
        for path in [bundle.path] + (bundle.loadedFrom.map { [$0] } ?? []) {
          if bundle.unreadable == true { unreadable.insert(path) }
          states[path] = .file
          sets[path] = sets[path] ?? bundle.certificates
        }
      }
    }
  }

  func state(_ path: String) -> PathState { states[path] ?? .unknown }

  /// Installed version in the project's Python, else the first exact pin in the lockfiles.
  func version(of package: String) -> (version: String?, present: Bool) { planner.version(of: package) }

  static func validRoots(_ set: CertificateSet) -> Int { max(0, set.distinct.count - set.expired - set.notYetValid) }

  /// Valid roots a load holds, nil when the snapshot does not say.
  func roots(_ load: TrustPlan.Load) -> Int? {
    switch load.kind {
    case .file:
      if oversized.contains(load.path) { return nil }
      if fifos.contains(load.path) { return 0 }
      if unreadable.contains(load.path) { return 0 }
      // What this client's PEM reader loads of it, where the readers part.
      return sets[load.path].map { set in
        set.readings?[load.reading.key].map { $0.refused == true ? 0 : $0.valid } ?? Self.validRoots(set)
      }
    case .folder(let split):
      let folders = split ? load.path.split(separator: ":").map(String.init) : [load.path]
      var total = 0
      for folder in folders {
        if let set = hashedFolders[folder] {
          total += Self.validRoots(set)
        } else if states[folder] != .missing {
          return nil
        }
      }
      return total
    // Every file of a folder: the snapshot keeps hashed folders' sets only.
    case .everyFile: return nil
    // A program's compiled-in roots, counted whole.
    case .programRoots: return programRoots[load.path]
    // A keystore's trusted certificates, counted whole (their dates are not read here).
    case .keyStore:
      switch keyStores[JavaKeyStore.key(load.path, load.password)] {
      case .certificates(let certificates, _)?: return certificates.count
      case .failure?: return 0
      case nil: return nil
      }
    }
  }

  func trust(_ plan: TrustPlan, snapshot: Snapshot) -> ClientTrust {
    // The roots of the file it names as its source, as its reader loads them.
    let named = plan.path.flatMap { path in plan.loads.first { $0.path == path && $0.kind == .file } }
    var trust = ClientTrust(
      client: plan.client, version: plan.version, source: plan.source, path: plan.path,
      roots: named.flatMap(roots) ?? plan.path.flatMap { sets[$0] }.map(Self.validRoots), status: .unknown)
    trust.honours = plan.row.reads.filter { setVariables.contains($0) }.sorted()
    trust.ignores = plan.row.ignores.filter { setVariables.contains($0) }.sorted()
    var notes = plan.notes
    var outcome = plan.outcome
    // A FIFO blocks the client; a file too large to read cannot be judged.
    if outcome == .verifies, let load = plan.loads.first(where: { $0.kind == .file && fifos.contains($0.path) }) {
      outcome = .raises(TrustPlanner.fifoFailure(load))
    }
    if outcome == .verifies, let load = plan.loads.first(where: { $0.kind == .file && oversized.contains($0.path) }) {
      outcome = .raises(TrustPlanner.tooLargeFailure(load))
    }
    // A file this user cannot read: Python raises when it loads it, curl stops, OpenSSL's default paths skip it.
    if outcome == .verifies {
      let reader = snapshot.target.user.map { "the image's user \($0)" } ?? "the user the client runs as"
      for load in plan.loads where load.kind == .file && unreadable.contains(load.path) {
        let unread = "\(load.label) \(load.path) cannot be read by \(reader)"
        if case .raises = load.noCertificates {
          outcome = .raises("PermissionError when the client loads it (\(unread))")
          break
        } else if case .exits(let message) = load.noCertificates {
          outcome = .exits(message.replacing("{path}", with: load.path.capped()))
          break
        }
        notes.append("\(unread): skipped")
      }
      // A file the client's PEM reader loads nothing of: GnuTLS refuses it (libcurl stops), or the client's reaction
      // to a file without certificates (Python raises, curl stops, OpenSSL's default paths go on).
      for load in plan.loads where load.kind == .file && outcome == .verifies {
        guard let set = sets[load.path] else { continue }
        let read =
          set.readings?[load.reading.key] ?? CertificateSet.Reading(certificates: set.distinct.count, valid: 0)
        guard read.refused == true || read.certificates == 0 else { continue }
        if read.refused == true {
          outcome = .exits(TrustChoice.gnuTLSRefused)
        } else if case .raises(let message) = load.noCertificates {
          let said = read.malformed == true && message == TrustChoice.noCertificateFound ? TrustChoice.pemLib : message
          outcome = .raises(said.replacing("{path}", with: load.path.capped()))
        } else if case .exits(let message) = load.noCertificates {
          outcome = .exits(message.replacing("{path}", with: load.path.capped()))
        } else if set.count > 0 {
          notes.append(
            "\(load.label) \(load.path): its PEM reader loads none of the \(set.count) certificates: skipped")
        }
      }
      // A keystore Java refuses stops every handshake.
      for load in plan.loads where load.kind == .keyStore {
        guard case .failure(let reason)? = keyStores[JavaKeyStore.key(load.path, load.password)],
          case .raises(let message) = load.noCertificates
        else { continue }
        outcome = .raises(message.replacing("{path}", with: load.path.capped()) + ": " + reason)
        break
      }
    }
    switch outcome {
    case .raises(let message), .exits(let message):
      trust.status = .broken
      notes.append(message)
    case .disabled:
      trust.status = .insecure
      trust.path = nil
      trust.roots = nil
      notes = ["verification turned off"]
    case .unknown(let why):
      trust.status = plan.compiledIn ? .ok : .unknown
      if plan.path != nil || plan.compiledIn { notes.append(why) }
    case .verifies:
      let counts = plan.loads.map(roots)
      let total = counts.compactMap { $0 }.reduce(0, +)
      if total > 0 {
        trust.status = .ok
      } else if counts.contains(where: { $0 == nil }) {
        trust.status = .unknown
      } else {
        trust.status = .broken
        // A keystore Java loads with no entry it trusts: what makes it so.
        for load in plan.loads where load.kind == .keyStore {
          guard case .certificates([], let format)? = keyStores[JavaKeyStore.key(load.path, load.password)] else {
            continue
          }
          notes.append(
            format == "JKS"
              ? "\(load.path) holds no certificate entry"
              : "\(load.path) holds no entry Java trusts (a certificate needs Oracle's trustedKeyUsage attribute, "
                + "which keytool writes and `openssl pkcs12 -export` does not; encrypted certificates need "
                + "javax.net.ssl.trustStorePassword)")
        }
        notes.append(
          plan.loads.isEmpty
            ? "loads no certificate: every verified request fails"
            : "no valid root in what it loads: every verified request fails")
      }
      if trust.roots == nil, plan.path != nil, let first = plan.loads.first, first.path == plan.path {
        trust.roots = roots(first)
      }
    }
    if let note = plan.row.note, outcome == .verifies || plan.compiledIn { notes.append(note) }
    trust.note = notes.isEmpty ? nil : notes.joined(separator: "; ")
    return trust
  }
}

/// Which Python environment stands for "the project's Python".
public enum PythonSelection {
  /// A virtualenv inside the repository, else the one VIRTUAL_ENV names, else the one with the most clients
  /// (`ProjectPython`).
  public static func primary(_ environments: [PythonEnvironment]) -> PythonEnvironment? {
    ProjectPython.select(environments)
  }
}

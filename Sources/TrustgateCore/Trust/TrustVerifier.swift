import Dispatch
import Synchronization

/// Whether one client verifies one chain, and if not, why — in the client's own words.
public struct ClientVerdict: Codable, Sendable, Equatable, Comparable {
  public var client: String
  public var version: String?
  /// What was verified: `chain FILE`, `endpoint NAME`, `root SHA-256`.
  public var subject: String
  public var verifies: Bool
  /// OpenSSL's reason (`unable to get local issuer certificate`), or what the client raised before connecting.
  public var error: String?
  /// What the client loaded, in its order, and what it skipped.
  public var sources: [String]
  /// The verification flags its context set (`x509_strict`, `partial_chain`).
  public var flags: [String]
  /// The TLS security level verification ran at (2: no RSA keys under 2048 bits, no SHA-1), nil if not known.
  public var securityLevel: Int? = nil

  public static func < (lhs: ClientVerdict, rhs: ClientVerdict) -> Bool {
    (lhs.subject, lhs.client) < (rhs.subject, rhs.client)
  }
}

/// Builds, for every client present, the `X509_STORE` the client would build — re-reading its files and folders
/// through the inspected tree, since a run reads everything it judges — and verifies chains with it.
public final class TrustVerifier {
  public let plans: [TrustPlan]
  let fs: any FileSystemView
  let repository: (any FileSystemView)?
  let time: Int64
  /// The Java keystores the configuration read this run (`TrustConfiguration.keyStores`), loaded from that reading.
  let keyStores: [String: JavaKeyStore.Reading]
  /// The `node` program read this run (`TrustConfiguration.node`), whose compiled-in roots a store may load.
  let node: NodeProgram?
  /// Files the collection read in this run, by real path in `fs` (`RunFileBytes`).
  let collected: [String: [UInt8]]
  /// Stores already built, by what they load (not by which setting named it): clients that load the same files and
  /// folders share one store.
  var stores: [[StoreKey]: Built] = [:]

  /// What a load does, without the setting that named it.
  struct StoreKey: Hashable {
    var kind: TrustPlan.Load.Kind
    var path: String
    var noCertificates: TrustChoice.Reaction
    /// A keystore read with another password is another store.
    var password: String?
    /// So is a file read block by block (Go, uv, Node's extra file): the same loads of an OpenSSL client are not its.
    var reading = PEMReading.openssl
  }

  /// A store and what each load did: `lines` are the sources without the setting's label (one per load, in order).
  struct Built {
    var store: CertificateStore?
    var lines: [(load: Int, skipped: Bool, text: String)]
    var failure: String?
  }

  /// X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL, X509_V_ERR_CA_MD_TOO_WEAK: what a security level
  /// refuses.
  static let levelErrors: Set<Int> = [66, 67, 68]

  /// The most files of one folder loaded for a client that loads every file (uv's SSL_CERT_DIR).
  static let folderFileLimit = 10_000

  /// Clients the verifier judges: all (Node's compiled-in roots are read from its program).
  static let verified: Set<String> = Set(ClientBehaviours.clients)

  /// `time`: seconds since the epoch to verify at (the snapshot's).
  /// `prepared`: CA files this run already read and indexed (`CAFiles.prepare`, run beside the collectors), by
  /// `CAFiles.key`.
  /// `repositoryPath`: the work tree in `fs` whose `.git/config` git reads.
  public init(
    snapshot: Snapshot, fs: any FileSystemView, repository: (any FileSystemView)?, env: [String: String],
    workingDirectory: String = "/", repositoryPath: String? = nil, time: Int64, prepared: [String: CAFile] = [:],
    configuration known: TrustConfiguration? = nil, collected: [String: [UInt8]] = [:]
  ) {
    self.fs = fs
    self.collected = collected
    self.repository = repository
    self.time = time
    caFiles = prepared
    var configuration =
      known
      ?? TrustConfiguration.read(
        fs, snapshot: snapshot, env: env, programs: false, workingDirectory: workingDirectory,
        repository: repositoryPath)
    configuration.programs = TrustConfiguration.programs(in: fs, env: env)
    keyStores = configuration.keyStores
    node = configuration.node
    let views = Views(fs: fs, repository: repository)
    let planner = TrustPlanner(snapshot, configuration: configuration, state: { views.state($0) })
    plans = planner.plans().filter { Self.verified.contains($0.client) }
  }

  /// The verifier of what `request` inspects: its tree, environment, working folder, repository and time.
  public convenience init(snapshot: Snapshot, request: InspectRequest, prepared: [String: CAFile] = [:]) {
    self.init(
      snapshot: snapshot, fs: request.fs, repository: request.repository, env: request.pathEnvironment,
      workingDirectory: request.workingDirectory, repositoryPath: request.repositoryPathInView, time: request.now,
      prepared: prepared, configuration: request.configurations.configuration(snapshot, request: request),
      collected: request.fileBytes.all)
  }

  /// One verdict per client present, in the table's order.
  /// `purpose`: `ssl_server` for a server's chain, nil for a root checked alone (does the client's store trust it).
  public func verify(
    _ chain: CertificateChain, host: HostIdentity?, subject: String, purpose: String? = "ssl_server"
  ) -> [ClientVerdict] {
    plans.map { plan in verify(chain, host: host, subject: subject, plan: plan, purpose: purpose) }
  }

  func verify(
    _ chain: CertificateChain, host: HostIdentity?, subject: String, plan: TrustPlan,
    purpose: String? = "ssl_server"
  ) -> ClientVerdict {
    var verdict = ClientVerdict(
      client: plan.client, version: plan.version, subject: subject, verifies: false, error: nil,
      sources: plan.notes.map { "skipped: \($0)" }, flags: plan.flags.names, securityLevel: plan.securityLevel)
    switch plan.outcome {
    case .raises(let message), .exits(let message):
      verdict.error = message
      return verdict
    case .disabled(let why):
      verdict.verifies = true
      verdict.sources.append(why)
      return verdict
    case .unknown(let why):
      // What it loads beside roots compiled in that nothing here reads (NODE_EXTRA_CA_CERTS beside a node program
      // not found): a chain those loads verify, it verifies.
      if plan.compiledIn, !plan.loads.isEmpty {
        let built = store(for: plan, lazily: false)
        if built.failure == nil, let store = built.store,
          store.verify(
            chain, host: host, flags: plan.flags, at: time, securityLevel: plan.securityLevel, purpose: purpose
          ).verifies
        {
          verdict.verifies = true
          verdict.sources = built.sources + verdict.sources
          return verdict
        }
      }
      // A public set compiled into the client (uv's bundled Mozilla roots) holds no private anchor.
      verdict.error =
        plan.compiledIn && subject.hasPrefix(Verdicts.anchorPrefix)
        ? "\(plan.source) hold no private root" : "cannot tell: \(why)"
      return verdict
    case .verifies: break
    }
    let notes = verdict.sources
    // Lazily first; if a lazily read CA file held a certificate OpenSSL does not load, judge again with the files
    // loaded whole (sources and failures then come from that store too).
    for lazily in [true, false] {
      let built = store(for: plan, lazily: lazily)
      verdict.sources = built.sources + notes
      if let failure = built.failure {
        verdict.error = failure
        return verdict
      }
      guard let store = built.store else {
        verdict.error = "out of memory building the store"
        return verdict
      }
      let outcome = store.verify(
        chain, host: host, flags: plan.flags, at: time, securityLevel: plan.securityLevel, purpose: purpose)
      if lazily && store.inexact { continue }
      verdict.verifies = outcome.verifies
      verdict.error = outcome.error
      // A key or a signature the level refuses: say where the level comes from.
      if Self.levelErrors.contains(outcome.code), let level = plan.securityLevel, let origin = plan.securityLevelOrigin
      {
        verdict.sources.append("security level \(level): \(origin)")
      }
      break
    }
    return verdict
  }

  /// The client's store, built once per distinct list of loads, with the sources named by the client's settings.
  func store(
    for plan: TrustPlan, lazily: Bool = true
  ) -> (store: CertificateStore?, sources: [String], failure: String?) {
    let key = plan.loads.map {
      StoreKey(
        kind: $0.kind, path: $0.path, noCertificates: $0.noCertificates, password: $0.password,
        reading: $0.reading)
    }
    let built: Built
    if lazily, let known = stores[key], known.store?.inexact != true {
      built = known
    } else {
      built = build(plan.loads, lazily: lazily)
      stores[key] = built
    }
    let sources = built.lines.map { line in
      let label = plan.loads[line.load].label
      return line.skipped ? "skipped: \(label) \(line.text)" : "\(label) \(line.text)"
    }
    return (built.store, sources, built.failure)
  }

  /// Files read in this run, by path, and CA files indexed: each is read and indexed once, whichever stores (or
  /// `Verdicts.rootChains`) need it.
  var texts: [String: [UInt8]?] = [:]
  /// Why `read` could not read a file that is there (`Permission denied`), by path.
  var failures: [String: String] = [:]
  /// Files over the size trustgate reads: what they hold is unknown.
  var oversized: Set<String> = []
  /// FIFOs where a CA file is named.
  var fifos: Set<String> = []
  /// By `CAFiles.key`: the same file named two ways (`/usr/lib/ssl/cert.pem`, a link to the bundle) is indexed once.
  var caFiles: [String: CAFile] = [:]

  /// A regular file's bytes as the snapshot names it (absolute in the tree, relative in the repository), nil when
  /// there is none; read once a run.
  func read(_ path: String) -> [UInt8]? {
    if let known = texts[path] { return known }
    var bytes: [UInt8]?
    if let view = Views(fs: fs, repository: repository).view(path) {
      do { bytes = try view.read(path.hasPrefix("/") ? path : "/" + path) } catch {
        switch error {
        case .notReadable(_, let reason): failures[path] = reason
        case .tooLarge: oversized.insert(path)
        case .notRegular(_, FileError.fifo): fifos.insert(path)
        default: break
        }
      }
    }
    texts[path] = bytes
    return bytes
  }

  /// Why the file at `path` is there but could not be read; nil when it was read or is not there.
  func readFailure(_ path: String) -> String? {
    _ = read(path)
    return failures[path]
  }

  /// The CA file at `path` if this run has indexed it already (prepared, or loaded by a store), else nil.
  func indexed(_ path: String) -> CAFile? {
    CAFiles.key(path, views: Views(fs: fs, repository: repository)).flatMap { caFiles[$0] }
  }

  /// `reading`: how the client reads PEM, from the file's own index (read once).
  func caFile(_ path: String, reading: PEMReading = .openssl) -> CAFile {
    let views = Views(fs: fs, repository: repository)
    guard let key = CAFiles.key(path, views: views) else {
      return CAFile(read(path) ?? [], reading: reading)
    }
    let file = caFiles[key] ?? indexed(read(path) ?? [])
    caFiles[key] = file
    return file.read(as: reading)
  }

  /// `caFile` for a path already resolved in `view` to a regular file, indexed under `key` (`CAFiles.key`'s).
  private func caFile(
    resolved real: String, key: String, in view: any FileSystemView, reading: PEMReading
  ) -> CAFile {
    let file = caFiles[key] ?? indexed((try? view.rawRead(real, limit: defaultReadLimit)) ?? [])
    caFiles[key] = file
    return file.read(as: reading)
  }

  /// The files a client that reads every file of a folder reads, in name order, each resolved once (what it leads to
  /// is read, and indexed under `keyPrefix` and that path) and indexed once a run. A link to a name in the same folder
  /// (`<hash>.0` → `root.pem`) is passed over, as Go's `readUniqueDirectoryEntries` does: the file it names is read
  /// under its own name. Done on every core: the verdicts run when the collectors are done, and Go's folder is every
  /// file of /etc/ssl/certs (~140 on Debian).
  private func everyFile(
    _ names: [String], in real: String, of view: any FileSystemView, keyPrefix: String
  ) -> [(real: String, key: String)] {
    typealias Found = (at: Int, real: String, key: String, file: CAFile?)
    let done = Mutex<[Found]>([])
    // What the collection read of this tree (not of the repository, another view).
    let collected = keyPrefix.isEmpty ? collected : [:]
    do {
      let known = decodedSoFar()
      let indexed = Set(caFiles.keys)
      let workers = max(1, min(activeProcessorCount(), names.count / 16))
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var mine: [Found] = []
        for at in stride(from: worker, to: names.count, by: workers) {
          let entry = (real == "/" ? "" : real) + "/" + names[at]
          if case .symlink(let target) = view.rawKind(entry), !target.utf8.contains(UInt8(ascii: "/")) { continue }
          guard let file = try? view.resolveExisting(entry), case .file = view.rawKind(file) else { continue }
          let key = keyPrefix + file
          let bytes =
            indexed.contains(key) ? nil : collected[file] ?? (try? view.rawRead(file, limit: defaultReadLimit)) ?? []
          mine.append((at, file, key, bytes.map { CAFile($0, reading: .openssl, known: known) }))
        }
        done.withLock { $0 += mine }
      }
    }
    let found = done.withLock { $0 }.sorted { $0.at < $1.at }
    for case (_, _, let key, let file?) in found where caFiles[key] == nil {
      caFiles[key] = file
      for entry in file.entries ?? [] { decoded?[DERKey(entry.der)] = entry }
    }
    return found.map { ($0.real, $0.key) }
  }

  /// Certificates decoded in this run's CA files, by DER: a folder of the bundle's roots one file each (what Go and
  /// uv read) reuses the bundle's decoding.
  private var decoded: [DERKey: LazyFiles.Entry]?

  /// `decoded`, gathered from the files indexed before the first asks.
  private func decodedSoFar() -> [DERKey: LazyFiles.Entry] {
    if let decoded { return decoded }
    var all: [DERKey: LazyFiles.Entry] = [:]
    all.reserveCapacity(caFiles.values.reduce(0) { $0 + ($1.entries?.count ?? 0) } * 2)
    for file in caFiles.values { for entry in file.entries ?? [] { all[DERKey(entry.der)] = entry } }
    decoded = all
    return all
  }

  private func indexed(_ pem: [UInt8]) -> CAFile {
    let file = CAFile(pem, reading: .openssl, known: decodedSoFar())
    for entry in file.entries ?? [] { decoded?[DERKey(entry.der)] = entry }
    return file
  }

  func build(_ loads: [TrustPlan.Load], lazily: Bool) -> Built {
    guard let store = try? CertificateStore() else { return Built(store: nil, lines: [], failure: nil) }
    var built = Built(store: store, lines: [], failure: nil)
    let views = Views(fs: fs, repository: repository)
    for (index, load) in loads.enumerated() {
      switch load.kind {
      case .file:
        let file = caFile(load.path, reading: load.reading)
        // GnuTLS refuses a file with a block it cannot read: libcurl stops before connecting.
        if file.refused {
          built.failure = TrustChoice.gnuTLSRefused
          return built
        }
        let count = store.add(file, lazily: lazily)
        if count > 0 {
          built.lines.append((index, false, "\(load.path) (\(count) certificate\(count == 1 ? "" : "s"))"))
          continue
        }
        if fifos.contains(load.path) {
          built.failure = TrustPlanner.fifoFailure(load)
          return built
        }
        // Not read, so not known: whatever the client would make of it, the gate cannot say it verifies.
        if oversized.contains(load.path) {
          built.failure = TrustPlanner.tooLargeFailure(load)
          return built
        }
        switch load.noCertificates {
        case .raises(let message):
          // Python opens the file first: one it may not read raises that OSError, not OpenSSL's "no certificate".
          // A malformed block stops OpenSSL's PEM reader: Python says "PEM lib", not "no certificate".
          let said = file.malformed && message == TrustChoice.noCertificateFound ? TrustChoice.pemLib : message
          built.failure =
            readFailure(load.path).map(TrustChoice.pythonOSError)
            ?? said.replacing("{path}", with: load.path.capped())
          return built
        case .exits(let message):
          built.failure = message.replacing("{path}", with: load.path.capped())
          return built
        default:
          let why = readFailure(load.path).map { "cannot be read (\($0))" } ?? "holds no certificate"
          built.lines.append((index, true, "\(load.path) \(why)"))
        }
      case .keyStore:
        // Java opens the store only when it is a file it may read; what `KeyStore.load` refuses stops every
        // handshake (the planner's `noCertificates`), a store with no trusted entry leaves no anchor.
        let reading =
          keyStores[JavaKeyStore.key(load.path, load.password)]
          ?? read(load.path).map { JavaKeyStore.read($0, password: load.password) }
          ?? .failure(readFailure(load.path) ?? "cannot be read")
        switch reading {
        case .failure(let reason):
          if case .raises(let message) = load.noCertificates {
            built.failure = message.replacing("{path}", with: load.path.capped()) + ": " + reason
            return built
          }
          built.lines.append((index, true, "\(load.path) cannot be loaded (\(reason))"))
        case .certificates(let certificates, let format):
          let file = CAFile(certificates: certificates, known: decodedSoFar())
          for entry in file.entries ?? [] { decoded?[DERKey(entry.der)] = entry }
          let count = certificates.isEmpty ? 0 : store.add(file, lazily: lazily)
          let plural = count == 1 ? "" : "s"
          let what = count == 0 ? "no trusted entry Java reads" : "\(count) trusted certificate\(plural)"
          built.lines.append((index, count == 0, "\(load.path) (\(format) keystore: \(what))"))
        }
      case .folder(let split):
        let folders = split ? load.path.split(separator: ":").map(String.init) : [load.path]
        for folder in folders where !folder.isEmpty {
          guard views.state(folder) == .folder else {
            built.lines.append((index, true, "\(folder) is not a folder"))
            continue
          }
          do {
            try store.addHashedFolder { name in views.read(folder + "/" + name) }
            built.lines.append((index, false, "\(folder) (hashed folder: <subject-hash>.N)"))
          } catch {
            built.failure = "\(error)"
            return built
          }
        }
      case .programRoots:
        let roots = node.flatMap { $0.path == load.path ? $0.bundledRoots : nil } ?? []
        let file = CAFile(roots, reading: .openssl, known: decodedSoFar())
        let count = roots.isEmpty ? 0 : store.add(file, lazily: lazily)
        let plural = count == 1 ? "" : "s"
        built.lines.append((index, count == 0, "\(load.path) (compiled in: \(count) certificate\(plural))"))
      case .everyFile(let split):
        for folder in split ? load.path.split(separator: ":").map(String.init) : [load.path] where !folder.isEmpty {
          guard views.state(folder) == .folder, let view = views.view(folder) else {
            built.lines.append((index, true, "\(folder) is not a folder"))
            continue
          }
          let base = folder.hasPrefix("/") ? folder : "/" + folder
          let real = (try? view.resolve(base)) ?? base
          let names = Array(((try? view.list(base)) ?? []).prefix(Self.folderFileLimit))
          let files = everyFile(names, in: real, of: view, keyPrefix: folder.hasPrefix("/") ? "" : "repository:")
          var count = 0
          for (file, key) in files {
            count += store.add(
              caFile(resolved: file, key: key, in: view, reading: load.reading),
              lazily: lazily)
          }
          let plural = count == 1 ? "" : "s"
          built.lines.append((index, count == 0, "\(folder) (every file: \(count) certificate\(plural))"))
        }
      }
    }
    return built
  }
}

/// CA files read and indexed in one run, by `CAFiles.key`: the current snapshot's verdicts and the baseline's
/// (recomputed for the baseline's client versions, `Verdicts.recomputed`) share them, so a run reads and indexes a CA
/// file once. Carried by the run's `InspectRequest`; nothing outlives the run.
public final class RunCAFiles: Sendable {
  private let files = Mutex<[String: CAFile]>([:])

  public init() {}

  var all: [String: CAFile] { files.withLock { $0 } }

  func merge(_ more: [String: CAFile]) {
    files.withLock { $0.merge(more) { known, _ in known } }
  }
}

/// The bytes of the certificate files the collection read in this run, by real path in the inspected tree: a client
/// that reads every file of a folder (Go's /etc/ssl/certs, ~140 files on Debian) is judged on the bytes the stores
/// were read from, not on a second reading of each file. Carried by the run's `InspectRequest`; nothing outlives
/// the run.
public final class RunFileBytes: Sendable {
  private let files = Mutex<[String: [UInt8]]>([:])

  public init() {}

  func keep(_ path: String, _ bytes: [UInt8]) { files.withLock { $0[path] = bytes } }

  var all: [String: [UInt8]] { files.withLock { $0 } }
}

/// CA files read and indexed beside the collectors, before anyone asks: the verdicts need the OS bundle's index (about
/// 4 ms for Debian's 140 certificates), and building it while the collectors run keeps it off the path that waits.
/// Only a guess at what clients load; whatever else they load is read when asked. Nothing outlives the run.
public enum CAFiles {
  /// The largest file indexed before anyone asks (an OS bundle is ~220 KB): indexing costs ~25 µs a certificate, so a
  /// 5,000-certificate bundle that no verdict may need is left to be indexed when asked.
  static let speculativeLimit = 1 << 20

  /// Where a path leads, as the key of the files read in this run; nil when it leads nowhere.
  static func key(_ path: String, views: Views) -> String? { resolved(path, views: views)?.key }

  /// The view a path is in, where it leads there, and that as a key (`repository:` for the repository's files).
  static func resolved(_ path: String, views: Views) -> (view: any FileSystemView, real: String, key: String)? {
    guard let view = views.view(path), let real = try? view.resolveExisting(path.hasPrefix("/") ? path : "/" + path)
    else { return nil }
    return (view, real, (path.hasPrefix("/") ? "" : "repository:") + real)
  }

  /// Reads and indexes, one after the other, the CA files clients most likely load: the files trust variables name and
  /// the OS bundle. Nil when nothing suggests a verification will run (no policy targets, no admin anchors, no
  /// variable naming a file), so hosts with nothing to verify spend nothing.
  public static func prepare(_ request: InspectRequest) -> PendingValue<[String: CAFile]>? {
    let views = Views(fs: request.fs, repository: request.repository)
    let environment = request.pathEnvironment
    let variables = TrustVariables.all.filter { $0.role == .caFile || $0.role == .caFileOrDirectory }
      .compactMap { environment[$0.name] }.filter { $0.hasPrefix("/") && views.state($0) == .file }
    let targets = request.verification.map { !$0.endpoints.isEmpty || !$0.requiredRoots.isEmpty } ?? false
    let anchors = StoreLocations.anchors.contains { location in
      !location.path.hasPrefix("/usr/share/") && !((try? request.fs.list(location.path)) ?? []).isEmpty
    }
    guard targets || anchors || !variables.isEmpty else { return nil }
    let bundle = StoreLocations.bundles.map(\.path).first { views.state($0) == .file }
    var paths: [(path: String, key: String)] = []
    var keys: Set<String> = []
    for path in variables + (bundle.map { [$0] } ?? []) {
      guard let (view, real, key) = resolved(path, views: views), case .file(let size) = view.rawKind(real),
        size <= speculativeLimit, keys.insert(key).inserted
      else { continue }
      paths.append((path, key))
    }
    let chosen = paths.prefix(4)
    return PendingValue {
      var files: [String: CAFile] = [:]
      for (path, key) in chosen {
        guard let bytes = views.read(path) else { continue }
        files[key] = CAFile(bytes)
      }
      // OpenSSL's first `d2i_X509` in a process sets up its key decoders (~2.5 ms, against ~250 µs for the next):
      // pay that here, beside the collectors, rather than on the verdicts' path that everything waits for.
      files.values.first { $0.entries?.isEmpty == false }?.warmUpDecoders()
      return files
    }
  }
}

/// Paths as the snapshot writes them: absolute in the inspected tree, relative inside the repository.
struct Views: Sendable {
  let fs: any FileSystemView
  let repository: (any FileSystemView)?

  func view(_ path: String) -> (any FileSystemView)? { path.hasPrefix("/") ? fs : repository }

  func state(_ path: String) -> PathState {
    guard let view = view(path) else { return .missing }
    let inView = path.hasPrefix("/") ? path : "/" + path
    switch view.kind(inView) {
    case .file: return .file
    // A FIFO is there to the client, which opens it and blocks (`TrustPlanner.fifoReaction`).
    case .other: return view.isFIFO(inView) ? .fifo : .missing
    case .directory: return .folder
    default: return .missing
    }
  }

  /// A regular file's bytes, nil when there is none (OpenSSL's `stat` fails or the load does).
  func read(_ path: String) -> [UInt8]? {
    guard let view = view(path) else { return nil }
    return try? view.read(path.hasPrefix("/") ? path : "/" + path)
  }

}

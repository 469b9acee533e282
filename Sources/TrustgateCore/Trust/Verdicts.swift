#if canImport(Glibc)
  import Glibc
#endif

/// What verification checks besides the OS store's private anchors: the policy's endpoints (chains read from the
/// repository in this run) and its required roots.
public struct VerificationTargets: Sendable {
  public struct Endpoint: Sendable {
    public var name: String
    public var chainPath: String
    public var host: HostIdentity?
    public var chain: CertificateChain
  }
  public var endpoints: [Endpoint] = []
  public var requiredRoots: [Policy.RequiredRoot] = []
  public init() {}

  /// The policy's endpoints with their chains read through the repository, or exit 2 naming the policy line, the
  /// file and what to give.
  public static func load(_ policy: Policy, repository: (any FileSystemView)?) throws(InputError) -> VerificationTargets {
    var targets = VerificationTargets()
    targets.requiredRoots = policy.requiredRoots
    let where_ = policy.path ?? ".trustgate.yml"
    for endpoint in policy.endpoints {
      let at = "\(where_)\(endpoint.line.map { ":\($0)" } ?? ""): endpoint \(endpoint.name)"
      guard let repository else {
        throw InputError("\(at): chain \(endpoint.chain) needs a repository; run inside it or give --repo")
      }
      let bytes: [UInt8]
      do { bytes = try repository.read("/" + endpoint.chain, limit: 16 << 20) } catch {
        throw InputError("\(at): chain \(endpoint.chain): \(error.reason); \(ChainCheck.chainHelp)")
      }
      let chain: CertificateChain
      do { chain = try ChainCheck.chain(named: endpoint.chain, bytes: bytes) } catch {
        throw InputError("\(at): \(error.description)")
      }
      var host: HostIdentity?
      if let name = endpoint.host {
        do { host = try ChainCheck.host(name) } catch { throw InputError("\(at): \(error.description)") }
      }
      targets.endpoints.append(Endpoint(name: endpoint.name, chainPath: endpoint.chain, host: host, chain: chain))
    }
    return targets
  }
}

/// Fills `Snapshot.verdicts`: for every client present, whether it verifies each endpoint, required root and private
/// anchor, re-reading the trust sources through the inspected tree (no state between runs).
public enum Verdicts {
  public static let endpointPrefix = "endpoint "
  public static let requiredRootPrefix = "required-root "
  public static let anchorPrefix = "anchor "

  /// Nil when there is nothing to verify (so snapshots without endpoints, required roots or private anchors keep
  /// their JSON).
  /// `prepared`: CA files already indexed in this run (`CAFiles.prepare`), waited for only when something is verified.
  public static func compute(
    _ snapshot: Snapshot, request: InspectRequest, prepared: PendingValue<[String: CAFile]>? = nil
  ) -> [ClientVerdict]? {
    let targets = request.verification ?? VerificationTargets()
    var roots: [(subject: String, fingerprint: String)] = []
    for required in targets.requiredRoots {
      let fingerprint =
        required.sha256.flatMap { snapshot.certificates[$0] != nil ? $0 : nil }
        ?? snapshot.certificates.values.first { required.sha1 != nil && $0.sha1 == required.sha1 }?.sha256
        ?? required.sha256 ?? required.sha1 ?? required.name
      roots.append((requiredRootPrefix + required.name, fingerprint))
    }
    for fingerprint in privateAnchors(snapshot).sorted() { roots.append((anchorPrefix + fingerprint, fingerprint)) }
    guard !roots.isEmpty || !targets.endpoints.isEmpty else { return nil }
    var stopwatch = Stopwatch(enabled: getenv("TRUSTGATE_PROFILE") != nil)
    defer { stopwatch.lap("verdicts: verify") }
    stopwatch.lap("verdicts: targets")
    // Indexed beside the collectors, or by an earlier verification of this run (the current snapshot's, when this is
    // the baseline's).
    let files = (prepared?.wait() ?? [:]).merging(request.caFiles.all) { prepared, _ in prepared }
    stopwatch.lap("verdicts: prepared CA files")
    let verifier = TrustVerifier(snapshot: snapshot, request: request, prepared: files)
    defer { request.caFiles.merge(verifier.caFiles) }
    stopwatch.lap("verdicts: plans")
    var verdicts: [ClientVerdict] = []
    // A client whose roots are compiled into it (uv's bundled Mozilla roots) is judged on private anchors only,
    // which no public set holds: whether its roots hold an endpoint's or a required root is not known here.
    let compiledIn = Set(verifier.plans.filter(\.compiledIn).map(\.client))
    for endpoint in targets.endpoints {
      verdicts += verifier.verify(endpoint.chain, host: endpoint.host, subject: endpointPrefix + endpoint.name)
    }
    if !roots.isEmpty {
      let found = rootChains(Set(roots.map(\.fingerprint)), snapshot: snapshot, request: request, verifier: verifier)
      stopwatch.lap("verdicts: root chains")
      for (subject, fingerprint) in roots {
        guard let chain = found[fingerprint] else {
          // The root is nowhere here: no client can verify it.
          verdicts += verifier.plans.map { plan in
            ClientVerdict(
              client: plan.client, version: plan.version, subject: subject, verifies: false,
              error: "the root is in no trust source here", sources: [], flags: plan.flags.names,
              securityLevel: plan.securityLevel)
          }
          continue
        }
        verdicts += verifier.verify(chain, host: nil, subject: subject, purpose: nil)
      }
    }
    return verdicts.filter { !compiledIn.contains($0.client) || $0.subject.hasPrefix(anchorPrefix) }.sorted()
  }

  /// The snapshot with verdicts computed again for its own client versions (a baseline rebuilt from git lockfiles).
  public static func recomputed(_ snapshot: Snapshot, request: InspectRequest) -> Snapshot {
    var snapshot = snapshot
    snapshot.verdicts = compute(snapshot, request: request)
    return snapshot
  }

  /// Roots in the OS store, or in a bundle a trust variable names, that no public store holds: everything self-signed
  /// in an admin's anchors folder
  /// (`/usr/local/share/ca-certificates`), and roots of the OS bundle that neither certifi (Mozilla's set) nor the
  /// distribution's own offered set (`/usr/share/ca-certificates`, package-provided anchors) holds — old public roots a
  /// distribution still ships are not private.
  public static func privateAnchors(_ snapshot: Snapshot) -> Set<String> {
    let (publicRoots, knowsPublic) = publicRoots(snapshot)
    var candidates: Set<String> = []
    for store in snapshot.stores {
      switch store.kind {
      case .anchors where !store.path.hasPrefix("/usr/share/"): candidates.formUnion(store.certificates.distinct)
      case .bundle where knowsPublic && store.linksTo == nil:
        candidates.formUnion(store.certificates.distinct.subtracting(publicRoots))
      default: break
      }
    }
    // A bundle a trust variable names (SSL_CERT_FILE, REQUESTS_CA_BUNDLE…) is a trust source like the OS store: a
    // corporate root put there is what the clients reading it verify, and must go on verifying.
    for variable in snapshot.environment where knowsPublic && variable.target?.state == .file {
      if let certificates = variable.target?.certificates { candidates.formUnion(certificates.distinct) }
    }
    let now = snapshot.clock?.now
    return candidates.filter { fingerprint in
      guard let certificate = snapshot.certificates[fingerprint] else { return false }
      return certificate.isCA && certificate.selfSigned && !publicRoots.contains(fingerprint)
        && !(now.map { certificate.isExpired(at: $0) } ?? false)
    }
  }

  /// Roots some public store here holds (certifi's copies, the distribution's offered set); `known`: whether any
  /// public store was seen at all.
  public static func publicRoots(_ snapshot: Snapshot) -> (roots: Set<String>, known: Bool) {
    var roots: Set<String> = []
    var known = false
    for environment in snapshot.python.environments {
      for bundle in [environment.certifi, environment.pipCertifi].compactMap({ $0 }) where !bundle.isOSBundle {
        roots.formUnion(bundle.certificates.distinct)
        known = true
      }
    }
    for store in snapshot.stores where store.path.hasPrefix("/usr/share/") {
      roots.formUnion(store.certificates.distinct)
      known = true
    }
    return (roots, known)
  }

  /// The wanted roots, each as a chain of one, read from the OS stores and the files trust variables name.
  /// Files are read through `verifier`, which reads each once a run (the bundle is also a client's CA file): a file it
  /// has indexed already gives its certificates' DER bytes directly. Sources whose recorded certificates hold a root
  /// still missing are read first (bundles, then the variables' files, then folders); the rest only if a root is
  /// still missing after them (a file may hold a root trustgate's parser did not record).
  static func rootChains(
    _ wanted: Set<String>, snapshot: Snapshot, request: InspectRequest, verifier: TrustVerifier
  ) -> [String: CertificateChain] {
    var sources: [(files: () -> [String], certificates: Set<String>)] = []
    for store in snapshot.stores where store.kind == .bundle {
      sources.append(({ [store.path] }, store.certificates.distinct))
    }
    for variable in snapshot.environment where variable.target?.state == .file {
      sources.append(({ [variable.openedPath] }, variable.target?.certificates?.distinct ?? []))
    }
    for store in snapshot.stores where store.kind != .bundle {
      let listing = {
        let names = (try? request.fs.list(store.path)) ?? []
        return names.sorted().map { store.path + "/" + $0 }
      }
      sources.append((listing, store.certificates.distinct))
    }
    var found: [String: CertificateChain] = [:]
    var read: Set<String> = []
    // The subject hashes of the wanted roots, when every one was recorded: an indexed entry of another subject is
    // passed over without hashing its DER (nil: hash every entry, as for a root no parser recorded).
    let subjects: Set<UInt>? = {
      var hashes: Set<UInt> = []
      for fingerprint in wanted {
        guard let recorded = snapshot.certificates[fingerprint], let hash = UInt(recorded.subjectHash, radix: 16)
        else { return nil }
        hashes.insert(hash)
      }
      return hashes
    }()
    func keep(_ fingerprint: String, _ chain: @autoclosure () -> CertificateChain?) {
      guard wanted.contains(fingerprint), found[fingerprint] == nil, let chain = chain() else { return }
      found[fingerprint] = chain
    }
    func search(_ files: [String]) {
      for file in files where found.count < wanted.count && read.insert(file).inserted {
        if let entries = verifier.indexed(file)?.entries {
          for entry in entries where found.count < wanted.count {
            if let subjects, !subjects.contains(UInt(UInt32(truncatingIfNeeded: entry.subjectHash))) { continue }
            guard let digest = ContentDigest.sha256(entry.der) else { continue }
            keep(hex(digest), try? CertificateChain(entry.certificate))
          }
          continue
        }
        guard let bytes = verifier.read(file) else { continue }
        for block in pemBlocks(bytes) where found.count < wanted.count {
          guard let der = Base64.decode(block.body), let digest = ContentDigest.sha256(der) else { continue }
          keep(hex(digest), try? CertificateChain(pem: block.pem))
        }
      }
    }
    for source in sources where !wanted.subtracting(found.keys).isDisjoint(with: source.certificates) {
      search(source.files())
    }
    for source in sources where found.count < wanted.count { search(source.files()) }
    return found
  }

  /// `-----BEGIN CERTIFICATE-----` blocks: the whole block and its base64 body.
  static func pemBlocks(_ bytes: [UInt8]) -> [(pem: [UInt8], body: ArraySlice<UInt8>)] {
    let begin = Array("-----BEGIN CERTIFICATE-----".utf8)
    let end = Array("-----END CERTIFICATE-----".utf8)
    var blocks: [(pem: [UInt8], body: ArraySlice<UInt8>)] = []
    var index = 0
    while let start = firstOccurrence(of: begin, in: bytes, from: index),
      let stop = firstOccurrence(of: end, in: bytes, from: start + begin.count)
    {
      let body = bytes[(start + begin.count)..<stop]
      var pem = Array(bytes[start..<(stop + end.count)])
      pem.append(0x0A)
      blocks.append((pem, body))
      index = stop + end.count
    }
    return blocks
  }

  /// `endpoint api`, `required root Corp Root`, `private anchor Corp Root (sha256:…)`, for messages.
  public static func describe(_ subject: String, certificates: [String: Certificate]) -> String {
    if subject.hasPrefix(anchorPrefix) {
      let fingerprint = String(subject.dropFirst(anchorPrefix.count))
      let name = certificates[fingerprint].map { commonName($0.subject) } ?? "root"
      return "private anchor \(name) (sha256:\(fingerprint.prefix(16))…)"
    }
    if subject.hasPrefix(requiredRootPrefix) { return "required root \(subject.dropFirst(requiredRootPrefix.count))" }
    return subject
  }
}

extension Workspace {
  /// The inspect request with the policy's exclusions, endpoints and required roots (endpoint chains read and checked
  /// here: a bad one exits 2 naming the policy line).
  public func request(
    policy: Policy, now: Int64, includeClock: Bool
  ) throws(InputError) -> (request: InspectRequest, image: ContainerImage?) {
    var (request, image) = try self.request(now: now, excluded: policy.exclude, includeClock: includeClock)
    request.verification = try VerificationTargets.load(policy, repository: request.repository)
    return (request, image)
  }
}

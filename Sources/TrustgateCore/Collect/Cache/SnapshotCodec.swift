/// A snapshot in the snapshot cache's binary form: every field in declaration order, the certificate table first, and
/// every set of certificates as positions in that table (fingerprints recur in every store and variable that holds
/// them), read back as the table's own `String`s.
/// Decoding is what a warm `inspect` does instead of collecting, so it must cost far less than JSON (which takes
/// ~6 ms for this machine's 400 KB snapshot); bytes that do not decode are a miss, never a crash.
enum SnapshotCodec {
  /// Bumped whenever a model field is added, removed or reordered (the build id changes anyway; this guards tests).
  static let version = 4

  static func encode(_ snapshot: Snapshot) -> [UInt8] { Array(encodePieces(snapshot).joined()) }

  /// The encoding in two pieces (the version, then the values), so a caller writing a file copies neither.
  static func encodePieces(_ snapshot: Snapshot) -> [[UInt8]] {
    var w = SnapshotWriter()
    w.string(snapshot.schema)
    w.string(snapshot.target.kind.rawValue)
    w.optionalString(snapshot.target.image)
    w.certificateTable(snapshot.certificates.sorted { $0.key < $1.key }) { certificate, w in encode(certificate, &w) }
    encode(snapshot.platform, &w)
    encode(snapshot.openssl, &w)
    w.array(snapshot.stores) { store, w in encode(store, &w) }
    w.array(snapshot.environment) { variable, w in encode(variable, &w) }
    w.array(snapshot.proxy.variables) { variable, w in encode(variable, &w) }
    w.array(snapshot.python.environments) { environment, w in encode(environment, &w) }
    w.array(snapshot.lockfiles) { lockfile, w in encode(lockfile, &w) }
    w.optional(snapshot.clock) { clock, w in encode(clock, &w) }
    w.array(snapshot.effectiveTrust) { trust, w in encode(trust, &w) }
    w.array(snapshot.problems) { problem, w in encode(problem, &w) }
    return w.finish()
  }

  static func decode(_ bytes: ArraySlice<UInt8>) -> Snapshot? {
    guard var r = SnapshotReader(bytes) else { return nil }
    do {
      let schema = try r.string()
      var snapshot = Snapshot(target: Target(kind: try r.enumeration(), image: try r.optionalString()))
      snapshot.schema = schema
      snapshot.certificates = try r.certificateTable(decodeCertificate)
      snapshot.platform = try decodePlatform(&r)
      snapshot.openssl = try decodeOpenSSL(&r)
      snapshot.stores = try r.array(decodeStore)
      snapshot.environment = try r.array(decodeVariable)
      snapshot.proxy.variables = try r.array(decodeProxy)
      snapshot.python.environments = try r.array(decodePython)
      snapshot.lockfiles = try r.array(decodeLockfile)
      snapshot.clock = try r.optional(decodeClock)
      snapshot.effectiveTrust = try r.array(decodeTrust)
      snapshot.problems = try r.array(decodeProblem)
      guard r.atEnd else { return nil }
      return snapshot
    } catch { return nil }
  }

  // MARK: sections

  private static func encode(_ platform: PlatformInfo, _ w: inout SnapshotWriter) {
    w.optionalString(platform.osID)
    w.optionalString(platform.osVersionID)
    w.optionalString(platform.prettyName)
    w.optional(platform.caPackage) { package, w in
      w.string(package.manager)
      w.string(package.name)
      w.string(package.version)
    }
  }

  private static func decodePlatform(_ r: inout SnapshotReader) throws(CodecError) -> PlatformInfo {
    var platform = PlatformInfo()
    platform.osID = try r.optionalString()
    platform.osVersionID = try r.optionalString()
    platform.prettyName = try r.optionalString()
    platform.caPackage = try r.optional { r throws(CodecError) in
      InstalledPackage(manager: try r.string(), name: try r.string(), version: try r.string())
    }
    return platform
  }

  private static func encode(_ openssl: OpenSSLInfo, _ w: inout SnapshotWriter) {
    for text in [
      openssl.version, openssl.defaultCertFile, openssl.defaultCertDir, openssl.certFileEnv, openssl.certDirEnv,
      openssl.resolvedCertFile, openssl.resolvedCertDir,
    ] { w.optionalString(text) }
    w.optional(openssl.certFile) { set, w in encode(set, &w) }
  }

  private static func decodeOpenSSL(_ r: inout SnapshotReader) throws(CodecError) -> OpenSSLInfo {
    var openssl = OpenSSLInfo()
    openssl.version = try r.optionalString()
    openssl.defaultCertFile = try r.optionalString()
    openssl.defaultCertDir = try r.optionalString()
    openssl.certFileEnv = try r.optionalString()
    openssl.certDirEnv = try r.optionalString()
    openssl.resolvedCertFile = try r.optionalString()
    openssl.resolvedCertDir = try r.optionalString()
    openssl.certFile = try r.optional(decodeSet)
    return openssl
  }

  private static func encode(_ set: CertificateSet, _ w: inout SnapshotWriter) {
    w.fingerprints(set.certificates)
    w.int(set.unparsable)
    w.int(set.expired)
    w.int(set.notYetValid)
  }

  private static func decodeSet(_ r: inout SnapshotReader) throws(CodecError) -> CertificateSet {
    CertificateSet(
      certificates: try r.fingerprints(), unparsable: try r.int(), expired: try r.int(), notYetValid: try r.int())
  }

  private static func encode(_ store: TrustStore, _ w: inout SnapshotWriter) {
    w.string(store.path)
    w.string(store.kind.rawValue)
    w.optionalString(store.linksTo)
    encode(store.certificates, &w)
    w.optionalStrings(store.mismatchedHashLinks)
    w.optionalStrings(store.danglingLinks)
    w.optionalStrings(store.notInBundle)
  }

  private static func decodeStore(_ r: inout SnapshotReader) throws(CodecError) -> TrustStore {
    var store = TrustStore(
      path: try r.string(), kind: try r.enumeration(), linksTo: try r.optionalString(), certificates: try decodeSet(&r))
    store.mismatchedHashLinks = try r.optionalStrings()
    store.danglingLinks = try r.optionalStrings()
    store.notInBundle = try r.optionalStrings()
    return store
  }

  private static func encode(_ variable: EnvVariable, _ w: inout SnapshotWriter) {
    w.string(variable.name)
    w.string(variable.role.rawValue)
    w.string(variable.value)
    w.optionalBool(variable.disablesVerification)
    w.optional(variable.target) { target, w in
      w.string(target.state.rawValue)
      w.optionalString(target.resolvedPath)
      w.optional(target.certificates) { set, w in encode(set, &w) }
      w.optionalStrings(target.sameAs)
    }
  }

  private static func decodeVariable(_ r: inout SnapshotReader) throws(CodecError) -> EnvVariable {
    var variable = EnvVariable(name: try r.string(), role: try r.enumeration(), value: try r.string())
    variable.disablesVerification = try r.optionalBool()
    variable.target = try r.optional { r throws(CodecError) in
      var target = EnvTarget(state: try r.enumeration())
      target.resolvedPath = try r.optionalString()
      target.certificates = try r.optional(decodeSet)
      target.sameAs = try r.optionalStrings()
      return target
    }
    return variable
  }

  private static func encode(_ variable: ProxyVariable, _ w: inout SnapshotWriter) {
    w.string(variable.name)
    w.string(variable.value)
    w.optionalString(variable.scheme)
    w.optionalString(variable.host)
    w.optionalInt(variable.port)
    w.bool(variable.hasCredentials)
    w.optionalString(variable.malformed)
  }

  private static func decodeProxy(_ r: inout SnapshotReader) throws(CodecError) -> ProxyVariable {
    let name = try r.string()
    let value = try r.string()
    let scheme = try r.optionalString()
    let host = try r.optionalString()
    let port = try r.optionalInt()
    var variable = ProxyVariable(name: name, value: value, hasCredentials: try r.bool())
    variable.scheme = scheme
    variable.host = host
    variable.port = port
    variable.malformed = try r.optionalString()
    return variable
  }

  private static func encode(_ environment: PythonEnvironment, _ w: inout SnapshotWriter) {
    w.string(environment.path)
    w.string(environment.kind.rawValue)
    w.optionalString(environment.pythonVersion)
    w.strings(environment.sitePackages)
    w.array(environment.distributions) { distribution, w in
      w.string(distribution.name)
      w.string(distribution.version)
      w.string(distribution.metadata)
    }
    w.optional(environment.certifi) { bundle, w in encode(bundle, &w) }
    w.optional(environment.pipCertifi) { bundle, w in encode(bundle, &w) }
    w.array(environment.vendoredBundles) { bundle, w in encode(bundle, &w) }
    w.optionalString(environment.base)
    w.optionalBool(environment.includesSystemSitePackages)
    w.optionalBool(environment.active)
    w.optionalBool(environment.projectPython)
  }

  private static func decodePython(_ r: inout SnapshotReader) throws(CodecError) -> PythonEnvironment {
    var environment = PythonEnvironment(path: try r.string(), kind: try r.enumeration())
    environment.pythonVersion = try r.optionalString()
    environment.sitePackages = try r.strings()
    environment.distributions = try r.array { r throws(CodecError) in
      // Names were normalised when collected; the initialiser returns a normalised name unchanged.
      Distribution(name: try r.string(), version: try r.string(), metadata: try r.string())
    }
    environment.certifi = try r.optional(decodeBundle)
    environment.pipCertifi = try r.optional(decodeBundle)
    environment.vendoredBundles = try r.array(decodeBundle)
    environment.base = try r.optionalString()
    environment.includesSystemSitePackages = try r.optionalBool()
    environment.active = try r.optionalBool()
    environment.projectPython = try r.optionalBool()
    return environment
  }

  private static func encode(_ bundle: BundledCA, _ w: inout SnapshotWriter) {
    w.string(bundle.package)
    w.string(bundle.path)
    w.optionalString(bundle.linksTo)
    w.bool(bundle.isOSBundle)
    w.optionalString(bundle.loadedFrom)
    encode(bundle.certificates, &w)
  }

  private static func decodeBundle(_ r: inout SnapshotReader) throws(CodecError) -> BundledCA {
    let package = try r.string()
    let path = try r.string()
    let linksTo = try r.optionalString()
    let isOSBundle = try r.bool()
    let loadedFrom = try r.optionalString()
    var bundle = BundledCA(
      package: package, path: path, linksTo: linksTo, isOSBundle: isOSBundle, certificates: try decodeSet(&r))
    bundle.loadedFrom = loadedFrom
    return bundle
  }

  private static func encode(_ lockfile: Lockfile, _ w: inout SnapshotWriter) {
    w.string(lockfile.path)
    w.string(lockfile.format.rawValue)
    w.array(lockfile.pins) { pin, w in
      w.string(pin.name)
      w.optionalString(pin.version)
      w.optionalString(pin.specifier)
      w.int(pin.line)
      w.optionalString(pin.group)
    }
  }

  private static func decodeLockfile(_ r: inout SnapshotReader) throws(CodecError) -> Lockfile {
    let path = try r.string()
    let format: LockfileFormat = try r.enumeration()
    let pins = try r.array { r throws(CodecError) in
      Pin(
        name: try r.string(), version: try r.optionalString(), specifier: try r.optionalString(), line: try r.int(),
        group: try r.optionalString())
    }
    // Pins were sorted when collected; assigning keeps their order (the initialiser would sort again).
    var lockfile = Lockfile(path: path, format: format, pins: [])
    lockfile.pins = pins
    return lockfile
  }

  private static func encode(_ clock: ClockInfo, _ w: inout SnapshotWriter) {
    w.string(clock.now)
    w.string(clock.sync.rawValue)
    w.optionalInt(clock.maxErrorMicroseconds)
    w.optionalString(clock.headCommitTime)
  }

  private static func decodeClock(_ r: inout SnapshotReader) throws(CodecError) -> ClockInfo {
    var clock = ClockInfo(now: try r.string(), sync: try r.enumeration())
    clock.maxErrorMicroseconds = try r.optionalInt()
    clock.headCommitTime = try r.optionalString()
    return clock
  }

  private static func encode(_ trust: ClientTrust, _ w: inout SnapshotWriter) {
    w.string(trust.client)
    w.optionalString(trust.version)
    w.string(trust.source)
    w.optionalString(trust.path)
    w.optionalInt(trust.roots)
    w.string(trust.status.rawValue)
    w.strings(trust.honours)
    w.strings(trust.ignores)
    w.optionalString(trust.note)
  }

  private static func decodeTrust(_ r: inout SnapshotReader) throws(CodecError) -> ClientTrust {
    var trust = ClientTrust(
      client: try r.string(), version: try r.optionalString(), source: try r.string(), path: try r.optionalString(),
      roots: try r.optionalInt(), status: try r.enumeration())
    trust.honours = try r.strings()
    trust.ignores = try r.strings()
    trust.note = try r.optionalString()
    return trust
  }

  private static func encode(_ c: Certificate, _ w: inout SnapshotWriter) {
    // A root's issuer is its subject: written once, read back as the same string.
    w.string(c.sha1)
    w.string(c.subject)
    w.bool(c.issuer == c.subject)
    if c.issuer != c.subject { w.string(c.issuer) }
    for text in [c.serial, c.notBefore, c.notAfter, c.subjectHash] { w.string(text) }
    for flag in [c.isCA, c.selfSigned, c.hasKeyUsage, c.hasSubjectKeyIdentifier, c.hasAuthorityKeyIdentifier] {
      w.bool(flag)
    }
  }

  /// A certificate of the table, whose fingerprint (its key) was read already.
  private static func decodeCertificate(_ sha256: String, _ r: inout SnapshotReader) throws(CodecError) -> Certificate {
    let sha1 = try r.string()
    let subject = try r.string()
    let issuer = try r.bool() ? subject : try r.string()
    let serial = try r.string()
    let notBefore = try r.string()
    let notAfter = try r.string()
    let subjectHash = try r.string()
    return Certificate(
      sha256: sha256, sha1: sha1, subject: subject, issuer: issuer, serial: serial, notBefore: notBefore,
      notAfter: notAfter, isCA: try r.bool(), selfSigned: try r.bool(), hasKeyUsage: try r.bool(),
      hasSubjectKeyIdentifier: try r.bool(), hasAuthorityKeyIdentifier: try r.bool(), subjectHash: subjectHash)
  }

  private static func encode(_ problem: Problem, _ w: inout SnapshotWriter) {
    w.string(problem.area.rawValue)
    w.optionalString(problem.path)
    w.optionalInt(problem.line)
    w.string(problem.message)
    w.string(problem.fix)
  }

  private static func decodeProblem(_ r: inout SnapshotReader) throws(CodecError) -> Problem {
    Problem(
      area: try r.enumeration(), path: try r.optionalString(), line: try r.optionalInt(), message: try r.string(),
      fix: try r.string())
  }
}

struct CodecError: Error {}

/// Writes values as `CacheWriter` does; certificate fingerprints as positions in the certificate table.
struct SnapshotWriter {
  private var body = CacheWriter()
  private var positions: [String: Int] = [:]

  mutating func int(_ value: Int) { body.int(value) }
  mutating func bool(_ value: Bool) { body.bool(value) }
  mutating func string(_ text: String) { body.string(text) }

  /// The certificates by fingerprint, each written by `write`; their positions are what `fingerprints` writes.
  mutating func certificateTable(_ entries: [(key: String, value: Certificate)], _ write: (Certificate, inout SnapshotWriter) -> Void) {
    positions.reserveCapacity(entries.count)
    body.int(entries.count)
    for (index, entry) in entries.enumerated() {
      positions[entry.key] = index
      // The key is the certificate's own SHA-256 (`CollectionContext` files them so).
      body.string(entry.value.sha256)
      write(entry.value, &self)
    }
  }

  /// A list of fingerprints: 1 + a table position each, or 0 and the text for one the table lacks.
  mutating func fingerprints(_ values: [String]) {
    body.int(values.count)
    for value in values {
      if let position = positions[value] {
        body.int(position + 1)
      } else {
        body.int(0)
        body.string(value)
      }
    }
  }

  mutating func optional<T>(_ value: T?, _ write: (T, inout SnapshotWriter) -> Void) {
    body.bool(value != nil)
    if let value { write(value, &self) }
  }

  mutating func optionalString(_ text: String?) { optional(text) { text, w in w.string(text) } }
  mutating func optionalInt(_ value: Int?) { optional(value) { value, w in w.int(value) } }
  mutating func optionalBool(_ value: Bool?) { optional(value) { value, w in w.bool(value) } }

  mutating func array<T>(_ values: [T], _ write: (T, inout SnapshotWriter) -> Void) {
    body.int(values.count)
    for value in values { write(value, &self) }
  }

  mutating func strings(_ values: [String]) { array(values) { text, w in w.string(text) } }
  mutating func optionalStrings(_ values: [String]?) { optional(values) { values, w in w.strings(values) } }

  /// The format version, then the values.
  func finish() -> [[UInt8]] {
    var head = CacheWriter()
    head.int(SnapshotCodec.version)
    return [head.output, body.output]
  }
}

/// Reads what `SnapshotWriter` wrote; every malformed value throws `CodecError`.
struct SnapshotReader {
  private var reader: CacheReader
  /// The certificate table's fingerprints, in order: what `fingerprints` resolves positions to.
  private var table: [String] = []

  init?(_ bytes: ArraySlice<UInt8>) {
    var reader = CacheReader(bytes)
    guard reader.int() == SnapshotCodec.version else { return nil }
    self.reader = reader
  }

  var atEnd: Bool { reader.atEnd }

  mutating func int() throws(CodecError) -> Int {
    guard let value = reader.int() else { throw CodecError() }
    return value
  }

  mutating func bool() throws(CodecError) -> Bool {
    guard let value = reader.bool() else { throw CodecError() }
    return value
  }

  mutating func string() throws(CodecError) -> String {
    guard let value = reader.string() else { throw CodecError() }
    return value
  }

  /// The certificates by fingerprint; each is read by `read` given its fingerprint (also its `sha256`, one string).
  mutating func certificateTable(
    _ read: (String, inout SnapshotReader) throws(CodecError) -> Certificate
  ) throws(CodecError) -> [String: Certificate] {
    let certificates = try array { r throws(CodecError) in try read(try r.string(), &r) }
    table = certificates.map(\.sha256)
    var byFingerprint: [String: Certificate] = [:]
    byFingerprint.reserveCapacity(certificates.count)
    for certificate in certificates where byFingerprint[certificate.sha256] == nil {
      byFingerprint[certificate.sha256] = certificate
    }
    return byFingerprint
  }

  mutating func fingerprints() throws(CodecError) -> [String] {
    try array { r throws(CodecError) in
      let position = try r.int()
      if position == 0 { return try r.string() }
      guard position > 0, position <= r.table.count else { throw CodecError() }
      return r.table[position - 1]
    }
  }

  mutating func enumeration<T: RawRepresentable<String>>() throws(CodecError) -> T {
    guard let value = T(rawValue: try string()) else { throw CodecError() }
    return value
  }

  mutating func optional<T>(_ read: (inout SnapshotReader) throws(CodecError) -> T) throws(CodecError) -> T? {
    try bool() ? try read(&self) : nil
  }

  mutating func optionalString() throws(CodecError) -> String? { try optional { r throws(CodecError) in try r.string() } }
  mutating func optionalInt() throws(CodecError) -> Int? { try optional { r throws(CodecError) in try r.int() } }
  mutating func optionalBool() throws(CodecError) -> Bool? { try optional { r throws(CodecError) in try r.bool() } }

  mutating func array<T>(_ read: (inout SnapshotReader) throws(CodecError) -> T) throws(CodecError) -> [T] {
    let count = try int()
    // Each element takes at least one byte: a count beyond what is left is malformed, not a huge allocation.
    guard count >= 0, count <= reader.input.endIndex - reader.offset else { throw CodecError() }
    var values: [T] = []
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(try read(&self)) }
    return values
  }

  mutating func strings() throws(CodecError) -> [String] { try array { r throws(CodecError) in try r.string() } }
  mutating func optionalStrings() throws(CodecError) -> [String]? {
    try optional { r throws(CodecError) in try r.strings() }
  }
}

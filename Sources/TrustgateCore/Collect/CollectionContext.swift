import Dispatch

/// Shared state of one inspection: the file tree, the time, every certificate met, and problems. Within the run, a
/// file that several sources point at (OS bundle, SSL_CERT_FILE, Debian's certifi link) is read once, and each
/// distinct certificate (by DER digest) is parsed once; nothing outlives the run.
///
/// Thread-safe: collectors may run side by side (the Python collector runs beside the store collectors).
public final class CollectionContext: Sendable {
  public let fs: any FileSystemView
  /// Collection time, ISO 8601 UTC; expiry counts use it.
  public let now: String
  private let state = Locked(State())
  /// Certificates parsed in this run by DER digest; seeded with the OS bundle's when they were parsed while the
  /// arguments were (`EarlyReading`).
  private let parsed: CertificateCache
  /// Where the bytes of every certificate file read are kept for the run's verdicts, if anywhere.
  private let kept: RunFileBytes?

  private struct State {
    var certificates: [String: Certificate] = [:]
    var problems: [Problem] = []
    var cache: [String: CertificateSet] = [:]
    var directoryCache: [String: DirectoryReading] = [:]
    var listings: [String: Result<[String], FileError>] = [:]
  }

  public init(fs: any FileSystemView, now: String, early: EarlyReading? = nil, keeping kept: RunFileBytes? = nil) {
    self.fs = fs
    self.now = now
    self.kept = kept
    parsed = early?.certificates ?? CertificateCache()
  }

  /// Every certificate met so far, by SHA-256.
  public var certificates: [String: Certificate] { state.withLock { $0.certificates } }
  public var problems: [Problem] { state.withLock { $0.problems } }

  /// One certificate met so far, without copying the table.
  public func certificate(_ sha256: String) -> Certificate? { state.withLock { $0.certificates[sha256] } }

  public func report(_ problem: Problem) { state.withLock { $0.problems.append(problem) } }

  /// A file there that may not be read gets the fix for its permissions, whatever `fix` says of a missing one.
  /// `unreadable`: the file is one the clients load (an entry of a CA folder), so the gate cannot see a root it may
  /// hold (TG002), not a file trustgate merely reads about them.
  public func report(_ area: Area, _ error: FileError, fix: String, unreadable: Bool = false) {
    var fix = fix
    switch error {
    case .notReadable(let path, _):
      fix = FileError.permissionFix(path, instead: "point them at a file that user can read")
    case .tooLarge(let path, _, _): fix = FileError.tooLargeFix(path)
    default: break
    }
    report(Problem(area: area, path: error.path, message: error.reason, fix: fix, unreadable: unreadable ? true : nil))
  }

  /// Reads the certificates of one file (following links inside the view). Problems are recorded once per real file,
  /// under `area` and the path the caller gave. Returns nil when the file cannot be read (the problem says why).
  /// `failed`: told why, when the file cannot be read.
  public func certificates(
    inFile path: String, area: Area, fix: String = defaultReadFix, failed: ((FileError) -> Void)? = nil
  ) -> CertificateSet? {
    let real: String
    do { real = try fs.resolveExisting(path) } catch {
      report(area, error, fix: fix)
      failed?(error)
      return nil
    }
    return certificates(inResolvedFile: real, shownAs: path, area: area, fix: fix, failed: failed)
  }

  /// `certificates(inFile:)` for a path already resolved inside the view (no second walk through its links).
  func certificates(
    inResolvedFile real: String, shownAs path: String, area: Area, fix: String, unreadable: Bool = false,
    failed: ((FileError) -> Void)? = nil
  ) -> CertificateSet? {
    if let cached = state.withLock({ $0.cache[real] }) { return cached }
    let bytes: [UInt8]
    do throws(FileError) {
      switch fs.rawKind(real) {
      case .file: bytes = try fs.rawRead(real, limit: defaultReadLimit)
      case .directory: throw .isDirectory(path)
      default: throw .notRegular(path, kind: fs.rawSpecialKind(real))
      }
    } catch {
      report(area, error.renamed(to: path), fix: fix, unreadable: unreadable)
      failed?(error)
      return nil
    }
    kept?.keep(real, bytes)
    return record(CertificateFile.read(bytes, cache: parsed), of: real, shownAs: path, area: area, bytes: bytes)
  }

  /// Registers a file's certificates, reports its issues under the path the caller gave, and keeps its set; with
  /// what each PEM reader loads of it when they part (`CertificateSet.readings`).
  private func record(
    _ reading: CertificateFileReading, of real: String, shownAs path: String, area: Area, bytes: [UInt8]
  ) -> CertificateSet {
    var set = CertificateSet()
    if !reading.plain { set.readings = readings(of: bytes) }
    set.certificates.reserveCapacity(reading.entries.count)
    for entry in reading.entries {
      register(entry.certificate, into: &set)
    }
    set.unparsable = reading.unparsable
    for issue in reading.issues {
      report(Problem(area: area, path: path, line: issue.line, message: issue.message, fix: issue.fix))
    }
    state.withLock { $0.cache[real] = set }
    return set
  }

  /// What each client library's PEM reader loads of a text that is not a plain bundle: its distinct certificates
  /// and how many are valid now, whether GnuTLS refuses the file, whether OpenSSL's reader stops on a bad block. A
  /// text OpenSSL loads whole with other kinds of blocks in it is left to the collected set.
  private func readings(of bytes: [UInt8]) -> [String: CertificateSet.Reading] {
    var readings: [String: CertificateSet.Reading] = [:]
    for reading in PEMReading.all {
      let file = CAFile(bytes, reading: reading)
      if reading == .openssl, file.entries == nil, !file.malformed { continue }
      var seen: Set<[UInt8]> = []
      var valid = 0
      for entry in file.entries ?? [] where seen.insert(entry.der).inserted {
        // Bytes after a certificate are OpenSSL's readers' alone to pass over: the others' entries have none.
        guard let certificate = try? parsed.certificate(der: entry.der, trusted: true) else { continue }
        if !certificate.isExpired(at: now) && !certificate.isNotYetValid(at: now) { valid += 1 }
      }
      readings[reading.key] = .init(
        certificates: seen.count, valid: valid, refused: file.refused, malformed: file.entries == nil && file.malformed)
    }
    return readings
  }

  func register(_ certificate: Certificate, into set: inout CertificateSet) {
    state.withLock { state in
      if state.certificates[certificate.sha256] == nil { state.certificates[certificate.sha256] = certificate }
    }
    set.certificates.append(certificate.sha256)
    if certificate.isExpired(at: now) { set.expired += 1 }
    if certificate.isNotYetValid(at: now) { set.notYetValid += 1 }
  }

  /// A directory of certificates: every regular file (or link to one) whose name looks like a certificate or a
  /// hash link, read once each. Hash links (`5ad8a5d6.0`) are checked against the subject hash. With `recursive`,
  /// subdirectories are read too (update-ca-certificates reads everything below its folders, e.g. `mozilla/`);
  /// names are then relative to `path` (`mozilla/RootEC.crt`).
  public func certificates(inDirectory path: String, area: Area, recursive: Bool = false) -> DirectoryReading? {
    guard let real = try? fs.resolveExisting(path), fs.rawKind(real) == .directory else { return nil }
    let cacheKey = recursive ? real + "/**" : real
    if let cached = state.withLock({ $0.directoryCache[cacheKey] }) { return cached }
    var reading = DirectoryReading()
    var names: [String] = []
    var visited: Set<String> = [real]
    func walk(_ directory: String, prefix: String) -> Bool {
      let entries: [String]
      do { entries = try listing(directory) } catch {
        report(area, error, fix: "Make the directory readable by the build user.")
        return false
      }
      for name in entries {
        names.append(prefix + name)
        guard recursive, let sub = try? fs.resolveExisting(directory + "/" + name), fs.rawKind(sub) == .directory,
          visited.insert(sub).inserted
        else { continue }
        _ = walk(sub, prefix: prefix + name + "/")
      }
      return true
    }
    guard walk(real, prefix: "") else { return nil }
    // Resolve every entry first, then read the distinct files on every core (Debian's folder is ~140 links to as
    // many files), then go through the entries in name order with every file already read.
    var entries: [(name: String, child: String, hashLink: HashLinkName?, target: String)] = []
    for name in names {
      let child = path == "/" ? "/" + name : path + "/" + name
      let base = name.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(name[name.index(after: $0)...]) } ?? name
      let hashLink = HashLinkName(base)
      guard hashLink != nil || Self.looksLikeCertificateFile(base) else { continue }
      if hashLink?.isCRL == true { continue }
      let target: String
      do { target = try fs.resolveExisting(child) } catch {
        if case .danglingLink = error {
          reading.danglingLinks.append(name)
        } else {
          report(area, error, fix: Self.defaultReadFix, unreadable: true)
        }
        continue
      }
      switch fs.rawKind(target) {
      case .file: break
      case .directory?: continue
      default:
        // A FIFO or a device under a certificate's name: OpenSSL's folder lookup and the tools that read every file
        // would block or fail on it, and the gate cannot see what root was meant to be there.
        report(area, .notRegular(child, kind: fs.rawSpecialKind(target)), fix: Self.notRegularFix, unreadable: true)
        continue
      }
      entries.append((name, child, hashLink, target))
    }
    var firstShown: [String: String] = [:]
    for entry in entries where firstShown[entry.target] == nil { firstShown[entry.target] = entry.child }
    let files = firstShown.sorted { $0.key < $1.key }
    let workers = min(files.count / 16, activeProcessorCount())
    if workers > 1 {
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        for index in stride(from: worker, to: files.count, by: workers) {
          _ = certificates(
            inResolvedFile: files[index].key, shownAs: files[index].value, area: area, fix: Self.defaultReadFix,
            unreadable: true)
        }
      }
    }
    var seen = Set<String>()
    var members = Set<String>()
    for (name, child, hashLink, target) in entries {
      guard
        let set = certificates(
          inResolvedFile: target, shownAs: child, area: area, fix: Self.defaultReadFix, unreadable: true)
      else { continue }
      if let hashLink {
        let expected = set.certificates.first.flatMap { certificate($0)?.subjectHash }
        if expected != hashLink.hash { reading.mismatchedHashLinks.append(name) }
        reading.hashLinks += 1
      }
      if seen.insert(target).inserted {
        for fingerprint in set.certificates where members.insert(fingerprint).inserted {
          if let certificate = certificate(fingerprint) { register(certificate, into: &reading.set) }
        }
        reading.set.unparsable += set.unparsable
      }
    }
    state.withLock { $0.directoryCache[cacheKey] = reading }
    return reading
  }

  /// A folder's sorted names, listed once per run however many readings (recursive or not) ask for it.
  private func listing(_ directory: String) throws(FileError) -> [String] {
    if let known = state.withLock({ $0.listings[directory] }) { return try known.get() }
    let result: Result<[String], FileError>
    do throws(FileError) { result = .success(try fs.list(directory)) } catch { result = .failure(error) }
    state.withLock { $0.listings[directory] = result }
    return try result.get()
  }

  static func looksLikeCertificateFile(_ name: String) -> Bool {
    name.hasSuffix(".pem") || name.hasSuffix(".crt") || name.hasSuffix(".cer") || name.hasSuffix(".der")
  }

  static let notRegularFix =
    "Remove it, or replace it with the PEM certificate it stands for (then run `update-ca-certificates`)."

  public static let defaultReadFix = "Make sure the file exists, is readable by the build user and holds PEM certificates."
}

/// What a certificate directory holds: its distinct certificates and the state of its hash links.
public struct DirectoryReading: Sendable {
  public var set = CertificateSet()
  public var hashLinks = 0
  public var mismatchedHashLinks: [String] = []
  public var danglingLinks: [String] = []
}

/// An OpenSSL hashed-directory name: 8 hex digits, `.`, a number (`.r0` for CRLs).
struct HashLinkName {
  var hash: String
  var isCRL: Bool

  /// On the bytes, as OpenSSL writes the names (`%08lx.%d`): every name of a CA folder (hundreds) comes here.
  init?(_ name: String) {
    let bytes = Array(name.utf8)
    guard bytes.count >= 10, bytes[8] == UInt8(ascii: ".") else { return nil }
    let hex = bytes[..<8].map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") ? $0 + 0x20 : $0 }
    guard hex.allSatisfy({ Self.isDigit($0) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }) else {
      return nil
    }
    isCRL = bytes[9] == UInt8(ascii: "r")
    let number = bytes[(isCRL ? 10 : 9)...]
    guard !number.isEmpty, number.allSatisfy(Self.isDigit) else { return nil }
    hash = String(decoding: hex, as: UTF8.self)
  }

  private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

#if canImport(Glibc)
  import Glibc
#endif

/// Whole snapshots kept between runs, for the commonest case of all: the same machine and repository inspected again
/// with nothing changed (a pre-commit hook on every commit, a re-run CI job). An entry holds the snapshot without its
/// clock section, every question the collection asked the kernel with its answer (`FileProbes`), and the time window
/// in which no certificate met expires or becomes valid. A later run with the same request (target, paths, policy
/// exclusions, environment) asks the questions again — an lstat per path, a realpath per linked folder — and reuses
/// the snapshot only if every answer is the same and the time is inside the window; the clock section is always
/// collected afresh. Anything else is a miss, and the run collects as usual.
///
/// Lives beside `ParseCache`'s file (same folder, same trust checks, same build identity), in `snapshot-cache.bin`.
public final class SnapshotCache: Sendable {
  public let path: String
  private let hitCount = Locked(0)

  /// Lookups this process answered with a stored snapshot.
  public var hits: Int { hitCount.withLock { $0 } }

  /// Requests remembered: a host inspected with and without `--root`, a couple of repositories.
  static let capacity = 4
  static let magic: [UInt8] = Array("TGSNAP01".utf8)

  struct Entry: Sendable {
    var key: [UInt8]
    /// The SHA-256 of `body`: a damaged file is a miss, not a wrong snapshot.
    var digest: ArraySlice<UInt8>
    /// Window, HEAD, probes, snapshot.
    var body: ArraySlice<UInt8>
  }

  /// What a hit gives: the snapshot (no clock section) and HEAD's commit as it was then.
  public struct Hit {
    public var snapshot: Snapshot
    public var head: HeadCommit?
  }

  /// A commit id and its commit time (seconds since the epoch).
  public struct HeadCommit: Sendable, Equatable {
    public var id: String
    public var time: Int64
    public init(id: String, time: Int64) {
      self.id = id
      self.time = time
    }
  }

  public init(path: String) { self.path = path }

  /// Beside the parse cache's file, when there is one.
  public convenience init?(beside cache: ParseCache?) {
    guard let cachePath = cache?.path, let slash = cachePath.lastIndex(of: "/") else { return nil }
    self.init(path: String(cachePath[..<slash]) + "/snapshot-cache.bin")
  }

  /// The key of a request: what to inspect and every input that is not a file (paths, exclusions, environment).
  public static func key(
    kind: Target.Kind, root: String, repository: String?, repositoryPathInView: String?, excluded: [String],
    environment: [String: String]
  ) -> [UInt8] {
    var material = "trustgate snapshot key 1\0\(kind.rawValue)\0\(root)\0\(repository ?? "\u{1}")\0"
    material += "\(repositoryPathInView ?? "\u{1}")\0\(excluded.count)\0"
    for path in excluded { material += path + "\0" }
    for (name, value) in environment.sorted(by: { $0.key < $1.key }) where !volatileVariables.contains(name) {
      material += name + "=" + value + "\0"
    }
    return ContentDigest.sha256(Array(material.utf8))
  }

  /// Variables that change from run to run and that no collector reads: the shell's, trustgate's own profiling switch,
  /// and the random-length padding hyperfine adds to every benchmarked run.
  static let volatileVariables: Set<String> = [
    "_", "OLDPWD", "SHLVL", "TRUSTGATE_PROFILE", "HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET",
  ]

  /// The snapshot stored for `key`, when `now` (ISO 8601) is inside its window and the kernel still gives every
  /// answer it gave; nil otherwise, with `missed` told why (`TRUSTGATE_PROFILE` prints it).
  public func lookup(_ key: [UInt8], now: String, missed: (String) -> Void = { _ in }) -> Hit? {
    guard let entry = Self.readEntry(key, from: path) else {
      missed("no snapshot stored for this request")
      return nil
    }
    let hit = Self.read(entry, now: now, missed: missed)
    if hit != nil { hitCount.withLock { $0 += 1 } }
    return hit
  }

  /// An entry's snapshot, when `now` is inside its window and every stored answer is still the kernel's.
  /// `verifyDigest: false` is for the fuzzer, which would otherwise never get past the digest.
  static func read(
    _ entry: Entry, now: String, verifyDigest: Bool = true, missed: (String) -> Void = { _ in }
  ) -> Hit? {
    var reader = CacheReader(entry.body)
    guard let from = reader.string(), let until = reader.optionalString(), let hasHead = reader.bool() else {
      missed("malformed entry")
      return nil
    }
    guard now >= from, until.map({ now < $0 }) ?? true else {
      missed("the time left the window \(from) ..< \(until ?? "")")
      return nil
    }
    var head: HeadCommit?
    if hasHead {
      guard let id = reader.string(), let time = reader.int() else {
        missed("malformed entry")
        return nil
      }
      head = HeadCommit(id: id, time: Int64(time))
    }
    switch FileProbes.replay(&reader) {
    case .same: break
    case .changed(let path):
      missed("\(path) changed")
      return nil
    case .malformed:
      missed("malformed entry")
      return nil
    }
    // The probes said the tree is unchanged; the digest says the stored bytes are what was written.
    guard !verifyDigest || ContentDigest.sha256(entry.body)[...] == entry.digest else {
      missed("damaged entry")
      return nil
    }
    guard let bytes = reader.data(), reader.atEnd, let snapshot = SnapshotCodec.decode(bytes) else {
      missed("malformed snapshot")
      return nil
    }
    return Hit(snapshot: snapshot, head: head)
  }

  /// Keeps `snapshot` (collected at `now`, clock section left out) for `key`, with the answers that vouch for it.
  /// Nothing is kept when it cannot be vouched for: the probes were spoilt or too fresh, or a problem's text holds the
  /// time itself; the answer says why (`TRUSTGATE_PROFILE` prints it).
  @discardableResult public func store(
    _ key: [UInt8], snapshot: Snapshot, now: String, probes: FileProbes, settledBefore: Int64, head: HeadCommit?
  ) -> String? {
    guard snapshot.clock == nil else { return "the snapshot has a clock section" }
    let record: FileProbes.Record
    switch probes.settlement(before: settledBefore) {
    case .settled(let settled): record = settled
    case .spoilt: return "a file could not be read, or changed while read"
    case .fresh(let path): return "\(path) changed less than two seconds ago"
    }
    if snapshot.problems.contains(where: { $0.message.contains(now) }) { return "a problem names the time" }
    var writer = CacheWriter()
    writer.string(now)
    writer.optionalString(Self.windowEnd(snapshot, now: now))
    writer.bool(head != nil)
    if let head {
      writer.string(head.id)
      writer.int(Int(head.time))
    }
    FileProbes.encode(record, into: &writer)
    // The snapshot's bytes go to the file as they are (a 5,000-root bundle's are ~1 MB): no copy into this entry.
    let snapshotPieces = SnapshotCodec.encodePieces(snapshot)
    writer.int(snapshotPieces.reduce(0) { $0 + $1.count })
    let body = [writer.output] + snapshotPieces
    let digest = SHA256Digest()
    for piece in body { digest.update(piece) }
    guard let digestBytes = digest.finalizeRaw() else { return "no SHA-256" }
    // The other requests' entries, kept as they are (the newest first).
    let stored = ParseCache.readTrusted(path).flatMap { Self.decode($0, identity: ParseCache.binaryIdentity) } ?? []
    let others = stored.filter { $0.key != key }.prefix(Self.capacity - 1)
    var header = CacheWriter()
    header.bytes(Self.magic)
    header.string(ParseCache.binaryIdentity)
    header.int(1 + others.count)
    header.data(key)
    header.data(digestBytes)
    header.int(body.reduce(0) { $0 + $1.count })
    var pieces: [ArraySlice<UInt8>] = [header.output[...]] + body.map { $0[...] }
    for entry in others {
      var lengths = CacheWriter()
      lengths.data(entry.key)
      lengths.data(entry.digest)
      lengths.int(entry.body.count)
      pieces += [lengths.output[...], entry.body]
    }
    ParseCache.write(pieces: pieces, to: path)
    return nil
  }

  /// The first instant at or after `now` when a certificate's expiry or validity could read differently: its
  /// notBefore or notAfter (ISO 8601 strings compare as times). nil: none ahead.
  static func windowEnd(_ snapshot: Snapshot, now: String) -> String? {
    var end: String?
    for certificate in snapshot.certificates.values {
      for boundary in [certificate.notBefore, certificate.notAfter] where boundary >= now {
        if end.map({ boundary < $0 }) ?? true { end = boundary }
      }
    }
    return end
  }

  /// The entry stored for `key`, read alone: the file's other entries (another root's 5,000-certificate snapshot)
  /// are skipped by their lengths, not read.
  static func readEntry(_ key: [UInt8], from path: String) -> Entry? {
    guard let (fd, size) = ParseCache.openTrusted(path) else { return nil }
    defer { close(fd) }
    // Header and each entry's key, digest and body length fit in this much; the body is read on its own.
    let window = 4096
    guard let head = ParseCache.readAt(fd, offset: 0, count: min(size, window)) else { return nil }
    var reader = CacheReader(head)
    guard reader.bytes(count: magic.count) == magic[...], reader.string() == ParseCache.binaryIdentity,
      let count = reader.int(), count >= 0, count <= capacity
    else { return nil }
    var offset = reader.offset
    for _ in 0..<count {
      guard let prefix = ParseCache.readAt(fd, offset: offset, count: min(size - offset, 256)) else { return nil }
      var entry = CacheReader(prefix)
      guard let entryKey = entry.data(), let digest = entry.data(), let length = entry.int(), length >= 0,
        length <= size - offset - entry.offset
      else { return nil }
      if entryKey.elementsEqual(key) {
        guard let body = ParseCache.readAt(fd, offset: offset + entry.offset, count: length), body.count == length
        else { return nil }
        return Entry(key: key, digest: digest, body: body[...])
      }
      offset += entry.offset + length
    }
    return nil
  }

  /// The entries of a file's bytes, when the build `identity` wrote them (any build, when nil).
  static func decode(_ bytes: [UInt8], identity: String?) -> [Entry]? {
    var reader = CacheReader(bytes)
    guard reader.bytes(count: magic.count) == magic[...], let writer = reader.string(),
      identity == nil || writer == identity, let count = reader.int(), count >= 0, count <= capacity
    else { return nil }
    var entries: [Entry] = []
    for _ in 0..<count {
      guard let key = reader.data(), let digest = reader.data(), let body = reader.data() else { return nil }
      entries.append(Entry(key: Array(key), digest: digest, body: body))
    }
    return entries
  }
}

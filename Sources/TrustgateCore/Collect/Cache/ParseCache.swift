#if canImport(Glibc)
  import Glibc
#endif

/// Results of parsing, kept between runs in one file of the user's cache folder, so a pre-commit hook or a CI job
/// with a restored cache does not parse the same CA bundles and baseline lockfiles again.
///
/// Every result is keyed by the content it was computed from (the SHA-256 of a file's bytes, or a git object id),
/// so an entry cannot go stale: changed bytes are a different key. To skip even reading a file, its identity (device,
/// inode, size, modification and change times) maps to its digest, remembered only once the change time is two
/// seconds old. The file records which trustgate build wrote it; another build (parsers may differ) starts afresh.
/// A cache that cannot be read, written or trusted (another owner, writable by others) is simply not used.
public final class ParseCache: Sendable {
  /// What an entry holds; part of its key.
  public enum Kind: UInt8, Sendable {
    case certificateFile = 1
    case lockfile = 2
    case commitTime = 3
    /// A file's identity (`FileIdentity.key`) → the SHA-256 of its bytes.
    case fileDigest = 4
    case metadata = 5
    /// A commit (by a key from git's files, see `GitHead.revisionKey`) and the walk's exclusions → the lockfiles in
    /// its tree with their blob ids: a baseline whose lockfile readings are cached too needs no libgit2.
    case lockfileListing = 6
    /// A recorded snapshot file (`--baseline`), by the SHA-256 of its JSON → the snapshot in `SnapshotCodec`'s form.
    case recordedSnapshot = 7
  }

  /// Where the cache file lives; nil when caching is off.
  public let path: String?
  private let state: Locked<State>

  private struct State {
    /// Entries read from the file: key → payload (slices of the file's bytes, copied only when used). Read at the
    /// first lookup, so commands that never look anything up (`rules`, `--help`) never read the file.
    var loaded: [[UInt8]: ArraySlice<UInt8>]?
    var used: Set<[UInt8]> = []
    var added: [[UInt8]: [UInt8]] = [:]

    mutating func stored(_ path: String?) -> [[UInt8]: ArraySlice<UInt8>] {
      if let loaded { return loaded }
      let entries = path.flatMap(ParseCache.load) ?? [:]
      loaded = entries
      return entries
    }
  }

  /// The most the file holds. Entries this run did not use are kept only up to `unusedBudget`, so a cache shared by
  /// many images or roots stays small to load.
  static let capacity = 32 << 20
  static let unusedBudget = 2 << 20
  static let magic: [UInt8] = Array("TGCACHE1".utf8)

  /// A cache that keeps nothing between runs (tests, `TRUSTGATE_CACHE=off`) but still memoises within one run.
  public init() {
    path = nil
    state = Locked(State())
    settledBefore = Self.twoSecondsAgo()
  }

  /// A cache at `path`; `stored` stands for the file's entries when given (tests), else the file is read at first use.
  init(path: String, stored: [[UInt8]: ArraySlice<UInt8>]? = nil, settledBefore: Int64 = twoSecondsAgo()) {
    self.path = path
    state = Locked(State(loaded: stored))
    self.settledBefore = settledBefore
  }

  /// Identities whose status-change time is after this (now − 2 s, in ns) are not remembered: a write within the same
  /// timestamp tick could leave size and times unchanged (git's "racily clean" problem).
  let settledBefore: Int64

  static func twoSecondsAgo() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return (Int64(now.tv_sec) - 2) * 1_000_000_000 + Int64(now.tv_nsec)
  }

  /// The SHA-256 of a file's bytes, remembered by its identity; nil when not known.
  func digest(of identity: FileIdentity) -> [UInt8]? {
    lookup(.fileDigest, identity.key).map(Array.init)
  }

  /// Remembers a file's digest by its identity, once no write can share its timestamps.
  func remember(_ digest: [UInt8], of identity: FileIdentity) {
    guard identity.changed < settledBefore, identity.modified < settledBefore else { return }
    store(.fileDigest, identity.key, digest)
  }

  /// The cache for this process: `TRUSTGATE_CACHE_DIR`, else `$XDG_CACHE_HOME/trustgate`, else
  /// `$HOME/.cache/trustgate`; none with `TRUSTGATE_CACHE=off` (or `0`, `false`, `no`) or without a home.
  public static func open(environment: [String: String]) -> ParseCache? {
    if let setting = environment["TRUSTGATE_CACHE"]?.lowercased(), ["off", "0", "false", "no"].contains(setting) {
      return nil
    }
    let folder: String
    if let dir = environment["TRUSTGATE_CACHE_DIR"], !dir.isEmpty {
      folder = dir
    } else if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
      folder = xdg + "/trustgate"
    } else if let home = environment["HOME"], home.hasPrefix("/"), home != "/" {
      folder = home + "/.cache/trustgate"
    } else {
      return nil
    }
    let path = folder + "/parse-cache.bin"
    return ParseCache(path: path)
  }

  /// The payload stored under `key`, if any (a slice of the cache file, not a copy); marks it as used this run.
  public func lookup(_ kind: Kind, _ key: [UInt8]) -> ArraySlice<UInt8>? {
    let full = [kind.rawValue] + key
    return state.withLock { state in
      if let added = state.added[full] { return added[...] }
      guard let payload = state.stored(path)[full] else { return nil }
      state.used.insert(full)
      return payload
    }
  }

  public func store(_ kind: Kind, _ key: [UInt8], _ payload: [UInt8]) {
    let full = [kind.rawValue] + key
    state.withLock { state in
      if state.stored(path)[full] == nil { state.added[full] = payload }
    }
  }

  /// Writes the file when this run added entries (a run that only hit the cache writes nothing). Failures are
  /// silent: the cache is an optimisation, never a reason to fail a build.
  public func save() {
    guard let path else { return }
    let entries: [([UInt8], ArraySlice<UInt8>)] = state.withLock { state in
      guard !state.added.isEmpty else { return [] }
      let stored = state.stored(path)
      // New and used entries first, then older ones while they fit their budget.
      var keep = state.added.map { ($0.key, $0.value[...]) }
      var size = keep.reduce(0) { $0 + $1.0.count + $1.1.count }
      for (key, payload) in stored where state.used.contains(key) && size + key.count + payload.count <= Self.capacity {
        size += key.count + payload.count
        keep.append((key, payload))
      }
      var unused = 0
      for (key, payload) in stored.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) })
      where !state.used.contains(key) && unused + key.count + payload.count <= Self.unusedBudget {
        unused += key.count + payload.count
        keep.append((key, payload))
      }
      state.loaded = stored.merging(state.added.mapValues { $0[...] }) { old, _ in old }
      state.added = [:]
      return keep
    }
    guard !entries.isEmpty else { return }
    var writer = CacheWriter()
    writer.bytes(Self.magic)
    writer.string(Self.binaryIdentity)
    writer.int(entries.count)
    for (key, payload) in entries.sorted(by: { $0.0.lexicographicallyPrecedes($1.0) }) {
      writer.data(key)
      writer.data(payload)
    }
    Self.write(writer.output, to: path)
  }

  /// Which trustgate build this is: its GNU build id (portable: the same build restored on another CI runner keeps
  /// its cache), else the executable's inode, size and modification time. A rebuild changes either.
  /// The OpenSSL library is part of it: it is loaded at run time, parses every certificate and its version is in
  /// every snapshot, so an upgraded libcrypto starts afresh too.
  static let binaryIdentity: String = {
    let library = " openssl:" + OpenSSLLibrary.version
    if let buildID = BuildIdentity.buildID { return "build-id:" + buildID + library }
    var info = stat()
    guard stat("/proc/self/exe", &info) == 0 else { return "unknown" + library }
    return "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)" + library
  }()

  /// The entries of a cache file written by this binary and owned by this user; nil otherwise.
  static func load(_ path: String) -> [[UInt8]: ArraySlice<UInt8>]? {
    readTrusted(path).flatMap { decode($0, identity: binaryIdentity) }
  }

  /// The bytes of a cache file, when this user owns it and nobody else may write it; nil otherwise.
  static func readTrusted(_ path: String) -> [UInt8]? {
    guard let (fd, size) = openTrusted(path) else { return nil }
    defer { close(fd) }
    return readAt(fd, offset: 0, count: size)
  }

  /// An open descriptor and the size of a cache file this user owns and nobody else may write; nil otherwise.
  static func openTrusted(_ path: String) -> (fd: Int32, size: Int)? {
    let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
      info.st_mode & 0o022 == 0, info.st_size <= capacity * 2
    else {
      close(fd)
      return nil
    }
    return (fd, Int(info.st_size))
  }

  /// `count` bytes at `offset` (fewer at the end of the file); nil on a read error.
  static func readAt(_ fd: Int32, offset: Int, count: Int) -> [UInt8]? {
    var bytes = [UInt8](repeating: 0, count: max(0, count))
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { return nil }
      if n == 0 { break }
      done += n
    }
    if done < bytes.count { bytes.removeLast(bytes.count - done) }
    return bytes
  }

  /// The entries of a cache file's bytes; nil when they are not a cache written by `identity` (any, when nil).
  static func decode(_ bytes: [UInt8], identity: String?) -> [[UInt8]: ArraySlice<UInt8>]? {
    var reader = CacheReader(bytes)
    guard reader.bytes(count: magic.count) == magic[...], let writer = reader.string(),
      identity == nil || writer == identity,
      let count = reader.int(), count >= 0
    else { return nil }
    var entries: [[UInt8]: ArraySlice<UInt8>] = [:]
    entries.reserveCapacity(min(count, bytes.count))
    for _ in 0..<count {
      guard let key = reader.data(), let payload = reader.data() else { return nil }
      entries[Array(key)] = payload
    }
    return entries
  }

  /// Writes through a temporary file and a rename, so a reader never sees half a cache; folders are private.
  static func write(_ bytes: [UInt8], to path: String) { write(pieces: [bytes[...]], to: path) }

  /// The same for a file given in pieces, written one after another.
  static func write(pieces: [ArraySlice<UInt8>], to path: String) {
    guard let slash = path.lastIndex(of: "/") else { return }
    let folder = String(path[..<slash])
    makeFolders(folder)
    let temporary = path + ".\(getpid()).tmp"
    let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return }
    var complete = true
    for bytes in pieces where complete {
      var done = 0
      while done < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { break }
        done += n
      }
      complete = done == bytes.count
    }
    close(fd)
    if complete && rename(temporary, path) == 0 { return }
    unlink(temporary)
  }

  private static func makeFolders(_ folder: String) {
    var current = ""
    for part in folder.split(separator: "/") {
      current += "/" + part
      _ = mkdir(current, 0o700)
    }
  }
}

/// Appends cache values: unsigned LEB128 integers, and byte strings prefixed by their length.
struct CacheWriter {
  var output: [UInt8] = []

  mutating func int(_ value: Int) {
    var rest = UInt64(bitPattern: Int64(value))
    while rest >= 0x80 {
      output.append(UInt8(rest & 0x7F) | 0x80)
      rest >>= 7
    }
    output.append(UInt8(rest))
  }

  mutating func bytes(_ bytes: [UInt8]) { output += bytes }

  mutating func data(_ bytes: some Collection<UInt8>) {
    int(bytes.count)
    output += bytes
  }

  mutating func string(_ text: String) { data(text.utf8) }

  mutating func optionalString(_ text: String?) {
    bool(text != nil)
    if let text { string(text) }
  }

  mutating func bool(_ value: Bool) { output.append(value ? 1 : 0) }
}

/// Reads what `CacheWriter` wrote, from an array or a slice of one (payloads stay slices of the cache file); every
/// read answers nil past the end or on a malformed value.
struct CacheReader {
  let input: ArraySlice<UInt8>
  var offset: Int

  init(_ input: [UInt8]) { self.init(input[...]) }

  init(_ input: ArraySlice<UInt8>) {
    self.input = input
    offset = input.startIndex
  }

  var atEnd: Bool { offset == input.endIndex }

  mutating func int() -> Int? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while offset < input.endIndex, shift < 64 {
      let byte = input[offset]
      offset += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte & 0x80 == 0 { return Int(Int64(bitPattern: value)) }
      shift += 7
    }
    return nil
  }

  mutating func bytes(count: Int) -> ArraySlice<UInt8>? {
    guard count >= 0, count <= input.endIndex - offset else { return nil }
    defer { offset += count }
    return input[offset..<offset + count]
  }

  mutating func data() -> ArraySlice<UInt8>? {
    guard let count = int() else { return nil }
    return bytes(count: count)
  }

  mutating func string() -> String? { data().map { String(decoding: $0, as: UTF8.self) } }

  mutating func optionalString() -> String?? {
    guard let present = bool() else { return nil }
    return present ? string().map { .some($0) } : .some(nil)
  }

  mutating func bool() -> Bool? {
    guard offset < input.endIndex, input[offset] <= 1 else { return nil }
    defer { offset += 1 }
    return input[offset] == 1
  }
}

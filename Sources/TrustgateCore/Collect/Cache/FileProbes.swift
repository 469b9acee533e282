#if canImport(Glibc)
  import Glibc
#endif

/// What the kernel said about one path (lstat): its type and permissions, device, inode, size, and modification and
/// status-change times in ns. Any change to a file's bytes, a folder's entries (a name added, removed or renamed; a
/// link replaced) or a path's permissions changes one of these, and no program can set a status-change time back.
struct FileStatus: Hashable, Sendable {
  var mode: UInt32
  var device: UInt64
  var inode: UInt64
  var size: Int64
  var modified: Int64
  var changed: Int64

  init(_ info: stat) {
    let identity = FileIdentity(info)
    self.init(
      mode: UInt32(info.st_mode), device: identity.device, inode: identity.inode, size: identity.size,
      modified: identity.modified, changed: identity.changed)
  }

  init(mode: UInt32, device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
    self.mode = mode
    self.device = device
    self.inode = inode
    self.size = size
    self.modified = modified
    self.changed = changed
  }

  var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
}

/// Every question a collection asked the kernel about host paths, with the answers: the lstat of each path met (or
/// its errno), the real path of each folder resolved, and the folders only walked through. A later run that gets the
/// same answers to the same questions would read the same bytes and list the same names, so it may reuse the
/// snapshot instead of collecting (see `SnapshotCache`). A run whose answers changed while it ran, or that met an
/// error it cannot replay (a file it could not open), is not reusable.
public final class FileProbes: Sendable {
  struct Record: Sendable {
    /// lstat answers: a status, or the errno of a failed call.
    var entries: [String: Answer] = [:]
    /// realpath(3) answers for folders whose path holds a link.
    var realPaths: [String: String?] = [:]
    /// Folders whose realpath was themselves: each prefix must still be a real folder (not a link).
    var plainFolders: Set<String> = []
    var spoilt = false
  }

  enum Answer: Hashable, Sendable {
    case status(FileStatus)
    case failed(Int32)
  }

  private let record = Locked(Record())

  public init() {}

  /// An lstat (or fstat of a file or folder just opened, which is the same for a path without links) answer.
  func saw(_ path: String, _ info: stat) { note(path, .status(FileStatus(info))) }

  func failed(_ path: String, errno code: Int32) { note(path, .failed(code)) }

  private func note(_ path: String, _ answer: Answer) {
    record.withLock { record in
      if let earlier = record.entries[path] {
        if earlier != answer { record.spoilt = true }
      } else {
        record.entries[path] = answer
      }
    }
  }

  /// A host folder's realpath answer.
  func resolved(_ folder: String, to real: String?) {
    record.withLock { record in
      if real == folder { record.plainFolders.insert(folder) } else { record.realPaths[folder] = .some(real) }
    }
  }

  /// Something happened that a replay of lstat answers could not vouch for (a read error, a file that changed while
  /// read): this run's snapshot is not reused.
  func spoil() { record.withLock { $0.spoilt = true } }

  /// The questions and answers, or nil when the run is not reusable: spoilt, or any path changed within two seconds
  /// before `settledBefore` (ns) — a write in the same timestamp tick as a read could leave the answer unchanged.
  func settled(before settledBefore: Int64) -> Record? {
    if case .settled(let record) = settlement(before: settledBefore) { return record }
    return nil
  }

  enum Settlement {
    case settled(Record)
    case spoilt
    /// A path whose answer is younger than two seconds.
    case fresh(String)
  }

  func settlement(before settledBefore: Int64) -> Settlement {
    record.withLock { record in
      guard !record.spoilt else { return .spoilt }
      for (path, answer) in record.entries {
        if case .status(let status) = answer, status.changed >= settledBefore || status.modified >= settledBefore {
          return .fresh(path)
        }
      }
      return .settled(record)
    }
  }

  // MARK: storing and replaying

  static func encode(_ record: Record, into writer: inout CacheWriter) {
    // A name that is missing or a link, in a folder whose own answer is kept, needs no answer of its own: adding,
    // removing or replacing a name (links cannot be changed in place) changes the folder's modification time.
    let folders = Set(
      record.entries.compactMap { path, answer in
        if case .status(let status) = answer, status.isDirectory { return path }
        return nil
      })
    let entries = record.entries.filter { path, answer in
      switch answer {
      case .failed(let code) where code == ENOENT: break
      case .status(let status) where status.mode & UInt32(S_IFMT) == UInt32(S_IFLNK): break
      default: return true
      }
      guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return true }
      return !folders.contains(String(path[..<slash]))
    }.sorted { $0.key < $1.key }
    writer.int(entries.count)
    for (path, answer) in entries {
      writer.data(Array(path.utf8) + [0])
      switch answer {
      case .status(let s):
        writer.bool(true)
        for value in [Int(s.mode), Int(bitPattern: UInt(s.device)), Int(bitPattern: UInt(s.inode))] {
          writer.int(value)
        }
        for value in [s.size, s.modified, s.changed] { writer.int(Int(value)) }
      case .failed(let code):
        writer.bool(false)
        writer.int(Int(code))
      }
    }
    // A folder whose own lstat is recorded needs no separate check that it is a folder.
    let plain = record.plainFolders.flatMap(prefixes).filter { prefix in
      if case .status(let s) = record.entries[prefix], s.isDirectory { return false }
      return true
    }
    let plainFolders = Set(plain).sorted()
    writer.int(plainFolders.count)
    for folder in plainFolders { writer.data(Array(folder.utf8) + [0]) }
    let realPaths = record.realPaths.sorted { $0.key < $1.key }
    writer.int(realPaths.count)
    for (folder, real) in realPaths {
      writer.string(folder)
      writer.optionalString(real)
    }
  }

  /// Every proper and improper prefix of an absolute folder path: `/a/b` → `/a`, `/a/b`.
  static func prefixes(_ folder: String) -> [String] {
    var result: [String] = []
    var current = ""
    for part in folder.split(separator: "/") {
      current += "/" + part
      result.append(current)
    }
    return result
  }

  enum Replay: Equatable {
    case same
    /// The first path whose answer differs.
    case changed(String)
    case malformed
  }

  /// Asks every stored question again, in the stored form (a warm run builds no table), up to the first answer that
  /// differs.
  static func replay(_ reader: inout CacheReader) -> Replay {
    guard let count = reader.int(), count >= 0 else { return .malformed }
    var info = stat()
    for _ in 0..<count {
      guard let path = reader.data(), let isStatus = reader.bool() else { return .malformed }
      let result = lstatPath(path, &info)
      if isStatus {
        guard let mode = reader.int(), let device = reader.int(), let inode = reader.int(), let size = reader.int(),
          let modified = reader.int(), let changed = reader.int()
        else { return .malformed }
        let expected = FileStatus(
          mode: UInt32(truncatingIfNeeded: mode), device: UInt64(UInt(bitPattern: device)),
          inode: UInt64(UInt(bitPattern: inode)), size: Int64(size), modified: Int64(modified), changed: Int64(changed))
        guard result == 0, FileStatus(info) == expected else { return .changed(text(path)) }
      } else {
        guard let code = reader.int() else { return .malformed }
        guard result != 0, Int(result) == code else { return .changed(text(path)) }
      }
    }
    guard let folders = reader.int(), folders >= 0 else { return .malformed }
    for _ in 0..<folders {
      guard let path = reader.data() else { return .malformed }
      let result = lstatPath(path, &info)
      guard result == 0, info.st_mode & S_IFMT == S_IFDIR else { return .changed(text(path)) }
    }
    guard let realPaths = reader.int(), realPaths >= 0 else { return .malformed }
    for _ in 0..<realPaths {
      guard let folder = reader.string(), let real = reader.optionalString() else { return .malformed }
      guard hostRealPath(folder) == real else { return .changed(folder) }
    }
    return .same
  }

  /// lstat of a path stored as NUL-terminated UTF-8, straight from the cache file's bytes: 0, or the errno (EINVAL
  /// for a path that is not terminated or holds another NUL, which no recorded path does).
  private static func lstatPath(_ path: ArraySlice<UInt8>, _ info: inout stat) -> Int32 {
    guard path.last == 0, path.firstIndex(of: 0) == path.index(before: path.endIndex) else { return EINVAL }
    return path.withUnsafeBufferPointer { bytes in
      guard let base = bytes.baseAddress else { return EINVAL }
      return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { lstat($0, &info) } == 0 ? 0 : errno
    }
  }

  /// A stored path without its terminating NUL, for messages.
  private static func text(_ path: ArraySlice<UInt8>) -> String {
    String(decoding: path.prefix { $0 != 0 }, as: UTF8.self)
  }
}

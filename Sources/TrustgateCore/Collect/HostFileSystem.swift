#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import Synchronization

/// A directory tree on this machine seen as a view: `/` for the live host, or an unpacked image's root.
public struct HostFileSystem: FileSystemView {
  /// Absolute host path of the view's root, without a trailing slash (`""` for `/`).
  public let root: String
  /// lstat results of this run: symlink resolution asks about the same parent folders again and again.
  private let kinds = KindCache()
  /// Folder listings of this run, by host path; shared with the run's other views (`Workspace` gives the host and the
  /// repository one memo), so a folder two collectors walk is listed once.
  let listings: ListingMemo

  public init(root: String = "/") {
    self.init(root: root, listings: ListingMemo())
  }

  init(root: String, listings: ListingMemo) {
    var r = root
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    self.root = r == "/" ? "" : r
    self.listings = listings
  }

  public var label: String { root.isEmpty ? "host" : "root \(root)" }

  /// The folder part is resolved once per folder and remembered — by the kernel (realpath) on the live host, by the
  /// component walk inside a root (where the kernel would follow absolute links out of it) — and links of the last
  /// component are followed here. nil whenever anything is missing, so the component walk can say exactly what.
  public func quickResolve(_ path: String) -> String? {
    guard path.hasPrefix("/") else { return nil }
    var current = path
    for _ in 0..<40 {
      guard let slash = current.lastIndex(of: "/") else { return nil }
      let folder = slash == current.startIndex ? "/" : String(current[..<slash])
      let name = String(current[current.index(after: slash)...])
      guard let realFolder = realFolder(folder) else { return nil }
      if name.isEmpty || name == "." { return realFolder }
      if name == ".." { return nil }
      let candidate = realFolder == "/" ? "/" + name : realFolder + "/" + name
      switch rawKind(candidate) {
      case .symlink(let target):
        current = target.hasPrefix("/") ? target : (realFolder == "/" ? "/" : realFolder + "/") + target
      case .none: return nil
      default: return candidate
      }
    }
    return nil
  }

  private func realFolder(_ folder: String) -> String? {
    if root.isEmpty {
      return kinds.realFolder(folder) { hostRealPath($0) }
    }
    return kinds.realFolder(folder) { try? resolveByWalking($0) }
  }

  func hostPath(_ resolvedPath: String) -> String { root + (resolvedPath == "/" ? (root.isEmpty ? "/" : "") : resolvedPath) }

  public func rawKind(_ resolvedPath: String) -> FileKind? {
    if let cached = kinds.get(resolvedPath) { return cached }
    let kind = lstatKind(resolvedPath)
    kinds.set(resolvedPath, kind)
    return kind
  }

  private func lstatKind(_ resolvedPath: String) -> FileKind? {
    var info = stat()
    let path = hostPath(resolvedPath)
    guard lstat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file(size: Int(info.st_size))
    case S_IFDIR: return .directory
    case S_IFLNK:
      guard let target = linkTarget(resolvedPath) else { return .other }
      return .symlink(target: target)
    default: return .other
    }
  }

  public func rawSpecialKind(_ resolvedPath: String) -> String? {
    var info = stat()
    guard lstat(hostPath(resolvedPath), &info) == 0 else { return nil }
    return Self.kindName(info.st_mode)
  }

  /// What a file type is, in words, for messages: "a FIFO (named pipe)", "a directory"...
  static func kindName(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a regular file"
    case S_IFIFO: return FileError.fifo
    case S_IFSOCK: return "a socket"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFDIR: return "a directory"
    case S_IFLNK: return "a symbolic link"
    default: return "not a regular file"
    }
  }

  private func linkTarget(_ resolvedPath: String) -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink(hostPath(resolvedPath), &buffer, buffer.count - 1)
    guard count >= 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  public func rawList(_ resolvedPath: String) throws(FileError) -> [String] {
    try rawListTyped(resolvedPath).map(\.name)
  }

  public func rawListTyped(_ resolvedPath: String) throws(FileError) -> [(name: String, type: EntryType)] {
    let folder = resolvedPath == "/" ? "" : resolvedPath
    let entries = try listings.listing(hostPath(resolvedPath)) { readListing(resolvedPath) }.get()
    // What the listing told about its entries, remembered here too when another view listed the folder.
    for entry in entries { if let kind = entry.kind { kinds.set(folder + "/" + entry.name, kind) } }
    return entries.map { ($0.name, $0.type) }
  }

  private func readListing(_ resolvedPath: String) -> ListingMemo.Listing {
    // O_DIRECTORY: a FIFO swapped in for the folder is refused, not opened for reading.
    let fd = open(hostPath(resolvedPath), O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0, let dir = fdopendir(fd) else {
      let reason = String(cString: strerror(errno))
      return .failure(.notReadable(resolvedPath, reason: reason))
    }
    defer { closedir(dir) }
    var entries: [ListingMemo.Entry] = []
    let folder = resolvedPath == "/" ? "" : resolvedPath
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      guard name != "." && name != ".." else { continue }
      // The entry's type comes with the listing: folders need no lstat later, links only their readlink (CA folders
      // are mostly links). Regular files are left to lstat, which also gives their size, when someone asks.
      switch Int32(entry.pointee.d_type) {
      case Int32(DT_DIR): entries.append(.init(name: name, type: .directory, kind: .directory))
      case Int32(DT_LNK):
        entries.append(.init(name: name, type: .symlink, kind: linkTarget(folder + "/" + name).map { .symlink(target: $0) }))
      case Int32(DT_REG): entries.append(.init(name: name, type: .file, kind: nil))
      case Int32(DT_UNKNOWN):
        let kind = lstatKind(folder + "/" + name)
        entries.append(.init(name: name, type: EntryType(kind), kind: kind))
      default: entries.append(.init(name: name, type: .other, kind: nil))
      }
    }
    return .success(entries)
  }

  public func rawReadPrefix(_ resolvedPath: String, count: Int) throws(FileError) -> [UInt8] {
    let file = try openRegular(resolvedPath, limit: nil)
    defer { close(file.descriptor) }
    // Not capped at the size fstat gives: files under /proc say 0 and hold bytes.
    return try readFully(file.descriptor, resolvedPath, count: count)
  }

  public func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8] {
    let file = try openRegular(resolvedPath, limit: limit)
    defer { close(file.descriptor) }
    guard file.size == 0 else { return try readFully(file.descriptor, resolvedPath, count: file.size) }
    // Files under /proc and /sys say 0 and hold bytes (`--policy /proc/self/environ` read as an empty policy):
    // read to their end, still no more than the limit.
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while bytes.count <= limit {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(file.descriptor, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
      }
      if n == 0 { return bytes }
      bytes += chunk[..<n]
    }
    throw .tooLarge(resolvedPath, size: bytes.count, limit: limit)
  }

  public func rawReadRange(_ resolvedPath: String, offset: Int, count: Int) throws(FileError) -> [UInt8] {
    let file = try openRegular(resolvedPath, limit: nil)
    defer { close(file.descriptor) }
    guard offset >= 0, offset < file.size, lseek(file.descriptor, off_t(offset), SEEK_SET) >= 0 else { return [] }
    return try readFully(file.descriptor, resolvedPath, count: min(count, file.size - offset))
  }

  /// Opens a regular file for reading, checking before `open` what lstat says (its type and size against `limit`)
  /// and after it what fstat says of the descriptor: a FIFO, socket or device is refused without a blocking open
  /// (O_NONBLOCK), a link swapped in is refused (O_NOFOLLOW), and a file too large is never read.
  private func openRegular(_ resolvedPath: String, limit: Int?) throws(FileError) -> (descriptor: Int32, size: Int) {
    let path = hostPath(resolvedPath)
    var info = stat()
    guard lstat(path, &info) == 0 else {
      throw errno == ENOENT ? .notFound(resolvedPath) : .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
    }
    try Self.checkRegular(info, resolvedPath, limit: limit)
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
    guard fd >= 0 else { throw .notReadable(resolvedPath, reason: String(cString: strerror(errno))) }
    // The same checks on what was opened: the entry may have been replaced between lstat and open.
    guard fstat(fd, &info) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw .notReadable(resolvedPath, reason: reason)
    }
    do { try Self.checkRegular(info, resolvedPath, limit: limit) } catch {
      close(fd)
      throw error
    }
    return (fd, Int(info.st_size))
  }

  private static func checkRegular(_ info: stat, _ resolvedPath: String, limit: Int?) throws(FileError) {
    switch info.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw .isDirectory(resolvedPath)
    default: throw .notRegular(resolvedPath, kind: kindName(info.st_mode))
    }
    if let limit, Int(info.st_size) > limit { throw .tooLarge(resolvedPath, size: Int(info.st_size), limit: limit) }
  }

  /// Up to `count` bytes from an open file; fewer when the file shrank while read.
  private func readFully(_ fd: Int32, _ resolvedPath: String, count: Int) throws(FileError) -> [UInt8] {
    var failure: FileError?
    let bytes = freshBytes(count: count) { buffer in
      var done = 0
      while done < count {
        let n = Glibc.read(fd, buffer.baseAddress.map { $0 + done }, count - done)
        if n < 0 {
          if errno == EINTR { continue }
          failure = .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
          break
        }
        if n == 0 { break }
        done += n
      }
      return done
    }
    if let failure { throw failure }
    return bytes
  }
}

/// A thread-safe memo of lstat answers (nil answers included) for one `HostFileSystem`.
final class KindCache: Sendable {
  private let entries = Locked<[String: FileKind?]>([:])
  private let folders = Locked<[String: String?]>([:])

  func get(_ path: String) -> FileKind?? { entries.withLock { $0[path] } }
  func set(_ path: String, _ kind: FileKind?) { entries.withLock { $0[path] = .some(kind) } }

  /// A folder's real path, asked of `resolve` once per folder.
  func realFolder(_ folder: String, resolve: (String) -> String?) -> String? {
    if let known = folders.withLock({ $0[folder] }) { return known }
    let answer = resolve(folder)
    folders.withLock { $0[folder] = .some(answer) }
    return answer
  }
}

/// Folder listings of one run by host path, each read once: whichever thread asks first lists the folder, one asking
/// for the same folder meanwhile waits for that listing. Never kept beyond the run's views.
final class ListingMemo: Sendable {
  struct Entry: Sendable {
    var name: String
    var type: EntryType
    /// What the listing learnt of the entry without an lstat: a folder, a link and its target.
    var kind: FileKind?
  }
  typealias Listing = Result<[Entry], FileError>

  private let slots = OnceEach<Listing>()
  private let reads = Atomic<Int>(0)

  /// The folders listed so far and how many times folders were read from disk (equal: each once).
  var listed: (folders: Set<String>, reads: Int) { (slots.keys, reads.load(ordering: .relaxed)) }

  func listing(_ hostPath: String, read: () -> Listing) -> Listing {
    slots.value(hostPath) {
      reads.add(1, ordering: .relaxed)
      return read()
    }
  }
}

/// realpath(3), as a String.
func hostRealPath(_ path: String) -> String? {
  guard let resolved = Glibc.realpath(path, nil) else { return nil }
  defer { free(resolved) }
  return String(cString: resolved)
}

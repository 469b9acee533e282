#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import Synchronization

/// What sits at a path, without following a final symbolic link.
public enum FileKind: Sendable, Equatable {
  case file(size: Int)
  case directory
  case symlink(target: String)
  case other
}

/// Why a path could not be read. Each case names the path it is about (as the caller gave it).
public enum FileError: Error, Sendable, Equatable, CustomStringConvertible {
  case notFound(String)
  case notReadable(String, reason: String)
  case isDirectory(String)
  case notDirectory(String)
  case symlinkLoop(String)
  case danglingLink(String, target: String)
  case tooLarge(String, size: Int, limit: Int)

  public var path: String {
    switch self {
    case .notFound(let p), .notReadable(let p, _), .isDirectory(let p), .notDirectory(let p), .symlinkLoop(let p),
      .danglingLink(let p, _), .tooLarge(let p, _, _):
      return p
    }
  }

  public var description: String {
    switch self {
    case .notFound(let p): return "\(p): no such file or directory"
    case .notReadable(let p, let reason): return "\(p): cannot be read (\(reason))"
    case .isDirectory(let p): return "\(p): is a directory where a file was expected"
    case .notDirectory(let p): return "\(p): is not a directory"
    case .symlinkLoop(let p): return "\(p): too many levels of symbolic links (a link loop)"
    case .danglingLink(let p, let target): return "\(p): symbolic link to \(target), which does not exist"
    case .tooLarge(let p, let size, let limit): return "\(p): \(size) bytes, more than the \(limit) bytes trustgate reads"
    }
  }
}

extension FileError {
  /// The description without the leading path, for problems that carry the path separately.
  var reason: String {
    let text = description
    return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
  }
}

/// Read-only access to a file tree: the live host (`/`), an unpacked image (`--root DIR`), or an image or git tree
/// held in memory. Paths are absolute inside the view (`/etc/ssl/certs`). Symbolic links, absolute ones included,
/// resolve inside the view and never escape it.
///
/// Implementations provide the three primitives on paths that contain no symbolic link; resolution is shared.
public protocol FileSystemView: Sendable {
  /// A short description for messages, e.g. `host`, `root /tmp/rootfs`, `image app.tar`.
  var label: String { get }
  /// The entry at a path whose parent components are real directories (no links), without following it.
  func rawKind(_ resolvedPath: String) -> FileKind?
  /// The kernel's answer for a path whose every link exists (realpath), when the view can ask it; nil otherwise.
  func quickResolve(_ path: String) -> String?
  /// Names in a real directory, unsorted.
  func rawList(_ resolvedPath: String) throws(FileError) -> [String]
  /// Bytes of a real regular file, at most `limit` (throws `tooLarge` beyond it).
  func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8]
  /// The first `count` bytes of a real regular file (fewer if it is shorter); never `tooLarge`.
  func rawReadPrefix(_ resolvedPath: String, count: Int) throws(FileError) -> [UInt8]
}

/// The most trustgate reads from one file: a CA bundle of 5,000 roots is ~7 MB, a huge lockfile ~10 MB.
public let defaultReadLimit = 64 << 20

extension FileSystemView {
  /// Splits an absolute or relative path into components, dropping empty ones and `.`.
  static func components(_ path: String) -> [Substring] {
    path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
  }

  /// Resolves every symbolic link in `path` inside the view; with `followFinal: false` the last component is kept
  /// as is. `..` never climbs above the view's root, and absolute link targets start again at the view's root.
  public func quickResolve(_ path: String) -> String? { nil }

  public func rawReadPrefix(_ resolvedPath: String, count: Int) throws(FileError) -> [UInt8] {
    guard case .file(let size) = rawKind(resolvedPath) else { throw .notFound(resolvedPath) }
    return Array(try rawRead(resolvedPath, limit: max(size, count)).prefix(count))
  }

  public func resolve(_ path: String, followFinal: Bool = true) throws(FileError) -> String {
    if followFinal, let quick = quickResolve(path) { return quick }
    var pending = Array(Self.components(path).reversed())
    var resolved: [Substring] = []
    var hops = 0
    while let component = pending.popLast() {
      if component == ".." {
        _ = resolved.popLast()
        continue
      }
      let candidate = "/" + (resolved + [component]).joined(separator: "/")
      guard let kind = rawKind(candidate) else {
        if pending.isEmpty {
          resolved.append(component)
          return candidate
        }
        throw .notFound(path)
      }
      if case .symlink(let target) = kind, followFinal || !pending.isEmpty {
        hops += 1
        if hops > 40 { throw .symlinkLoop(path) }
        if target.hasPrefix("/") { resolved.removeAll() }
        pending.append(contentsOf: Self.components(target).reversed())
        continue
      }
      if !pending.isEmpty, kind != .directory {
        throw .notDirectory(candidate)
      }
      resolved.append(component)
    }
    return "/" + resolved.joined(separator: "/")
  }

  /// The entry at `path` after following links (nil when it, or a link on the way, does not exist).
  public func kind(_ path: String) -> FileKind? {
    guard let real = try? resolve(path) else { return nil }
    return rawKind(real)
  }

  /// The entry at `path` itself, a final link not followed.
  public func linkKind(_ path: String) -> FileKind? {
    guard let real = try? resolve(path, followFinal: false) else { return nil }
    return rawKind(real)
  }

  public func exists(_ path: String) -> Bool { kind(path) != nil }

  public func isDirectory(_ path: String) -> Bool { kind(path) == .directory }

  public func isFile(_ path: String) -> Bool {
    if case .file = kind(path) { return true }
    return false
  }

  /// Reads a file, following links; distinguishes a dangling link, a loop and a directory in the error.
  public func read(_ path: String, limit: Int = defaultReadLimit) throws(FileError) -> [UInt8] {
    let real = try resolveExisting(path)
    switch rawKind(real) {
    case .file: return try rawRead(real, limit: limit)
    case .directory: throw .isDirectory(path)
    case .none: throw .notFound(path)
    default: throw .notReadable(path, reason: "not a regular file")
    }
  }

  /// Sorted names in a directory, following links.
  public func list(_ path: String) throws(FileError) -> [String] {
    let real = try resolveExisting(path)
    guard rawKind(real) == .directory else { throw .notDirectory(path) }
    return try rawList(real).sorted()
  }

  /// Like `resolve`, but a missing final target becomes `danglingLink` when `path` itself is a link.
  func resolveExisting(_ path: String) throws(FileError) -> String {
    let real = try resolve(path)
    if rawKind(real) == nil {
      if let own = try? resolve(path, followFinal: false), case .symlink(let target) = rawKind(own) {
        throw .danglingLink(path, target: target)
      }
      throw .notFound(path)
    }
    return real
  }
}

/// A directory tree on this machine seen as a view: `/` for the live host, or an unpacked image's root.
public struct HostFileSystem: FileSystemView {
  /// Absolute host path of the view's root, without a trailing slash (`""` for `/`).
  public let root: String
  /// lstat results of this run: symlink resolution asks about the same parent folders again and again.
  private let kinds = KindCache()

  public init(root: String = "/") {
    var r = root
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    self.root = r == "/" ? "" : r
  }

  public var label: String { root.isEmpty ? "host" : "root \(root)" }

  /// On the live host (root `/`) the kernel resolves the folder part (realpath, remembered per folder) and links
  /// of the last component are followed here; inside a root the kernel would escape it, so the generic walk runs.
  /// nil whenever anything is missing, so the generic walk can say exactly what.
  public func quickResolve(_ path: String) -> String? {
    guard root.isEmpty, path.hasPrefix("/") else { return nil }
    var current = path
    for _ in 0..<40 {
      guard let slash = current.lastIndex(of: "/") else { return nil }
      let folder = slash == current.startIndex ? "/" : String(current[..<slash])
      let name = String(current[current.index(after: slash)...])
      guard let realFolder = kinds.realFolder(folder) else { return nil }
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

  func hostPath(_ resolvedPath: String) -> String { root + (resolvedPath == "/" ? (root.isEmpty ? "/" : "") : resolvedPath) }

  public func rawKind(_ resolvedPath: String) -> FileKind? {
    if let cached = kinds.get(resolvedPath) { return cached }
    let kind = lstatKind(resolvedPath)
    kinds.set(resolvedPath, kind)
    return kind
  }

  private func lstatKind(_ resolvedPath: String) -> FileKind? {
    var info = stat()
    guard lstat(hostPath(resolvedPath), &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file(size: Int(info.st_size))
    case S_IFDIR: return .directory
    case S_IFLNK:
      var buffer = [CChar](repeating: 0, count: 4096)
      let count = readlink(hostPath(resolvedPath), &buffer, buffer.count - 1)
      guard count >= 0 else { return .other }
      buffer[count] = 0
      return .symlink(target: String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    default: return .other
    }
  }

  public func rawList(_ resolvedPath: String) throws(FileError) -> [String] {
    guard let dir = opendir(hostPath(resolvedPath)) else {
      throw .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  public func rawReadPrefix(_ resolvedPath: String, count: Int) throws(FileError) -> [UInt8] {
    let fd = open(hostPath(resolvedPath), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { throw .notReadable(resolvedPath, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let n = bytes.withUnsafeMutableBytes { buffer in Glibc.read(fd, buffer.baseAddress! + done, count - done) }
      if n < 0 {
        if errno == EINTR { continue }
        throw .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      done += n
    }
    bytes.removeLast(count - done)
    return bytes
  }

  public func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8] {
    let fd = open(hostPath(resolvedPath), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { throw .notReadable(resolvedPath, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .notReadable(resolvedPath, reason: String(cString: strerror(errno))) }
    let size = Int(info.st_size)
    if size > limit { throw .tooLarge(resolvedPath, size: size, limit: limit) }
    var bytes = [UInt8](repeating: 0, count: size)
    var done = 0
    while done < size {
      let n = bytes.withUnsafeMutableBytes { buffer in
        Glibc.read(fd, buffer.baseAddress! + done, size - done)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      done += n
    }
    if done < size { bytes.removeLast(size - done) }
    return bytes
  }
}

/// A file tree held in memory: an image's merged layers, or a git tree. Paths are absolute, `/`-separated.
public struct MemoryFileSystem: FileSystemView {
  public enum Node: Sendable, Equatable {
    case file([UInt8])
    case directory
    case symlink(String)
  }

  public var label: String
  public private(set) var nodes: [String: Node] = ["/": .directory]

  public init(label: String) { self.label = label }

  /// Adds or replaces an entry, creating missing parent directories.
  public mutating func set(_ path: String, _ node: Node) {
    let parts = Self.components(path)
    var current = ""
    for part in parts.dropLast() {
      current += "/" + part
      if nodes[current] == nil { nodes[current] = .directory }
    }
    nodes["/" + parts.joined(separator: "/")] = node
  }

  /// Removes an entry and everything below it.
  public mutating func remove(_ path: String) {
    let key = "/" + Self.components(path).joined(separator: "/")
    nodes[key] = nil
    let prefix = key == "/" ? "/" : key + "/"
    for k in nodes.keys where k.hasPrefix(prefix) { nodes[k] = nil }
    if key == "/" { nodes["/"] = .directory }
  }

  public func rawKind(_ resolvedPath: String) -> FileKind? {
    switch nodes[resolvedPath] {
    case .file(let bytes): return .file(size: bytes.count)
    case .directory: return .directory
    case .symlink(let target): return .symlink(target: target)
    case .none: return nil
    }
  }

  public func rawList(_ resolvedPath: String) throws(FileError) -> [String] {
    let prefix = resolvedPath == "/" ? "/" : resolvedPath + "/"
    return nodes.keys.compactMap { key in
      guard key.hasPrefix(prefix), key != resolvedPath else { return nil }
      let rest = key.dropFirst(prefix.count)
      return rest.contains("/") ? nil : String(rest)
    }
  }

  public func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8] {
    guard case .file(let bytes) = nodes[resolvedPath] else { throw .notFound(resolvedPath) }
    if bytes.count > limit { throw .tooLarge(resolvedPath, size: bytes.count, limit: limit) }
    return bytes
  }
}

/// A thread-safe memo of lstat answers (nil answers included) for one `HostFileSystem`.
final class KindCache: Sendable {
  private let entries = Mutex<[String: FileKind?]>([:])
  private let folders = Mutex<[String: String?]>([:])

  func get(_ path: String) -> FileKind?? { entries.withLock { $0[path] } }
  func set(_ path: String, _ kind: FileKind?) { entries.withLock { $0[path] = .some(kind) } }

  /// realpath(3) of a host folder, asked once per folder.
  func realFolder(_ folder: String) -> String? {
    if let known = folders.withLock({ $0[folder] }) { return known }
    var answer: String?
    if let resolved = realpath(folder, nil) {
      answer = String(cString: resolved)
      free(resolved)
    }
    folders.withLock { $0[folder] = .some(answer) }
    return answer
  }
}

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
  /// A FIFO, socket or device where a file is expected: refused before it is opened (a FIFO would block the read).
  case notRegular(String, kind: String?)

  /// How `rawSpecialKind` names a FIFO, the one special file a client blocks on when it opens it.
  public static let fifo = "a FIFO (named pipe)"

  public var path: String {
    switch self {
    case .notFound(let p), .notReadable(let p, _), .isDirectory(let p), .notDirectory(let p), .symlinkLoop(let p),
      .danglingLink(let p, _), .tooLarge(let p, _, _), .notRegular(let p, _):
      return p
    }
  }

  public var description: String {
    switch self {
    case .notFound(let p): return "\(p): no such file or directory"
    case .notReadable(let p, let reason): return "\(p): \(Self.unreadableWords)\(reason))"
    case .isDirectory(let p): return "\(p): is a directory where a file was expected"
    case .notDirectory(let p): return "\(p): is not a directory"
    case .symlinkLoop(let p): return "\(p): too many levels of symbolic links (a link loop)"
    case .danglingLink(let p, let target): return "\(p): symbolic link to \(target), which does not exist"
    case .tooLarge(let p, let size, let limit):
      return "\(p): \(size) bytes, \(Self.tooLargeWords) \(limit) bytes trustgate reads from one file; not read"
    case .notRegular(let p, let kind):
      return "\(p): \(kind ?? "not a regular file") where a regular file is expected; not opened"
    }
  }
}

extension FileError {
  /// The same error about `path` (the name the caller gave, not the resolved one).
  func renamed(to path: String) -> FileError {
    switch self {
    case .notFound: return .notFound(path)
    case .notReadable(_, let reason): return .notReadable(path, reason: reason)
    case .isDirectory: return .isDirectory(path)
    case .notDirectory: return .notDirectory(path)
    case .symlinkLoop: return .symlinkLoop(path)
    case .danglingLink(_, let target): return .danglingLink(path, target: target)
    case .tooLarge(_, let size, let limit): return .tooLarge(path, size: size, limit: limit)
    case .notRegular(_, let kind): return .notRegular(path, kind: kind)
    }
  }

  /// How the reason of a file that is there but may not be read begins (`cannot be read (Permission denied)`).
  static let unreadableWords = "cannot be read ("
  /// What the reason of a file over the read limit says, after its size.
  static let tooLargeWords = "more than the"

  /// The fix for a CA file over the read limit: a real list of roots is far smaller.
  static func tooLargeFix(_ path: String) -> String {
    "Make \(path) a CA bundle of a usual size (the OS bundle is about 200 KiB): one over \(defaultReadLimit >> 20) MiB "
      + "is not a list of roots a client should load, and what it holds cannot be judged."
  }

  /// The fix for a file that is there but closed to the user the clients run as: its permissions, or `instead`
  /// (`point them at a file that user can read`).
  static func permissionFix(_ path: String, instead: String) -> String {
    "Let the user the clients run as read \(path) (`chmod a+r \(path)`; in a Dockerfile `COPY --chmod=644`), "
      + "or \(instead)."
  }

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
  /// Names in a real directory with what each one is, unsorted; on the host the listing itself says (no lstat per
  /// name), so walking a large repository asks the kernel only about its folders.
  func rawListTyped(_ resolvedPath: String) throws(FileError) -> [(name: String, type: EntryType)]
  /// Bytes of a real regular file, at most `limit`: a larger file throws `tooLarge` before a byte of it is read, and
  /// anything but a regular file (a FIFO, a socket, a device) is refused before it is opened, so no read can hang.
  func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8]
  /// The first `count` bytes of a real regular file (fewer if it is shorter); never `tooLarge`, never a FIFO.
  func rawReadPrefix(_ resolvedPath: String, count: Int) throws(FileError) -> [UInt8]
  /// Up to `count` bytes of a real regular file from `offset` on (a part of a program, a git pack entry), without
  /// holding the rest of the file; never `tooLarge`, never a FIFO.
  func rawReadRange(_ resolvedPath: String, offset: Int, count: Int) throws(FileError) -> [UInt8]
  /// What an entry that is neither a regular file, a folder nor a link is (`a FIFO (named pipe)`), for messages.
  func rawSpecialKind(_ resolvedPath: String) -> String?
}

/// What a directory entry is, as a listing tells it.
public enum EntryType: Sendable, Equatable {
  case file, directory, symlink, other, missing
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

  public func rawListTyped(_ resolvedPath: String) throws(FileError) -> [(name: String, type: EntryType)] {
    let folder = resolvedPath == "/" ? "" : resolvedPath
    return try rawList(resolvedPath).map { name in (name, EntryType(rawKind(folder + "/" + name))) }
  }

  public func rawSpecialKind(_ resolvedPath: String) -> String? { nil }

  public func rawReadPrefix(_ resolvedPath: String, count: Int) throws(FileError) -> [UInt8] {
    guard case .file(let size) = rawKind(resolvedPath) else { throw .notFound(resolvedPath) }
    return Array(try rawRead(resolvedPath, limit: max(size, count)).prefix(count))
  }

  public func rawReadRange(_ resolvedPath: String, offset: Int, count: Int) throws(FileError) -> [UInt8] {
    guard case .file(let size) = rawKind(resolvedPath) else { throw .notFound(resolvedPath) }
    guard offset >= 0, offset < size, count > 0 else { return [] }
    return Array(try rawRead(resolvedPath, limit: size)[offset..<min(size, offset + count)])
  }

  public func resolve(_ path: String, followFinal: Bool = true) throws(FileError) -> String {
    if followFinal, let quick = quickResolve(path) { return quick }
    // A final link is kept: resolve the folder quickly, then append the name.
    if !followFinal, let slash = path.lastIndex(of: "/"), slash != path.startIndex {
      let name = path[path.index(after: slash)...]
      if !name.isEmpty, name != ".", name != "..", let folder = quickResolve(String(path[..<slash])) {
        return folder == "/" ? "/" + name : folder + "/" + name
      }
    }
    return try resolveByWalking(path, followFinal: followFinal)
  }

  /// `resolve` one component at a time, asking `rawKind` about each prefix: exact errors, and no kernel help.
  func resolveByWalking(_ path: String, followFinal: Bool = true) throws(FileError) -> String {
    var pending = Array(Self.components(path).reversed())
    // The resolved prefix, "" for the root; each step appends "/component".
    var resolved = ""
    var hops = 0
    while let component = pending.popLast() {
      if component == ".." {
        if let slash = resolved.lastIndex(of: "/") { resolved = String(resolved[..<slash]) }
        continue
      }
      let candidate = resolved + "/" + component
      guard let kind = rawKind(candidate) else {
        if pending.isEmpty { return candidate }
        throw .notFound(path)
      }
      if case .symlink(let target) = kind, followFinal || !pending.isEmpty {
        hops += 1
        if hops > 40 { throw .symlinkLoop(path) }
        if target.hasPrefix("/") { resolved = "" }
        pending.append(contentsOf: Self.components(target).reversed())
        continue
      }
      if !pending.isEmpty, kind != .directory {
        throw .notDirectory(candidate)
      }
      resolved = candidate
    }
    return resolved.isEmpty ? "/" : resolved
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

  /// Whether `path` leads to a FIFO, the one special file a client that opens it blocks on.
  public func isFIFO(_ path: String) -> Bool {
    guard case .other = kind(path) else { return false }
    return (try? resolve(path)).flatMap(rawSpecialKind) == FileError.fifo
  }

  /// Reads a file, following links; distinguishes a dangling link, a loop and a directory in the error.
  public func read(_ path: String, limit: Int = defaultReadLimit) throws(FileError) -> [UInt8] {
    let real = try resolveExisting(path)
    switch rawKind(real) {
    case .file: return try rawRead(real, limit: limit)
    case .directory: throw .isDirectory(path)
    case .none: throw .notFound(path)
    default: throw .notRegular(path, kind: rawSpecialKind(real))
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
    let real: String
    do { real = try resolve(path) } catch {
      // A link whose target lies in a folder that does not exist is as dangling as one whose file is gone.
      if case .notFound = error, let own = try? resolve(path, followFinal: false),
        case .symlink(let target) = rawKind(own)
      {
        throw .danglingLink(path, target: target)
      }
      throw error
    }
    if rawKind(real) == nil {
      if let own = try? resolve(path, followFinal: false), case .symlink(let target) = rawKind(own) {
        throw .danglingLink(path, target: target)
      }
      throw .notFound(path)
    }
    return real
  }
}

extension EntryType {
  init(_ kind: FileKind?) {
    switch kind {
    case .file: self = .file
    case .directory: self = .directory
    case .symlink: self = .symlink
    case .other: self = .other
    case nil: self = .missing
    }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A directory tree on this machine seen as a view: `/` for the live host, or an unpacked image's root.
public struct HostFileSystem: FileSystemView {
  /// Absolute host path of the view's root, without a trailing slash (`""` for `/`).
  public let root: String
  /// lstat results of this run: symlink resolution asks about the same parent folders again and again.
  private let kinds = KindCache()
  /// Where every answer the kernel gives is noted, when this run's snapshot may be reused (see `SnapshotCache`).
  let probes: FileProbes?

  public init(root: String = "/") { self.init(root: root, probes: nil) }

  init(root: String, probes: FileProbes?) {
    var r = root
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    self.root = r == "/" ? "" : r
    self.probes = probes
  }

  /// The same tree, seen afresh, noting each answer in `probes`.
  func recording(into probes: FileProbes) -> HostFileSystem {
    HostFileSystem(root: root.isEmpty ? "/" : root, probes: probes)
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
      return kinds.realFolder(folder) { [probes] folder in
        let real = hostRealPath(folder)
        probes?.resolved(folder, to: real)
        return real
      }
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

  public func identity(_ resolvedPath: String) -> FileIdentity? {
    guard case .file = rawKind(resolvedPath) else { return nil }
    return kinds.identity(resolvedPath)
  }

  private func lstatKind(_ resolvedPath: String) -> FileKind? {
    var info = stat()
    let path = hostPath(resolvedPath)
    guard lstat(path, &info) == 0 else {
      probes?.failed(path, errno: errno)
      return nil
    }
    probes?.saw(path, info)
    switch info.st_mode & S_IFMT {
    case S_IFREG:
      kinds.setIdentity(resolvedPath, FileIdentity(info))
      return .file(size: Int(info.st_size))
    case S_IFDIR: return .directory
    case S_IFLNK:
      guard let target = linkTarget(resolvedPath) else {
        probes?.spoil()
        return .other
      }
      return .symlink(target: target)
    default: return .other
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
    guard let dir = opendir(hostPath(resolvedPath)) else {
      probes?.spoil()
      throw .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
    }
    defer { closedir(dir) }
    // The folder's times change whenever a name in it is added, removed or replaced: its status vouches for the
    // names and for the link targets read below.
    if let probes {
      var info = stat()
      if fstat(dirfd(dir), &info) == 0 {
        probes.saw(hostPath(resolvedPath), info)
      } else {
        probes.spoil()
      }
    }
    var entries: [(name: String, type: EntryType)] = []
    let folder = resolvedPath == "/" ? "" : resolvedPath
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      guard name != "." && name != ".." else { continue }
      // The entry's type comes with the listing: folders need no lstat later, links only their readlink (CA folders
      // are mostly links). Regular files are left to lstat, which also gives their size, when someone asks.
      switch Int32(entry.pointee.d_type) {
      case Int32(DT_DIR):
        kinds.set(folder + "/" + name, .directory)
        entries.append((name, .directory))
      case Int32(DT_LNK):
        if let target = linkTarget(folder + "/" + name) { kinds.set(folder + "/" + name, .symlink(target: target)) }
        entries.append((name, .symlink))
      case Int32(DT_REG): entries.append((name, .file))
      case Int32(DT_UNKNOWN): entries.append((name, EntryType(rawKind(folder + "/" + name))))
      default: entries.append((name, .other))
      }
    }
    return entries
  }

  public func rawReadPrefix(_ resolvedPath: String, count: Int) throws(FileError) -> [UInt8] {
    let fd = open(hostPath(resolvedPath), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
      probes?.spoil()
      throw .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    if let probes {
      var info = stat()
      if fstat(fd, &info) == 0 { probes.saw(hostPath(resolvedPath), info) } else { probes.spoil() }
    }
    var bytes = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let n = bytes.withUnsafeMutableBytes { buffer in Glibc.read(fd, buffer.baseAddress! + done, count - done) }
      if n < 0 {
        if errno == EINTR { continue }
        probes?.spoil()
        throw .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      done += n
    }
    bytes.removeLast(count - done)
    return bytes
  }

  public func rawSHA256(_ resolvedPath: String, identity: FileIdentity) -> [UInt8]? {
    let fd = open(hostPath(resolvedPath), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, FileIdentity(info) == identity else { return nil }
    let digest = SHA256Digest()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var done = 0
    while true {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { return nil }
      if n == 0 { break }
      buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
      done += n
    }
    // Another size than fstat said: the file changed while read.
    guard done == Int(info.st_size), fstat(fd, &info) == 0, FileIdentity(info) == identity else { return nil }
    return digest.finalizeRaw()
  }

  public func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8] {
    let fd = open(hostPath(resolvedPath), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
      probes?.spoil()
      throw .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      probes?.spoil()
      throw .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
    }
    probes?.saw(hostPath(resolvedPath), info)
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
        probes?.spoil()
        throw .notReadable(resolvedPath, reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      done += n
    }
    if done < size {
      // Fewer bytes than fstat said: the file changed while read.
      probes?.spoil()
      bytes.removeLast(size - done)
    }
    return bytes
  }
}

/// A thread-safe memo of lstat answers (nil answers included) for one `HostFileSystem`.
final class KindCache: Sendable {
  private let entries = Locked<[String: FileKind?]>([:])
  private let folders = Locked<[String: String?]>([:])
  private let identities = Locked<[String: FileIdentity]>([:])

  func get(_ path: String) -> FileKind?? { entries.withLock { $0[path] } }
  func set(_ path: String, _ kind: FileKind?) { entries.withLock { $0[path] = .some(kind) } }
  func identity(_ path: String) -> FileIdentity? { identities.withLock { $0[path] } }
  func setIdentity(_ path: String, _ identity: FileIdentity) { identities.withLock { $0[path] = identity } }

  /// A folder's real path, asked of `resolve` once per folder.
  func realFolder(_ folder: String, resolve: (String) -> String?) -> String? {
    if let known = folders.withLock({ $0[folder] }) { return known }
    let answer = resolve(folder)
    folders.withLock { $0[folder] = .some(answer) }
    return answer
  }
}

/// realpath(3), as a String.
func hostRealPath(_ path: String) -> String? {
  guard let resolved = Glibc.realpath(path, nil) else { return nil }
  defer { free(resolved) }
  return String(cString: resolved)
}

extension FileIdentity {
  init(_ info: stat) {
    self.init(
      device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
      modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
      changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
  }
}

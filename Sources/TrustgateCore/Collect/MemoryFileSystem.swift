/// A file tree held in memory: an image's merged layers, or a git tree. Paths are absolute, `/`-separated.
public struct MemoryFileSystem: FileSystemView {
  public enum Node: Sendable, Equatable {
    case file([UInt8])
    case directory
    case symlink(String)
    /// A FIFO or a device (an image member): there, but nothing to read; what it is, in words.
    case special(String)
  }

  public var label: String
  public private(set) var nodes: [String: Node] = ["/": .directory]
  /// Permission bits and owners where they deny someone something (an image's restrictive files and folders).
  public var access: [String: FileAccess] = [:]
  /// Who reads the tree, as the image's `User`: files and folders `access` closes to that user cannot be read (and a
  /// folder it may not search hides what is below it, as `stat` fails there). Nil reads as root.
  public var reader: ImageUser?

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
    if !mayReach(resolvedPath) { return nil }
    switch nodes[resolvedPath] {
    case .file(let bytes): return .file(size: bytes.count)
    case .directory: return .directory
    case .symlink(let target): return .symlink(target: target)
    case .special: return .other
    case .none: return nil
    }
  }

  public func rawSpecialKind(_ resolvedPath: String) -> String? {
    if case .special(let kind) = nodes[resolvedPath] { return kind }
    return nil
  }

  public func rawList(_ resolvedPath: String) throws(FileError) -> [String] {
    if denies(resolvedPath, 0o5) { throw .notReadable(resolvedPath, reason: Self.permissionDenied) }
    let prefix = resolvedPath == "/" ? "/" : resolvedPath + "/"
    return nodes.keys.compactMap { key in
      guard key.hasPrefix(prefix), key != resolvedPath else { return nil }
      let rest = key.dropFirst(prefix.count)
      return rest.utf8.contains(UInt8(ascii: "/")) ? nil : String(rest)
    }
  }

  public func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8] {
    guard case .file(let bytes) = nodes[resolvedPath], mayReach(resolvedPath) else { throw .notFound(resolvedPath) }
    if denies(resolvedPath, 0o4) { throw .notReadable(resolvedPath, reason: Self.permissionDenied) }
    if bytes.count > limit { throw .tooLarge(resolvedPath, size: bytes.count, limit: limit) }
    return bytes
  }

  /// `strerror(EACCES)`, the words a client's error carries.
  static let permissionDenied = "Permission denied"

  /// Whether `reader` lacks one of `bits` on the path itself.
  private func denies(_ resolvedPath: String, _ bits: Int) -> Bool {
    guard let reader, !reader.isRoot, let entry = access[resolvedPath] else { return false }
    return !entry.allows(reader, bits)
  }

  /// Whether `reader` may search every folder above the path (else `stat` and `open` fail there).
  private func mayReach(_ resolvedPath: String) -> Bool {
    guard let reader, !reader.isRoot, !access.isEmpty else { return true }
    var folder = resolvedPath
    while let slash = folder.lastIndex(of: "/") {
      folder = slash == folder.startIndex ? "/" : String(folder[..<slash])
      if let entry = access[folder], !entry.allows(reader, 0o1) { return false }
      if folder == "/" { break }
    }
    return true
  }
}

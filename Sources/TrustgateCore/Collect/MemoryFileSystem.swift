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
      return rest.utf8.contains(UInt8(ascii: "/")) ? nil : String(rest)
    }
  }

  public func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8] {
    guard case .file(let bytes) = nodes[resolvedPath] else { throw .notFound(resolvedPath) }
    if bytes.count > limit { throw .tooLarge(resolvedPath, size: bytes.count, limit: limit) }
    return bytes
  }
}


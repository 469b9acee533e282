/// One layer of an image, as findings name it: position (0 is the bottom), blob digest, diff id and the command
/// from the config's history that created it.
public struct LayerInfo: Sendable, Hashable, Codable {
  public var index: Int
  public var digest: String
  public var diffID: String?
  public var createdBy: String?

  public init(index: Int, digest: String, diffID: String?, createdBy: String?) {
    self.index = index
    self.digest = digest
    self.diffID = diffID
    self.createdBy = createdBy
  }
}

/// Merges layers, bottom first, into a `MemoryFileSystem` holding only wanted paths, the way an overlay mount
/// would show them: later entries replace earlier ones, `.wh.NAME` removes `NAME`, `.wh..wh..opq` empties its
/// directory of what lower layers put there.
///
/// Every member path is normalised lexically and applied inside the in-memory tree only; a member that climbs
/// out of the root with `..` is skipped and reported. Symbolic links are kept whatever their path (they are small
/// and needed to resolve wanted paths such as `/usr/lib/ssl/certs -> /etc/ssl/certs`).
struct ImageFileSystem {
  typealias Node = MemoryFileSystem.Node

  /// The merged tree, path → node. Held here (not in a `MemoryFileSystem`) with an index of each directory's
  /// children, so a whiteout or a replaced path removes its subtree without looking at every other path: tens of
  /// thousands of whiteouts stay O(n log n) overall.
  private var nodes: [String: Node] = ["/": .directory]
  private var children: [String: Set<String>] = [:]
  private(set) var provenance: [String: LayerInfo] = [:]
  private(set) var removals: [String: LayerInfo] = [:]
  /// Permission bits and owners of kept files and of every folder, where they deny someone read or search (0o644
  /// files and 0o755 folders are open to all and not held).
  private(set) var access: [String: FileAccess] = [:]
  private(set) var warnings: [String] = []
  /// Bytes of file content held so far, bounded by `limits.keptBytes`.
  private(set) var keptBytes = 0
  private let image: String
  private let limits: ImageLimits
  /// Whether bits and owners are held: not for an image that runs as root, who reads everything.
  private let holdsAccess: Bool

  private static let whiteoutPrefix = ".wh."
  private static let opaqueMarker = ".wh..wh..opq"

  init(image: String, limits: ImageLimits = ImageLimits(), holdsAccess: Bool = true) {
    self.image = image
    self.limits = limits
    self.holdsAccess = holdsAccess
  }

  /// The merged tree as a file system view.
  var files: MemoryFileSystem {
    var tree = MemoryFileSystem(label: "image \(image)")
    for (path, node) in nodes.sorted(by: { $0.key < $1.key }) where path != "/" { tree.set(path, node) }
    tree.access = access
    return tree
  }

  /// Applies one layer's entries, keeping the paths `wanted` accepts.
  mutating func apply(_ reader: TarReader, layer: LayerInfo, wanted: (String) -> Bool) throws(TarError) {
    // Paths this layer added, and every folder above one of them: what an opaque whiteout in this layer keeps.
    var addedHere: Set<String> = []
    var aboveAdded: Set<String> = []
    while let entry = try reader.next() {
      guard let path = Self.normalise(entry.path) else {
        warn(layer, "member `\(entry.path)` climbs out of the image root with `..`; skipped")
        continue
      }
      // The root itself is always a directory; umoci writes it as the member `/`, which is no absolute path to warn of.
      if path == "/" { continue }
      if entry.path.hasPrefix("/") {
        warn(layer, "member `\(entry.path)` has an absolute path; read as \(path) inside the image")
      }
      let name = path.split(separator: "/").last.map(String.init) ?? ""
      let parent = Self.parent(of: path)
      if name == Self.opaqueMarker {
        removeLower(under: parent, keeping: addedHere, above: aboveAdded, layer: layer)
        continue
      }
      if name.hasPrefix(Self.whiteoutPrefix) {
        guard name.count > Self.whiteoutPrefix.count else { continue }
        let target = (parent == "/" ? "" : parent) + "/" + name.dropFirst(Self.whiteoutPrefix.count)
        if !addedHere.contains(target) {
          removeTree(target, layer: layer, recordAlways: wanted(target))
          access[target] = nil
        }
        continue
      }
      // Held after the entry replaced what was there. Folders are held whether wanted or not: one that denies
      // search hides the wanted files below it. Their number is bounded: a small layer can hold a million.
      let closed = holdsAccess ? Self.restrictive(entry, bits: entry.kind == .directory ? 0o555 : 0o444) : nil
      if closed != nil, access[path] == nil, access.count >= limits.closedEntries {
        throw .limit("holds more than \(limits.closedEntries) files and folders closed to some users")
      }
      defer {
        if holdsAccess {
          switch entry.kind {
          case .directory: access[path] = closed
          case .file, .hardlink: access[path] = nodes[path] == nil ? nil : closed
          case .symlink, .other: access[path] = nil
          }
        }
      }
      guard let node = try node(for: entry, path: path, layer: layer, reader: reader, wanted: wanted) else {
        // Not kept, but it still hides whatever lower layers had at this path.
        if nodes[path] != nil, !(entry.kind == .directory && nodes[path] == .directory) {
          removeTree(path, layer: layer, recordAlways: false)
          removals[path] = nil
        }
        continue
      }
      if let existing = nodes[path], !(existing == .directory && node == .directory) {
        removeTree(path, layer: layer, recordAlways: false)
      }
      replaceNonDirectoryAncestors(of: path)
      insert(path, node)
      provenance[path] = layer
      removals[path] = nil
      addedHere.insert(path)
      var ancestor = parent
      while ancestor != "/", aboveAdded.insert(ancestor).inserted { ancestor = Self.parent(of: ancestor) }
    }
  }

  /// The node to keep for an entry, or nil when it is not wanted (its data is then passed over unread).
  private mutating func node(
    for entry: TarEntry, path: String, layer: LayerInfo, reader: TarReader, wanted: (String) -> Bool
  ) throws(TarError) -> Node? {
    switch entry.kind {
    case .symlink:
      if Self.climbsOut(link: entry.linkTarget, from: Self.parent(of: path)) {
        warn(layer, "symbolic link \(path) -> \(entry.linkTarget) points out of the image root; it resolves inside it")
      }
      return .symlink(entry.linkTarget)
    case .directory:
      return wanted(path) ? .directory : nil
    case .file:
      guard wanted(path) else { return nil }
      guard entry.size <= defaultReadLimit else {
        warn(layer, "\(path) is \(entry.size) bytes, more than the \(defaultReadLimit) trustgate reads; skipped")
        return nil
      }
      // Checked before the bytes are read: what the wanted files of all layers hold in memory is bounded.
      guard keptBytes + entry.size <= limits.keptBytes else {
        throw .limit("brings the wanted files held in memory past \(limits.keptBytes) bytes at \(path)")
      }
      keptBytes += entry.size
      return .file(try reader.readData())
    case .hardlink:
      guard wanted(path) else { return nil }
      guard let target = Self.normalise(entry.linkTarget) else {
        warn(layer, "hard link \(path) -> \(entry.linkTarget) climbs out of the image root; skipped")
        return nil
      }
      guard case .file(let bytes)? = nodes[target] else {
        warn(layer, "hard link \(path) -> \(target): the target's content was not kept; skipped")
        return nil
      }
      return .file(bytes)
    case .other:
      // A FIFO or a device is kept as what it is where a wanted file would be (a CA folder's entry): the collectors
      // say they cannot read it, as they would in the running container.
      guard wanted(path), let special = entry.special else { return nil }
      return .special(special)
    }
  }

  /// Adds or replaces a node, creating missing parent directories.
  private mutating func insert(_ path: String, _ node: Node) {
    var current = path
    while current != "/" {
      let parent = Self.parent(of: current)
      let (inserted, _) = children[parent, default: []].insert(current)
      if !inserted { break }
      if nodes[parent] == nil { nodes[parent] = .directory }
      current = parent
    }
    nodes[path] = node
  }

  /// Removes a node and everything below it; returns the paths removed.
  private mutating func removeSubtree(_ path: String) -> [String] {
    guard nodes[path] != nil else { return [] }
    var removed: [String] = []
    var pending = [path]
    while let current = pending.popLast() {
      if nodes.removeValue(forKey: current) != nil { removed.append(current) }
      access[current] = nil
      if let below = children.removeValue(forKey: current) { pending.append(contentsOf: below) }
    }
    if path != "/" { children[Self.parent(of: path)]?.remove(path) }
    return removed
  }

  /// Removes what lower layers put under `directory` (an opaque whiteout), keeping this layer's own entries and the
  /// folders above them.
  private mutating func removeLower(
    under directory: String, keeping addedHere: Set<String>, above aboveAdded: Set<String>, layer: LayerInfo
  ) {
    var pending = [directory]
    while let current = pending.popLast() {
      for child in children[current] ?? [] {
        if aboveAdded.contains(child) {
          pending.append(child)
        } else if !addedHere.contains(child) {
          removeTree(child, layer: layer, recordAlways: false)
        }
      }
    }
  }

  /// Removes a path and everything below it from the tree, noting which layer removed each kept path.
  private mutating func removeTree(_ path: String, layer: LayerInfo, recordAlways: Bool) {
    for removed in removeSubtree(path) {
      removals[removed] = layer
      provenance[removed] = nil
    }
    if recordAlways { removals[path] = layer }
  }

  /// A later layer may put a directory where a lower layer had a file or link; the directory replaces it.
  private mutating func replaceNonDirectoryAncestors(of path: String) {
    var current = Self.parent(of: path)
    var ancestors: [String] = []
    while current != "/" {
      ancestors.append(current)
      current = Self.parent(of: current)
    }
    for ancestor in ancestors.reversed() {
      if let node = nodes[ancestor], node != .directory {
        _ = removeSubtree(ancestor)
        provenance[ancestor] = nil
      }
    }
  }

  /// An entry's bits and owner when some class of user lacks one of `bits`; nil when everyone has them all.
  private static func restrictive(_ entry: TarEntry, bits: Int) -> FileAccess? {
    entry.mode & bits == bits ? nil : FileAccess(mode: entry.mode, uid: entry.uid, gid: entry.gid)
  }

  private mutating func warn(_ layer: LayerInfo, _ message: String) {
    warnings.append("\(image): layer \(layer.index) (\(layer.digest)): \(message)")
  }

  /// `/a/b` from `a/b`, `./a/b/`, `/a//b` or `a/c/../b`; nil when `..` climbs above the root.
  static func normalise(_ member: String) -> String? {
    var parts: [Substring] = []
    for part in member.split(separator: "/") where part != "." {
      if part == ".." {
        guard parts.popLast() != nil else { return nil }
      } else {
        parts.append(part)
      }
    }
    return "/" + parts.joined(separator: "/")
  }

  static func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }

  /// Whether a relative link target climbs above the root from its directory (an absolute one never does: it
  /// restarts at the image root).
  static func climbsOut(link target: String, from directory: String) -> Bool {
    if target.hasPrefix("/") { return false }
    var depth = directory.split(separator: "/").count
    for part in target.split(separator: "/") where part != "." {
      depth += part == ".." ? -1 : 1
      if depth < 0 { return true }
    }
    return false
  }
}

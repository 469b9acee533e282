#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where an image's members (`manifest.json`, `index.json`, blobs) live: files in an OCI layout directory, or members
/// of a tar (a `docker save` archive or an OCI layout tar).
///
/// A tar is read once, passing over member data, to note where each member starts; members are then read with
/// `pread` at those offsets. That is what lets the manifest come after the layers without a second pass or unpacking.
struct ImageContainer {
  private enum Storage {
    case directory(String)
    case tar(OpenFile, [String: (offset: Int, size: Int)])
  }

  private let storage: Storage
  /// False for a tar that stops without its end-of-archive block: a missing manifest then means a cut file.
  let complete: Bool
  /// The path given by the user, for messages.
  let image: String

  /// Opens a layout directory, or reads the member list of a tar file (at most `limits.members` headers).
  init(path: String, limits: ImageLimits = ImageLimits()) throws(ImageError) {
    image = path
    var info = stat()
    // The path may be a link to the image (followed); what it leads to must be a folder or a regular file, checked
    // before anything is opened: opening a FIFO blocks until someone writes to it.
    guard stat(path, &info) == 0 else {
      throw .io(image: path, reason: String(cString: strerror(errno)))
    }
    let type = info.st_mode & S_IFMT
    guard type == S_IFDIR || type == S_IFREG else {
      throw .notARegularFile(image: path, path: path, kind: HostFileSystem.kindName(info.st_mode))
    }
    if type == S_IFDIR {
      var root = path
      while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
      storage = .directory(root)
      complete = true
      return
    }
    let file: OpenFile
    do {
      file = try OpenFile(path: path)
    } catch {
      throw .io(image: path, reason: Self.reason(error))
    }
    let (members, complete) = try Self.index(file, image: path, memberLimit: limits.members)
    storage = .tar(file, members)
    self.complete = complete
  }

  /// Whether a member exists.
  func contains(_ name: String) -> Bool {
    switch storage {
    case .directory(let root):
      guard let relative = Self.safeRelative(name) else { return false }
      var info = stat()
      return lstat(root + "/" + relative, &info) == 0
    case .tar(_, let members):
      return members[name] != nil
    }
  }

  /// A member's bytes as a stream, or nil when there is no such member.
  func open(_ name: String) throws(ImageError) -> FileRegion? {
    switch storage {
    case .directory(let root):
      guard let relative = Self.safeRelative(name) else { return nil }
      let full = root + "/" + relative
      var info = stat()
      guard lstat(full, &info) == 0 else { return nil }
      // A member is a regular file in the layout, never a link out of it, nor a FIFO that would block `open`.
      guard info.st_mode & S_IFMT == S_IFREG else {
        throw .notARegularFile(image: image, path: full, kind: HostFileSystem.kindName(info.st_mode))
      }
      do {
        return FileRegion(file: try OpenFile(path: full, followLinks: false))
      } catch {
        throw .io(image: image, reason: "\(name): \(Self.reason(error))")
      }
    case .tar(let file, let members):
      guard let member = members[name] else { return nil }
      return FileRegion(file: file, offset: member.offset, length: member.size)
    }
  }

  /// A small member (manifest, index, config) read whole; nil when missing.
  func read(_ name: String, limit: Int = 16 << 20) throws(ImageError) -> [UInt8]? {
    guard let region = try open(name) else { return nil }
    guard region.end - region.position <= limit else {
      throw .badMetadata(image: image, member: name, reason: "larger than \(limit) bytes")
    }
    do {
      return try region.readAll(limit: limit)
    } catch {
      throw error == .truncated ? .truncated(image: image, member: name) : .io(image: image, reason: Self.reason(error))
    }
  }

  /// A member name made safe to append to the layout directory: no `..`, no leading `/`; nil when it cannot be.
  private static func safeRelative(_ name: String) -> String? {
    let parts = name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
    guard !parts.isEmpty, !parts.contains("..") else { return nil }
    return parts.joined(separator: "/")
  }

  /// Member name → data offset and size for every regular file in the tar; links between members resolved.
  private static func index(_ file: OpenFile, image: String, memberLimit: Int) throws(ImageError) -> (
    [String: (offset: Int, size: Int)], Bool
  ) {
    let reader = TarReader(source: FileRegion(file: file), memberLimit: memberLimit)
    var members: [String: (offset: Int, size: Int)] = [:]
    var links: [String: String] = [:]
    var first = true
    while true {
      let entry: TarEntry?
      do {
        entry = try reader.next()
      } catch {
        switch error {
        case .badChecksum where first, .malformed where first, .truncated where first:
          throw .notAnImage(image: image, reason: "not a tar archive or an image directory")
        case .truncated:
          throw .truncated(image: image, member: "the archive")
        case .badChecksum(let offset), .malformed(let offset, _):
          throw .notAnImage(image: image, reason: "broken tar header at byte \(offset)")
        case .stream(let streamError):
          throw streamError == .truncated
            ? .truncated(image: image, member: "the archive") : .io(image: image, reason: reason(streamError))
        case .limit(let text):
          throw .limitExceeded(image: image, layer: "the archive", reason: text)
        }
      }
      guard let entry else { break }
      first = false
      let name = safeRelative(entry.path) ?? entry.path
      switch entry.kind {
      case .file: members[name] = (entry.dataOffset, entry.size)
      case .symlink:
        // Old `docker save` links a layer shared by two images: `b/layer.tar -> ../a/layer.tar`.
        let base = name.split(separator: "/").dropLast().joined(separator: "/")
        links[name] = safeRelative(base + "/" + entry.linkTarget) ?? lexicallyResolved(base, entry.linkTarget)
      case .hardlink: links[name] = safeRelative(entry.linkTarget) ?? entry.linkTarget
      default: break
      }
    }
    if first { throw .notAnImage(image: image, reason: "an empty file") }
    for (name, target) in links {
      var current = target
      for _ in 0..<8 where members[current] == nil {
        guard let next = links[current] else { break }
        current = next
      }
      if let member = members[current] { members[name] = member }
    }
    return (members, reader.endMarkerSeen)
  }

  /// `base/target` with `..` applied; `..` above the archive's top is dropped (a member never leaves the archive).
  private static func lexicallyResolved(_ base: String, _ target: String) -> String {
    var parts: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
    for part in target.split(separator: "/") where part != "." {
      if part == ".." { _ = parts.popLast() } else { parts.append(part) }
    }
    return parts.joined(separator: "/")
  }

  static func reason(_ error: StreamError) -> String {
    switch error {
    case .io(let text): return text
    case .truncated: return "ends early"
    case .corrupt(let text): return text
    case .limit(let text): return text
    }
  }
}

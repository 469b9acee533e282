import Synchronization

/// A git tree (or the index) as a file tree: the files listed first held in memory, and every other listed path
/// read from git when the collector first asks for it (a file an include or a link names). Includes are then
/// followed in one pass, as in the working tree: listing and reading the tree again for each newly named path made a
/// chain of 981 includes (what pip follows) take 7.8 s at a git ref.
///
/// Paths are absolute in the view (`/deps/base.in`). The listing decides what exists; blobs are read one at a time,
/// under a lock (libgit2 lets a repository be used by one thread at a time).
final class GitTreeView: FileSystemView, @unchecked Sendable {
  let label = "git"
  private let held: MemoryFileSystem
  private let listed: [String: GitFile]
  private let directories: Set<String>
  private let reader: Mutex<Reader>

  private struct Reader: @unchecked Sendable {
    var repository: GitRepository
    var nodes: [String: MemoryFileSystem.Node] = [:]
    var failures: [String: FileError] = [:]
  }

  init(held: MemoryFileSystem, listed files: [GitFile], repository: GitRepository) {
    self.held = held
    var listed: [String: GitFile] = [:]
    var directories: Set<String> = ["/"]
    // A submodule that could not be read is a problem of the first listing, not a file.
    for file in files where file.unreadable == nil {
      listed["/" + file.path] = file
      var folder = Substring(file.path)
      while let slash = folder.lastIndex(of: "/") {
        folder = folder[..<slash]
        guard directories.insert("/" + folder).inserted else { break }
      }
    }
    self.listed = listed
    self.directories = directories
    reader = Mutex(Reader(repository: repository))
  }

  /// The node of a listed path that is not held, read now (once).
  private func node(_ path: String) -> Result<MemoryFileSystem.Node, FileError>? {
    guard let file = listed[path] else { return nil }
    return reader.withLock { state in
      if let node = state.nodes[path] { return .success(node) }
      if let failure = state.failures[path] { return .failure(failure) }
      do throws(GitError) {
        let bytes = try state.repository.blob(file.oid, limit: file.isSymlink ? 4096 : 32 << 20)
        let node: MemoryFileSystem.Node =
          file.isSymlink ? .symlink(String(decoding: bytes, as: UTF8.self)) : .file(bytes)
        state.nodes[path] = node
        return .success(node)
      } catch {
        let failure = FileError.notReadable(path, reason: "reading it from git: \(error)")
        state.failures[path] = failure
        return .failure(failure)
      }
    }
  }

  func rawKind(_ resolvedPath: String) -> FileKind? {
    if let kind = held.rawKind(resolvedPath) { return kind }
    if directories.contains(resolvedPath) { return .directory }
    switch node(resolvedPath) {
    case .success(.file(let bytes))?: return .file(size: bytes.count)
    case .success(.symlink(let target))?: return .symlink(target: target)
    case .success(.directory)?: return .directory
    case .success(.special)?: return .other
    // A blob that cannot be read is still there: reading it says why.
    case .failure?: return .file(size: 0)
    case nil: return nil
    }
  }

  /// The held files' folders only: the walk finds what the first listing found (the same files the working-tree
  /// walk reads); the rest is reached by name. (Typed listings, prefixes and the rest come from `FileSystemView`.)
  func rawList(_ resolvedPath: String) throws(FileError) -> [String] { try held.rawList(resolvedPath) }

  func rawRead(_ resolvedPath: String, limit: Int) throws(FileError) -> [UInt8] {
    if held.rawKind(resolvedPath) != nil { return try held.rawRead(resolvedPath, limit: limit) }
    switch node(resolvedPath) {
    case .success(.file(let bytes))?:
      if bytes.count > limit { throw .tooLarge(resolvedPath, size: bytes.count, limit: limit) }
      return bytes
    case .failure(let error)?: throw error
    default: throw .notFound(resolvedPath)
    }
  }
}

import CGit2
import CLinux
import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A file recorded in a git tree or in the index: repo-relative path, blob id (hex), and whether it is a symbolic link
/// (then the blob holds the link target).
public struct GitFile: Sendable, Hashable {
  public var path: String
  public var oid: String
  public var isSymlink: Bool
  /// Set for a folder whose files cannot be read: a submodule not at its recorded commit (`oid` is then the commit),
  /// a folder deeper than the walk goes. `path` is then the folder; there is no blob.
  public var unreadable: String?

  public init(path: String, oid: String, isSymlink: Bool, unreadable: String? = nil) {
    self.path = path
    self.oid = oid
    self.isSymlink = isSymlink
    self.unreadable = unreadable
  }
}

/// libgit2, opened on first use (see `CGit2/shim.h`) and initialised once; a global `let` does both lazily and
/// thread-safely. nil when the library is not installed.
enum Git {
  nonisolated(unsafe) static let library: UnsafePointer<tg_git2_api>? = {
    guard let api = tg_git2_open() else { return nil }
    guard api.pointee.libgit2_init() >= 0 else { return nil }
    _ = tg_git2_relax_hash_verification(api)
    _ = tg_git2_use_allocator(api, tg_advise_huge_pages)
    return api
  }()

  /// The function table; only reached once `library` was checked (every call goes through a `GitRepository`, whose
  /// initialiser checks it).
  static var api: tg_git2_api { library.unsafelyUnwrapped.pointee }
}

/// A git repository opened through libgit2: reads commits, trees, the index and blobs without running `git` and
/// without checking anything out. The only type that calls libgit2; it hands out Swift values only.
///
/// Not `Sendable`: libgit2 lets a repository move between threads but not be used from two at once.
public final class GitRepository {
  /// Directory names that `descendsByDefault` prunes: metadata, dependency caches and build output, which hold
  /// vendored copies rather than the project's own lockfiles.
  public static let prunedDirectoryNames: Set<String> = [
    ".git", "node_modules", ".venv", "venv", ".build", "__pycache__",
  ]

  /// The default `descend` decision: false for a directory whose last component is in `prunedDirectoryNames`.
  public static func descendsByDefault(_ directory: String) -> Bool {
    let name = directory.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? directory
    return !prunedDirectoryNames.contains(name)
  }

  /// Opens and initialises libgit2 on another thread, for a command that will read git objects, before its arguments
  /// are parsed: loading it and `git_libgit2_init` (which parses the system CA bundle for libgit2's own TLS) take
  /// ~15 ms that then overlap the argument parsing and the collection instead of delaying the baseline. The first
  /// real use waits for it.
  public static func loadLibraryInBackground() {
    _ = startThreadElsewhere { _ in _ = Git.library }
  }

  private let pointer: OpaquePointer
  /// The path this repository was discovered from (`blobs` opens more handles on it).
  private let discoveredFrom: String
  /// Submodules' object folders added to this handle's object database, so their commits, trees and blobs read
  /// like the superproject's own (`blobs` adds them to the handles it opens too).
  private var alternates: [String] = []

  /// Opens the repository containing `path`, searching upwards like git does.
  public init(discovering path: String) throws(GitError) {
    guard Git.library != nil else { throw .libraryMissing(String(cString: tg_git2_soname())) }
    try Self.refuseBlockingConfigFiles(workdir: GitRepositoryLocator.workdir(around: path))
    var repository: OpaquePointer?
    let code = Git.api.repository_open_ext(&repository, path, 0, nil)
    if code == GIT_ENOTFOUND.rawValue {
      // libgit2 1.5 answers "not found" for a repository owned by another user when no safe.directory is set at all
      // (a container job on a runner's checkout); later versions say GIT_EOWNER. Git's rule, checked here.
      if let workdir = GitRepositoryLocator.workdir(around: path), Self.ownedByAnotherUser(workdir) {
        throw .untrustedOwner(workdir)
      }
      throw .notARepository(path)
    }
    if code == GIT_EOWNER.rawValue { throw .untrustedOwner(path) }
    guard code == 0, let repository else { throw Self.lastError(code, "opening the repository at \(path)") }
    pointer = repository
    discoveredFrom = path
  }

  deinit {
    Git.api.repository_free(pointer)
  }

  /// The configuration files libgit2 reads when it opens a repository: the global, XDG and system files (found as
  /// libgit2's sysdir finds them: HOME, else the passwd entry; XDG_CONFIG_HOME, else ~/.config) and the
  /// repository's own `.git/config`.
  static func configFiles(workdir: String?, variable: (String) -> String? = GitRepository.variable) -> [String] {
    let home =
      variable("HOME").flatMap { $0.isEmpty ? nil : $0 }
      ?? getpwuid(geteuid()).map { String(cString: $0.pointee.pw_dir) }
    var files = ["/etc/gitconfig"]
    if let home {
      files.append(home + "/.gitconfig")
      files.append((variable("XDG_CONFIG_HOME").flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config") + "/git/config")
    }
    if let workdir { files.append(workdir + "/.git/config") }
    return files
  }

  private static func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

  /// libgit2 reads its configuration files to the end as it opens a repository, and the files their `[include]`
  /// and `[includeIf]` sections name: a FIFO there (another user can plant one in a shared HOME) blocks the run
  /// forever, a device like /dev/zero never ends. Each is refused before libgit2 starts, naming the file (an
  /// `includeIf` whatever its condition); a regular file, a folder (libgit2's own error) and /dev/null (an empty
  /// configuration, a common way to switch one off) are left to it. Includes are followed 10 deep, as git does.
  static func refuseBlockingConfigFiles(workdir: String?, variable: (String) -> String? = GitRepository.variable)
    throws(GitError)
  {
    let home = variable("HOME").flatMap { $0.isEmpty ? nil : $0 }
    var pending = configFiles(workdir: workdir, variable: variable).map { (file: $0, depth: 0) }
    var seen = Set<String>()
    while let (file, depth) = pending.popLast() {
      guard depth <= 10, seen.insert(file).inserted else { continue }
      var info = stat()
      guard stat(file, &info) == 0 else { continue }
      let kind = info.st_mode & S_IFMT
      if kind == S_IFDIR { continue }
      var null = stat()
      if kind == S_IFCHR, stat("/dev/null", &null) == 0, null.st_rdev == info.st_rdev { continue }
      guard kind == S_IFREG else {
        throw .library(
          "\(file.capped(200)) is \(HostFileSystem.kindName(info.st_mode)), not a file: reading it could block "
            + "forever, so libgit2 was not started; remove it, or set HOME to a folder without it",
          operation: "reading git's configuration")
      }
      guard let bytes = try? HostFileSystem().read(file, limit: 1 << 20) else { continue }
      for entry in GitConfigText.parse(bytes, path: file).entries {
        if let included = GitConfigText.included(by: entry, home: home ?? "", conditional: true) {
          pending.append((included, depth + 1))
        }
      }
    }
  }

  /// Whether the work tree or its `.git` belongs to someone other than this process's user (what git's
  /// `safe.directory` check refuses).
  static func ownedByAnotherUser(_ workdir: String) -> Bool {
    let me = geteuid()
    return [workdir, workdir + "/.git"].contains { path in
      var info = stat()
      return lstat(path, &info) == 0 && info.st_uid != me
    }
  }

  /// The working directory, absolute and without a trailing slash; nil for a bare repository.
  public var workdir: String? {
    guard let raw = Git.api.repository_workdir(pointer) else { return nil }
    var path = String(cString: raw)
    while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
    return path
  }

  /// Whether the clone is shallow (`git clone --depth`), so older commits may be missing.
  public var isShallow: Bool {
    Git.api.repository_is_shallow(pointer) == 1
  }

  /// The committer time of the HEAD commit, in seconds since the epoch; nil when HEAD is unborn (no commit yet).
  public func headCommitTime() throws(GitError) -> Int64? {
    var reference: OpaquePointer?
    let code = Git.api.repository_head(&reference, pointer)
    if code == GIT_EUNBORNBRANCH.rawValue || code == GIT_ENOTFOUND.rawValue { return nil }
    guard code == 0, let reference else { throw Self.lastError(code, "reading HEAD") }
    defer { Git.api.reference_free(reference) }
    var commit: OpaquePointer?
    let peeled = Git.api.reference_peel(&commit, reference, GIT_OBJECT_COMMIT)
    guard peeled == 0, let commit else { throw Self.lastError(peeled, "reading the HEAD commit") }
    defer { Git.api.object_free(commit) }
    return Int64(Git.api.commit_time(commit))
  }

  /// The committer time of commit `id` (hex), in seconds since the epoch.
  public func commitTime(of id: String) throws(GitError) -> Int64 {
    var oid = try Self.parseObjectId(id)
    var commit: OpaquePointer?
    let looked = Git.api.commit_lookup(&commit, pointer, &oid)
    guard looked == 0, let commit else { throw Self.lastError(looked, "reading commit \(id)") }
    defer { Git.api.commit_free(commit) }
    return Int64(Git.api.commit_time(commit))
  }

  /// Resolves a revision (`HEAD~1`, `origin/main`, `main`, `v1.2`, a full or short id) to a commit id in hex.
  /// A revision that is not there throws `refNotFound`, whose description says how to fetch it; no other
  /// revision is tried in its place.
  public func resolveCommit(_ revision: String) throws(GitError) -> String {
    var object: OpaquePointer?
    let code = Git.api.revparse_single(&object, pointer, revision)
    if code == GIT_ENOTFOUND.rawValue { throw .refNotFound(revision, shallow: isShallow) }
    guard code == 0, let object else { throw Self.lastError(code, "resolving the revision \(revision)") }
    defer { Git.api.object_free(object) }
    var commit: OpaquePointer?
    let peeled = Git.api.object_peel(&commit, object, GIT_OBJECT_COMMIT)
    if peeled == GIT_ENOTFOUND.rawValue { throw .refNotFound(revision, shallow: isShallow) }
    if peeled == GIT_EINVALIDSPEC.rawValue || peeled == GIT_EPEEL.rawValue { throw .notACommit(revision) }
    guard peeled == 0, let commit else { throw Self.lastError(peeled, "resolving the revision \(revision)") }
    defer { Git.api.object_free(commit) }
    return Self.hex(Git.api.object_id(commit))
  }

  /// Every blob in the tree of commit `id` whose repo-relative path passes `include`, in tree order.
  /// `descend` gets each directory's repo-relative path and returns false to skip the whole subtree unread.
  /// Checked-out submodules are read at their recorded commits (`submoduleFiles`); symbolic links are reported with
  /// `isSymlink` so the caller decides.
  public func files(
    atCommit id: String,
    include: (String) -> Bool,
    descend: (String) -> Bool = GitRepository.descendsByDefault
  ) throws(GitError) -> [GitFile] {
    var oid = try Self.parseObjectId(id)
    var commit: OpaquePointer?
    let looked = Git.api.commit_lookup(&commit, pointer, &oid)
    if looked == GIT_ENOTFOUND.rawValue { throw .refNotFound(id, shallow: isShallow) }
    guard looked == 0, let commit else { throw Self.lastError(looked, "reading commit \(id)") }
    defer { Git.api.commit_free(commit) }
    var tree: OpaquePointer?
    let treeCode = Git.api.commit_tree(&tree, commit)
    guard treeCode == 0, let tree else { throw Self.lastError(treeCode, "reading the tree of commit \(id)") }
    defer { Git.api.tree_free(tree) }

    let (files, links) = try walk(tree, prefix: "", include: include, descend: descend, what: "commit \(id)")
    return files + (try submoduleFiles(links, include: include, descend: descend, depth: 1))
  }

  /// The blobs and submodule links of a tree, paths prefixed with `prefix`.
  private func walk(
    _ tree: OpaquePointer, prefix: String, include: (String) -> Bool, descend: (String) -> Bool, what: String
  ) throws(GitError) -> (files: [GitFile], links: [GitFile]) {
    var found: (files: [GitFile], links: [GitFile]) = ([], [])
    let walked: Int32 = withoutActuallyEscaping(include) { include in
      withoutActuallyEscaping(descend) { descend in
        var context = TreeWalkContext(prefix: prefix, include: include, descend: descend)
        let code = withUnsafeMutablePointer(to: &context) { context in
          Git.api.tree_walk(tree, GIT_TREEWALK_PRE, treeWalkVisit, context)
        }
        found = (context.files, context.links)
        return code
      }
    }
    guard walked == 0 else { throw Self.lastError(walked, "walking the tree of \(what)") }
    return found
  }

  /// The files of the submodules the walk enters, at the commits the superproject records for them (its tree, or its
  /// index), read through each submodule's own object folder. The working tree holds a checked-out submodule's
  /// files, so a baseline without them compared none of its lockfiles. A submodule that is not checked out has no
  /// files on either side and is left out; one whose object folder lacks the recorded commit (not fetched) is
  /// returned as an unreadable entry at its folder.
  private func submoduleFiles(
    _ links: [GitFile], include: (String) -> Bool, descend: (String) -> Bool, depth: Int
  ) throws(GitError) -> [GitFile] {
    var files: [GitFile] = []
    for link in links {
      guard let objects = submoduleObjects(link.path) else { continue }
      let short = String(link.oid.prefix(12))
      guard depth <= 8 else {
        files.append(
          GitFile(
            path: link.path, oid: link.oid, isSymlink: false,
            unreadable: "submodules nested more than 8 deep"))
        continue
      }
      try addAlternate(objects)
      var oid = try Self.parseObjectId(link.oid)
      var commit: OpaquePointer?
      guard Git.api.commit_lookup(&commit, pointer, &oid) == 0, let commit else {
        files.append(
          GitFile(
            path: link.path, oid: link.oid, isSymlink: false,
            unreadable: "submodule: its recorded commit \(short) is not in its repository (not fetched)"))
        continue
      }
      defer { Git.api.commit_free(commit) }
      var tree: OpaquePointer?
      let treeCode = Git.api.commit_tree(&tree, commit)
      guard treeCode == 0, let tree else {
        throw Self.lastError(treeCode, "reading the tree of submodule commit \(short)")
      }
      defer { Git.api.tree_free(tree) }
      let (inner, nested) = try walk(
        tree, prefix: link.path + "/", include: include, descend: descend, what: "submodule \(link.path)")
      files += inner
      files += try submoduleFiles(nested, include: include, descend: descend, depth: depth + 1)
    }
    return files
  }

  /// The object folder of the submodule checked out at `path`: its `.git` folder's, or the one its `.git` file names
  /// (`gitdir: ../.git/modules/lib`). nil when it is not checked out.
  private func submoduleObjects(_ path: String) -> String? {
    guard let workdir else { return nil }
    let folder = workdir + "/" + path
    let host = HostFileSystem()
    switch host.linkKind(folder + "/.git") {
    case .directory: return folder + "/.git/objects"
    case .file:
      guard let bytes = try? host.read(folder + "/.git", limit: 4096),
        let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first,
        line.hasPrefix("gitdir: ")
      else { return nil }
      let named = String(line.dropFirst("gitdir: ".count)).trimmingCharacters(in: .whitespaces)
      return (named.hasPrefix("/") ? named : folder + "/" + named) + "/objects"
    default: return nil
    }
  }

  /// Adds an object folder to this handle's object database (once).
  private func addAlternate(_ objects: String) throws(GitError) {
    guard !alternates.contains(objects) else { return }
    var database: OpaquePointer?
    let opened = Git.api.repository_odb(&database, pointer)
    guard opened == 0, let database else { throw Self.lastError(opened, "opening the object database") }
    defer { Git.api.odb_free(database) }
    let added = Git.api.odb_add_disk_alternate(database, objects)
    guard added == 0 else { throw Self.lastError(added, "adding the submodule objects \(objects)") }
    alternates.append(objects)
  }

  /// The entries staged in the index whose paths pass `include` and lie in directories that `descend` accepts.
  /// Only fully staged entries count: conflicted paths (mid-merge) and `git add -N` placeholders are left out.
  /// `indexFile` reads another index file (git sets `GIT_INDEX_FILE` for hooks run by `git commit -a`).
  public func stagedFiles(
    indexFile: String? = nil,
    include: (String) -> Bool,
    descend: (String) -> Bool = GitRepository.descendsByDefault
  ) throws(GitError) -> [GitFile] {
    var index: OpaquePointer?
    // GIT_INDEX_FILE names any path: a FIFO there would block libgit2's open. A missing file is git's empty index.
    var info = stat()
    if let indexFile, stat(indexFile, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
      throw .library(
        "\(HostFileSystem.kindName(info.st_mode)) where the index file is expected; not opened",
        operation: "opening the index \(indexFile)")
    }
    let code =
      if let indexFile { Git.api.index_open(&index, indexFile) } else { Git.api.repository_index(&index, pointer) }
    guard code == 0, let index else { throw Self.lastError(code, "opening the index \(indexFile ?? "")") }
    defer { Git.api.index_free(index) }
    if indexFile == nil {
      // The repository may hold an index read earlier; reread it if the file changed since.
      let reread = Git.api.index_read(index, 0)
      guard reread == 0 else { throw Self.lastError(reread, "reading the index") }
    }

    var result: [GitFile] = []
    var links: [GitFile] = []
    var directoryDecisions: [Substring: Bool] = [:]
    for position in 0..<Git.api.index_entrycount(index) {
      guard let entry = Git.api.index_get_byindex(index, position), let rawPath = entry.pointee.path else { continue }
      guard Git.api.index_entry_stage(entry) == 0,
        entry.pointee.flags_extended & UInt16(GIT_INDEX_ENTRY_INTENT_TO_ADD.rawValue) == 0
      else { continue }
      let path = String(cString: rawPath)
      if entry.pointee.mode == GIT_FILEMODE_COMMIT.rawValue {
        // A staged submodule: its files at the staged commit, when the walk enters its folder.
        if Self.directoriesAccepted(path + "/", descend: descend, decisions: &directoryDecisions) {
          links.append(GitFile(path: path, oid: Self.hex(entry.pointee.id), isSymlink: false))
        }
        continue
      }
      guard let isSymlink = Self.blobKind(mode: entry.pointee.mode),
        Self.directoriesAccepted(path, descend: descend, decisions: &directoryDecisions), include(path)
      else { continue }
      result.append(GitFile(path: path, oid: Self.hex(entry.pointee.id), isSymlink: isSymlink))
    }
    return result + (try submoduleFiles(links, include: include, descend: descend, depth: 1))
  }

  /// The content of blob `oid` (hex); throws `tooLarge` without reading it when it exceeds `limit` bytes.
  public func blob(_ oid: String, limit: Int) throws(GitError) -> [UInt8] {
    var id = try Self.parseObjectId(oid)
    var database: OpaquePointer?
    let opened = Git.api.repository_odb(&database, pointer)
    guard opened == 0, let database else { throw Self.lastError(opened, "opening the object database") }
    defer { Git.api.odb_free(database) }
    var size = 0
    var type = GIT_OBJECT_INVALID
    let header = Git.api.odb_read_header(&size, &type, database, &id)
    guard header == 0 else { throw Self.lastError(header, "reading blob \(oid)") }
    guard size <= limit else { throw .tooLarge(oid: oid, size: size, limit: limit) }

    var blob: OpaquePointer?
    let looked = Git.api.blob_lookup(&blob, pointer, &id)
    guard looked == 0, let blob else { throw Self.lastError(looked, "reading blob \(oid)") }
    defer { Git.api.blob_free(blob) }
    let count = Int(Git.api.blob_rawsize(blob))
    guard count > 0, let content = Git.api.blob_rawcontent(blob) else { return [] }
    return freshBytes(count: count) { buffer in
      buffer.baseAddress?.initialize(from: content.assumingMemoryBound(to: UInt8.self), count: count)
      return count
    }
  }

  /// The contents of several blobs (as `blob` reads each), in the order given: on every core when there are
  /// several, each worker with its own handle on the repository (libgit2 lets a handle be used by one thread at a
  /// time). Lockfiles run to megabytes of deltas to inflate: reading them one after the other is most of a
  /// `--baseline-ref` run.
  public func blobs(_ oids: [String], limit: Int) -> [Result<[UInt8], GitError>] {
    let workers = min(oids.count, activeProcessorCount())
    guard workers > 1 else {
      return oids.map { oid in
        do throws(GitError) { return .success(try blob(oid, limit: limit)) } catch { return .failure(error) }
      }
    }
    let results = Mutex<[Int: Result<[UInt8], GitError>]>([:])
    let path = discoveredFrom
    let alternates = alternates
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let handle: GitRepository
      do throws(GitError) {
        handle = try GitRepository(discovering: path)
        for objects in alternates { try handle.addAlternate(objects) }
      } catch {
        results.withLock {
          for index in stride(from: worker, to: oids.count, by: workers) { $0[index] = .failure(error) }
        }
        return
      }
      for index in stride(from: worker, to: oids.count, by: workers) {
        let result: Result<[UInt8], GitError>
        do throws(GitError) { result = .success(try handle.blob(oids[index], limit: limit)) } catch {
          result = .failure(error)
        }
        results.withLock { $0[index] = result }
      }
    }
    let read = results.withLock { $0 }
    return oids.indices.map { read[$0] ?? .failure(.library("not read", operation: "reading blob \(oids[$0])")) }
  }

  // MARK: - Helpers

  /// Turns libgit2's last error (thread-local) into a thrown value carrying its message.
  static func lastError(_ code: Int32, _ operation: String) -> GitError {
    if let error = Git.api.error_last(), let message = error.pointee.message {
      return .library(String(cString: message), operation: operation)
    }
    return .library("libgit2 error code \(code)", operation: operation)
  }

  static func parseObjectId(_ text: String) throws(GitError) -> git_oid {
    guard text.utf8.count == 40 else { throw .invalidObjectId(text) }
    var oid = git_oid()
    guard Git.api.oid_fromstr(&oid, text) == 0 else { throw .invalidObjectId(text) }
    return oid
  }

  static func hex(_ oid: UnsafePointer<git_oid>?) -> String {
    guard let oid else { return "" }
    return hex(oid.pointee)
  }

  static func hex(_ oid: git_oid) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return withUnsafeBytes(of: oid.id) { bytes in
      String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
        for (position, byte) in bytes.enumerated() {
          buffer[2 * position] = digits[Int(byte >> 4)]
          buffer[2 * position + 1] = digits[Int(byte & 0x0f)]
        }
        return bytes.count * 2
      }
    }
  }

  /// nil for entries that are not file blobs (trees, submodules); otherwise whether the blob is a symbolic link.
  static func blobKind(mode: UInt32) -> Bool? {
    switch mode {
    case GIT_FILEMODE_BLOB.rawValue, GIT_FILEMODE_BLOB_EXECUTABLE.rawValue: return false
    case GIT_FILEMODE_LINK.rawValue: return true
    default: return nil
    }
  }

  /// Whether every directory above `path` passes `descend`, remembering each decision: index entries are sorted,
  /// so one directory's answer serves all its files.
  static func directoriesAccepted(
    _ path: String,
    descend: (String) -> Bool,
    decisions: inout [Substring: Bool]
  ) -> Bool {
    var end = path.startIndex
    while let slash = path[end...].firstIndex(of: "/") {
      let directory = path[..<slash]
      let accepted: Bool
      if let known = decisions[directory] {
        accepted = known
      } else {
        accepted = descend(String(directory))
        decisions[directory] = accepted
      }
      if !accepted { return false }
      end = path.index(after: slash)
    }
    return true
  }
}

/// What the tree walk callback needs; passed to C as a pointer to a stack value that outlives the walk.
private struct TreeWalkContext {
  /// Put before every path: a submodule's folder and `/`, or nothing.
  let prefix: String
  let include: (String) -> Bool
  let descend: (String) -> Bool
  var files: [GitFile] = []
  /// Submodules (gitlinks) in folders the walk enters, with their commits.
  var links: [GitFile] = []
}

/// `git_tree_walk` callback: returns 1 to skip a subtree (or an entry), 0 to go on.
private let treeWalkVisit: git_treewalk_cb = { root, entry, payload in
  guard let entry, let payload, let rawName = Git.api.tree_entry_name(entry) else { return 0 }
  let context = payload.assumingMemoryBound(to: TreeWalkContext.self)
  let path = context.pointee.prefix + (root.map { String(cString: $0) } ?? "") + String(cString: rawName)
  let mode = Git.api.tree_entry_filemode(entry).rawValue
  if mode == GIT_FILEMODE_TREE.rawValue {
    guard context.pointee.descend(path) else { return 1 }
    // As deep as the working tree's walk, no deeper: each level's path is built from the root (quadratic).
    if path.utf8.reduce(into: 1, { $0 += $1 == UInt8(ascii: "/") ? 1 : 0 }) > LockfileCollector.maximumDepth {
      context.pointee.files.append(
        GitFile(
          path: path, oid: "", isSymlink: false,
          unreadable: "folder more than \(LockfileCollector.maximumDepth) levels deep"))
      return 1
    }
    return 0
  }
  if mode == GIT_FILEMODE_COMMIT.rawValue {
    if context.pointee.descend(path) {
      context.pointee.links.append(
        GitFile(path: path, oid: GitRepository.hex(Git.api.tree_entry_id(entry)), isSymlink: false))
    }
    return 0
  }
  guard let isSymlink = GitRepository.blobKind(mode: mode), context.pointee.include(path) else { return 0 }
  context.pointee.files.append(
    GitFile(path: path, oid: GitRepository.hex(Git.api.tree_entry_id(entry)), isSymlink: isSymlink))
  return 0
}

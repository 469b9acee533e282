/// HEAD's commit id read from the repository's own files (`HEAD`, a loose ref, `packed-refs`) without starting
/// libgit2, whose start-up loads a whole CA bundle: with the id, HEAD's commit time comes from the commit object
/// (`GitCommitReader`). Anything but the plain layouts (reftable, odd ref names) answers nil and libgit2 decides.
enum GitHead {
  static func commitID(workdir: String) -> String? { objectID(of: "HEAD", workdir: workdir) }

  /// HEAD's committer time from git's files alone; nil when any step needs libgit2.
  static func headCommitTime(workdir: String) -> Int64? {
    let fs = HostFileSystem()
    guard let id = commitID(workdir: workdir), let gitDirectory = gitDirectory(workdir, fs) else { return nil }
    return GitCommitReader.committerTime(id: id, commonDirectory: commonDirectory(gitDirectory, fs), fs: fs)
  }

  /// The object id a ref names (`HEAD`, or a full name under `refs/`), following symbolic refs; nil when the ref is
  /// not there or not plainly stored.
  static func objectID(of ref: String, workdir: String) -> String? {
    let fs = HostFileSystem()
    guard let gitDirectory = gitDirectory(workdir, fs) else { return nil }
    let common = commonDirectory(gitDirectory, fs)
    var line: String?
    if ref == "HEAD" {
      line = firstLine(gitDirectory + "/HEAD", fs)
    } else {
      line = "ref: " + ref
    }
    for _ in 0..<5 {
      guard let current = line else { return nil }
      guard current.hasPrefix("ref: ") else { return isObjectID(current) ? current.lowercased() : nil }
      let name = String(current.dropFirst(5))
      guard name.hasPrefix("refs/"), !name.contains(".."), !name.contains("//") else { return nil }
      // refs/heads and refs/tags are shared by worktrees; refs/bisect and refs/worktree are a worktree's own.
      let loose = name.hasPrefix("refs/bisect/") || name.hasPrefix("refs/worktree/") ? gitDirectory : common
      line = firstLine(loose + "/" + name, fs) ?? packed(name, common, fs)
    }
    return nil
  }

  /// `.git` itself, or the folder a `.git` file (`gitdir: …`, worktrees and submodules) names.
  static func gitDirectory(_ workdir: String, _ fs: HostFileSystem) -> String? {
    let dotGit = workdir == "/" ? "/.git" : workdir + "/.git"
    switch fs.kind(dotGit) {
    case .directory: return dotGit
    case .file:
      guard let line = firstLine(dotGit, fs), line.hasPrefix("gitdir: ") else { return nil }
      let target = String(line.dropFirst(8))
      return target.hasPrefix("/") ? target : workdir + "/" + target
    default: return nil
    }
  }

  /// Where refs shared by worktrees live: `.git` itself, or the folder a worktree's `commondir` names.
  static func commonDirectory(_ gitDirectory: String, _ fs: HostFileSystem) -> String {
    firstLine(gitDirectory + "/commondir", fs).map { $0.hasPrefix("/") ? $0 : gitDirectory + "/" + $0 } ?? gitDirectory
  }

  static func packed(_ name: String, _ common: String, _ fs: HostFileSystem) -> String? {
    guard let bytes = try? fs.read(common + "/packed-refs", limit: 64 << 20) else { return nil }
    return packed(name, in: bytes)
  }

  /// The id `packed-refs` (its bytes) gives a ref, if it lists it.
  static func packed(_ name: String, in bytes: [UInt8]) -> String? {
    for line in bytes.split(separator: 0x0A) where line.first != UInt8(ascii: "#") && line.first != UInt8(ascii: "^") {
      guard let space = line.firstIndex(of: 0x20) else { continue }
      if line[(space + 1)...].elementsEqual(name.utf8) { return String(decoding: line[..<space], as: UTF8.self) }
    }
    return nil
  }

  static func firstLine(_ path: String, _ fs: HostFileSystem) -> String? {
    guard let bytes = try? fs.read(path, limit: 4096) else { return nil }
    let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
    return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
  }

  static func isObjectID(_ text: String) -> Bool {
    (text.utf8.count == 40 || text.utf8.count == 64)
      && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
  }
}

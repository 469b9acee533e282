/// Walks a repository tree once and hands each file to the reader that wants it (by name); `-r`/`-c` includes
/// with other names are read as requirements files too. Paths in the result are relative to the repository.
public struct LockfileCollector {
  /// Folders never descended into: VCS data, virtualenvs, dependency caches, build output.
  public static let skippedDirectories: Set<String> = GitRepository.prunedDirectoryNames.union([
    ".hg", ".svn", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".trustgate",
    ".build-fuzz",
  ])

  /// Repository-relative path prefixes to leave out (from the policy's `exclude`).
  public var excluded: [String]

  public init(excluded: [String] = []) {
    self.excluded = excluded
  }

  /// Whether the walk enters a folder of this name (hidden folders other than `.github` are skipped).
  public static func descends(into name: some StringProtocol) -> Bool {
    !skippedDirectories.contains(String(name)) && !(name.hasPrefix(".") && name != ".github")
  }

  /// Whether a repository-relative path is left out by the policy's `exclude`.
  public func isExcluded(_ relative: String) -> Bool {
    excluded.contains { relative == $0 || relative.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
  }

  public func collect(_ repository: any FileSystemView) -> (lockfiles: [Lockfile], problems: [Problem]) {
    var found: [(path: String, reader: any LockfileReader.Type)] = []
    walk(repository, "/", depth: 0, into: &found)
    var lockfiles: [Lockfile] = []
    var problems: [Problem] = []
    var read = Set(found.map(\.path))
    var queue = found
    while !queue.isEmpty {
      let (path, reader) = queue.removeFirst()
      guard let (lockfile, references, fileProblems) = readFile(repository, path, reader) else { continue }
      lockfiles.append(lockfile)
      problems += fileProblems
      let folder = path.split(separator: "/").dropLast().joined(separator: "/")
      for reference in references where !reference.contains("://") {
        let joined = normalise(folder.isEmpty ? reference : folder + "/" + reference)
        guard !joined.hasPrefix("../"), read.insert(joined).inserted else { continue }
        if repository.isFile("/" + joined) {
          queue.append((joined, RequirementsReader.self))
        } else {
          problems.append(
            Problem(
              area: .lockfiles, path: path, message: "includes \(reference), which does not exist",
              fix: "Fix the -r/-c line or add the file; pip fails on a missing include."))
        }
      }
    }
    return (lockfiles.sorted(), problems)
  }

  private func walk(_ fs: any FileSystemView, _ directory: String, depth: Int, into found: inout [(path: String, reader: any LockfileReader.Type)]) {
    // Folders are only entered when they are real folders (not links), so every path here is already resolved:
    // raw listings and raw kinds, no link resolution per entry.
    // What each name is comes from the listing: a source tree's thousands of files cost no lstat each.
    guard depth < 24, let entries = try? fs.rawListTyped(directory).sorted(by: { $0.name < $1.name }) else { return }
    for (name, type) in entries {
      let path = directory == "/" ? "/" + name : directory + "/" + name
      let relative = String(path.dropFirst())
      if isExcluded(relative) { continue }
      switch type {
      case .directory:
        if Self.descends(into: name) {
          walk(fs, path, depth: depth + 1, into: &found)
        }
      case .file:
        if let reader = LockfileReaders.reader(for: relative) { found.append((relative, reader)) }
      case .symlink:
        if let reader = LockfileReaders.reader(for: relative), fs.isFile(path) { found.append((relative, reader)) }
      case .other, .missing: break
      }
    }
  }

  private func readFile(_ fs: any FileSystemView, _ path: String, _ reader: any LockfileReader.Type) -> (Lockfile, [String], [Problem])? {
    let bytes: [UInt8]
    do { bytes = try fs.read("/" + path, limit: 32 << 20) } catch {
      return (Lockfile(path: path, format: reader.format, pins: []), [], [
        Problem(area: .lockfiles, path: path, message: error.reason, fix: "Make the file readable, or regenerate it with its tool.")
      ])
    }
    let reading = Self.parse(bytes, reader)
    let problems = reading.issues.map {
      Problem(area: .lockfiles, path: path, line: $0.line, message: $0.message, fix: $0.fix)
    }
    return (Lockfile(path: path, format: reader.format, pins: reading.pins), reading.references, problems)
  }

  /// What a file's bytes hold for its reader, with binary data and invalid UTF-8 as issues.
  static func parse(_ bytes: [UInt8], _ reader: any LockfileReader.Type) -> LockfileReading {
    if bytes.contains(0) {
      return LockfileReading(issues: [
        LockfileIssue(line: nil, message: "binary data (NUL bytes) in a text lockfile", fix: "Regenerate the file with its tool; it may have been overwritten.")
      ])
    }
    let valid = String(validating: bytes, as: UTF8.self)
    var reading = reader.read(valid ?? String(decoding: bytes, as: UTF8.self))
    reading.pins.sort()
    if valid == nil {
      reading.issues.insert(
        LockfileIssue(line: nil, message: "not valid UTF-8 (undecodable bytes replaced)", fix: "Save the file as UTF-8."), at: 0)
    }
    return reading
  }

  private func normalise(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/") {
      if part == "." { continue }
      if part == "..", let last = parts.last, last != ".." { parts.removeLast() } else { parts.append(part) }
    }
    return parts.joined(separator: "/")
  }
}

extension String {
  func replacingPrefix(_ prefix: String, with replacement: String) -> String {
    hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
  }
}

import Dispatch
import Synchronization

/// Walks a repository tree once and hands each file to the reader that wants it (by name); `-r`/`-c` includes
/// with other names are read as requirements files too. Paths in the result are relative to the repository.
///
/// Nothing is dropped silently: an entry with a lockfile's name that cannot be read (a dangling or looping link, a
/// link or include that leaves the repository, a FIFO, a folder, an unreadable file), a folder the walk cannot
/// enter and a folder deeper than `maximumDepth` are each a problem marked `unreadable`: the gate cannot see them.
public struct LockfileCollector: Sendable {
  /// Folders never descended into: VCS data, virtualenvs, dependency caches, build output.
  public static let skippedDirectories: Set<String> = GitRepository.prunedDirectoryNames.union([
    ".hg", ".svn", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".trustgate",
    ".build-fuzz",
  ])

  /// Folders deeper than this are not entered, and each one left out is a problem. The walk keeps its own stack, so
  /// the limit only bounds the paths it builds.
  public static let maximumDepth = 64
  /// The most trustgate reads from one lockfile.
  public static let readLimit = 32 << 20
  /// Names, versions, specifiers and groups longer than this are not kept: the entry becomes a problem naming its
  /// line, so a 10 MB version string never reaches the snapshot or a report.
  public static let maximumFieldLength = 256

  /// Repository-relative path prefixes to leave out (from the policy's `exclude`), as given and as folders (one
  /// trailing slash dropped): a path is looked up with its folders (a few hashes), not compared with every pattern
  /// (a policy of 150,000 patterns made `inspect` of 3,000 folders take 64 s).
  private let excludedPaths: Set<String>
  private let excludedFolders: Set<String>

  public init(excluded: [String] = []) {
    excludedPaths = Set(excluded)
    excludedFolders = Set(excluded.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
  }

  /// Whether the walk enters a folder of this name (hidden folders other than `.github` are skipped).
  public static func descends(into name: some StringProtocol) -> Bool {
    !skippedDirectories.contains(String(name)) && !(name.hasPrefix(".") && name != ".github")
  }

  /// Whether a repository-relative path is left out by the policy's `exclude`.
  public func isExcluded(_ relative: String) -> Bool {
    // The path itself, or a folder it lies in: `a/b` excludes `a/b` and `a/b/c` (as `a/b/` does), not `a/bc`.
    guard !excludedPaths.isEmpty else { return false }
    if excludedPaths.contains(relative) { return true }
    var end = relative.startIndex
    while let slash = relative[end...].firstIndex(of: "/") {
      if excludedFolders.contains(String(relative[..<slash])) { return true }
      end = relative.index(after: slash)
    }
    return false
  }

  public func collect(_ repository: any FileSystemView) -> (lockfiles: [Lockfile], problems: [Problem]) {
    let collection = collectNotingMissing(repository)
    return (collection.lockfiles, collection.problems)
  }

  /// What `collect` returns, and the repository-relative paths that includes and links named but the view does not
  /// hold: a git tree listed by name lacks them until the caller adds them and collects again.
  public func collectNotingMissing(_ repository: any FileSystemView) -> LockfileCollection {
    var collection = LockfileCollection()
    var found: [(path: String, reader: any LockfileReader.Type)] = []
    walk(repository, into: &found, &collection.problems)
    var read = Set(found.map(\.path))
    let early = readInParallel(repository, found)
    var queue = found[...]
    while let (path, reader) = queue.popFirst() {
      var references: [LockfileReading.Include] = []
      switch Self.classify(repository, path) {
      case .file(let real):
        let file =
          early[path].flatMap { $0.real == real ? $0.outcome : nil } ?? readFile(repository, path, real: real, reader)
        collection.lockfiles.append(file.lockfile)
        collection.problems += file.problems
        collection.switches += file.switches
        references = file.references
      case .missing(let target) where target == path:
        collection.problems.append(
          Self.hasUndecodableName(path)
            ? Self.unreadable(path, Self.undecodableName, fix: Self.renameFix)
            : Self.unreadable(path, "vanished while the repository was read"))
      case .missing(let target):
        collection.missing.insert(target)
        collection.problems.append(Self.unreadable(path, "is a link to \(Self.shown(target)), which does not exist"))
      case .unreadable(let reason):
        collection.problems.append(Self.unreadable(path, reason))
      }
      let folder = path.split(separator: "/").dropLast().joined(separator: "/")
      for include in references {
        let reference = include.file
        // pip fetches `-r https://…` (and reads `file:` URLs) itself; the gate reads no URL, so what it pins is
        // as unseen as a file outside the repository.
        if Self.isURL(reference) {
          collection.problems.append(
            Problem(
              area: .lockfiles, path: path, line: include.line,
              message: "includes \(Self.redacted(reference)), a URL "
                + "outside the repository: not fetched, so the versions it pins are not judged",
              fix: "Keep included requirements inside the repository (pip fetches the URL; trustgate reads no "
                + "network file).",
              unreadable: true))
          continue
        }
        guard let joined = Self.normalise(folder.isEmpty ? reference : folder + "/" + reference),
          !reference.hasPrefix("/")
        else {
          collection.problems.append(
            Problem(
              area: .lockfiles, path: path, line: include.line,
              message: "includes \(Self.redacted(reference)), which lies outside the repository: not followed",
              fix: "Keep included requirements inside the repository (pip reads the file trustgate cannot see).",
              unreadable: true))
          continue
        }
        guard read.insert(joined).inserted else { continue }
        switch Self.classify(repository, joined) {
        case .file:
          queue.append((joined, RequirementsReader.self))
        case .missing(let target):
          collection.missing.insert(target)
          if target == joined {
            collection.problems.append(
              Problem(
                area: .lockfiles, path: path, line: include.line,
                message: "includes \(Self.redacted(reference)), which does not exist",
                fix: "Fix the -r/-c line or add the file; pip fails on a missing include."))
          } else {
            collection.problems.append(
              Self.unreadable(joined, "is a link to \(Self.shown(target)), which does not exist (included by \(path))"))
          }
        case .unreadable(let reason):
          collection.problems.append(Self.unreadable(joined, reason + " (included by \(path))"))
        }
      }
    }
    collection.lockfiles.sort()
    return collection
  }

  /// The lockfiles the walk found, read and parsed on every core when there are several (a `uv.lock` and a
  /// `poetry.lock` of megabytes each take as long to parse as the rest of a run), keyed by resolved path. The caller
  /// classifies each path again in order (and reads it there when it resolves elsewhere now), so what it reports is
  /// the same as reading them one after the other.
  private func readInParallel(
    _ fs: any FileSystemView, _ found: [(path: String, reader: any LockfileReader.Type)]
  ) -> [String: (real: String, outcome: FileReading)] {
    guard found.count > 1 else { return [:] }
    var files: [(path: String, real: String, reader: any LockfileReader.Type)] = []
    for (path, reader) in found {
      if case .file(let real) = Self.classify(fs, path) { files.append((path, real, reader)) }
    }
    let workers = min(files.count, activeProcessorCount())
    guard workers > 1 else { return [:] }
    let results = Mutex<[String: (real: String, outcome: FileReading)]>([:])
    let collector = self
    let shared = files
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      for index in stride(from: worker, to: shared.count, by: workers) {
        let file = shared[index]
        let outcome = collector.readFile(fs, file.path, real: file.real, file.reader)
        results.withLock { $0[file.path] = (file.real, outcome) }
      }
    }
    return results.withLock { $0 }
  }

  /// Visits every folder once with its own stack (no recursion), in name order.
  private func walk(
    _ fs: any FileSystemView, into found: inout [(path: String, reader: any LockfileReader.Type)],
    _ problems: inout [Problem]
  ) {
    // Folders are only entered when they are real folders (not links), so every path here is already resolved:
    // raw listings and raw kinds, no link resolution per entry. What each name is comes from the listing: a source
    // tree's thousands of files cost no lstat each.
    var pending: [(path: String, depth: Int)] = [("/", 0)]
    while let (directory, depth) = pending.popLast() {
      let listing: [(name: String, type: EntryType)]
      do { listing = try fs.rawListTyped(directory) } catch {
        let undecodable = Self.hasUndecodableName(directory)
        problems.append(
          Problem(
            area: .lockfiles, path: directory == "/" ? "." : String(directory.dropFirst()),
            message: "folder: \(undecodable ? Self.undecodableName : error.reason); lockfiles in it are not checked",
            fix: undecodable
              ? Self.renameFix
              : "Make the folder readable by the build user, or leave it out with the policy's `exclude`.",
            unreadable: true))
        continue
      }
      var folders: [String] = []
      for (name, type) in listing.sorted(by: { $0.name < $1.name }) {
        let path = directory == "/" ? "/" + name : directory + "/" + name
        let relative = String(path.dropFirst())
        if isExcluded(relative) { continue }
        let reader = LockfileReaders.reader(for: relative)
        switch type {
        case .directory:
          if reader != nil {
            problems.append(Self.unreadable(relative, "is a folder, not a lockfile"))
          }
          guard Self.descends(into: name) else { continue }
          if depth + 1 > Self.maximumDepth {
            problems.append(
              Problem(
                area: .lockfiles, path: relative,
                message: "folder more than \(Self.maximumDepth) levels deep: lockfiles in it are not checked",
                fix: "Move the project closer to the repository root, or leave the folder out with `exclude`.",
                unreadable: true))
          } else {
            folders.append(path)
          }
        case .file, .symlink, .other, .missing:
          // Links, FIFOs and vanished entries are classified when read: each becomes a problem there.
          if let reader { found.append((relative, reader)) }
        }
      }
      // Reversed onto the stack, so folders are visited in name order.
      pending += folders.reversed().map { (path: $0, depth: depth + 1) }
    }
  }

  /// What a repository-relative path holds once its links are followed inside the repository.
  enum Entry: Equatable {
    /// A regular file, at this repository-relative path.
    case file(String)
    /// Nothing at this repository-relative path (the path itself, or a link's target).
    case missing(String)
    /// Something that cannot be read as a lockfile, and why.
    case unreadable(String)
  }

  /// Follows links one at a time: a link that is absolute or climbs above the repository is never followed (the
  /// view would resolve it inside the repository, which is not what pip reads).
  static func classify(_ fs: any FileSystemView, _ relative: String) -> Entry {
    var current = relative
    for _ in 0..<40 {
      guard let kind = fs.linkKind("/" + current) else { return .missing(current) }
      switch kind {
      case .file:
        return .file(current)
      case .directory:
        return current == relative ? .unreadable("is a folder, not a lockfile") : .unreadable("is a link to a folder")
      case .other:
        return .unreadable("is not a regular file (a FIFO, socket or device): trustgate does not open it")
      case .symlink(let target):
        let folder = current.split(separator: "/").dropLast().joined(separator: "/")
        guard !target.hasPrefix("/"), let next = normalise(folder.isEmpty ? target : folder + "/" + target) else {
          return .unreadable("is a link to \(shown(target)), outside the repository: not followed")
        }
        current = next
      }
    }
    return .unreadable("is a link loop (more than 40 links followed)")
  }

  /// A name that is not valid UTF-8 is listed with U+FFFD in place of its bad bytes, and that name opens nothing: it
  /// is said as such, not as a file that vanished. (A real name holding U+FFFD opens, so it never gets here.)
  static func hasUndecodableName(_ path: String) -> Bool { path.contains("\u{FFFD}") }
  static let undecodableName = "its name is not valid UTF-8 (shown with \u{FFFD}), so trustgate cannot open it"
  static let renameFix = "Rename it to a UTF-8 name (`git mv OLD NEW`): pip and git read it, trustgate cannot."

  private static func unreadable(
    _ path: String, _ reason: String,
    fix: String = "Replace it with the lockfile itself (or a link to one inside the repository), or remove it."
  ) -> Problem {
    Problem(
      area: .lockfiles, path: path, message: "\(reason): the gate cannot see what it pins", fix: fix, unreadable: true)
  }

  private func readFile(
    _ fs: any FileSystemView, _ path: String, real: String, _ reader: any LockfileReader.Type
  ) -> FileReading {
    let bytes: [UInt8]
    do { bytes = try fs.read("/" + real, limit: Self.readLimit) } catch {
      return FileReading(
        lockfile: Lockfile(path: path, format: reader.format, pins: []),
        problems: [Self.unreadable(path, error.reason)])
    }
    let reading = Self.parse(bytes, reader)
    let problems = reading.issues.map {
      Problem(area: .lockfiles, path: path, line: $0.line, message: $0.message, fix: $0.fix)
    }
    // pip installing from the file accepts any certificate from these hosts: what pip.conf's `trusted-host` does.
    let switches = reading.trustedHosts.map {
      ConfigSwitch(client: "pip", key: "trusted-host", value: $0.host, path: path, line: $0.line, everyHost: false)
    }
    return FileReading(
      lockfile: Lockfile(path: path, format: reader.format, pins: reading.pins), references: reading.references,
      problems: problems, switches: switches)
  }

  /// What a file's bytes hold for its reader, with binary data and invalid UTF-8 as issues.
  static func parse(_ bytes: [UInt8], _ reader: any LockfileReader.Type) -> LockfileReading {
    // Decoded first as the file's tool decodes it (pip honours byte-order marks).
    let bytes = reader.transcoded(bytes) ?? bytes
    // Checked and read in place: no string of the whole file is made (lockfiles run to megabytes).
    let (reading, valid) = bytes.withUnsafeBufferPointer { buffer -> (LockfileReading?, Bool) in
      if containsNUL(buffer) { return (nil, true) }
      guard isValidUTF8(buffer) else { return (reader.read(String(decoding: buffer, as: UTF8.self)), false) }
      return (reader.read(utf8: buffer), true)
    }
    guard var reading else {
      return LockfileReading(issues: [
        LockfileIssue(
          line: nil, message: "binary data (NUL bytes) in a text lockfile",
          fix: "Regenerate the file with its tool; it may have been overwritten.")
      ])
    }
    capFields(&reading)
    reading.pins.sort()
    if !valid {
      reading.issues.insert(
        LockfileIssue(
          line: nil, message: "not valid UTF-8 (undecodable bytes replaced)", fix: "Save the file as UTF-8."),
        at: 0)
    }
    return reading
  }

  /// Replaces each pin with an over-long field by an issue at its line, and shortens over-long issue texts and
  /// references (what a reader echoes comes from the file).
  static func capFields(_ reading: inout LockfileReading) {
    let limit = maximumFieldLength
    var kept: [Pin] = []
    kept.reserveCapacity(reading.pins.count)
    for pin in reading.pins {
      // The first over-long field, in this order (no array per pin: lockfiles hold thousands).
      let overLong: (String, String?)? =
        if pin.name.utf8.count > limit { ("name", pin.name) }
        else if (pin.version?.utf8.count ?? 0) > limit { ("version", pin.version) }
        else if (pin.specifier?.utf8.count ?? 0) > limit { ("specifier", pin.specifier) }
        else if (pin.group?.utf8.count ?? 0) > limit { ("group", pin.group) }
        else { nil }
      if let (field, value) = overLong {
        let length = value?.utf8.count ?? 0
        reading.issues.append(
          LockfileIssue(
            line: pin.line,
            message: "the entry's \(field) is \(length) bytes long, more than the \(limit) trustgate reads "
              + "(`\(shown(value ?? ""))`)",
            fix: "Fix the entry at this line, or regenerate the file with its tool."))
      } else {
        kept.append(pin)
      }
    }
    reading.pins = kept
    for index in reading.issues.indices {
      reading.issues[index].message = shown(reading.issues[index].message, limit: 400)
      reading.issues[index].fix = shown(reading.issues[index].fix, limit: 400)
    }
  }

  /// pip's test for an include it fetches (`req_file.get_file_content`: `http:`, `https:` or `file:`, any case), and
  /// any other `scheme://`.
  static func isURL(_ reference: String) -> Bool {
    reference.contains("://")
      || reference.range(of: "^(http|https|file):", options: [.regularExpression, .caseInsensitive]) != nil
  }

  /// An include as messages show it: what a password or token could be in is `***` (`user:password@`, written
  /// after `scheme://`, `scheme:` or `//`; a query or fragment), then cut at 200 characters.
  static func redacted(_ reference: String) -> String {
    var head = Substring(reference)
    var tail = ""
    if let mark = head.firstIndex(where: { $0 == "?" || $0 == "#" }) {
      tail = head.index(after: mark) < head.endIndex ? String(head[mark]) + "***" : String(head[mark...])
      head = head[..<mark]
    }
    if let at = head.lastIndex(of: "@") {
      var start = head.startIndex
      if let scheme = head.range(of: "://") {
        start = scheme.upperBound
      } else if head.hasPrefix("//") {
        start = head.index(head.startIndex, offsetBy: 2)
      } else if isURL(String(head)), let colon = head.firstIndex(of: ":") {
        start = head.index(after: colon)
      }
      if start <= at { head = head[..<start] + "***" + head[at...] }
    }
    return shown(String(head) + tail)
  }

  /// A string from a file, cut to `limit` characters with "…" when longer.
  static func shown(_ text: String, limit: Int = 200) -> String {
    guard text.utf8.count > limit else { return text }
    return String(text.prefix(limit)) + "…"
  }

  /// `a/./b/../c` → `a/c`; nil when the path climbs above the repository.
  static func normalise(_ path: String) -> String? {
    var parts: [Substring] = []
    for part in path.split(separator: "/") {
      if part == "." { continue }
      if part == ".." {
        guard !parts.isEmpty else { return nil }
        parts.removeLast()
      } else {
        parts.append(part)
      }
    }
    return parts.joined(separator: "/")
  }
}

/// One file's reading: the lockfile, the files it includes, its problems and the switches it sets.
struct FileReading: Sendable {
  var lockfile: Lockfile
  var references: [LockfileReading.Include] = []
  var problems: [Problem] = []
  var switches: [ConfigSwitch] = []
}

/// What the lockfile walk found: lockfiles, problems, and paths named by includes and links that the tree lacks.
public struct LockfileCollection: Sendable {
  public var lockfiles: [Lockfile] = []
  public var problems: [Problem] = []
  /// pip's `--trusted-host` in requirements files, at their lines (TG203 as pip.conf's).
  public var switches: [ConfigSwitch] = []
  /// Repository-relative paths an include or a link named that the view does not hold.
  public var missing: Set<String> = []
}

extension String {
  func replacingPrefix(_ prefix: String, with replacement: String) -> String {
    hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
  }
}

#if canImport(Glibc)
  import Glibc
#endif

/// Where the baseline comes from.
public enum BaselineSource: Sendable, Equatable {
  /// A recorded snapshot file.
  case file(String)
  /// The repository's lockfiles at a git ref (read through libgit2, no checkout).
  case gitRef(String)
  /// The index against HEAD (pre-commit).
  case staged
  /// Both sides from git: the lockfiles at `from` (nil: none, a history new to the remote) against those at `to`
  /// (a pre-push hook's `PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF`).
  case gitRange(from: String?, to: String)
  /// `.trustgate/baseline.json` if present, else the pull request's target branch, else HEAD, else none.
  case automatic
  /// No baseline: absolute rules only.
  case none
}

/// Builds the baseline snapshot (and, for `--staged`, the current lockfiles) from a source.
public struct BaselineLoader: Sendable {
  public var repositoryRoot: String
  public var environment: [String: String]
  public var excluded: [String]
  /// A baseline file named by the policy, relative to the repository.
  public var policyBaseline: String?

  public init(
    repositoryRoot: String, environment: [String: String], excluded: [String] = [], policyBaseline: String? = nil
  ) {
    self.repositoryRoot = repositoryRoot
    self.environment = environment
    self.excluded = excluded
    self.policyBaseline = policyBaseline
  }

  public static let defaultBaselinePath = ".trustgate/baseline.json"

  /// Returns the baseline (nil for none), a label for reports, and the current snapshot adjusted for `--staged`.
  public func load(_ source: BaselineSource, current: Snapshot) throws(InputError) -> (baseline: Snapshot?, label: String, current: Snapshot) {
    Self.apply(try prepare(source), to: current)
  }

  /// Everything a baseline needs that does not depend on the current snapshot: the recorded file, or the lockfiles
  /// read from git. `check` runs this on another core while the collectors run.
  public func prepare(_ source: BaselineSource) throws(InputError) -> PreparedBaseline {
    switch source {
    case .none:
      return .none
    case .file(let path):
      return .snapshot(try readSnapshot(path), label: "baseline \(path)")
    case .gitRef(let ref):
      let repository = try openRepository(for: "--baseline-ref \(ref)")
      return .lockfiles(try lockfiles(at: ref, in: repository), label: "git ref \(ref)")
    case .staged:
      let repository = try openRepository(for: "--staged")
      let staged = try collectFollowingIncludes(repository) { include, descend throws(InputError) in
        do {
          return try repository.stagedFiles(indexFile: environment["GIT_INDEX_FILE"], include: include, descend: descend)
        } catch { throw InputError("--staged: \(error)") }
      }
      return .staged(head: try lockfiles(at: "HEAD", in: repository), staged: staged, label: "HEAD (staged changes)")
    case .gitRange(let from, let to):
      let repository = try openRepository(for: "the range \(from ?? "")..\(to)")
      let before = try from.map { ref throws(InputError) in try lockfiles(at: ref, in: repository) } ?? ([], [], [])
      return .staged(head: before, staged: try lockfiles(at: to, in: repository), label: "git range \(from ?? "(none)")..\(to)")
    case .automatic:
      let recorded = policyBaseline ?? Self.defaultBaselinePath
      let host = HostFileSystem()
      // Anything at the recorded path is the baseline: one that cannot be read (a FIFO, a folder, a dangling link)
      // is an error naming it, not a silent fall back to git's lockfiles. It is a file of the checkout, so it must
      // not lead out of the repository (the policy's `baseline:` is held to the same).
      if host.linkKind(absolute(recorded)) != nil {
        let root = (try? host.resolve(repositoryRoot)) ?? repositoryRoot
        if let real = try? Policy.resolvePrefix(absolute(recorded), fs: host), !Policy.isInside(real, root: root) {
          throw InputError(
            "baseline \(recorded) is a link that leads out of the repository (to \(real.capped())); record the "
              + "baseline in the repository with `trustgate baseline`, or remove the link")
        }
        return .snapshot(try readSnapshot(recorded), label: "baseline \(recorded)")
      }
      let provider = CIProvider.detect(env: environment)
      let repository: GitRepository
      do { repository = try GitRepository(discovering: repositoryRoot) } catch {
        switch error {
        // No repository, or no libgit2 (documented: git baselines are left out): no baseline, and the label says so.
        case .notARepository, .libraryMissing: return .none
        // One that git refuses (another user's checkout in a container job) or cannot read: not a silent "none".
        default: throw InputError("the automatic baseline (the repository's lockfiles in git) cannot be read: \(error)")
        }
      }
      if let branch = provider.pullRequestTargetBranch(env: environment) {
        for candidate in ["origin/\(branch)", branch] where (try? repository.resolveCommit(candidate)) != nil {
          return .lockfiles(try lockfiles(at: candidate, in: repository), label: "git ref \(candidate) (pull request target)")
        }
        do { _ = try repository.resolveCommit("origin/\(branch)") } catch {
          throw InputError("pull request target \(branch) (from \(provider.pullRequestTargetVariable ?? "CI")): \(error)")
        }
      }
      guard (try? repository.resolveCommit("HEAD")) != nil else { return .none }
      return .lockfiles(try lockfiles(at: "HEAD", in: repository), label: "git ref HEAD")
    }
  }

  /// Combines a prepared baseline with the current snapshot. `configuration`: what the current tree's clients read
  /// (their files, the programs present), which a baseline of other lockfiles in the same tree shares.
  public static func apply(
    _ prepared: PreparedBaseline, to current: Snapshot, configuration: TrustConfiguration = .init()
  ) -> (baseline: Snapshot?, label: String, current: Snapshot) {
    switch prepared {
    case .none: return (nil, "none", current)
    case .snapshot(let snapshot, let label): return (snapshot, label, current)
    case .lockfiles(let set, let label):
      return (replacingLockfiles(current, with: set, configuration: configuration), label, current)
    case .staged(let head, let staged, let label):
      return (
        replacingLockfiles(current, with: head, configuration: configuration), label,
        replacingLockfiles(current, with: staged, configuration: configuration)
      )
    }
  }

  func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : repositoryRoot + "/" + path }

  /// A recorded snapshot; `path` relative to the repository unless absolute.
  public func readSnapshot(_ path: String) throws(InputError) -> Snapshot {
    let bytes: [UInt8]
    do { bytes = try HostFileSystem().read(absolute(path)) } catch {
      // A relative path is looked for in the working folder, then in the repository: said when it is in neither.
      let whereRead =
        path.hasPrefix("/") || !{ if case .notFound = error { true } else { false } }()
        ? "" : " (in neither the working folder nor the repository, \(InertText.escaped(repositoryRoot).capped()))"
      throw InputError(
        "baseline \(error.description.replacingPrefix(absolute(path), with: path))\(whereRead); record one with "
          + "`trustgate baseline --output \(path)`")
    }
    do { return try SnapshotCoding.decode(bytes, path: path) } catch { throw InputError(error.description) }
  }

  func openRepository(for option: String) throws(InputError) -> GitRepository {
    do { return try GitRepository(discovering: repositoryRoot) } catch {
      throw InputError("\(option) needs a git repository: \(error)")
    }
  }

  /// The walk's rules, applied to git trees: the same files the working-tree walk reads.
  func wanted() -> (String) -> Bool {
    let collector = LockfileCollector(excluded: excluded)
    return { LockfileReaders.reader(for: $0) != nil && !collector.isExcluded($0) }
  }

  /// The folders the walk enters, and those that hold one of the `extra` paths (each found in a set, not by
  /// comparing every path with every folder).
  func descend(_ extra: Set<String> = []) -> (String) -> Bool {
    let collector = LockfileCollector(excluded: excluded)
    var holding: Set<String> = []
    for path in extra {
      var folder = Substring(path)
      while let slash = folder.lastIndex(of: "/") {
        folder = folder[..<slash]
        guard holding.insert(String(folder)).inserted else { break }
      }
    }
    return { [holding] directory in
      (LockfileCollector.descends(into: directory.split(separator: "/").last ?? Substring(directory))
        && !collector.isExcluded(directory)) || holding.contains(directory)
    }
  }

  /// Reads a git tree's (or the index's) lockfiles, then what their `-r`/`-c` includes and links name: an included
  /// `common.txt` counts at a ref as in the working tree. `listing` lists the tree with the walk's rules (which files,
  /// which folders). When includes or links name paths it left out, the tree is listed again, every file of the
  /// folders the walk enters and of those holding the named paths, and the collector reads what it reaches
  /// (`GitTreeView`). Only when a file read that way names one in another folder the walk skips is every folder
  /// listed: at most three listings and three passes, however long a chain of includes.
  func collectFollowingIncludes(
    _ repository: GitRepository,
    listing: (_ include: (String) -> Bool, _ descend: (String) -> Bool) throws(InputError) -> [GitFile]
  ) throws(InputError) -> LockfileSet {
    let collector = LockfileCollector(excluded: excluded)
    var held = MemoryFileSystem(label: "git")
    let submodules = try add(try listing(wanted(), descend()), to: &held, repository)
    var collection = collector.collectNotingMissing(held)
    if !collection.missing.isEmpty {
      let all = try listing({ _ in true }, descend(collection.missing))
      collection = collector.collectNotingMissing(GitTreeView(held: held, listed: all, repository: repository))
    }
    let entered = descend()
    let inSkippedFolder = collection.missing.contains { path in
      let parts = path.split(separator: "/").dropLast()
      return parts.indices.contains { !entered(parts[...$0].joined(separator: "/")) }
    }
    if inSkippedFolder {
      let all = try listing({ _ in true }, { _ in true })
      collection = collector.collectNotingMissing(GitTreeView(held: held, listed: all, repository: repository))
    }
    return (collection.lockfiles, (collection.problems + submodules).sorted(), collection.switches)
  }

  /// Adds a git tree's (or the index's) files to an in-memory view. Returns a problem for each submodule whose files
  /// could not be read: the gate cannot see its lockfiles.
  func add(
    _ listed: [GitFile], to fs: inout MemoryFileSystem, _ repository: GitRepository
  ) throws(InputError) -> [Problem] {
    let problems = listed.compactMap { file in
      file.unreadable.map { reason in
        Problem(
          area: .lockfiles, path: file.path, message: "\(reason): lockfiles in it are not compared",
          fix: file.oid.isEmpty
            ? "Keep lockfiles less deep, or leave the folder out with the policy's `exclude`."
            : "Fetch the submodule's commit (`git submodule update --init`; with actions/checkout, "
              + "`submodules: true` and `fetch-depth: 0`), or leave the folder out with the policy's `exclude`.",
          unreadable: true)
      }
    }
    let files = listed.filter { $0.unreadable == nil }
    // The files' blobs, read on every core (the links' below, one by one: they are a few bytes).
    // `blobs` answers in the order asked, so the files' own order pairs each with its blob.
    var contents = repository.blobs(files.filter { !$0.isSymlink }.map(\.oid), limit: 32 << 20).makeIterator()
    for file in files {
      if file.isSymlink {
        // A link is kept as a link (its blob is the target), so the walk judges it as it judges one on disk.
        do {
          let target = String(decoding: try repository.blob(file.oid, limit: 4096), as: UTF8.self)
          fs.set("/" + file.path, .symlink(target))
        } catch { throw InputError("reading the link \(file.path) from git: \(error)") }
        continue
      }
      guard let content = contents.next() else { throw InputError("reading \(file.path) from git: no blob read") }
      do { fs.set("/" + file.path, .file(try content.get())) } catch {
        throw InputError("reading \(file.path) from git: \(error)")
      }
    }
    return problems
  }

  /// The lockfiles at `ref`, parsed by the same readers as the working tree's.
  func lockfiles(at ref: String, in repository: GitRepository) throws(InputError) -> LockfileSet {
    let commit: String
    do { commit = try repository.resolveCommit(ref) } catch { throw InputError("--baseline-ref: \(error)") }
    return try collectFollowingIncludes(repository) { include, descend throws(InputError) in
      do {
        return try repository.files(atCommit: commit, include: include, descend: descend)
      } catch { throw InputError("--baseline-ref: \(error)") }
    }
  }

  static func replacingLockfiles(
    _ snapshot: Snapshot, with set: LockfileSet, configuration: TrustConfiguration = .init()
  ) -> Snapshot {
    var snapshot = snapshot
    // The switches the old lockfiles set go with them (a pip.conf is never a lockfile).
    let old = Set(snapshot.lockfiles.map(\.path))
    let switches = (snapshot.configSwitches ?? []).filter { !old.contains($0.path) } + set.switches
    snapshot.configSwitches = switches.isEmpty ? nil : switches.sorted()
    snapshot.lockfiles = set.lockfiles
    snapshot.problems = snapshot.problems.filter { $0.area != .lockfiles } + set.problems
    // Resolved as the current snapshot was, with the same configuration (java's home, uv's system-certs, the node
    // program): only the lockfiles differ.
    snapshot.effectiveTrust = EffectiveTrust.resolve(snapshot, configuration: configuration)
    snapshot.normalise()
    return snapshot
  }
}

/// Lockfiles read from one tree, with the problems met reading them and the switches they set (pip's
/// `--trusted-host` in a requirements file).
public typealias LockfileSet = (lockfiles: [Lockfile], problems: [Problem], switches: [ConfigSwitch])

/// A baseline read ahead of the current snapshot (see `BaselineLoader.prepare`).
public enum PreparedBaseline: Sendable {
  case none
  case snapshot(Snapshot, label: String)
  /// The current snapshot with these lockfiles.
  case lockfiles(LockfileSet, label: String)
  /// `--staged`: HEAD's lockfiles for the baseline, the index's for the current side.
  case staged(head: LockfileSet, staged: LockfileSet, label: String)
}

/// Where the baseline comes from.
public enum BaselineSource: Sendable, Equatable {
  /// A recorded snapshot file.
  case file(String)
  /// The repository's lockfiles at a git ref (read through libgit2, no checkout).
  case gitRef(String)
  /// The index against HEAD (pre-commit).
  case staged
  /// `.trustgate/baseline.json` if present, else the pull request's target branch, else HEAD, else none.
  case automatic
  /// No baseline: absolute rules only.
  case none
}

/// Builds the baseline snapshot (and, for `--staged`, the current lockfiles) from a source.
public struct BaselineLoader {
  public var repositoryRoot: String
  public var environment: [String: String]
  public var excluded: [String]
  /// A baseline file named by the policy, relative to the repository.
  public var policyBaseline: String?

  public init(repositoryRoot: String, environment: [String: String], excluded: [String] = [], policyBaseline: String? = nil) {
    self.repositoryRoot = repositoryRoot
    self.environment = environment
    self.excluded = excluded
    self.policyBaseline = policyBaseline
  }

  public static let defaultBaselinePath = ".trustgate/baseline.json"

  /// Returns the baseline (nil for none), a label for reports, and the current snapshot adjusted for `--staged`.
  public func load(_ source: BaselineSource, current: Snapshot) throws(InputError) -> (baseline: Snapshot?, label: String, current: Snapshot) {
    switch source {
    case .none:
      return (nil, "none", current)
    case .file(let path):
      return (try readSnapshot(path), "baseline \(path)", current)
    case .gitRef(let ref):
      let repository = try openRepository(for: "--baseline-ref \(ref)")
      return (try snapshot(current, lockfilesAt: ref, in: repository), "git ref \(ref)", current)
    case .staged:
      let repository = try openRepository(for: "--staged")
      var staged = current
      let files: [GitFile]
      do {
        files = try repository.stagedFiles(indexFile: environment["GIT_INDEX_FILE"], include: wanted, descend: descend)
      } catch { throw InputError("--staged: \(error)") }
      replaceLockfiles(in: &staged, with: try tree(files, repository))
      let head = try snapshot(current, lockfilesAt: "HEAD", in: repository)
      return (head, "HEAD (staged changes)", staged)
    case .automatic:
      let recorded = policyBaseline ?? Self.defaultBaselinePath
      if HostFileSystem().isFile(absolute(recorded)) {
        return (try readSnapshot(recorded), "baseline \(recorded)", current)
      }
      guard let repository = try? GitRepository(discovering: repositoryRoot) else { return (nil, "none", current) }
      let provider = CIProvider.detect(env: environment)
      if let branch = provider.pullRequestTargetBranch(env: environment) {
        for candidate in ["origin/\(branch)", branch] where (try? repository.resolveCommit(candidate)) != nil {
          return (try snapshot(current, lockfilesAt: candidate, in: repository), "git ref \(candidate) (pull request target)", current)
        }
        do { _ = try repository.resolveCommit("origin/\(branch)") } catch {
          throw InputError("pull request target \(branch) (from \(provider.pullRequestTargetVariable ?? "CI")): \(error)")
        }
      }
      guard (try? repository.resolveCommit("HEAD")) != nil else { return (nil, "none", current) }
      return (try snapshot(current, lockfilesAt: "HEAD", in: repository), "git ref HEAD", current)
    }
  }

  func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : repositoryRoot + "/" + path }

  func readSnapshot(_ path: String) throws(InputError) -> Snapshot {
    let bytes: [UInt8]
    do { bytes = try HostFileSystem().read(absolute(path)) } catch {
      throw InputError("baseline \(error.description.replacingPrefix(absolute(path), with: path)); record one with `trustgate baseline --output \(path)`")
    }
    do { return try SnapshotCoding.decode(bytes, path: path) } catch { throw InputError(error.description) }
  }

  func openRepository(for option: String) throws(InputError) -> GitRepository {
    do { return try GitRepository(discovering: repositoryRoot) } catch {
      throw InputError("\(option) needs a git repository: \(error)")
    }
  }

  var wanted: (String) -> Bool {
    let excluded = self.excluded
    return { path in
      LockfileReaders.reader(for: path) != nil && !excluded.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }
  }

  var descend: (String) -> Bool {
    let excluded = self.excluded
    return { directory in
      let name = directory.split(separator: "/").last.map(String.init) ?? directory
      return !LockfileCollector.skippedDirectories.contains(name) && !(name.hasPrefix(".") && name != ".github")
        && !excluded.contains { directory == $0 || directory.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }
  }

  /// The lockfile-bearing files of a git tree as an in-memory view.
  func tree(_ files: [GitFile], _ repository: GitRepository) throws(InputError) -> MemoryFileSystem {
    var fs = MemoryFileSystem(label: "git")
    for file in files where !file.isSymlink {
      do { fs.set("/" + file.path, .file(try repository.blob(file.oid, limit: 32 << 20))) } catch {
        throw InputError("reading \(file.path) from git: \(error)")
      }
    }
    return fs
  }

  /// The current snapshot with its lockfiles replaced by those at `ref`.
  func snapshot(_ current: Snapshot, lockfilesAt ref: String, in repository: GitRepository) throws(InputError) -> Snapshot {
    let files: [GitFile]
    do {
      let commit = try repository.resolveCommit(ref)
      files = try repository.files(atCommit: commit, include: wanted, descend: descend)
    } catch { throw InputError("--baseline-ref: \(error)") }
    var baseline = current
    replaceLockfiles(in: &baseline, with: try tree(files, repository))
    return baseline
  }

  func replaceLockfiles(in snapshot: inout Snapshot, with fs: MemoryFileSystem) {
    let collected = LockfileCollector(excluded: excluded).collect(fs)
    snapshot.lockfiles = collected.lockfiles
    snapshot.problems = snapshot.problems.filter { $0.area != .lockfiles } + collected.problems
    snapshot.effectiveTrust = EffectiveTrust.resolve(snapshot)
    snapshot.normalise()
  }
}

#if canImport(Glibc)
  import Glibc
#endif
import Dispatch
import Synchronization

/// A usage or input error the command line reports with exit code 2: names the file and says what to do.
public struct InputError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Turns command-line choices (root, repository, env file) into an `InspectRequest`.
public struct Workspace {
  public var root: String?
  public var repository: String?
  /// The host's OS bundle certificates parsed while the arguments were (`EarlyReading`); used when the target is this host.
  public var early: EarlyReading?
  public var envFile: String?
  /// A `docker save` archive or OCI layout to inspect instead of a tree on disk.
  public var image: String?
  /// `--image-user`: who reads the image's files instead of its config's `User` (as `docker run --user` or
  /// Kubernetes `runAsUser` start the container).
  public var imageUser: String?
  /// `--policy FILE`; else `.trustgate.yml` at the repository root when present.
  public var policyFile: String?
  public var processEnvironment: [String: String]
  public var currentDirectory: String

  public init(
    root: String?, repository: String?, envFile: String?, image: String? = nil, policyFile: String? = nil,
    processEnvironment: [String: String], currentDirectory: String
  ) {
    self.root = root
    self.repository = repository
    self.envFile = envFile
    self.image = image
    self.policyFile = policyFile
    self.processEnvironment = processEnvironment
    self.currentDirectory = currentDirectory
  }

  /// The policy: `--policy FILE` (must exist), else `.trustgate.yml` in the repository, else the defaults.
  public func policy() throws(InputError) -> Policy {
    let path: String
    let shown: String
    if let policyFile {
      path = absolute(policyFile)
      shown = policyFile
    } else {
      let root = try repositoryRoot()
      path = root + "/.trustgate.yml"
      shown = ".trustgate.yml"
      let host = HostFileSystem()
      guard host.linkKind(path) != nil else { return Policy() }
      // A policy found in the repository is the repository's own: a link out of it (to a host file, which errors
      // would then quote) is not followed, as a lockfile's is not.
      if let real = try? host.resolve(path), let top = try? host.resolve(root), !Policy.isInside(real, root: top) {
        throw InputError(
          "\(shown): is a link to \(String(real.prefix(200))), outside the repository: not followed; make it a file "
            + "in the repository (or a link inside it), or name the policy with --policy FILE")
      }
    }
    let bytes: [UInt8]
    do { bytes = try HostFileSystem().read(path, limit: 1 << 20) } catch {
      throw InputError("--policy \(error.description.replacingPrefix(path, with: shown)); give a .trustgate.yml file")
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw InputError("\(shown): not UTF-8 text; save the policy as UTF-8 YAML")
    }
    let repository = try repositoryRoot()
    do {
      let policy = try PolicyLoader.load(text, path: shown)
      try policy.checkBaselineInside(repositoryRoot: repository)
      return policy
    } catch { throw InputError(error.description) }
  }

  /// The repository root on the host: `--repo`, else the git work tree around the current directory, else the
  /// current directory itself.
  public func repositoryRoot() throws(InputError) -> String {
    if let repository {
      let path = absolute(repository)
      guard HostFileSystem().isDirectory(path) else {
        throw InputError("--repo \(repository): not a directory; give the repository's folder")
      }
      return GitRepositoryLocator.workdir(around: path) ?? path
    }
    return GitRepositoryLocator.workdir(around: currentDirectory) ?? currentDirectory
  }

  public func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : (currentDirectory == "/" ? "/" : currentDirectory + "/") + path
  }

  /// The variables of `--env-file` with the line each is set on (empty without one).
  func envFileEntries() throws(InputError) -> [String: (value: String, line: Int)] {
    guard let envFile else { return [:] }
    let bytes: [UInt8]
    do { bytes = try HostFileSystem().read(absolute(envFile), limit: 1 << 20) } catch {
      throw InputError("--env-file \(error.description); give a file of KEY=VALUE lines")
    }
    do { return try EnvFile.parseWithLines(bytes: bytes, path: envFile) } catch {
      throw InputError(error.description)
    }
  }

  /// The environment the collectors see: the live one on the host; for `--root` and `--image` never the host's, only
  /// the image's own and what `--env-file` gives.
  public func environment() throws(InputError) -> [String: String] {
    var env = root == nil && image == nil ? processEnvironment : [:]
    for (key, entry) in try envFileEntries() { env[key] = entry.value }
    return env
  }

  /// Where each variable of `--env-file` is set, so findings about a variable can point at its line.
  public func environmentLocations() throws(InputError) -> [String: Location] {
    guard let envFile else { return [:] }
    return try envFileEntries().mapValues { Location(path: envFile, line: $0.line) }
  }

  public func request(now: Int64, excluded: [String] = [], includeClock: Bool = true) throws(InputError) -> (request: InspectRequest, image: ContainerImage?) {
    let fs: any FileSystemView
    let target: Target
    var env: [String: String]
    var opened: ContainerImage?
    // The host views of this run share their folder listings: a folder two collectors walk is listed once.
    let listings = ListingMemo()
    if imageUser != nil && image == nil {
      throw InputError("--image-user says who reads --image; give --image too (a host or --root is read as yourself)")
    }
    if let image {
      guard root == nil else { throw InputError("--image and --root both name what to inspect; give one of them") }
      let overrides = try environment()
      do {
        opened = try ContainerImage.open(path: absolute(image), environment: overrides, user: imageUser)
      } catch {
        throw InputError(error.description)
      }
      fs = opened?.files ?? MemoryFileSystem(label: "image")
      let user = opened?.user.flatMap { $0.isRoot ? nil : $0.description }
      target = Target(kind: .image, image: String(image.split(separator: "/").last ?? Substring(image)), user: user)
      env = opened?.env ?? [:]
      // A runtime sets HOME from the user's passwd entry when the config does not.
      if env["HOME"] == nil, let home = opened?.user?.home, !home.isEmpty { env["HOME"] = home }
      for (key, value) in overrides { env[key] = value }
    } else if let root {
      let path = absolute(root)
      guard HostFileSystem().isDirectory(path) else {
        throw InputError("--root \(root): not a directory; give the folder of an unpacked root filesystem")
      }
      fs = HostFileSystem(root: path, listings: listings)
      target = Target(kind: .root)
      env = try environment()
    } else {
      fs = HostFileSystem(root: "/", listings: listings)
      target = Target(kind: .host)
      env = try environment()
    }
    let repo = try repositoryRoot()
    var request = InspectRequest(
      fs: fs, env: env, target: target, repository: HostFileSystem(root: repo, listings: listings),
      repositoryPathInView: root == nil && image == nil ? repo : nil, now: now)
    // An image runs on other hosts: this host's clock says nothing about it.
    request.includeClock = includeClock && image == nil
    // Read only when the clock section needs HEAD.
    request.head = HeadCommitSource(repository: repo)
    request.excluded = excluded
    request.imageWarnings = opened?.warnings ?? []
    if image == nil && root == nil { request.early = early }
    // Where the clients run: this process's folder on the host (a CI job's step runs its clients where it runs
    // trustgate), the image's WorkingDir; an unpacked root says nothing about it, so its `/`.
    request.workingDirectory = opened?.workingDirectory ?? (root == nil ? currentDirectory : "/")
    return (request, opened)
  }
}

/// Small helpers over `GitRepository` that never fail: outside a repository they answer nil.
enum GitRepositoryLocator {
  /// The nearest folder holding `.git` (a folder, or a file for worktrees), found without starting libgit2:
  /// libgit2's first use loads the CA bundle for its TLS backend, which costs more than a whole inspection.
  static func workdir(around path: String) -> String? {
    let fs = HostFileSystem()
    var current = path
    while true {
      if fs.linkKind(current == "/" ? "/.git" : current + "/.git") != nil { return current }
      guard current != "/", let slash = current.lastIndex(of: "/") else { return nil }
      current = slash == current.startIndex ? "/" : String(current[..<slash])
    }
  }

  /// HEAD's commit time. Outside a repository libgit2 is never started; inside one, the commit object is read from
  /// git's own files when it is stored plainly (`GitHead.commitTime`), and libgit2 starts only for other layouts.
  static func headCommitTime(around path: String) -> Int64? {
    guard let workdir = workdir(around: path) else { return nil }
    if let time = GitHead.headCommitTime(workdir: workdir) { return time }
    guard let repository = try? GitRepository(discovering: path) else { return nil }
    return (try? repository.headCommitTime()) ?? nil
  }
}

/// The repository whose HEAD commit time the clock section compares the clock with.
public struct HeadCommitSource: Sendable {
  public let repository: String

  public init(repository: String) {
    self.repository = repository
  }

  func commitTime() -> Int64? { GitRepositoryLocator.headCommitTime(around: repository) }
}

/// A value computed on another thread while collection goes on (libgit2's start-up runs beside the collectors).
/// Whoever gets to the work first runs it: a worker thread, or `wait()` when the work is still queued (both cores
/// busy with other tasks) — then the waiting thread computes it instead of idling until a worker frees up.
public final class PendingValue<Value: Sendable>: Sendable {
  private let result = Mutex<Value?>(nil)
  private let group = DispatchGroup()
  private let claimed = Atomic<Bool>(false)
  private let work: @Sendable () -> Value

  public convenience init(_ work: @escaping @Sendable () -> Value) {
    self.init(on: .global(), work)
  }

  init(on queue: DispatchQueue, _ work: @escaping @Sendable () -> Value) {
    self.work = work
    group.enter()
    queue.async { [self] in runIfUnclaimed() }
  }

  /// Runs the work unless another thread already took it.
  private func runIfUnclaimed() {
    guard claimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
      return
    }
    let value = work()
    result.withLock { $0 = value }
    group.leave()
  }

  public func wait() -> Value? {
    runIfUnclaimed()
    group.wait()
    return result.withLock { $0 }
  }
}

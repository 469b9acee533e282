#if canImport(Glibc)
  import Glibc
#endif

/// A usage or input error the command line reports with exit code 2: names the file and says what to do.
public struct InputError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Turns command-line choices (root, repository, env file) into an `InspectRequest`.
public struct Workspace {
  public var root: String?
  public var repository: String?
  public var envFile: String?
  public var processEnvironment: [String: String]
  public var currentDirectory: String

  public init(root: String?, repository: String?, envFile: String?, processEnvironment: [String: String], currentDirectory: String) {
    self.root = root
    self.repository = repository
    self.envFile = envFile
    self.processEnvironment = processEnvironment
    self.currentDirectory = currentDirectory
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

  /// The environment the collectors see: the live one on the host; for `--root`, only what `--env-file` gives.
  public func environment() throws(InputError) -> [String: String] {
    var env = root == nil ? processEnvironment : [:]
    if let envFile {
      let bytes: [UInt8]
      do { bytes = try HostFileSystem().read(absolute(envFile), limit: 1 << 20) } catch {
        throw InputError("--env-file \(error.description); give a file of KEY=VALUE lines")
      }
      do {
        for (key, value) in try EnvFile.parse(String(decoding: bytes, as: UTF8.self), path: envFile) { env[key] = value }
      } catch { throw InputError(error.description) }
    }
    return env
  }

  public func request(now: Int64) throws(InputError) -> InspectRequest {
    let fs: any FileSystemView
    let target: Target
    if let root {
      let path = absolute(root)
      guard HostFileSystem().isDirectory(path) else {
        throw InputError("--root \(root): not a directory; give the folder of an unpacked root filesystem")
      }
      fs = HostFileSystem(root: path)
      target = Target(kind: .root)
    } else {
      fs = HostFileSystem()
      target = Target(kind: .host)
    }
    let repo = try repositoryRoot()
    var request = InspectRequest(
      fs: fs, env: try environment(), target: target, repository: HostFileSystem(root: repo),
      repositoryPathInView: root == nil ? repo : nil, now: now)
    request.headCommitTime = GitRepositoryLocator.headCommitTime(around: repo)
    return request
  }
}

/// Small helpers over `GitRepository` that never fail: outside a repository they answer nil.
enum GitRepositoryLocator {
  static func workdir(around path: String) -> String? {
    (try? GitRepository(discovering: path))?.workdir
  }

  static func headCommitTime(around path: String) -> Int64? {
    guard let repository = try? GitRepository(discovering: path) else { return nil }
    return (try? repository.headCommitTime()) ?? nil
  }
}

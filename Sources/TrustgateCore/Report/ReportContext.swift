/// What reporters know about the run besides its findings: where the repository is, what was inspected, and which
/// repository files exist. SARIF and GitLab need a file for every finding; findings about no file (a variable, the
/// clock) or about a file outside the repository (a host CA folder) are anchored at a file that exists.
public struct ReportContext: Sendable, Equatable {
  /// What was inspected, for paths outside the repository (`/usr/local/share/ca-certificates` is a path in it).
  public enum Target: Sendable, Equatable {
    case host
    /// An unpacked root file system: its absolute host path.
    case root(String)
    /// A container image: its reference or file name.
    case image(String)
  }

  /// The repository root on the host, absolute; host paths under it are reported relative to it.
  public var repositoryRoot: String?
  public var target: Target
  /// The policy file, relative to the repository, when it exists there.
  public var policyFile: String?
  /// Repository files that exist, the most fitting anchor for a finding about no file first: the policy file, the
  /// CI configuration that runs the gate, the recorded baseline, the lockfiles read.
  public var anchors: [String]
  /// Repository-relative paths known to exist (the anchors, and every finding's file that exists); nil when not
  /// checked, and every relative path is taken to exist.
  public var existingFiles: Set<String>?
  /// Host files named in findings as the user typed them (`--env-file ../ci.env`), with their absolute path: they
  /// are neither repository-relative nor in the inspected file system.
  public var hostFiles: [String: String]

  public init(
    repositoryRoot: String? = nil, target: Target = .host, policyFile: String? = nil, anchors: [String] = [],
    existingFiles: Set<String>? = nil, hostFiles: [String: String] = [:]
  ) {
    self.repositoryRoot = repositoryRoot
    self.target = target
    self.policyFile = policyFile
    self.anchors = policyFile.map { [$0] + anchors.filter { $0 != policyFile } } ?? anchors
    self.existingFiles = existingFiles
    self.hostFiles = hostFiles
  }

  /// CI configuration files that define the job running trustgate (and the variables findings are about).
  static let ciConfigurationFiles = [".gitlab-ci.yml", "azure-pipelines.yml", "Jenkinsfile", ".circleci/config.yml"]

  /// Looks on the host file system for the files above: `policyFile` and `baselineFile` are absolute host paths (or
  /// nil); `lockfiles` are repository-relative. Every finding's own repository path is checked too.
  public static func gather(
    repositoryRoot: String, target: Target, policyFile: String?, baselineFile: String?, lockfiles: [String],
    hostFiles: [String: String] = [:], evaluation: Evaluation,
    isFile: (String) -> Bool = { HostFileSystem().isFile($0) }
  ) -> ReportContext {
    var context = ReportContext(repositoryRoot: repositoryRoot, target: target)
    func existing(_ absolute: String?) -> String? {
      guard let absolute, let relative = context.repositoryPath(absolute, onHost: true), isFile(absolute) else {
        return nil
      }
      return relative
    }
    let policy = existing(policyFile)
    let candidates =
      [baselineFile].compactMap(existing)
      + ciConfigurationFiles.filter { isFile(repositoryRoot + "/" + $0) }
      + lockfiles.sorted().filter { isFile(repositoryRoot + "/" + $0) }
    context = ReportContext(
      repositoryRoot: repositoryRoot, target: target, policyFile: policy, anchors: candidates, hostFiles: hostFiles)
    var existingFiles = Set(context.anchors)
    let locations = evaluation.findings.flatMap { [$0.location].compactMap { $0 } + $0.relatedLocations }
    for location in locations {
      guard let relative = context.repositoryPath(location.path), !existingFiles.contains(relative) else { continue }
      if isFile(repositoryRoot + "/" + relative) { existingFiles.insert(relative) }
    }
    context.existingFiles = existingFiles
    return context
  }

  /// The context of a `check` run: the workspace's repository, target and policy file, the baseline file it
  /// compared with (`baselineFile` as given, else the policy's or the default recorded baseline), the lockfiles read.
  public static func gather(
    workspace: Workspace, repositoryRoot: String, policy: Policy, baselineFile: String?, snapshot: Snapshot,
    evaluation: Evaluation
  ) -> ReportContext {
    let target: Target
    if let image = workspace.image {
      target = .image(image)
    } else if let root = workspace.root {
      target = .root(workspace.absolute(root))
    } else {
      target = .host
    }
    let policyFile = workspace.policyFile.map(workspace.absolute) ?? repositoryRoot + "/.trustgate.yml"
    let recorded = policy.baseline ?? BaselineLoader.defaultBaselinePath
    let baseline =
      baselineFile.map(workspace.absolute) ?? (recorded.hasPrefix("/") ? recorded : repositoryRoot + "/" + recorded)
    let hostFiles = workspace.envFile.map { [$0: workspace.absolute($0)] } ?? [:]
    return gather(
      repositoryRoot: repositoryRoot, target: target, policyFile: policyFile, baselineFile: baseline,
      lockfiles: snapshot.lockfiles.map(\.path), hostFiles: hostFiles, evaluation: evaluation)
  }

  /// `path` relative to the repository when it names a repository file: relative paths as they are; absolute paths
  /// under the repository root when they are host paths (`onHost`, or the host is the target). Nil otherwise: a
  /// path outside the repository, or inside an inspected root file system or image.
  public func repositoryPath(_ path: String, onHost: Bool = false) -> String? {
    if let absolute = hostFiles[path] { return repositoryPath(hostPath: absolute) }
    guard path.hasPrefix("/") else {
      let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
      return trimmed.isEmpty || trimmed.split(separator: "/").contains("..") ? nil : trimmed
    }
    guard onHost || target == .host else { return nil }
    return repositoryPath(hostPath: path)
  }

  /// An absolute host path relative to the repository root, or nil outside it.
  private func repositoryPath(hostPath path: String) -> String? {
    guard let root = repositoryRoot, path.hasPrefix("/") else { return nil }
    let prefix = root.hasSuffix("/") ? root : root + "/"
    guard path.hasPrefix(prefix), path.count > prefix.count else { return nil }
    return String(path.dropFirst(prefix.count))
  }

  /// Whether a repository-relative path is known to exist (always, when existence was not checked).
  public func exists(_ repositoryPath: String) -> Bool { existingFiles?.contains(repositoryPath) ?? true }

  /// Where GitLab-style reports, which need an existing repository file, place `location`: the repository file
  /// itself when it exists, else the first anchor (the finding's own path stays in its description).
  public func existingRepositoryFile(for location: Location?) -> Location? {
    if let location, let relative = repositoryPath(location.path), exists(relative) {
      return Location(path: relative, line: location.line)
    }
    return anchors.first.map { Location(path: $0, line: 1) }
  }
}

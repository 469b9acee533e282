/// Finds Python installations in a file tree and reads what they have installed, without running Python: the
/// interpreter found through `VIRTUAL_ENV`, the repository's virtual environments, `PATH` (venvs, pyenv shims,
/// plain prefixes) and the system prefixes; their distributions, certifi's bundle, pip's copy and vendored bundles.
public struct PythonCollector: Sendable {
  public let env: [String: String]
  /// View path of the repository root, or nil; paths inside it are stored repository-relative.
  public let repository: String?

  public init(env: [String: String], repository: String?) {
    self.env = env
    self.repository = repository
  }

  /// Collects every environment found, deduplicated by real prefix. `osBundles` are view paths of the OS CA bundles,
  /// used to tell whether certifi is the OS bundle.
  public func collect(_ context: CollectionContext, osBundles: [String]) -> PythonInfo {
    let paths = PathPresenter(repository: repository, fs: context.fs)
    let finder = PythonPrefixFinder(fs: context.fs, env: env, repository: repository.map(PathPresenter.clean))
    let reader = SitePackagesReader(
      context: context, paths: paths, osBundles: OSBundleMatcher(context: context, bundles: osBundles))
    if let active = env["VIRTUAL_ENV"], !active.isEmpty, !context.fs.isDirectory(active) {
      context.report(
        Problem(
          area: .python, path: paths.present(active), message: "VIRTUAL_ENV names a folder that does not exist",
          fix: "Create the virtual environment (`python3 -m venv \(active)`) or unset VIRTUAL_ENV."))
    }
    var info = PythonInfo()
    let activeReal = env["VIRTUAL_ENV"].flatMap {
      $0.isEmpty ? nil : try? context.fs.resolveExisting(PathPresenter.clean($0))
    }
    var seen = Set<String>()
    var queue = finder.candidates()
    var chosen: [(candidate: PythonPrefixCandidate, real: String)] = []
    var index = 0
    while index < queue.count {
      let candidate = queue[index]
      index += 1
      guard let real = try? context.fs.resolveExisting(candidate.prefix), context.fs.rawKind(real) == .directory,
        seen.insert(real).inserted
      else { continue }
      chosen.append((candidate, real))
      if candidate.config?.includesSystemSitePackages == true, let base = candidate.config?.home.map(Self.parent) {
        queue.append(PythonPrefixCandidate(prefix: base))
      }
    }
    // Environments are independent: the others are read on whichever core frees up first, this one reads the first.
    let readOne: @Sendable (PythonPrefixCandidate, String) -> PythonEnvironment = { [self] candidate, real in
      read(candidate, realPrefix: real, context: context, reader: reader, paths: paths)
    }
    let others = chosen.dropFirst().map { pick in PendingValue { readOne(pick.candidate, pick.real) } }
    let first = chosen.first.map { readOne($0.candidate, $0.real) }
    for (offset, environment) in ([first] + others.map { $0.wait() }).enumerated() {
      guard var environment else { continue }
      // VIRTUAL_ENV may name the venv through a link: compared by real path.
      if chosen[offset].real == activeReal { environment.active = true }
      info.environments.append(environment)
    }
    info.environments.sort()
    if let project = ProjectPython.select(info.environments),
      let index = info.environments.firstIndex(where: { $0.path == project.path })
    {
      info.environments[index].projectPython = true
    }
    return info
  }

  private func read(
    _ candidate: PythonPrefixCandidate, realPrefix: String, context: CollectionContext, reader: SitePackagesReader,
    paths: PathPresenter
  ) -> PythonEnvironment {
    let kind: PythonEnvironment.Kind =
      candidate.config != nil ? .virtualenv : (realPrefix == "/usr" ? .system : .local)
    var environment = PythonEnvironment(path: paths.present(candidate.prefix), kind: kind)
    environment.base = candidate.config?.home.map { paths.present(Self.parent($0)) }
    environment.includesSystemSitePackages = candidate.config?.includesSystemSitePackages
    let folders = sitePackagesFolders(candidate.prefix, realPrefix: realPrefix, fs: context.fs)
    environment.pythonVersion =
      candidate.config?.pythonVersion ?? candidate.version ?? folders.compactMap(\.version).max(by: Self.versionOrder)
    for folder in folders {
      environment.sitePackages.append(paths.present(folder.path))
      let reading = reader.read(folder.path)
      environment.distributions += reading.distributions
      environment.certifi = environment.certifi ?? reading.certifi
      environment.pipCertifi = environment.pipCertifi ?? reading.pipCertifi
      environment.vendoredBundles += reading.vendoredBundles
    }
    environment.distributions.sort()
    environment.vendoredBundles.sort()
    reportDuplicates(environment, context: context)
    return environment
  }

  /// site-packages folders of a prefix, deduplicated by real path (RHEL's `lib64` is often a link to `lib`).
  func sitePackagesFolders(_ prefix: String, realPrefix: String, fs: any FileSystemView) -> [SitePackagesFolder] {
    var found: [SitePackagesFolder] = []
    var seen = Set<String>()
    func add(_ path: String, version: String?) {
      guard let real = try? fs.resolveExisting(path), fs.rawKind(real) == .directory, seen.insert(real).inserted
      else { return }
      found.append(SitePackagesFolder(path: path, version: version))
    }
    let base = prefix == "/" ? "" : prefix
    // Debian's python3-* packages install into the version-less folder.
    if realPrefix == "/usr" { add(base + "/lib/python3/dist-packages", version: nil) }
    for lib in ["lib", "lib64"] {
      let names = (try? fs.list(base + "/" + lib)) ?? []
      for name in names {
        guard let version = Self.libraryVersion(name) else { continue }
        for leaf in ["site-packages", "dist-packages"] {
          add(base + "/" + lib + "/" + name + "/" + leaf, version: version)
        }
      }
    }
    return found
  }

  /// `python3.11` → `3.11`, `python3.13t` (free-threaded) → `3.13`; nil for other names.
  static func libraryVersion(_ name: String) -> String? {
    guard name.hasPrefix("python3.") else { return nil }
    var rest = name.dropFirst("python".count)
    if rest.hasSuffix("t") { rest.removeLast() }
    let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return nil }
    return String(rest)
  }

  static func versionOrder(_ lhs: String, _ rhs: String) -> Bool {
    let l = lhs.split(separator: ".").map { Int($0) ?? 0 }
    let r = rhs.split(separator: ".").map { Int($0) ?? 0 }
    return l.lexicographicallyPrecedes(r)
  }

  static func parent(_ path: String) -> String {
    let trimmed = PathPresenter.clean(path)
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
  }

  /// Two metadata folders for one name: a half-finished upgrade; which one `importlib.metadata` sees is arbitrary.
  private func reportDuplicates(_ environment: PythonEnvironment, context: CollectionContext) {
    let byName = Dictionary(grouping: environment.distributions, by: \.name)
    for (name, copies) in byName where copies.count > 1 && Set(copies.map(\.version)).count > 1 {
      let list = copies.map { "\($0.version) (\($0.metadata))" }.sorted().joined(separator: ", ")
      context.report(
        Problem(
          area: .python, path: environment.path, message: "\(name) is installed more than once: \(list)",
          fix: "Remove the stale metadata folder, or run `pip install --force-reinstall --no-deps \(name)`."))
    }
  }
}

/// A site-packages folder and the Python version its `lib/pythonX.Y` parent names.
struct SitePackagesFolder: Sendable, Equatable {
  var path: String
  var version: String?
}

extension PythonEnvironment {
  /// Whether `truststore` (OS trust for Python ≥ 3.10) is installed as a distribution of its own.
  public var hasTruststore: Bool { distribution("truststore") != nil }
}

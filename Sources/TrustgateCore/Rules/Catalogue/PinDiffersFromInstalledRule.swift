/// TG303: the lockfile pins one version, the environment has another.
public struct PinDiffersFromInstalledRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG303", title: "Lockfile pin differs from the installed version", area: .lockfiles, severity: .warning,
    rationale: "What runs is what is installed; when it differs from the lockfile, reviewing the lockfile tells nothing about the trust behaviour in production.",
    fix: "Re-sync the environment from the lockfile (`uv sync`, `poetry install --sync`, `pipenv sync`, `pdm sync`, `pip install -r`).",
    sources: ["https://docs.astral.sh/uv/concepts/projects/sync/"])

  public static let examples: [RuleExample] = [
    .init("httpx pinned 0.27.2, 0.28.1 installed in the .venv beside the lockfile", triggers: true, context: {
      Examples.context { $0.python.environments[0].distributions[1].version = "0.28.1" }
    }),
    .init("in sync", triggers: false, context: { Examples.context { _ in } }),
    .init("another project's lockfile, no venv beside it and none active", triggers: false, context: {
      Examples.context { s in
        s.python.environments[0].distributions[1].version = "0.28.1"
        s.python.environments[0].path = "apps/web/.venv"
      }
    }),
    .init("no venv in the repository, the active one (VIRTUAL_ENV) differs", triggers: true, context: {
      Examples.context { s in
        s.python.environments[0].distributions[1].version = "0.28.1"
        s.python.environments[0].path = "/opt/venvs/app"
        s.python.environments[0].active = true
      }
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let environments = context.current.python.environments
    for lockfile in context.current.lockfiles where lockfile.format != .pyproject {
      // Only the environment that belongs to this lockfile: with several projects in one repository, comparing every
      // lockfile with whatever Python is on the machine is noise.
      guard let environment = Self.environment(for: lockfile.path, in: environments) else { continue }
      for pin in lockfile.pins where TrustChanges.trustPackages.contains(pin.name) {
        guard let pinned = pin.version, let installed = environment.distribution(pin.name) else { continue }
        result.checked.append("\(pin.name)@\(lockfile.path)")
        if Version(pinned) != Version(installed.version) {
          result.findings.append(
            finding(
              "\(pin.name)@\(lockfile.path)",
              "\(pin.name) is pinned to \(pinned) in \(lockfile.path) but \(installed.version) is installed in "
                + environment.path,
              at: Location(path: lockfile.path, line: pin.line)))
        }
      }
    }
    return result
  }

  /// The virtual environment beside a lockfile (`.venv`, `venv` or `env` in its folder or the nearest parent inside
  /// the repository), else the active one (`VIRTUAL_ENV`); nil when neither exists.
  static func environment(for lockfile: String, in environments: [PythonEnvironment]) -> PythonEnvironment? {
    let virtual = environments.filter { $0.kind == .virtualenv }
    var folder = lockfile.split(separator: "/").dropLast().map(String.init)
    while true {
      let prefix = folder.isEmpty ? "" : folder.joined(separator: "/") + "/"
      for name in PythonPrefixFinder.repositoryVenvNames {
        if let environment = virtual.first(where: { $0.path == prefix + name }) { return environment }
      }
      guard !folder.isEmpty else { break }
      folder.removeLast()
    }
    return environments.first { $0.active == true }
  }
}

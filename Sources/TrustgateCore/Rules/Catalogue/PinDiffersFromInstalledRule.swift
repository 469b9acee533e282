/// TG303: the lockfile pins one version, the environment has another.
public struct PinDiffersFromInstalledRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG303", title: "Lockfile pin differs from the installed version", area: .lockfiles, severity: .warning,
    rationale: "What runs is what is installed; when it differs from the lockfile, reviewing the lockfile tells nothing about the trust behaviour in production.",
    fix: "Re-sync the environment from the lockfile (`uv sync`, `poetry install --sync`, `pipenv sync`, `pdm sync`, `pip install -r`).",
    sources: ["https://docs.astral.sh/uv/concepts/projects/sync/"])

  public static let examples: [RuleExample] = [
    .init("httpx pinned 0.27.2, 0.28.1 installed", triggers: true, context: {
      Examples.context { $0.python.environments[0].distributions[1].version = "0.28.1" }
    }),
    .init("in sync", triggers: false, context: { Examples.context { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    guard let environment = PythonSelection.primary(context.current.python.environments) else { return result }
    for lockfile in context.current.lockfiles where lockfile.format != .pyproject {
      for pin in lockfile.pins where TrustChanges.trustPackages.contains(pin.name) {
        guard let pinned = pin.version, let installed = environment.distribution(pin.name) else { continue }
        result.checked.append("\(pin.name)@\(lockfile.path)")
        if Version(pinned) != Version(installed.version) {
          result.findings.append(
            finding(
              "\(pin.name)@\(lockfile.path)", "\(pin.name) is pinned to \(pinned) in \(lockfile.path) but \(installed.version) is installed in \(environment.path)",
              at: Location(path: lockfile.path, line: pin.line)))
        }
      }
    }
    return result
  }
}

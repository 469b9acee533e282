/// Which Python environment stands for "the project's Python": the one whose clients make the project's TLS calls.
///
/// In order: a virtual environment inside the repository; else the one `VIRTUAL_ENV` names; else the environment
/// holding the most trust-relevant distributions (`TrustChanges.trustPackages`: the clients, certifi, truststore).
/// A Debian image keeps apt's python3-requests in `/usr` next to an empty `/usr/local`; the empty prefix is no one's
/// Python. Ties keep the older preference: a virtual environment, a local install with certifi, a local install.
enum ProjectPython {
  static func select(_ environments: [PythonEnvironment]) -> PythonEnvironment? {
    if let repository = environments.first(where: { $0.kind == .virtualenv && !$0.path.hasPrefix("/") }) {
      return repository
    }
    if let active = environments.first(where: { $0.active == true }) { return active }
    var best: (environment: PythonEnvironment, clients: Int, rank: Int)?
    for environment in environments {
      let clients = clientCount(environment)
      let rank = preference(environment)
      if let current = best, (current.clients, -current.rank) >= (clients, -rank) { continue }
      best = (environment, clients, rank)
    }
    return best?.environment
  }

  /// The environments that hold at least one trust-relevant distribution, the project's Python first.
  static func withClients(_ environments: [PythonEnvironment]) -> [PythonEnvironment] {
    let selected = select(environments)
    let holding = environments.filter { clientCount($0) > 0 }
    return holding.filter { $0 == selected } + holding.filter { $0 != selected }
  }

  /// Trust-relevant distributions installed in an environment.
  static func clientCount(_ environment: PythonEnvironment) -> Int {
    environment.distributions.reduce(into: Set<String>()) { names, distribution in
      if TrustChanges.trustPackages.contains(distribution.name) { names.insert(distribution.name) }
    }.count
  }

  /// The order environments were preferred in before clients were counted; lower is preferred.
  private static func preference(_ environment: PythonEnvironment) -> Int {
    switch environment.kind {
    case .virtualenv: return 0
    case .local: return environment.certifi != nil ? 1 : 2
    case .system: return 3
    }
  }
}

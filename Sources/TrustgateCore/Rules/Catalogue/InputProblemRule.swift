/// TG001: a file trustgate had to read could not be read (a lockfile that is not valid TOML, a broken METADATA).
public struct InputProblemRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG001", title: "A file could not be read", area: .lockfiles, severity: .warning,
    rationale: "A lockfile or package metadata trustgate cannot read is a lockfile the package manager may not read either, and a blind spot in the gate.",
    fix: "Fix the file at the line shown (regenerate lockfiles with their tool).",
    sources: ["https://toml.io/en/v1.0.0"])

  public static let examples: [RuleExample] = [
    .init("poetry.lock with a syntax error", triggers: true, context: {
      Examples.context { $0.problems.append(Problem(area: .lockfiles, path: "poetry.lock", line: 7, message: "invalid TOML", fix: "Run `poetry lock`.")) }
    }),
    .init("uv.lock at the baseline held merge conflict markers", triggers: true, context: {
      var baseline = Examples.snapshot()
      baseline.problems.append(
        Problem(
          area: .lockfiles, path: "uv.lock", line: 12, message: "uv.lock is not valid TOML", fix: "Run `uv lock`."))
      return Examples.context(Examples.snapshot(), baseline: baseline)
    }),
    .init("no problems", triggers: false, context: { Examples.context { _ in } }),
  ]

  static let areas: Set<Area> = [.lockfiles, .python, .platform]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: ["inputs"])
    // A lockfile that could not be read at all is TG002's (an error), not a warning here.
    for problem in context.current.problems where Self.areas.contains(problem.area) && problem.unreadable != true {
      let subject = "\(problem.path ?? problem.area.rawValue):\(problem.line ?? 0)"
      result.findings.append(
        Finding(
          ruleID: Self.description.id, severity: Self.description.severity, area: problem.area, subject: subject,
          message: problem.message, fix: problem.fix, location: problem.path.map { Location(path: $0, line: problem.line) }))
    }
    // A baseline lockfile that could not be parsed (conflict markers committed, a file stored encrypted or in LFS)
    // has no pins to compare: every current pin looks new and no bump is seen. Said once, unless the current side
    // says the same.
    let current = Set(context.current.problems.map { [$0.path ?? "", $0.message] })
    let baseline = (context.baseline?.problems ?? []).filter { $0.area == .lockfiles && $0.unreadable != true }
    for problem in baseline where !current.contains([problem.path ?? "", problem.message]) {
      let path = problem.path ?? problem.area.rawValue
      result.findings.append(
        Finding(
          ruleID: Self.description.id, severity: Self.description.severity, area: problem.area,
          subject: "\(path):\(problem.line ?? 0) (baseline)",
          message: "at the baseline, \(problem.message); pins the baseline could not read are not compared",
          fix: problem.fix, location: Location(path: path, line: nil)))
    }
    return result
  }
}

/// TG107: entries in a CA bundle (or a file a trust variable names) that do not parse.
public struct UnparsableTrustFileRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG107", title: "Unparsable certificate in a trust file", area: .stores, severity: .warning,
    rationale: "A damaged entry is silently skipped by some clients and fatal for others (Python's load_verify_locations raises on a broken PEM block); either way the root it held is not trusted.",
    fix: "Regenerate the bundle (update-ca-certificates / update-ca-trust) or replace the damaged certificate with a fresh copy.",
    sources: ["https://docs.python.org/3/library/ssl.html#ssl.SSLContext.load_verify_locations"])

  public static let examples: [RuleExample] = [
    .init("a broken block in the OS bundle", triggers: true, context: {
      Examples.context { s in
        s.stores[0].certificates.unparsable = 1
        s.problems.append(Problem(area: .stores, path: Examples.bundlePath, line: 42, message: "certificate at line 42 does not parse", fix: "Regenerate."))
      }
    }),
    .init("clean bundle", triggers: false, context: { Examples.context { _ in } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let files = Set(context.current.stores.filter { $0.kind == .bundle }.map(\.path))
      .union(context.current.environment.compactMap { $0.target?.certificates == nil ? nil : $0.openedPath })
    result.checked = files.sorted()
    for problem in context.current.problems where problem.line != nil {
      guard let path = problem.path, files.contains(path), problem.area == .stores || problem.area == .environment else { continue }
      result.findings.append(
        finding("\(path):\(problem.line ?? 0)", "\(path):\(problem.line ?? 0): \(problem.message)", at: Location(path: path, line: problem.line), fix: problem.fix))
    }
    return result
  }
}

/// TG002: an entry with a lockfile's name, an include or a folder of the repository, a client's configuration file
/// (pip.conf, .gitconfig, uv.toml, `.mvn/jvm.config`) or an entry of a CA folder (/usr/local/share/ca-certificates,
/// /etc/ssl/certs), that is there but could not be read at all.
public struct UnreadableLockfileRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG002", title: "A lockfile, client configuration or CA file could not be read", area: .lockfiles, severity: .error,
    rationale: "A dangling or looping link, a FIFO, a folder or an unreadable file under a lockfile's name, an include outside the repository or a folder the walk cannot enter is a lockfile the gate cannot see: any version could be behind it, so a pass would mean nothing. The same holds for a client's configuration file that is there but cannot be read (a FIFO, which the client itself would hang on, or one over 1 MiB): any CA or switch could be set in it; and for an entry of a CA folder that is a FIFO, a device, a dangling link, too large or closed to the reader: the root it stands for is one the gate cannot judge, and OpenSSL's folder lookup would block or fail on it.",
    fix: "Make the file a readable lockfile inside the repository (or a link to one), or remove it; leave deliberate folders out with the policy's `exclude`.",
    sources: ["https://pip.pypa.io/en/stable/reference/requirements-file-format/#referring-to-other-requirements-files"])

  public static let examples: [RuleExample] = [
    .init("requirements.txt is a dangling link", triggers: true, context: {
      Examples.context {
        $0.problems.append(
          Problem(
            area: .lockfiles, path: "requirements.txt", message: "is a link to gone.txt, which does not exist",
            fix: "Replace the link.", unreadable: true))
      }
    }),
    .init("a submodule whose commit at the baseline was never fetched (a warning)", triggers: true, context: {
      var baseline = Examples.snapshot()
      baseline.problems.append(
        Problem(
          area: .lockfiles, path: "vendor/lib",
          message: "submodule: its recorded commit 0123456789ab is not in its repository (not fetched)",
          fix: "Fetch it.", unreadable: true))
      return Examples.context(Examples.snapshot(), baseline: baseline)
    }),
    .init("a FIFO under a certificate's name in /usr/local/share/ca-certificates", triggers: true, context: {
      Examples.context {
        $0.problems.append(
          Problem(
            area: .stores, path: "/usr/local/share/ca-certificates/corp.crt",
            message: "is a FIFO (named pipe), not a regular file", fix: "Remove it.", unreadable: true))
      }
    }),
    .init("a lockfile with a syntax error is TG001's", triggers: false, context: {
      Examples.context {
        $0.problems.append(
          Problem(area: .lockfiles, path: "uv.lock", line: 3, message: "invalid TOML", fix: "Run `uv lock`."))
      }
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult(checked: ["lockfiles"])
    let unreadable = { (snapshot: Snapshot) in
      snapshot.problems.filter {
        ($0.area == .lockfiles || $0.area == .environment || $0.area == .stores) && $0.unreadable == true
      }
    }
    let current = unreadable(context.current)
    for problem in current {
      let path = problem.path ?? "."
      result.findings.append(
        finding(
          "\(path):\(problem.line ?? 0)", "\(path): \(problem.message)", at: Location(path: path, line: problem.line),
          fix: problem.fix))
    }
    // What the baseline could not read (a submodule commit a shallow checkout never fetched) is not compared: a
    // warning, so the gate says so without failing the change that may have fixed it.
    let known = Set(current.map { $0.path ?? "." })
    for problem in context.baseline.map(unreadable) ?? [] where !known.contains(problem.path ?? ".") {
      let path = problem.path ?? "."
      result.findings.append(
        finding(
          "\(path):\(problem.line ?? 0) (baseline)", "\(path): at the baseline, \(problem.message)",
          at: Location(path: path, line: problem.line), fix: problem.fix, severity: .warning))
    }
    return result
  }
}

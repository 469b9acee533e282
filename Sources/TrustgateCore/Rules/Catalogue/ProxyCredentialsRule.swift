/// TG603: a proxy URL carries a user and password.
public struct ProxyCredentialsRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG603", title: "Credentials in a proxy URL", area: .proxy, severity: .warning,
    rationale: "Environment variables end up in build logs, crash reports and every child process; a password in HTTPS_PROXY leaks with them. trustgate redacts it when collecting, but the pipeline still exposes it.",
    fix: "Inject proxy credentials from the CI's secret store at run time, or use a proxy that authenticates the runner otherwise.",
    sources: ["https://cwe.mitre.org/data/definitions/526.html"])

  public static let examples: [RuleExample] = [
    .init("user:password@", triggers: true, context: { Examples.context { $0.proxy.variables = [ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://u:secret@proxy:3128")] } }),
    .init("no credentials", triggers: false, context: { Examples.context { $0.proxy.variables = [ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://proxy:3128")] } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    for variable in context.current.proxy.variables {
      result.checked.append(variable.name)
      if variable.hasCredentials {
        result.findings.append(finding(variable.name, "\(variable.name) carries credentials (\(variable.value))"))
      }
    }
    return result
  }
}

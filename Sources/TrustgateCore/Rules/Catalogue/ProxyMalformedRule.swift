/// TG602: a proxy variable that is not a usable URL.
public struct ProxyMalformedRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG602", title: "Malformed proxy variable", area: .proxy, severity: .error,
    rationale: "Clients reject or misread a proxy URL with a bad port, unknown scheme or no host: requests raises InvalidURL/ProxyError, curl fails with `Unsupported proxy syntax`.",
    fix: "Set the variable to scheme://host:port (e.g. http://proxy.example.com:3128).",
    sources: ["https://curl.se/libcurl/c/CURLOPT_PROXY.html"])

  public static let examples: [RuleExample] = [
    .init("port out of range", triggers: true, context: { Examples.context { $0.proxy.variables = [ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://proxy:99999")] } }),
    .init("valid URL", triggers: false, context: { Examples.context { $0.proxy.variables = [ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://proxy:3128")] } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    for variable in context.current.proxy.variables {
      result.checked.append(variable.name)
      if let why = variable.malformed {
        result.findings.append(finding(variable.name, "\(variable.name)=\(variable.value): \(why)"))
      }
    }
    return result
  }
}

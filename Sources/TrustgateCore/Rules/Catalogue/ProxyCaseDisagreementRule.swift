/// TG601: the lowercase and uppercase spelling of a proxy variable disagree.
public struct ProxyCaseDisagreementRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG601", title: "Proxy variables disagree between upper and lower case", area: .proxy, severity: .warning,
    rationale: "curl reads http_proxy only in lowercase and prefers lowercase for the others; Python's urllib lets lowercase win; other tools read uppercase. Two spellings with different values send clients through different proxies.",
    fix: "Set both spellings to the same value, or unset one.",
    sources: ["https://curl.se/libcurl/c/libcurl-env.html", "https://github.com/python/cpython/blob/main/Lib/urllib/request.py"])

  public static let examples: [RuleExample] = [
    .init("https_proxy vs HTTPS_PROXY", triggers: true, context: {
      Examples.context { s in
        s.proxy.variables = [
          ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://a.example:3128"),
          ProxyCollector.parse(name: "https_proxy", value: "http://b.example:3128"),
        ]
      }
    }),
    .init("same value", triggers: false, context: {
      Examples.context { s in
        s.proxy.variables = [
          ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://a.example:3128"),
          ProxyCollector.parse(name: "https_proxy", value: "http://a.example:3128"),
        ]
      }
    }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    let values = Dictionary(context.current.proxy.variables.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    for base in ["http_proxy", "https_proxy", "all_proxy", "no_proxy"] {
      guard let lower = values[base], let upper = values[base.uppercased()] else { continue }
      result.checked.append(base)
      if lower != upper {
        result.findings.append(finding(base, "\(base)=\(lower) but \(base.uppercased())=\(upper)"))
      }
    }
    return result
  }
}

/// TG205: a CA variable set to the empty string.
public struct EmptyTrustVariableRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG205", title: "CA variable set but empty", area: .environment, severity: .error,
    rationale: "An empty value is not the same as unset: requests < 2.28 turns verification off on an empty CURL_CA_BUNDLE, recent botocore raises InvalidConfigError on an empty AWS_CA_BUNDLE, other tools try to open \"\".",
    fix: "Unset the variable (`unset NAME`, or remove it from the CI/image environment) or give it a bundle path.",
    sources: ["https://github.com/psf/requests/blob/main/HISTORY.md#2280-2022-06-09", "https://github.com/deepgenomics/GenomeKit/pull/246"])

  public static let examples: [RuleExample] = [
    .init("AWS_CA_BUNDLE=\"\"", triggers: true, context: { Examples.context { Examples.setVariable(&$0, "AWS_CA_BUNDLE", "") } }),
    .init("AWS_CA_BUNDLE set to the bundle", triggers: false, context: { Examples.context { Examples.setVariable(&$0, "AWS_CA_BUNDLE", Examples.bundlePath) } }),
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    for variable in context.current.environment where variable.role != .disablesVerification {
      result.checked.append(variable.name)
      if variable.isEmpty {
        result.findings.append(finding(variable.name, "\(variable.name) is set to an empty string"))
      }
    }
    return result
  }
}

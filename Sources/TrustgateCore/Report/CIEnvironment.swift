/// The CI service trustgate runs in, detected from environment variables (report-formats.md §f).
public enum CIProvider: String, Sendable, CaseIterable {
  case github, gitlab, azure, jenkins, circleci, bitbucket, none

  /// How each provider announces itself, most specific first (`CI=true` alone is set by many and proves nothing).
  /// Sources: GitHub docs "default environment variables"; GitLab predefined variables; Azure "predefined
  /// variables" (`TF_BUILD=True`) and ci-info; Jenkins env-vars page and ci-info (both variables); CircleCI and
  /// Bitbucket from watson/ci-info vendors.json.
  static let detectionTable: [(provider: CIProvider, matches: @Sendable ([String: String]) -> Bool)] = [
    (.github, { $0["GITHUB_ACTIONS"] == "true" }),
    (.gitlab, { $0["GITLAB_CI"] == "true" }),
    (.azure, { $0["TF_BUILD"]?.lowercased() == "true" || isSet($0["SYSTEM_TEAMFOUNDATIONCOLLECTIONURI"]) }),
    (.jenkins, { isSet($0["JENKINS_URL"]) && isSet($0["BUILD_ID"]) }),
    (.circleci, { $0["CIRCLECI"] == "true" }),
    (.bitbucket, { isSet($0["BITBUCKET_BUILD_NUMBER"]) || isSet($0["BITBUCKET_COMMIT"]) }),
  ]

  /// The provider whose marker variables are set in `env`, or `.none`.
  public static func detect(env: [String: String]) -> CIProvider {
    detectionTable.first { $0.matches(env) }?.provider ?? .none
  }

  /// The variable holding a pull/merge request's target branch, where the provider documents one. CircleCI has
  /// none (only `CIRCLE_PULL_REQUEST`, a URL). Azure's value is a full ref (`refs/heads/main`).
  public var pullRequestTargetVariable: String? {
    switch self {
    case .github: return "GITHUB_BASE_REF"
    case .gitlab: return "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    case .azure: return "SYSTEM_PULLREQUEST_TARGETBRANCH"
    case .bitbucket: return "BITBUCKET_PR_DESTINATION_BRANCH"
    case .jenkins: return "CHANGE_TARGET"
    case .circleci, .none: return nil
    }
  }

  /// The branch a pull/merge request will merge into (`main`), or nil outside a PR build or when unknown.
  public func pullRequestTargetBranch(env: [String: String]) -> String? {
    guard let variable = pullRequestTargetVariable, let value = env[variable], isSet(value) else { return nil }
    let prefix = "refs/heads/"
    guard self == .azure, value.hasPrefix(prefix) else { return value }
    let branch = String(value.dropFirst(prefix.count))
    return branch.isEmpty ? nil : branch
  }

  /// The stdout annotation format this provider understands; GitLab, Jenkins, CircleCI and Bitbucket have none
  /// and read report files instead.
  public var annotationFormat: ReportFormat? {
    switch self {
    case .github: return .github
    case .azure: return .azure
    case .gitlab, .jenkins, .circleci, .bitbucket, .none: return nil
    }
  }
}

/// Set and not empty; also rejects Azure's literal unexpanded macro form.
private func isSet(_ value: String?) -> Bool {
  guard let value, !value.isEmpty else { return false }
  return !(value.hasPrefix("$(") && value.hasSuffix(")"))
}

/// The report formats trustgate writes, by the name used on the command line.
public enum ReportFormat: String, Sendable, CaseIterable, Codable {
  case text, json, junit
  /// JUnit with `file`/`line` on each test case, for GitLab, CircleCI and the GitHub JUnit actions (see
  /// `JUnitReporter`).
  case junitAnnotated = "junit-annotated"
  case sarif, github
  case githubSummary = "github-summary"
  case gitlab, azure

  /// Written by appending, not replacing: `$GITHUB_STEP_SUMMARY` collects every step's summary.
  public var appends: Bool { self == .githubSummary }

  /// The reporter for this format (`colour` applies to text only; `context` says where the repository is and what
  /// exists there, for the formats that place findings at files).
  public func reporter(colour: Bool = false, context: ReportContext = ReportContext()) -> any Reporter {
    switch self {
    case .text: return TextReporter(colour: colour)
    case .json: return JSONReporter()
    case .junit: return JUnitReporter(context: context)
    case .junitAnnotated: return JUnitReporter(dialect: .annotated, context: context)
    case .sarif: return SARIFReporter(context: context)
    case .github: return GitHubReporter()
    case .githubSummary: return GitHubStepSummaryReporter()
    case .gitlab: return GitLabReporter(context: context)
    case .azure: return AzureReporter()
    }
  }
}

/// One `--report FORMAT=PATH` request: which format and where to write it (`-` or no path means stdout).
public struct ReportRequest: Sendable, Hashable {
  public enum Destination: Sendable, Hashable {
    case standardOutput
    case file(String)
  }

  public var format: ReportFormat
  public var destination: Destination

  public init(format: ReportFormat, destination: Destination) {
    self.format = format
    self.destination = destination
  }

  /// Parses `junit=reports/trustgate.xml`, `sarif=-` or a bare `text` (stdout). The path is everything after the
  /// first `=`, so paths may contain `=`.
  public init(parsing argument: String) throws(ReportRequestError) {
    let name: Substring
    let path: Substring?
    if let equals = argument.firstIndex(of: "=") {
      name = argument[..<equals]
      path = argument[argument.index(after: equals)...]
    } else {
      name = Substring(argument)
      path = nil
    }
    let trimmed = name.trimmingWhitespace().lowercased()
    guard let format = ReportFormat(rawValue: trimmed) ?? Self.aliases[trimmed] else {
      throw .unknownFormat(String(name), argument: argument)
    }
    switch path {
    case nil, "-": self.init(format: format, destination: .standardOutput)
    case let path?:
      guard !path.isEmpty else { throw .emptyPath(format: format, argument: argument) }
      self.init(format: format, destination: .file(String(path)))
    }
  }

  /// Other names people reach for (GitLab's own docs say "codequality").
  static let aliases: [String: ReportFormat] = [
    "gitlab-codequality": .gitlab, "codequality": .gitlab, "xml": .junit, "azure-pipelines": .azure,
  ]
}

/// Why a `--report` argument was rejected, as a sentence saying what to write instead.
public enum ReportRequestError: Error, Equatable, CustomStringConvertible {
  case unknownFormat(String, argument: String)
  case emptyPath(format: ReportFormat, argument: String)

  public var description: String {
    let valid = ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")
    switch self {
    case .unknownFormat(let name, let argument):
      return "--report \(InertText(argument)): unknown format '\(InertText(name))'. Valid formats: \(valid). "
        + "Write FORMAT=PATH, e.g. junit=reports/trustgate.xml, or FORMAT=- for standard output."
    case .emptyPath(let format, let argument):
      return "--report \(InertText(argument)): no path after '='. Write \(format.rawValue)=PATH, or "
        + "\(format.rawValue)=- for standard output."
    }
  }
}

extension Substring {
  fileprivate func trimmingWhitespace() -> Substring {
    var text = self
    while text.first?.isWhitespace == true { text.removeFirst() }
    while text.last?.isWhitespace == true { text.removeLast() }
    return text
  }
}

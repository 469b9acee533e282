import Foundation

/// SARIF 2.1.0 for GitHub code scanning and Jenkins Warnings NG: rule metadata in `tool.driver.rules`, one result
/// per finding, within GitHub's ingestion limits (over any of them the whole upload is rejected).
public struct SARIFReporter: Reporter {
  /// GitHub keeps at most this many results per run; a file over it is rejected.
  public static let maximumResults = 25_000
  /// Related locations kept per result (GitHub's limit is 1,000 locations, of which it shows 100).
  public static let maximumRelatedLocations = 100
  /// Limit on `shortDescription`/`fullDescription` text in GitHub ingestion.
  static let maximumDescriptionLength = 1024
  /// Limit on a rule's `name` in GitHub ingestion.
  static let maximumNameLength = 255
  /// Key of trustgate's own partial fingerprint (GitHub computes `primaryLocationLineHash` itself on upload).
  public static let fingerprintKey = "trustgateFinding/v1"

  /// Where the repository is, what was inspected and which files exist: a finding about no file is placed at the
  /// policy file, else at the inspected root file system, and always carries a logical location (what it is about);
  /// paths outside the repository are relative to `TARGETROOT`, defined in `originalUriBaseIds`.
  public var context: ReportContext
  /// trustgate's version for `tool.driver.semanticVersion`; omitted when nil.
  public var version: String?

  public init(context: ReportContext = ReportContext(), version: String? = nil) {
    self.context = context
    self.version = version
  }

  /// Anchors findings that have no file at `unlocatedPath`, a repository file the caller knows to exist.
  public init(unlocatedPath: String?, version: String? = nil) {
    self.init(context: ReportContext(policyFile: unlocatedPath), version: version)
  }

  /// The base of paths in the inspected file system (`/usr/local/share/ca-certificates`), outside the repository.
  public static let targetRoot = "TARGETROOT"
  /// The base of host files outside the repository (an `--env-file`) when a root or an image is inspected.
  public static let hostRoot = "HOSTROOT"

  public func render(_ evaluation: Evaluation) -> String {
    var rules = evaluation.rules
    let described = Set(rules.map(\.id))
    // A finding whose rule is not described still needs a rule entry (ruleIndex must point somewhere).
    for id in Set(evaluation.findings.map(\.ruleID)).subtracting(described).sorted() {
      let example = evaluation.findings.first { $0.ruleID == id }
      rules.append(
        RuleDescription(
          id: id, title: id, area: example?.area ?? .environment, severity: example?.severity ?? .warning,
          rationale: (example?.message ?? id).capped(Self.maximumDescriptionLength),
          fix: (example?.fix ?? "").capped(InertText.sentenceLimit), sources: []))
    }
    rules.sort { $0.id < $1.id }
    let indexByID = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
    let kept = evaluation.findings.prefix(Self.maximumResults)
    let results = kept.map { result($0, ruleIndex: indexByID[$0.ruleID] ?? 0) }

    let driver: [String: JSONValue] = [
      "name": .string("trustgate"),
      "semanticVersion": .optional(version),
      "rules": .array(rules.map(Self.rule)),
    ]
    var run: [String: JSONValue] = [
      "tool": .object(["driver": .compact(driver)]),
      "results": .array(results),
      "columnKind": .string("unicodeCodePoints"),
    ]
    var bases: [String: JSONValue] = [:]
    if kept.contains(where: { usesBase(Self.targetRoot, $0) }) { bases[Self.targetRoot] = targetRootLocation }
    if kept.contains(where: { usesBase(Self.hostRoot, $0) }) {
      bases[Self.hostRoot] = .object([
        "uri": .string("file:///"),
        "description": .object(["text": .string("The host's / (files named on the command line)")]),
      ])
    }
    if !bases.isEmpty { run["originalUriBaseIds"] = .object(bases) }
    var properties: [String: JSONValue] = [
      "baseline": .string(evaluation.baseline.capped()), "failOn": .string(evaluation.failOn.rawValue),
    ]
    if kept.count < evaluation.findings.count {
      properties["omittedResults"] = .int(evaluation.findings.count - kept.count)
    }
    run["properties"] = .object(properties)
    let log: [String: JSONValue] = [
      "$schema": .string("https://json.schemastore.org/sarif-2.1.0.json"),
      "version": .string("2.1.0"),
      "runs": .array([.object(run)]),
    ]
    return JSONValue.object(log).rendered()
  }

  private func result(_ finding: Finding, ruleIndex: Int) -> JSONValue {
    var text = finding.message.isEmpty ? finding.ruleID : finding.message.capped(InertText.sentenceLimit)
    if !finding.fix.isEmpty { text += "\nFix: " + finding.fix.capped(InertText.sentenceLimit) }
    var members: [String: JSONValue] = [
      "ruleId": .string(finding.ruleID),
      "ruleIndex": .int(ruleIndex),
      "level": .string(Self.level(finding.severity)),
      "message": .object(["text": .string(text)]),
      "partialFingerprints": .object([Self.fingerprintKey: .string(finding.fingerprint)]),
      "properties": .object([
        "subject": .string(finding.subject.capped()), "area": .string(finding.area.rawValue),
      ]),
    ]
    members["locations"] = .array([primaryLocation(finding)])
    let related = finding.relatedLocations.prefix(Self.maximumRelatedLocations)
    if !related.isEmpty {
      members["relatedLocations"] = .array(
        related.enumerated().map { index, location in
          var members = physicalLocation(location)
          members["id"] = .int(index)
          return .object(members)
        })
    }
    return .object(members)
  }

  /// The finding's file; for a finding about no file, the policy file or the inspected root, with a logical
  /// location naming what the finding is about (`environment/SSL_CERT_FILE`).
  private func primaryLocation(_ finding: Finding) -> JSONValue {
    if let location = finding.location { return .object(physicalLocation(location)) }
    var members: [String: JSONValue] = [:]
    if let policy = context.policyFile {
      members = physicalLocation(Location(path: policy, line: 1))
    } else if case .root = context.target {
      members["physicalLocation"] = .object([
        "artifactLocation": .object(["uri": .string("."), "uriBaseId": .string(Self.targetRoot)])
      ])
    }
    let subject = finding.subject.isEmpty ? finding.ruleID : finding.subject.capped()
    members["logicalLocations"] = .array([
      .object([
        "name": .string(subject),
        "fullyQualifiedName": .string(finding.area.rawValue + "/" + subject),
        "kind": .string(Self.isVariableName(subject) ? "variable" : "resource"),
      ])
    ])
    return .object(members)
  }

  /// A repository path relative to the repository root (what GitHub resolves); a path in the inspected file system
  /// relative to `TARGETROOT`.
  private func physicalLocation(_ location: Location) -> [String: JSONValue] {
    var artifact: [String: JSONValue]
    if let relative = context.repositoryPath(location.path) {
      artifact = ["uri": .string(Self.uri(relative.capped(GitHubReporter.pathLimit)))]
    } else {
      let (path, base) = hostFile(location.path).map { ($0, Self.hostRoot) } ?? (location.path, Self.targetRoot)
      let inside = path.drop { $0 == "/" }
      artifact = [
        "uri": .string(Self.uri(String(inside.isEmpty ? "." : inside).capped(GitHubReporter.pathLimit))),
        "uriBaseId": .string(base),
      ]
    }
    var physical: [String: JSONValue] = ["artifactLocation": .object(artifact)]
    if let line = location.line, line >= 1 { physical["region"] = .object(["startLine": .int(line)]) }
    return ["physicalLocation": .object(physical)]
  }

  /// The absolute path of a host file outside the repository when a root or an image is inspected (with the host
  /// as the target, the host's `/` is `TARGETROOT`).
  private func hostFile(_ path: String) -> String? {
    guard context.target != .host, let absolute = context.hostFiles[path] else { return nil }
    return absolute
  }

  /// `TARGETROOT` as a `file:` URI of the host's or the root file system's `/`; an image has no such URI, so only
  /// a description.
  private var targetRootLocation: JSONValue {
    switch context.target {
    case .host:
      return .object(["uri": .string("file:///"), "description": .object(["text": .string("The inspected host's /")])])
    case .root(let path):
      let folder = path.hasSuffix("/") ? path : path + "/"
      return .object([
        "uri": .string("file://" + Self.uri(folder.capped(GitHubReporter.pathLimit))),
        "description": .object(["text": .string("The inspected root file system")]),
      ])
    case .image(let reference):
      return .object(["description": .object(["text": .string("The root of image " + reference.capped())])])
    }
  }

  /// Whether a result for `finding` has a path relative to `base`.
  private func usesBase(_ base: String, _ finding: Finding) -> Bool {
    guard let location = finding.location else {
      if case .root = context.target { return base == Self.targetRoot && context.policyFile == nil }
      return false
    }
    return ([location] + finding.relatedLocations.prefix(Self.maximumRelatedLocations)).contains {
      guard context.repositoryPath($0.path) == nil else { return false }
      return (hostFile($0.path) == nil ? Self.targetRoot : Self.hostRoot) == base
    }
  }

  private static func rule(_ rule: RuleDescription) -> JSONValue {
    let title = rule.title.isEmpty ? rule.id : rule.title
    let rationale = rule.rationale.isEmpty ? title : rule.rationale
    var help = rationale
    if !rule.fix.isEmpty { help += "\n\nFix: " + rule.fix }
    var markdown = "**\(rule.id): \(title)**\n\n\(rationale)"
    if !rule.fix.isEmpty { markdown += "\n\n**Fix:** " + rule.fix }
    if !rule.sources.isEmpty { markdown += "\n\nSources:\n" + rule.sources.map { "- <\($0)>" }.joined(separator: "\n") }
    var members: [String: JSONValue] = [
      "id": .string(rule.id),
      "name": .string(truncated(pascalCase(title), to: maximumNameLength)),
      "shortDescription": .object(["text": .string(truncated(title, to: maximumDescriptionLength))]),
      "fullDescription": .object(["text": .string(truncated(rationale, to: maximumDescriptionLength))]),
      "help": .object(["text": .string(help), "markdown": .string(markdown)]),
      "defaultConfiguration": .object(["level": .string(level(rule.severity))]),
      "properties": .object(["tags": .array([.string("security"), .string("tls"), .string(rule.area.rawValue)])]),
    ]
    if let uri = rule.sources.first(where: { $0.hasPrefix("https://") || $0.hasPrefix("http://") }) {
      members["helpUri"] = .string(uri)
    }
    return .object(members)
  }

  /// `SSL_CERT_FILE`, `https_proxy`: what an environment variable's name looks like.
  static func isVariableName(_ text: String) -> Bool {
    text.contains("_")
      && text.unicodeScalars.allSatisfy {
        ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
      }
  }

  static func level(_ severity: Severity) -> String {
    switch severity {
    case .error: return "error"
    case .warning: return "warning"
    case .note: return "note"
    }
  }

  /// A relative URI reference for a repository path: percent-encodes what `uri-reference` does not allow raw
  /// (space, `%`, `#`, `?`, non-ASCII) and uses `/` separators.
  static func uri(_ path: String) -> String {
    let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/!$&'()*+,;=:@".utf8)
    var out = ""
    for byte in path.replacingOccurrences(of: "\\", with: "/").utf8 {
      if allowed.contains(byte) {
        out.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        let hex = String(byte, radix: 16, uppercase: true)
        out += "%" + (byte < 16 ? "0" + hex : hex)
      }
    }
    // A first segment containing `:` would read as a URI scheme.
    if let colon = out.firstIndex(of: ":"), !out[..<colon].contains("/") { out = "./" + out }
    return out
  }

  /// `certifi update removed trusted roots` → `CertifiUpdateRemovedTrustedRoots`, the identifier-like rule name
  /// SARIF recommends.
  static func pascalCase(_ title: String) -> String {
    let words = title.split { !$0.isLetter && !$0.isNumber }
    let name = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    return name.isEmpty ? "Rule" : name
  }

  static func truncated(_ text: String, to limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
  }
}

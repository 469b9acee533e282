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

  /// Where to anchor findings that have no file (environment, clock, proxy): GitHub shows only results with a
  /// location. Nil leaves such results without `locations`, which is valid SARIF but invisible on GitHub.
  public var unlocatedPath: String?
  /// trustgate's version for `tool.driver.semanticVersion`; omitted when nil.
  public var version: String?

  public init(unlocatedPath: String? = nil, version: String? = nil) {
    self.unlocatedPath = unlocatedPath
    self.version = version
  }

  public func render(_ evaluation: Evaluation) -> String {
    var rules = evaluation.rules
    let described = Set(rules.map(\.id))
    // A finding whose rule is not described still needs a rule entry (ruleIndex must point somewhere).
    for id in Set(evaluation.findings.map(\.ruleID)).subtracting(described).sorted() {
      let example = evaluation.findings.first { $0.ruleID == id }
      rules.append(
        RuleDescription(
          id: id, title: id, area: example?.area ?? .environment, severity: example?.severity ?? .warning,
          rationale: example?.message ?? id, fix: example?.fix ?? "", sources: []))
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
    var properties: [String: JSONValue] = [
      "baseline": .string(evaluation.baseline), "failOn": .string(evaluation.failOn.rawValue),
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
    var text = finding.message.isEmpty ? finding.ruleID : finding.message
    if !finding.fix.isEmpty { text += "\nFix: " + finding.fix }
    var members: [String: JSONValue] = [
      "ruleId": .string(finding.ruleID),
      "ruleIndex": .int(ruleIndex),
      "level": .string(Self.level(finding.severity)),
      "message": .object(["text": .string(text)]),
      "partialFingerprints": .object([Self.fingerprintKey: .string(finding.fingerprint)]),
      "properties": .object(["subject": .string(finding.subject), "area": .string(finding.area.rawValue)]),
    ]
    if let location = finding.location ?? unlocatedPath.map({ Location(path: $0) }) {
      members["locations"] = .array([Self.location(location, id: nil)])
    }
    let related = finding.relatedLocations.prefix(Self.maximumRelatedLocations)
    if !related.isEmpty {
      members["relatedLocations"] = .array(related.enumerated().map { Self.location($1, id: $0) })
    }
    return .object(members)
  }

  private static func location(_ location: Location, id: Int?) -> JSONValue {
    var physical: [String: JSONValue] = ["artifactLocation": .object(["uri": .string(uri(location.path))])]
    if let line = location.line, line >= 1 { physical["region"] = .object(["startLine": .int(line)]) }
    var members: [String: JSONValue] = ["physicalLocation": .object(physical)]
    if let id { members["id"] = .int(id) }
    return .object(members)
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

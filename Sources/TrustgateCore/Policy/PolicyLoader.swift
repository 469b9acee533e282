import Yams

/// A `.trustgate.yml` that cannot be used: the file, the line and what to change.
public struct PolicyError: Error, CustomStringConvertible, Sendable {
  public var path: String
  public var line: Int?
  public var message: String
  public var description: String { "\(path)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

/// Reads `.trustgate.yml` with Yams and checks it against the schema below; unknown keys are errors.
///
/// ```yaml
/// version: 1
/// fail-on: error            # error | warning | note
/// baseline: .trustgate/baseline.json
/// compare: [stores, environment, python, lockfiles, proxy, openssl]
/// exclude: [tests/fixtures]  # repository paths the lockfile walk skips
/// rules:
///   TG103: note             # a severity, or `off`
/// ignore:
///   - rule: TG301
///     package: httpx        # or path: / fingerprint:
///     reason: migrating to 0.28 in PLAT-123
///     expires: 2026-12-31
/// required-roots:
///   - name: Corp Root CA
///     sha256: 3f:…          # or sha1:
///     in: [os-bundle, certifi, requests]
/// endpoints:                # verified for every client present; `check` gates on them
///   - name: api
///     chain: tls/api-chain.pem   # in the repository: the leaf and intermediates as served
///     host: api.example.com
/// ```
public enum PolicyLoader {
  static let topKeys: Set<String> = ["version", "fail-on", "baseline", "compare", "exclude", "rules", "ignore", "required-roots", "endpoints"]
  static let ignoreKeys: Set<String> = ["rule", "package", "path", "fingerprint", "reason", "expires"]
  static let rootKeys: Set<String> = ["name", "sha256", "sha1", "in"]

  /// The policy in `text`, every line in it and in its errors counted as git and CI annotations count them (at LF).
  public static func load(_ text: String, path: String) throws(PolicyError) -> Policy {
    let lines = YAMLLineMap(text)
    do throws(PolicyError) {
      var policy = try load(text, path: path, lines: lines)
      policy.baselineLine = policy.baselineLine.map(lines.fileLine)
      for index in policy.ignores.indices {
        policy.ignores[index].line = policy.ignores[index].line.map(lines.fileLine)
      }
      for index in policy.requiredRoots.indices {
        policy.requiredRoots[index].line = policy.requiredRoots[index].line.map(lines.fileLine)
      }
      for index in policy.endpoints.indices {
        policy.endpoints[index].line = policy.endpoints[index].line.map(lines.fileLine)
      }
      return policy
    } catch {
      var located = error
      located.line = error.line.map(lines.fileLine)
      throw located
    }
  }

  /// The policy, with lines as libyaml counts them (`YAMLLineMap`).
  private static func load(_ text: String, path: String, lines: YAMLLineMap) throws(PolicyError) -> Policy {
    var policy = Policy()
    policy.path = path
    // Anchors and aliases are refused before Yams builds anything: an alias expands into every place that names it,
    // so a few hundred bytes of nested aliases (used as a mapping key, which Yams hashes) hang the gate. A policy
    // has no need for them, nor for collections nested deeper than a few levels (which libyaml scans in quadratic
    // time).
    switch YAMLTokens.firstRefusal(in: text) {
    case .anchor(let name, let line)?:
      throw PolicyError(
        path: path, line: line,
        message: "YAML anchor '&\(name)': trustgate refuses anchors and aliases in a policy; write the value out")
    case .alias(let name, let line)?:
      throw PolicyError(
        path: path, line: line,
        message: "YAML alias '*\(name)': trustgate refuses anchors and aliases in a policy; write the value out")
    case .tooDeep(let line)?:
      throw PolicyError(
        path: path, line: line,
        message: "collections nested more than \(YAMLTokens.maximumDepth) deep; a policy needs four: fix the brackets "
          + "or the indentation")
    case nil:
      break
    }
    let root: Node?
    // The basic resolver leaves every scalar a string (the schema below reads strings only): no tag regexes are
    // compiled, which cost more than the whole parse, and a hex fingerprint is never read as a number. The encoding
    // is named: Yams's default reads YAMS_DEFAULT_ENCODING and then prints a line on standard output (into a JSON
    // report).
    do { root = try Yams.compose(yaml: text, .basic, .default, .utf8) } catch {
      throw PolicyError(
        path: path, line: yamlLine(error, lines: lines),
        message: "not valid YAML (\(yamlProblem(error))); fix the syntax")
    }
    guard let root else { return policy }
    guard case .mapping(let mapping) = root else {
      throw PolicyError(path: path, line: root.mark?.line, message: "expected a mapping of settings at the top level")
    }
    for (keyNode, value) in mapping {
      let key = keyNode.string ?? ""
      let line = keyNode.mark?.line
      guard topKeys.contains(key) else {
        throw PolicyError(path: path, line: line, message: "unknown key '\(key)'; known keys: \(topKeys.sorted().joined(separator: ", "))")
      }
      switch key {
      case "version":
        guard value.string == "1" else { throw PolicyError(path: path, line: line, message: "version must be 1") }
      case "fail-on":
        policy.failOn = try severity(value, path: path, key: key)
      case "baseline":
        policy.baseline = try string(value, path: path, key: key)
        policy.baselineLine = line
      case "exclude":
        policy.exclude = try strings(value, path: path, key: key).map { String($0.drop { $0 == "/" }) }
      case "compare":
        policy.compare = Set(try strings(value, path: path, key: key).map { name throws(PolicyError) -> Area in
          guard let area = Area(rawValue: name) else {
            throw PolicyError(path: path, line: value.mark?.line, message: "compare: unknown area '\(name)'; use \(Area.allCases.map(\.rawValue).joined(separator: ", "))")
          }
          return area
        })
      case "rules":
        guard case .mapping(let rules) = value else { throw PolicyError(path: path, line: line, message: "rules must map rule ids to a severity or off") }
        for (idNode, setting) in rules {
          let id = (idNode.string ?? "").uppercased()
          guard RuleCatalogue.rule(id) != nil else {
            throw PolicyError(path: path, line: idNode.mark?.line, message: "rules: unknown rule '\(idNode.string ?? "")'; `trustgate rules` lists them")
          }
          if ["off", "false", "no"].contains(setting.string?.lowercased() ?? "") { policy.disabled.insert(id) } else {
            policy.severities[id] = try severity(setting, path: path, key: "rules.\(id)")
          }
        }
      case "ignore":
        guard case .sequence(let items) = value else { throw PolicyError(path: path, line: line, message: "ignore must be a list") }
        for item in items { policy.ignores.append(try ignore(item, path: path)) }
      case "required-roots":
        guard case .sequence(let items) = value else { throw PolicyError(path: path, line: line, message: "required-roots must be a list") }
        for item in items { policy.requiredRoots.append(try requiredRoot(item, path: path)) }
      case "endpoints":
        policy.endpoints = try endpoints(value, path: path, line: line)
      default: break
      }
    }
    return policy
  }

  static func fields(_ node: Node, allowed: Set<String>, path: String, what: String) throws(PolicyError) -> [String: Node] {
    guard case .mapping(let mapping) = node else {
      throw PolicyError(path: path, line: node.mark?.line, message: "each \(what) entry must be a mapping")
    }
    var result: [String: Node] = [:]
    for (key, value) in mapping {
      let name = key.string ?? ""
      guard allowed.contains(name) else {
        throw PolicyError(path: path, line: key.mark?.line, message: "\(what): unknown key '\(name)'; known keys: \(allowed.sorted().joined(separator: ", "))")
      }
      result[name] = value
    }
    return result
  }

  static func ignore(_ node: Node, path: String) throws(PolicyError) -> Policy.Ignore {
    let f = try fields(node, allowed: ignoreKeys, path: path, what: "ignore")
    let line = node.mark?.line
    guard let rule = f["rule"]?.string, RuleCatalogue.rule(rule) != nil else {
      throw PolicyError(path: path, line: line, message: "ignore: 'rule' must name a rule id (see `trustgate rules`)")
    }
    guard let reason = f["reason"]?.string, !reason.trimmingWhitespace().isEmpty else {
      throw PolicyError(path: path, line: line, message: "ignore of \(rule): 'reason' is required (say why the risk is accepted)")
    }
    guard let expires = f["expires"]?.string else {
      throw PolicyError(path: path, line: line, message: "ignore of \(rule): 'expires' is required as YYYY-MM-DD")
    }
    guard isDate(expires) else {
      throw PolicyError(
        path: path, line: f["expires"]?.mark?.line ?? line,
        message:
          "ignore of \(rule): expires '\(expires.prefix(40))' is not a day of the calendar; write it as YYYY-MM-DD")
    }
    return Policy.Ignore(
      rule: rule.uppercased(), package: f["package"]?.string, path: f["path"]?.string, fingerprint: f["fingerprint"]?.string,
      reason: reason, expires: expires, line: line)
  }

  static func requiredRoot(_ node: Node, path: String) throws(PolicyError) -> Policy.RequiredRoot {
    let f = try fields(node, allowed: rootKeys, path: path, what: "required-roots")
    let line = node.mark?.line
    guard let name = f["name"]?.string else {
      throw PolicyError(path: path, line: line, message: "required-roots: 'name' is required")
    }
    let sha256 = f["sha256"]?.string
    let sha1 = f["sha1"]?.string
    guard sha256 != nil || sha1 != nil else {
      throw PolicyError(path: path, line: line, message: "required root \(name): give 'sha256' or 'sha1'")
    }
    if let sha256, sha256.replacingColons().count != 64 || !sha256.replacingColons().allSatisfy(\.isHexDigit) {
      throw PolicyError(path: path, line: line, message: "required root \(name): sha256 must be 64 hex digits")
    }
    if let sha1, sha1.replacingColons().count != 40 || !sha1.replacingColons().allSatisfy(\.isHexDigit) {
      throw PolicyError(path: path, line: line, message: "required root \(name): sha1 must be 40 hex digits")
    }
    var sources = ["os-bundle"]
    if let node = f["in"] { sources = try strings(node, path: path, key: "in") }
    return Policy.RequiredRoot(name: name, sha256: sha256, sha1: sha1, sources: sources, line: line)
  }

  static let endpointKeys: Set<String> = ["name", "chain", "host"]

  /// `endpoints:` — a list of `{name, chain, host}`; the chain file itself is read with the repository
  /// (`VerificationTargets.load`), the rest is checked here.
  static func endpoints(_ value: Node, path: String, line: Int?) throws(PolicyError) -> [Policy.Endpoint] {
    guard case .sequence(let items) = value else {
      throw PolicyError(path: path, line: line, message: "endpoints must be a list of {name, chain, host}")
    }
    var endpoints: [Policy.Endpoint] = []
    for item in items {
      let f = try fields(item, allowed: endpointKeys, path: path, what: "endpoints")
      let line = item.mark?.line
      guard let name = f["name"]?.string, !name.isEmpty else {
        throw PolicyError(path: path, line: line, message: "endpoints: 'name' is required (e.g. name: api)")
      }
      guard let chain = f["chain"]?.string, !chain.isEmpty else {
        throw PolicyError(
          path: path, line: line,
          message: "endpoint \(name): 'chain' is required: a PEM file in the repository with the leaf and intermediates")
      }
      let parts = chain.split(separator: "/", omittingEmptySubsequences: false)
      if chain.hasPrefix("/") || parts.contains("..") {
        throw PolicyError(
          path: path, line: f["chain"]?.mark?.line ?? line,
          message: "endpoint \(name): chain \(chain) is outside the repository; give a path relative to the repository, without '..'")
      }
      var host: String?
      if let node = f["host"] {
        guard let text = node.string, HostIdentity(text) != nil else {
          throw PolicyError(
            path: path, line: node.mark?.line ?? line,
            message: "endpoint \(name): host '\(node.string ?? "")' is neither a DNS name nor an IP address; give the name clients connect to (e.g. api.example.com) or an IPv4/IPv6 address, without scheme, port or path")
        }
        host = text
      }
      endpoints.append(Policy.Endpoint(name: name, chain: chain, host: host, line: line))
    }
    return endpoints
  }

  static func severity(_ node: Node, path: String, key: String) throws(PolicyError) -> Severity {
    guard let text = node.string, let severity = Severity(rawValue: text) else {
      throw PolicyError(path: path, line: node.mark?.line, message: "\(key) must be error, warning or note")
    }
    return severity
  }

  static func string(_ node: Node, path: String, key: String) throws(PolicyError) -> String {
    guard let text = node.string else { throw PolicyError(path: path, line: node.mark?.line, message: "\(key) must be a string") }
    return text
  }

  static func strings(_ node: Node, path: String, key: String) throws(PolicyError) -> [String] {
    if let single = node.string { return [single] }
    guard case .sequence(let items) = node else { throw PolicyError(path: path, line: node.mark?.line, message: "\(key) must be a list") }
    var result: [String] = []
    for item in items { result.append(try string(item, path: path, key: key)) }
    return result
  }

  /// `YYYY-MM-DD` naming a day that exists in the Gregorian calendar (`2026-02-31` and `2027-02-29` do not).
  static func isDate(_ text: String) -> Bool {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month)
    else { return false }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return (1...days).contains(day)
  }

  /// The line of libyaml's error, as libyaml counts lines: its reader gives a byte offset into the UTF-8 text, the
  /// others a mark.
  static func yamlLine(_ error: Error, lines: YAMLLineMap) -> Int? {
    switch error as? YamlError {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
    case .reader(_, let offset?, _, _): return lines.yamlLine(atByte: offset)
    default: return nil
    }
  }

  /// What libyaml says is wrong, without the snippet of the file that Yams's descriptions quote: the policy may be
  /// any file (`--policy /proc/self/environ`), and its line may be megabytes long.
  static func yamlProblem(_ error: Error) -> String {
    switch error as? YamlError {
    case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
    case .reader(let problem, _, let value, _):
      return value < 0 ? problem : problem + " (character U+" + String(UInt32(value), radix: 16, uppercase: true) + ")"
    case .duplicatedKeysInMapping: return "a key is repeated in one mapping"
    default: return String(String(describing: error).prefix(200))
    }
  }
}

/// libyaml starts a new line at LF, CR LF, a lone CR, NEL (U+0085), LS (U+2028) and PS (U+2029); git, diffs, editors'
/// line numbers and CI annotations count LF only. Marks from libyaml are translated here, so that a policy with a lone
/// CR or a line separator in a comment still names the line a reader finds.
struct YAMLLineMap {
  /// For libyaml's line `k + 1`: the LF-counted line it is part of.
  private var fileLines: [Int] = [1]
  /// The byte offset just past each of libyaml's line breaks.
  private var breakEnds: [Int] = []

  init(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
      var lf = 1
      var index = 0
      while index < bytes.count {
        guard let found = LineBreak.yaml.at(index, in: bytes) else {
          index += 1
          continue
        }
        if found.newline { lf += 1 }
        index += found.width
        fileLines.append(lf)
        breakEnds.append(index)
      }
    }
  }

  /// The LF-counted line of libyaml's 1-based `line` (the last line for one past the end).
  func fileLine(_ line: Int) -> Int { fileLines[min(max(line, 1), fileLines.count) - 1] }

  /// libyaml's 1-based line at a byte offset of the text.
  func yamlLine(atByte offset: Int) -> Int {
    var low = 0
    var high = breakEnds.count
    while low < high {
      let middle = (low + high) / 2
      if breakEnds[middle] <= offset { low = middle + 1 } else { high = middle }
    }
    return low + 1
  }
}

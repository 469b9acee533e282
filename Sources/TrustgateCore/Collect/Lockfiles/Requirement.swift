/// A PEP 508 requirement reduced to what a pin needs: name, exact version or specifier as written.
struct Requirement: Equatable, Sendable {
  var name: String
  var version: String?
  var specifier: String?

  /// Parses `name[extras] spec ; marker` or `name @ url ; marker`; the failure says what is wrong.
  static func parse(_ text: String) -> Result<Requirement, RequirementError> {
    var text = text
    return text.withUTF8 { parse(Bytes($0)) }
  }

  static func parse(_ entry: Bytes) -> Result<Requirement, RequirementError> {
    var rest = entry
    rest.trim()
    let name = rest.takeWhile { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    guard !name.isEmpty, isValidName(name.string()) else { return .failure(RequirementError("no package name")) }
    rest.trimLeading()
    if rest.first == UInt8(ascii: "[") {
      guard let close = rest.firstIndex(of: UInt8(ascii: "]")) else {
        return .failure(RequirementError("unclosed extras `[`"))
      }
      rest.dropFirst(close + 1)
      rest.trimLeading()
    }
    if rest.first == UInt8(ascii: "@") {
      return .success(Requirement(name: name.string(), version: nil, specifier: nil))
    }
    var spec = rest
    if let semicolon = rest.firstIndex(of: UInt8(ascii: ";")) { spec.keepFirst(semicolon) }
    spec.trim()
    if spec.first == UInt8(ascii: "(") {
      guard spec.last == UInt8(ascii: ")") else { return .failure(RequirementError("unclosed `(`")) }
      spec.dropFirst(1)
      spec.keepFirst(spec.count - 1)
      spec.trim()
    }
    if spec.isEmpty { return .success(Requirement(name: name.string(), version: nil, specifier: nil)) }
    let written = spec.string()
    var exact: String?
    var clauses = 0
    for clause in written.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
      clauses += 1
      guard let (op, version) = splitClause(Substring(clause)) else {
        return .failure(RequirementError("`\(String(Substring(clause)).trimmingSpaces)` is not a version clause"))
      }
      if op == "==" && !version.utf8.contains(UInt8(ascii: "*")) { exact = version }
    }
    if clauses == 1, let exact { return .success(Requirement(name: name.string(), version: exact, specifier: nil)) }
    return .success(Requirement(name: name.string(), version: nil, specifier: written))
  }

  private static let operators = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"]

  /// `>= 1.2` → (">=", "1.2"); nil when the clause has no operator or no valid version.
  private static func splitClause(_ clause: Substring) -> (String, String)? {
    let trimmed = String(clause).trimmingSpaces
    guard let op = operators.first(where: { trimmed.hasPrefix($0) }) else { return nil }
    let version = String(trimmed.dropFirst(op.count)).trimmingSpaces
    guard !version.isEmpty,
      version.utf8.allSatisfy({
        isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "+")
          || $0 == UInt8(ascii: "!") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
      })
    else { return nil }
    return (op, version)
  }
}

/// Why a requirement could not be read.
struct RequirementError: Error, Equatable, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// A requirement written as a URL or path (`https://…/pkg-1.0-py3-none-any.whl`, `git+https://…#egg=pkg`).
struct URLRequirement {
  /// The distribution name when the URL says it (`#egg=`, a wheel or sdist file name).
  var name: String?

  /// Nil when the entry is not a URL or path.
  init?(_ entry: Bytes) {
    // Byte checks, not String searches: this runs on every line of a requirements file.
    let isPath = entry.first == UInt8(ascii: ".") || entry.first == UInt8(ascii: "/") || entry.first == UInt8(ascii: "~")
    guard isPath || entry.contains(Self.scheme) && !entry.contains(Self.atSpace) else { return nil }
    let text = entry.string()
    name = Self.eggName(text) ?? Self.archiveName(text)
  }

  private static let scheme = Array("://".utf8)
  private static let atSpace = Array("@ ".utf8)

  /// `pkg` from `…#egg=pkg[extra]&subdirectory=…`.
  static func eggName(_ text: String) -> String? {
    guard let range = text.firstRange(of: "#egg=") else { return nil }
    let name = text[range.upperBound...].prefix { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    return isValidName(name) ? String(name) : nil
  }

  /// `pkg` from `…/pkg-1.0-py3-none-any.whl` or `…/pkg-1.0.tar.gz`.
  static func archiveName(_ text: String) -> String? {
    let file = fileName(of: String(text.prefix { $0 != "#" && $0 != "?" }))
    guard file.hasSuffix(".whl") || file.hasSuffix(".tar.gz") || file.hasSuffix(".zip") else { return nil }
    guard let dash = file.firstIndex(of: "-") else { return nil }
    let name = file[..<dash]
    return isValidName(name) ? String(name) : nil
  }
}

/// Reads the ranges a project declares in `pyproject.toml`: PEP 621 `[project] dependencies` and
/// `optional-dependencies` (group: the extra), PEP 735 `[dependency-groups]`, and Poetry's
/// `[tool.poetry.dependencies]` (group `main`) and `[tool.poetry.group.<name>.dependencies]`.
public enum PyprojectReader: LockfileReader {
  public static let format = LockfileFormat.pyproject

  public static func wants(_ path: String) -> Bool { fileName(of: path) == "pyproject.toml" }

  public static func read(_ text: String) -> LockfileReading {
    var reading = LockfileReading()
    var table: [String] = []
    var invalid: (line: Int, reason: String)?
    TOMLScanner.scan(text) { event in
      switch event {
      case .invalid(let line, let reason):
        invalid = (line, reason)
      case .header(let path, _, _):
        table = path
      case .pair(let key, let value, let line):
        let path = table + key
        switch path.count {
        case 2 where path == ["project", "dependencies"]:
          readRequirements(value, group: nil, into: &reading)
        case 3 where path[0] == "project" && path[1] == "optional-dependencies", 2 where path[0] == "dependency-groups":
          readRequirements(value, group: path[path.count - 1], into: &reading)
        case 4 where path[0...2] == ["tool", "poetry", "dependencies"]:
          readPoetry(name: path[3], value, line: line, group: "main", into: &reading)
        case 4 where path[0...2] == ["tool", "poetry", "dev-dependencies"]:
          readPoetry(name: path[3], value, line: line, group: "dev", into: &reading)
        case 6 where path[0...2] == ["tool", "poetry", "group"] && path[4] == "dependencies":
          readPoetry(name: path[5], value, line: line, group: path[3], into: &reading)
        default:
          break
        }
      }
    }
    TOMLLockfile.apply(invalid: invalid, file: "pyproject.toml", regenerate: "your editor", to: &reading)
    return reading
  }

  /// PEP 508 strings in an array; inline tables (`{ include-group = "test" }`) name no package.
  private static func readRequirements(_ value: ScannedValue, group: String?, into reading: inout LockfileReading) {
    for item in value.array ?? [] {
      guard let text = item.string else { continue }
      switch Requirement.parse(text) {
      case .success(let requirement):
        reading.pins.append(
          Pin(
            name: requirement.name, version: requirement.version, specifier: requirement.specifier, line: item.line,
            group: group))
      case .failure(let reason):
        reading.issues.append(
          LockfileIssue(
            line: item.line, message: "pyproject.toml: `\(text.prefix(80))` is not a PEP 508 requirement: \(reason).",
            fix: "Write it as `name>=1.2,<2` or `name==1.2.3`."))
      }
    }
  }

  /// `name = "^1.2"` or `name = { version = "^1.2", extras = [...] }`; a bare version is Poetry's exact pin.
  private static func readPoetry(
    name: String, _ value: ScannedValue, line: Int, group: String, into reading: inout LockfileReading
  ) {
    guard name != "python" else { return }
    guard isValidName(name) else {
      reading.issues.append(
        LockfileIssue(
          line: line, message: "pyproject.toml: `\(name.prefix(80))` is not a package name.",
          fix: "Use the distribution's name as the key."))
      return
    }
    var pin = Pin(name: name, line: line, group: group)
    if let constraint = (value.string ?? value["version"]?.string)?.trimmingSpaces, !constraint.isEmpty {
      let exact = constraint.hasPrefix("==") && !constraint.hasPrefix("===") ? constraint.dropFirst(2) : Substring(constraint)
      if exact.utf8.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "!") })
        && exact.first.map({ $0.isNumber }) == true
      {
        pin.version = String(exact).trimmingSpaces
      } else {
        pin.specifier = constraint
      }
    }
    reading.pins.append(pin)
  }
}

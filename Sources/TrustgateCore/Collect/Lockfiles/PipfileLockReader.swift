#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Reads `Pipfile.lock` (JSON): one pin per member of `default` and `develop`, grouped by that name, at the line
/// of its key; `"version": "==1.2.3"` is the exact pin.
public enum PipfileLockReader: LockfileReader {
  public static let format = LockfileFormat.pipfile

  public static func wants(_ path: String) -> Bool { fileName(of: path) == "Pipfile.lock" }

  private struct File: Decodable {
    var `default`: [String: Entry]?
    var develop: [String: Entry]?
  }

  private struct Entry: Decodable {
    var version: String?
  }

  public static func read(_ text: String) -> LockfileReading {
    var reading = LockfileReading()
    let scanner = JSONLineScanner(text, groups: ["default", "develop"])
    var decoded: File?
    do {
      decoded = try JSONDecoder().decode(File.self, from: Data(text.utf8))
    } catch {
      let line = scanner.errorLine
      let place = line.map { " (parsing stopped at line \($0))" } ?? ""
      reading.issues.append(
        LockfileIssue(
          line: line, message: "Pipfile.lock is not a valid lockfile\(place): \(describe(error)).",
          fix: "Regenerate it with `pipenv lock`."))
    }
    for entry in scanner.entries {
      let version: String?
      if let decoded {
        let group = entry.group == "default" ? decoded.default : decoded.develop
        version = group?[entry.name]?.version
      } else {
        // Without a valid file, only entries read to their end are trusted.
        guard entry.complete else { continue }
        version = entry.version
      }
      guard isValidName(entry.name) else {
        reading.issues.append(
          LockfileIssue(
            line: entry.line, message: "Pipfile.lock: `\(entry.name)` is not a package name.",
            fix: "Regenerate it with `pipenv lock`."))
        continue
      }
      var pin = Pin(name: entry.name, line: entry.line, group: entry.group)
      if let version {
        if version.hasPrefix("==") && !version.hasPrefix("===") && !version.contains("*") {
          pin.version = String(version.dropFirst(2))
        } else {
          pin.specifier = version
        }
      }
      reading.pins.append(pin)
    }
    return reading
  }

  private static func describe(_ error: any Error) -> String {
    if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
    if case DecodingError.typeMismatch(_, let context) = error {
      let path = context.codingPath.map(\.stringValue).joined(separator: ".")
      return "`\(path)` has the wrong type"
    }
    return "\(error)"
  }
}

/// Reads `Pipfile.lock` (JSON): one pin per member of `default` and `develop`, grouped by that name, at the line
/// of its key; `"version": "==1.2.3"` is the exact pin.
public enum PipfileLockReader: LockfileReader {
  public static let format = LockfileFormat.pipfile

  public static func wants(_ path: String) -> Bool { fileName(of: path) == "Pipfile.lock" }

  public static func read(_ text: String) -> LockfileReading {
    var reading = LockfileReading()
    // One pass: entries with their lines, and the line where the file stops being JSON.
    let scanner = JSONLineScanner(text, groups: ["default", "develop"])
    let valid = scanner.errorLine == nil
    if let line = scanner.errorLine {
      reading.issues.append(
        LockfileIssue(
          line: line, message: "Pipfile.lock is not a valid lockfile (parsing stopped at line \(line)).",
          fix: "Regenerate it with `pipenv lock`."))
    }
    for (line, message) in scanner.typeErrors {
      reading.issues.append(
        LockfileIssue(line: line, message: "Pipfile.lock: \(message).", fix: "Regenerate it with `pipenv lock`."))
    }
    for entry in scanner.entries {
      // Without a valid file, only entries read to their end are trusted.
      guard valid || entry.complete else { continue }
      let version = entry.version
      guard isValidName(entry.name) else {
        reading.issues.append(
          LockfileIssue(
            line: entry.line, message: "Pipfile.lock: `\(entry.name)` is not a package name.",
            fix: "Regenerate it with `pipenv lock`."))
        continue
      }
      var pin = Pin(name: entry.name, line: entry.line, group: entry.group)
      if let version {
        if version.hasPrefix("==") && !version.hasPrefix("===") && !version.utf8.contains(UInt8(ascii: "*")) {
          pin.version = String(version.dropFirst(2))
        } else {
          pin.specifier = version
        }
      }
      reading.pins.append(pin)
    }
    return reading
  }
}

/// Reads an env file (`KEY=VALUE` lines as Docker's `--env-file` and dotenv write them) for `--env-file`.
public enum EnvFile {
  public struct ParseError: Error, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var text: String
    /// What is wrong with the line; nil for the usual "not KEY=VALUE".
    public var problem: String?
    public var description: String {
      // The line itself is not echoed: env files hold secrets, and a malformed line may be one.
      if let problem { return "\(path):\(line): \(problem)" }
      return "\(path):\(line): expected KEY=VALUE (a name of letters, digits and _, then =); fix the line or remove it"
    }
  }

  /// `#` comments and blank lines are skipped; `export ` is allowed; matching outer quotes are removed.
  public static func parse(_ text: String, path: String) throws(ParseError) -> [String: String] {
    try parseWithLines(text, path: path).mapValues(\.value)
  }

  /// The file's bytes, read as Docker's `--env-file` reader reads them (docker/cli `opts/file.go`,
  /// `parseKeyValueFile`): a line that is not UTF-8 is refused at its number, where a value decoded with replacement
  /// characters would name another path (a UTF-16 file from a Windows editor is refused by its NULs first).
  public static func parseWithLines(
    bytes: [UInt8], path: String
  ) throws(ParseError) -> [String: (value: String, line: Int)] {
    let text = String(decoding: bytes, as: UTF8.self)
    if !text.utf8.elementsEqual(bytes) {
      for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
        // A NUL first: refused below at its line, with its own message.
        if line.contains(0) { break }
        guard String(validating: line, as: UTF8.self) == nil else { continue }
        throw ParseError(
          path: path, line: index + 1, text: "",
          problem: "is not valid UTF-8 (Docker's --env-file refuses it too); save the file as UTF-8")
      }
    }
    return try parseWithLines(text, path: path)
  }

  /// Like `parse`, with the 1-based line each variable was set on (the last one wins, as in Docker). A byte-order
  /// mark on the first line is dropped, as Docker drops it (Windows editors write one).
  public static func parseWithLines(
    _ text: String, path: String
  ) throws(ParseError) -> [String: (value: String, line: Int)] {
    var env: [String: (value: String, line: Int)] = [:]
    var number = 0
    let text = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
    // `\r\n` is one Character in Swift, so split on every newline kind (CRLF files from Windows editors).
    for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      number += 1
      // A process environment cannot hold a NUL: the value would be cut there, and a path checked only up to it.
      if rawLine.unicodeScalars.contains("\u{0}") {
        throw ParseError(
          path: path, line: number, text: "",
          problem: "holds a NUL byte, which no environment variable can contain; remove it (is this a binary file?)")
      }
      var line = Substring(String(rawLine).trimmingWhitespace())
      if line.isEmpty || line.hasPrefix("#") { continue }
      if line.hasPrefix("export ") { line = line.dropFirst(7) }
      guard let eq = line.firstIndex(of: "="), eq != line.startIndex else {
        // Docker's env-file passes a bare NAME through from the caller's environment; trustgate records none.
        if line.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { continue }
        throw ParseError(path: path, line: number, text: String(line))
      }
      let key = String(line[..<eq])
      guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
        throw ParseError(path: path, line: number, text: String(line.prefix(upTo: eq)))
      }
      var value = line[line.index(after: eq)...]
      if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
        value = value.dropFirst().dropLast()
      }
      env[key] = (String(value), number)
    }
    return env
  }
}

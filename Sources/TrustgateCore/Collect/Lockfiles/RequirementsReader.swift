/// Reads pip requirements and constraints files (`requirements*.txt`, `constraints*.txt`, `requirements/*.txt`).
///
/// Follows pip's own rules: `\` joins lines (the pin keeps the first line's number), `#` after whitespace starts a
/// comment, `-r`/`-c` name other files, per-requirement options such as `--hash` are ignored.
public enum RequirementsReader: LockfileReader {
  public static let format = LockfileFormat.requirements

  public static func wants(_ path: String) -> Bool {
    let name = fileName(of: path)
    guard name.hasSuffix(".txt") else { return false }
    if name.utf8.contains("requirements".utf8) || name.utf8.contains("constraints".utf8) { return true }
    let parent = fileName(of: String(path.dropLast(name.count + 1)))
    return path.count > name.count && parent == "requirements"
  }

  public static func read(_ text: String) -> LockfileReading {
    var reading = LockfileReading()
    var text = text
    text.withUTF8 { buffer in
      var joined: [UInt8] = []
      var joinedLine = 0
      var lineNumber = 0
      var start = 0
      let count = buffer.count
      while start < count {
        lineNumber += 1
        let end = firstIndex(of: UInt8(ascii: "\n"), in: buffer, from: start) ?? count
        let next = end + 1
        var last = end
        if last > start && buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
        let line = UnsafeBufferPointer(rebasing: buffer[start..<last])
        let comment = commentStart(line)
        if comment == nil, line.last == UInt8(ascii: "\\") {
          if joined.isEmpty { joinedLine = lineNumber }
          joined.append(contentsOf: line.dropLast())
          joined.append(UInt8(ascii: " "))
        } else if !joined.isEmpty {
          joined.append(contentsOf: line[..<(comment ?? line.count)])
          joined.withUnsafeBufferPointer { readEntry($0, line: joinedLine, into: &reading) }
          joined.removeAll(keepingCapacity: true)
        } else {
          readEntry(UnsafeBufferPointer(rebasing: line[..<(comment ?? line.count)]), line: lineNumber, into: &reading)
        }
        start = next
      }
      if !joined.isEmpty {
        // A continuation at the end of the file: pip reads what it has.
        joined.withUnsafeBufferPointer { readEntry($0, line: joinedLine, into: &reading) }
      }
    }
    return reading
  }

  /// Index of a `#` that starts a comment: at the start of the line or after whitespace.
  private static func commentStart(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
    var from = 0
    // Hash lines (`--hash=sha256:…`) have no `#`: one `memchr` each.
    while let index = firstIndex(of: UInt8(ascii: "#"), in: line, from: from) {
      if index == 0 || isSpace(line[index - 1]) { return index }
      from = index + 1
    }
    return nil
  }

  private static func readEntry(_ raw: UnsafeBufferPointer<UInt8>, line: Int, into reading: inout LockfileReading) {
    var entry = Bytes(raw)
    entry.trim()
    guard !entry.isEmpty else { return }
    if entry.first == UInt8(ascii: "-") {
      readOption(entry, line: line, into: &reading)
      return
    }
    // pip stops a requirement at its first option token (`--hash=…`, `--config-settings …`).
    entry = entry.beforeFirstOption()
    if let url = URLRequirement(entry) {
      if let name = url.name { reading.pins.append(Pin(name: name, line: line)) }
      return
    }
    switch Requirement.parse(entry) {
    case .success(let requirement):
      reading.pins.append(
        Pin(name: requirement.name, version: requirement.version, specifier: requirement.specifier, line: line))
    case .failure(let reason):
      reading.issues.append(
        LockfileIssue(
          line: line, message: "`\(entry.string(limit: 80))` is not a requirement pip can read: \(reason).",
          fix: "Write it as `name==1.2.3` or `name>=1.2,<2` (PEP 508), or remove the line."))
    }
  }

  private static func readOption(_ entry: Bytes, line: Int, into reading: inout LockfileReading) {
    var (option, argument) = entry.splitOption()
    switch option {
    case "-r", "--requirement", "-c", "--constraint":
      if argument.isEmpty {
        reading.issues.append(
          LockfileIssue(
            line: line, message: "`\(option)` names no file.", fix: "Add the file name after `\(option)`."))
      } else {
        reading.references.append(argument)
      }
    case "-e", "--editable":
      argument = argument.trimmingSpaces
      if let name = URLRequirement.eggName(argument) { reading.pins.append(Pin(name: name, line: line)) }
    default:
      break  // --index-url, --find-links, --hash on its own line, --pre, … say nothing about versions.
    }
  }
}

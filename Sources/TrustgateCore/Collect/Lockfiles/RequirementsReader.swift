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

  /// pip reads these files through `auto_decode` (pip/_internal/utils/encoding.py, pip 20-25): a byte-order mark
  /// chooses the encoding and is dropped, checked in pip's order: UTF-8, then `codecs.BOM_UTF16` (on every machine
  /// pip runs on, little-endian: FF FE), UTF-16 BE, UTF-32 BE. A UTF-32 LE mark starts with FF FE, so pip reads such
  /// a file as UTF-16, and so does this. After FF FE pip decodes with Python's `utf-16` codec, which takes a second
  /// mark as its own (FE FF switching to big-endian); the other codecs keep one as U+FEFF. Windows writes such files:
  /// PowerShell 5's `pip freeze > requirements.txt` is UTF-16 LE with a mark, Notepad's "UTF-8 with BOM" has one.
  /// Code units that do not decode become U+FFFD (where pip stops with an error).
  public static func transcoded(_ bytes: [UInt8]) -> [UInt8]? {
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return Array(bytes.dropFirst(3)) }
    // Code units after `marks` marks, in the byte order given; a last incomplete unit is dropped.
    func decoded<Codec: UnicodeCodec>(_ codec: Codec.Type, skipping marks: Int, bigEndian: Bool) -> [UInt8] {
      let size = MemoryLayout<Codec.CodeUnit>.size
      var units: [Codec.CodeUnit] = []
      units.reserveCapacity(bytes.count / size)
      var index = marks * size
      while index + size <= bytes.count {
        var unit = Codec.CodeUnit(0)
        for offset in 0..<size {
          unit |= Codec.CodeUnit(bytes[index + offset]) << (8 * (bigEndian ? size - 1 - offset : offset))
        }
        units.append(unit)
        index += size
      }
      return Array(String(decoding: units, as: Codec.self).utf8)
    }
    if bytes.starts(with: [0xFF, 0xFE]) {
      let second = bytes.dropFirst(2).prefix(2)
      if second.elementsEqual([0xFF, 0xFE]) { return decoded(UTF16.self, skipping: 2, bigEndian: false) }
      if second.elementsEqual([0xFE, 0xFF]) { return decoded(UTF16.self, skipping: 2, bigEndian: true) }
      return decoded(UTF16.self, skipping: 1, bigEndian: false)
    }
    if bytes.starts(with: [0xFE, 0xFF]) { return decoded(UTF16.self, skipping: 1, bigEndian: true) }
    if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return decoded(UTF32.self, skipping: 1, bigEndian: true) }
    return nil
  }

  public static func read(_ text: String) -> LockfileReading {
    var reading = LockfileReading()
    var text = text
    text.withUTF8 { buffer in
      var joined: [UInt8] = []
      var joinedLine = 0
      // The line a pin is reported at is the one git and CI annotations count (LF); pip's own numbering counts every
      // break `splitlines` takes.
      var fileLine = 1
      var start = 0
      let count = buffer.count
      while start < count {
        let lineNumber = fileLine
        let (last, next, newline) = lineEnd(buffer, from: start)
        if newline { fileLine += 1 }
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

  /// Bytes that can start a line break for Python's `str.splitlines()`, which pip splits these files with
  /// (`req_file.preprocess`; `LineBreak.python`). A lone CR ends a requirement for pip:
  /// `requests==2.31.0<CR>httpx==0.28.1` is two.
  private static let mayBreak: [Bool] = {
    var table = [Bool](repeating: false, count: 256)
    for byte in [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0xC2, 0xE2] { table[byte] = true }
    return table
  }()

  /// Where the line starting at `start` ends (before its break), where the next starts, and whether the break holds
  /// an LF (a line as git counts it).
  static func lineEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, next: Int, newline: Bool) {
    mayBreak.withUnsafeBufferPointer { table in
      var index = start
      while index < buffer.count {
        if table[Int(buffer[index])], let found = LineBreak.python.at(index, in: buffer) {
          return (index, index + found.width, found.newline)
        }
        index += 1
      }
      return (buffer.count, buffer.count, false)
    }
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

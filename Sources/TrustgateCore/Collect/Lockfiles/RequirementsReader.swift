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
      // pip's `join_lines`: a line ending in `\` (unless it is a comment line) continues on the next, each piece
      // with its backslashes stripped from both ends and nothing put between: `httpx==0.28.\` then `1` is
      // `httpx==0.28.1`. The joined entry keeps its first line's number; comments are cut from it afterwards.
      var joined: [UInt8] = []
      var joining = false
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
        start = next
        let commentLine = isCommentLine(line)
        if line.last == UInt8(ascii: "\\"), !commentLine {
          if !joining { joinedLine = lineNumber }
          joining = true
          // `line.strip("\\")`.
          var from = 0
          var to = line.count
          while from < to, line[from] == UInt8(ascii: "\\") { from += 1 }
          while to > from, line[to - 1] == UInt8(ascii: "\\") { to -= 1 }
          joined.append(contentsOf: line[from..<to])
        } else if joining {
          // A comment line ends the entry; pip puts a space before it so that the comment is cut.
          if commentLine { joined.append(UInt8(ascii: " ")) }
          joined.append(contentsOf: line)
          joined.withUnsafeBufferPointer { readEntry($0, line: joinedLine, into: &reading) }
          joined.removeAll(keepingCapacity: true)
          joining = false
        } else {
          readEntry(line, line: lineNumber, into: &reading)
        }
      }
      if joining {
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

  /// Index of a `#` that starts a comment: at the start of the line or after whitespace (pip's `(^|\s+)#.*$`).
  private static func commentStart(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
    var from = 0
    // Hash lines (`--hash=sha256:…`) have no `#`: one `memchr` each.
    while let index = firstIndex(of: UInt8(ascii: "#"), in: line, from: from) {
      if index == 0 || isSpace(line[index - 1]) { return index }
      from = index + 1
    }
    return nil
  }

  /// Whether the line is a comment alone (`#` after nothing but whitespace): pip's `COMMENT_RE.match`, which a line
  /// ending in `\` does not continue.
  private static func isCommentLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    while index < line.count, isSpace(line[index]) { index += 1 }
    return index < line.count && line[index] == UInt8(ascii: "#")
  }

  private static func readEntry(_ raw: UnsafeBufferPointer<UInt8>, line: Int, into reading: inout LockfileReading) {
    var entry = Bytes(UnsafeBufferPointer(rebasing: raw[..<(commentStart(raw) ?? raw.count)]))
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

  /// An option line as pip reads it (`PipOptionLine`): the first `-r`/`-c` file it names is read too (pip follows
  /// only that one), an editable counts as its requirement, `--trusted-host` is kept for the gate, and a line pip
  /// refuses is an issue (pip stops there before installing anything).
  private static func readOption(_ entry: Bytes, line: Int, into reading: inout LockfileReading) {
    let text = entry.string()
    switch PipOptionLine.parse(text) {
    case .refused(let reason, let option):
      let named = option.map { "`\($0.capped(80))`" } ?? "`\(text.capped(80))`"
      let files = ["-r", "--requirement", "-c", "--constraint"]
      if reason == PipOptionLine.needsValue, let option, files.contains(option) {
        reading.issues.append(
          LockfileIssue(line: line, message: "\(named) names no file.", fix: "Add the file name after \(named)."))
        return
      }
      reading.issues.append(
        LockfileIssue(
          line: line, message: "\(named): \(reason); pip stops with an error on this line.",
          fix: "Write the option as `pip install --help` shows it, or remove the line."))
    case .options(let options):
      // pip takes the line as a requirement then (`line.is_editable`); its other options do nothing.
      if let editable = options.values["editables"]?.first {
        if let name = URLRequirement.eggName(editable) { reading.pins.append(Pin(name: name, line: line)) }
        return
      }
      if let file = options.values["requirements"]?.first ?? options.values["constraints"]?.first {
        if file.isEmpty {
          reading.issues.append(
            LockfileIssue(line: line, message: "`-r` names no file.", fix: "Add the file name after `-r`."))
        } else {
          reading.references.append(LockfileReading.Include(file: file, line: line))
        }
      }
      for host in options.values["trusted_hosts"] ?? [] {
        reading.trustedHosts.append(LockfileReading.TrustedHost(host: host, line: line))
      }
    }
  }
}

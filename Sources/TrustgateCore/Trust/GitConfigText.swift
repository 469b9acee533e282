/// One setting in a git configuration file, as git's own reader (config.c) gives it.
struct GitConfigEntry: Sendable, Equatable {
  /// Lower case (`http`).
  var section: String
  /// As written in `[http "https://git.corp.example/"]` (case kept); nil for a plain `[http]`.
  var subsection: String?
  /// Lower case (`sslverify`).
  var key: String
  /// nil for a key written without `=`, which git reads as the boolean true.
  var value: String?
  var path: String
  /// 1-based line of the key.
  var line: Int
}

/// git's configuration syntax (git-config(1) CONFIGURATION FILE, config.c `parse_value`, `get_base_var`): sections
/// `[name]`, `[name "subsection"]` (backslash escapes `\"` and `\\`) and the old `[name.subsection]`; keys of letters,
/// digits and `-`, case-insensitive; a key alone is true; values with `"` quoting, `\n` `\t` `\b` `\\` `\"` escapes,
/// a backslash at the line end continuing the value, `#` or `;` outside quotes starting a comment, and space runs
/// outside quotes kept inside and dropped at the ends. A line git cannot parse ends the file: git itself stops with
/// "bad config line", and what came before it is all that this reader gives.
enum GitConfigText {
  static func entries(in bytes: [UInt8], path: String) -> [GitConfigEntry] { parse(bytes, path: path).entries }

  /// The file an `[include] path = …` entry (with `conditional`, an `[includeIf "…"]` one too, whatever its
  /// condition) makes git read, as git finds it: `~/` the home folder, a relative path from the including file's
  /// folder; nil for any other entry or an empty path.
  static func included(by entry: GitConfigEntry, home: String, conditional: Bool = false) -> String? {
    let section = entry.section == "include" && entry.subsection == nil || conditional && entry.section == "includeif"
    guard section, entry.key == "path", let value = entry.value, !value.isEmpty else { return nil }
    let named = value.hasPrefix("~/") ? home + value.dropFirst(1) : value
    if named.hasPrefix("/") { return named }
    return entry.path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
      + "/" + named
  }

  /// The entries, and the line git calls bad ("bad config line N") when it stops there.
  static func parse(_ bytes: [UInt8], path: String) -> (entries: [GitConfigEntry], badLine: Int?) {
    var reader = Reader(bytes: bytes)
    // A UTF-8 byte order mark at the start is skipped, as git does.
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
    var entries: [GitConfigEntry] = []
    var section: String?
    var subsection: String?
    while let c = reader.next() {
      if c == 0x0A || isSpace(c) { continue }
      if c == 0x23 || c == 0x3B {
        reader.skipLine()
        continue
      }
      if c == 0x5B {
        guard let header = reader.sectionHeader() else { return (entries, reader.badLine) }
        (section, subsection) = header
        continue
      }
      guard isAlpha(c), let current = section else { return (entries, reader.badLine) }
      let line = reader.line
      var key = [lowered(c)]
      var value: String?
      while true {
        guard let k = reader.peek() else { break }
        if isAlpha(k) || isDigit(k) || k == 0x2D {
          key.append(lowered(k))
          reader.index += 1
          continue
        }
        break
      }
      while let s = reader.peek(), s == 0x20 || s == 0x09 { reader.index += 1 }
      switch reader.peek() {
      case nil, 0x0A?:
        value = nil
      case 0x3D?:
        reader.index += 1
        guard let parsed = reader.value() else { return (entries, reader.badLine) }
        value = parsed
      default:
        return (entries, reader.badLine)
      }
      entries.append(
        GitConfigEntry(
          section: current, subsection: subsection, key: String(decoding: key, as: UTF8.self), value: value,
          path: path, line: line))
    }
    return (entries, nil)
  }

  struct Reader {
    let bytes: [UInt8]
    var index = 0
    /// The line of the byte `next` returns last (1-based).
    var line = 1

    /// The next byte, with CR LF read as LF (git's `get_next_char`).
    mutating func next() -> UInt8? {
      guard index < bytes.count else { return nil }
      var c = bytes[index]
      index += 1
      if c == 0x0D, index < bytes.count, bytes[index] == 0x0A {
        c = 0x0A
        index += 1
      }
      if c == 0x0A { line += 1 }
      return c
    }

    /// The line git names in "bad config line N": the line of the last byte read (git counts a line end, or the
    /// end of the file, as read on the next line, and names the one before).
    var badLine: Int { index > 0 && index <= bytes.count && bytes[index - 1] == 0x0A ? line - 1 : line }

    func peek() -> UInt8? {
      guard index < bytes.count else { return nil }
      if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { return 0x0A }
      return bytes[index]
    }

    mutating func skipLine() {
      while let c = next(), c != 0x0A {}
    }

    /// After `[`: the section (lower case) and subsection, up to and including `]`; nil for a header git refuses.
    mutating func sectionHeader() -> (String, String?)? {
      var name: [UInt8] = []
      while let c = next() {
        if c == 0x5D { return name.isEmpty ? nil : (String(decoding: name, as: UTF8.self), nil) }
        if isSpace(c) && c != 0x0A { return name.isEmpty ? nil : extendedSubsection(name) }
        guard isAlpha(c) || isDigit(c) || c == 0x2D || c == 0x2E else { return nil }
        name.append(lowered(c))
      }
      return nil
    }

    /// `[name "subsection"]` after the space: the quoted subsection, escapes resolved, case kept.
    private mutating func extendedSubsection(_ name: [UInt8]) -> (String, String?)? {
      var c = next()
      while let s = c, isSpace(s), s != 0x0A { c = next() }
      guard c == 0x22 else { return nil }
      var sub: [UInt8] = []
      while let c = next() {
        if c == 0x0A { return nil }
        if c == 0x22 {
          guard next() == 0x5D else { return nil }
          return (String(decoding: name, as: UTF8.self), String(decoding: sub, as: UTF8.self))
        }
        if c == 0x5C {
          guard let escaped = next(), escaped != 0x0A else { return nil }
          sub.append(escaped)
          continue
        }
        sub.append(c)
      }
      return nil
    }

    /// After `=`: the value to the end of its (possibly continued) line; nil for one git refuses (an open quote at
    /// the line end, an unknown escape).
    mutating func value() -> String? {
      var out: [UInt8] = []
      var quoted = false
      var comment = false
      var spaces = 0
      while true {
        // git reads the end of the file as a line end.
        let c = next() ?? 0x0A
        if c == 0x0A {
          if quoted { return nil }
          break
        }
        if comment { continue }
        if isSpace(c) && !quoted {
          if !out.isEmpty { spaces += 1 }
          continue
        }
        if !quoted && (c == 0x3B || c == 0x23) {
          comment = true
          continue
        }
        out.append(contentsOf: repeatElement(0x20, count: spaces))
        spaces = 0
        if c == 0x5C {
          guard let escaped = next() else { break }
          switch escaped {
          case 0x0A: continue
          case 0x74: out.append(0x09)
          case 0x62: out.append(0x08)
          case 0x6E: out.append(0x0A)
          case 0x5C, 0x22: out.append(escaped)
          default: return nil
          }
          continue
        }
        if c == 0x22 {
          quoted.toggle()
          continue
        }
        out.append(c)
      }
      return String(decoding: out, as: UTF8.self)
    }
  }

  /// C's `isspace` in the C locale.
  static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (0x09...0x0D).contains(c) }
  static func isAlpha(_ c: UInt8) -> Bool { (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }
  static func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }
  static func lowered(_ c: UInt8) -> UInt8 { (0x41...0x5A).contains(c) ? c + 0x20 : c }

  /// git's boolean (`git_parse_maybe_bool`): true, yes, on, false, no, off in any case, an empty value (false), or
  /// an integer with an optional k, m or g unit (zero is false); nil for a value git refuses. A key without `=`
  /// is true.
  static func boolean(_ value: String?) -> Bool? {
    guard let value else { return true }
    switch value.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off", "": return false
    default: break
    }
    // `git_parse_signed`: `strtoimax(value, &end, 0)` (spaces, a sign, 0x for hex, 0 for octal), a unit, and the
    // result within an int.
    var rest = Substring(value).drop { $0.isASCII && isSpace(UInt8($0.asciiValue!)) }
    if let sign = rest.first, sign == "+" || sign == "-" { rest = rest.dropFirst() }
    var radix = 10
    if rest.lowercased().hasPrefix("0x"), let next = rest.dropFirst(2).first, next.isHexDigit {
      radix = 16
      rest = rest.dropFirst(2)
    } else if rest.first == "0" {
      radix = 8
    }
    let digits = rest.prefix { $0.isASCII && Int(String($0), radix: radix) != nil }
    let factors: [String: Int] = ["": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
    guard !digits.isEmpty, let factor = factors[rest.dropFirst(digits.count).lowercased()],
      let number = Int(digits, radix: radix), number <= Int(Int32.max) / factor
    else { return nil }
    return number != 0
  }
}

/// git's configuration from the environment (git-config(1) ENVIRONMENT; config.c `git_config_from_parameters`, git
/// 2.39): GIT_CONFIG_COUNT pairs of GIT_CONFIG_KEY_<n> and GIT_CONFIG_VALUE_<n>, then GIT_CONFIG_PARAMETERS (what
/// `git -c key=value` hands the commands it runs), read after every file: they win. Entries carry the variable as
/// their `path` and line 0. Anything git refuses there stops every command: the failure is git's two lines.
enum GitEnvironmentConfig {
  static let fatal = "fatal: unable to parse command-line config"

  static func entries(_ env: [String: String]) -> (entries: [GitConfigEntry], failure: String?) {
    var entries: [GitConfigEntry] = []
    func failed(_ error: String) -> ([GitConfigEntry], String?) { (entries, "error: \(error); \(fatal)") }
    if let text = env["GIT_CONFIG_COUNT"] {
      guard let number = count(text) else { return failed("bogus count in GIT_CONFIG_COUNT") }
      if number > Int(Int32.max) { return failed("too many entries in GIT_CONFIG_COUNT") }
      for index in 0..<number {
        guard let key = env["GIT_CONFIG_KEY_\(index)"] else {
          return failed("missing config key GIT_CONFIG_KEY_\(index)")
        }
        guard let value = env["GIT_CONFIG_VALUE_\(index)"] else {
          return failed("missing config value GIT_CONFIG_VALUE_\(index)")
        }
        if key.isEmpty { return failed("empty config key") }
        switch entry(key, value: value, variable: "GIT_CONFIG_KEY_\(index)") {
        case .success(let entry): entries.append(entry)
        case .failure(let refused): return failed(refused.words)
        }
      }
    }
    if let parameters = env["GIT_CONFIG_PARAMETERS"] {
      // git reads a pair and applies it before it reads the next: a key it refuses stops it before a bad format
      // further on.
      let (pairs, bogus) = pairs(parameters)
      for (key, value, oldStyle) in pairs {
        var name = key
        var given = value
        if oldStyle {
          // 'key=value': split at the first `=`, the key trimmed; no `=` is a key alone (true).
          if let equals = key.firstIndex(of: "=") {
            name = String(key[..<equals])
            given = String(key[key.index(after: equals)...])
          }
          let isSpace = { (c: Character) in c.isASCII && GitConfigText.isSpace(c.asciiValue!) }
          name = String(name.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
          if name.isEmpty { return failed("bogus config parameter: \(key)") }
        } else if name.isEmpty {
          return failed("empty config key")
        }
        switch entry(name, value: given, variable: "GIT_CONFIG_PARAMETERS") {
        case .success(let entry): entries.append(entry)
        case .failure(let refused): return failed(refused.words)
        }
      }
      if bogus { return failed("bogus format in GIT_CONFIG_PARAMETERS") }
    }
    return (entries, nil)
  }

  /// `strtoul(value, &end, 10)` with nothing left after it: leading white space and a sign allowed, a negative or
  /// overflowing count past INT_MAX (`Int.max`); no digits at all is 0 only for an empty value. Nil: "bogus count".
  static func count(_ text: String) -> Int? {
    let bytes = Array(text.utf8)
    var index = 0
    while index < bytes.count, GitConfigText.isSpace(bytes[index]) { index += 1 }
    var negative = false
    if index < bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D {
      negative = bytes[index] == 0x2D
      index += 1
    }
    let start = index
    while index < bytes.count, GitConfigText.isDigit(bytes[index]) { index += 1 }
    if index == start { return bytes.isEmpty ? 0 : nil }
    guard index == bytes.count else { return nil }
    var number = 0
    for digit in bytes[start...] {
      let (times, over) = number.multipliedReportingOverflow(by: 10)
      let (sum, over2) = times.addingReportingOverflow(Int(digit - 0x30))
      if over || over2 { return Int.max }
      number = sum
    }
    return negative && number != 0 ? Int.max : number
  }

  /// A key git refuses, in git's words.
  struct Refusal: Error { var words: String }

  /// `git_config_parse_key`, in its order: the section (before the first dot) and the name (after the last, starting
  /// with a letter) of letters, digits and `-`, lowered; what lies between is the subsection, kept as written.
  static func entry(_ key: String, value: String?, variable: String) -> Result<GitConfigEntry, Refusal> {
    let bytes = Array(key.utf8)
    guard let last = bytes.lastIndex(of: 0x2E), last > 0 else {
      return .failure(Refusal(words: "key does not contain a section: \(key)"))
    }
    guard last + 1 < bytes.count else { return .failure(Refusal(words: "key does not contain variable name: \(key)")) }
    let first = bytes.firstIndex(of: 0x2E) ?? last
    for (index, c) in bytes.enumerated() {
      if index < first || index > last {
        let keyChar = GitConfigText.isAlpha(c) || GitConfigText.isDigit(c) || c == 0x2D
        if !keyChar || (index == last + 1 && !GitConfigText.isAlpha(c)) {
          return .failure(Refusal(words: "invalid key: \(key)"))
        }
      } else if c == 0x0A {
        return .failure(Refusal(words: "invalid key (newline): \(key)"))
      }
    }
    return .success(
      GitConfigEntry(
        section: String(decoding: bytes[..<first].map(GitConfigText.lowered), as: UTF8.self),
        subsection: first == last ? nil : String(decoding: bytes[(first + 1)..<last], as: UTF8.self),
        key: String(decoding: bytes[(last + 1)...].map(GitConfigText.lowered), as: UTF8.self), value: value,
        path: variable, line: 0))
  }

  /// GIT_CONFIG_PARAMETERS as `parse_config_env_list` reads it: single-quoted words (`'\''` and `'\!'` inside),
  /// each `'key'='value'`, `'key'=` (a key alone), or the old `'key=value'`, separated by white space. `bogus`:
  /// the pairs stop where something else begins ("bogus format").
  static func pairs(_ text: String) -> (pairs: [(key: String, value: String?, oldStyle: Bool)], bogus: Bool) {
    let bytes = Array(text.utf8)
    var index = 0
    var result: [(String, String?, Bool)] = []
    func word() -> String? {
      guard index < bytes.count, bytes[index] == 0x27 else { return nil }
      var out: [UInt8] = []
      index += 1
      while index < bytes.count {
        let c = bytes[index]
        index += 1
        if c != 0x27 {
          out.append(c)
          continue
        }
        // Out of the quotes: `\'` or `\!` followed by a quote goes on with the word.
        if index + 2 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x27 || bytes[index + 1] == 0x21,
          bytes[index + 2] == 0x27
        {
          out.append(bytes[index + 1])
          index += 3
          continue
        }
        return String(decoding: out, as: UTF8.self)
      }
      return nil
    }
    while index < bytes.count {
      guard let key = word() else { return (result, true) }
      if index >= bytes.count || GitConfigText.isSpace(bytes[index]) {
        result.append((key, nil, true))
      } else if bytes[index] == 0x3D {
        index += 1
        if index < bytes.count, bytes[index] == 0x27 {
          guard let value = word(), index >= bytes.count || GitConfigText.isSpace(bytes[index]) else {
            return (result, true)
          }
          result.append((key, value, false))
        } else if index >= bytes.count || GitConfigText.isSpace(bytes[index]) {
          result.append((key, nil, false))
        } else {
          return (result, true)
        }
      } else {
        return (result, true)
      }
      while index < bytes.count, GitConfigText.isSpace(bytes[index]) { index += 1 }
    }
    return (result, false)
  }
}

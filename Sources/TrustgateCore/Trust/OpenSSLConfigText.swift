/// An OpenSSL configuration file (`openssl.cnf`) as OpenSSL 3.0's `def_load_bio` (crypto/conf/conf_def.c) reads it,
/// for the one thing trustgate asks of it: the security level every new TLS context starts with. `openssl_conf` in
/// the default section names the initialisation section, whose `ssl_conf` names the SSL section, whose
/// `system_default` names the commands libssl runs on every new context (ssl/ssl_mcnf.c); the last `@SECLEVEL=N`
/// among their `CipherString` values (ssl/ssl_ciph.c) is the level. A file OpenSSL cannot load is no file: libssl then
/// runs on its build's defaults.
///
/// The syntax, byte by byte as OpenSSL's default character table has it: `#` starts a comment outside quotes (`"`,
/// `'` and backquote) and escapes (`\`); a line ending in one `\` goes on on the next; `[ name ]` starts a section;
/// `name = value` and `section::name = value` set a value, a later one replacing an earlier; `.include path` reads a
/// file (or a folder's `.cnf` and `.conf` files) in place, a missing one passed over; `.pragma` sets `dollarid`,
/// `abspath` and `includedir`; values lose their quotes and escapes and expand `$name`, `${name}`, `$(name)` and
/// `$section::name` (`ENV::` the environment), a variable without a value failing the whole load.
enum OpenSSLConfigText {
  /// A value's bytes as OpenSSL keeps them (C strings: whatever the file held, UTF-8 or not).
  struct Value: Sendable, Equatable {
    var bytes: [UInt8]
    var file: String
    var line: Int
    var text: String { String(decoding: bytes, as: UTF8.self) }
  }

  /// Values by section, in the order OpenSSL keeps them (a replaced name moves to the end); names as bytes.
  struct Parsed: Sendable {
    var sections: [[UInt8]: [(name: [UInt8], value: Value)]] = [:]

    /// The section's value, else the default section's (`_CONF_get_string`).
    func value(_ name: String, in section: String) -> Value? { lookup(Array(name.utf8), in: Array(section.utf8)) }

    func lookup(_ name: [UInt8], in section: [UInt8]) -> Value? {
      sections[section]?.last { $0.name == name }?.value ?? own(name, in: Reader.defaultSection)
    }

    func own(_ name: [UInt8], in section: [UInt8]) -> Value? { sections[section]?.last { $0.name == name }?.value }
  }

  /// What an `.include` reads: the file's bytes, or a folder's files (nil: nothing there, passed over).
  typealias Includer = (_ path: String) -> [(file: String, bytes: [UInt8])]?

  /// Why the file does not load, as OpenSSL says it (`missing equal sign`, `variable has no value`), with its line.
  struct Failure: Error, Sendable, Equatable {
    var file: String
    var line: Int
    var reason: String
  }

  /// The most nested `.include`s followed and files included (OpenSSL follows a loop until memory runs out), and
  /// the longest value after expansion (OpenSSL's MAX_CONF_VALUE_LENGTH).
  static let includeDepthLimit = 8
  static let includeFileLimit = 64
  static let valueLengthLimit = 65536

  static func parse(
    _ bytes: [UInt8], file: String, environment: [String: String] = [:], include: @escaping Includer = { _ in nil }
  ) -> Result<Parsed, Failure> {
    var reader = Reader(environment: environment, include: include)
    do throws(Failure) {
      try reader.read(bytes, file: file, depth: 0)
    } catch {
      return .failure(error)
    }
    return .success(reader.parsed)
  }

  /// The level set by `system_default`'s CipherString lines, and the value that set it; nil when none sets one.
  static func securityLevel(_ parsed: Parsed) -> (level: Int, at: Value)? {
    guard let initSection = parsed.own(Array("openssl_conf".utf8), in: Reader.defaultSection),
      let modules = parsed.sections[initSection.bytes]
    else { return nil }
    var found: (level: Int, at: Value)?
    // A module's name may carry a suffix after a dot (`ssl_conf.1`); the last ssl_conf module configured wins.
    let sslConf = Array("ssl_conf".utf8)
    for module in modules where module.name == sslConf || module.name.starts(with: sslConf + [0x2E]) {
      guard let names = parsed.sections[module.value.bytes],
        let system = names.last(where: { $0.name == Array("system_default".utf8) }),
        let commands = parsed.sections[system.value.bytes]
      else { continue }
      found = nil
      for command in commands where String(decoding: command.name, as: UTF8.self).lowercased() == "cipherstring" {
        if let level = level(inCipherString: command.value.text) { found = (level, command.value) }
      }
    }
    return found
  }

  /// The last `@SECLEVEL=N` of a cipher rule string, as OpenSSL 3.0's `ssl_cipher_process_rulestr` reads it: after
  /// `@` a word of letters, digits, `-`, `.` and `=`, which must be `SECLEVEL=` and one digit from 0 to 5. It may
  /// follow another word without a separator (`DEFAULT@SECLEVEL=1`).
  static func level(inCipherString text: String) -> Int? {
    let bytes = Array(text.utf8)
    var level: Int?
    for (index, byte) in bytes.enumerated() where byte == 0x40 {
      let word = bytes[(index + 1)...].prefix { byte in
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
          || byte == 0x2D || byte == 0x2E || byte == 0x3D
      }
      guard word.count == 10, word.starts(with: Array("SECLEVEL=".utf8)), let digit = word.last,
        (0x30...0x35).contains(digit)
      else { continue }
      level = Int(digit) - 0x30
    }
    return level
  }

  // MARK: the character table of OpenSSL's default method (crypto/conf/conf_def.h)

  static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
  static func isEscape(_ c: UInt8) -> Bool { c == 0x5C }
  static func isQuote(_ c: UInt8) -> Bool { c == 0x22 || c == 0x27 || c == 0x60 }
  static func isAlnum(_ c: UInt8) -> Bool {
    (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || c == 0x5F
  }
  static func isAlnumPunct(_ c: UInt8) -> Bool {
    isAlnum(c) || Array("!%&*+,-./;?@^|~".utf8).contains(c)
  }

  struct Reader {
    let environment: [String: String]
    let include: Includer
    static let defaultSection = Array("default".utf8)
    var parsed = Parsed()
    var section = Reader.defaultSection
    var dollarID = false
    var absolutePaths = false
    var includeFolder: String?
    var included = 0

    init(environment: [String: String], include: @escaping Includer) {
      self.environment = environment
      self.include = include
      parsed.sections[Reader.defaultSection] = []
    }

    /// A file as `def_load_bio` reads it, `BIO_gets` by `BIO_gets`: at most 510 bytes, through a newline. C sees a
    /// piece up to its first NUL; a piece whose end is not seen (a long line, a NUL) is joined by the next, and a piece
    /// that starts with a NUL reads as the end of the file unless one is pending. Trailing CR and LF go; one `\` at
    /// the end joins the next line. Only the first file read loses a byte order mark.
    mutating func read(_ bytes: [UInt8], file: String, depth: Int) throws(Failure) {
      var start = 0
      var first = depth == 0
      var logical: [UInt8] = []
      var again = false
      var number = 0
      func joinsNext(_ logical: [UInt8]) -> Bool {
        logical.last.map(OpenSSLConfigText.isEscape) == true
          && (logical.count < 2 || !OpenSSLConfigText.isEscape(logical[logical.count - 2]))
      }
      while start < bytes.count {
        var end = start
        while end < bytes.count, end - start < gets {
          end += 1
          if bytes[end - 1] == 0x0A { break }
        }
        var piece = bytes[start..<end]
        start = end
        if let nul = piece.firstIndex(of: 0) { piece = piece[..<nul] }
        // The mark goes from what the first read gave (so the reads stay where OpenSSL's are).
        if first, piece.starts(with: [0xEF, 0xBB, 0xBF]) { piece = piece.dropFirst(3) }
        first = false
        if piece.isEmpty && !again { return }
        again = false
        let read = piece.count
        while let last = piece.last, last == 0x0D || last == 0x0A { piece = piece.dropLast() }
        if read > 0, piece.count == read { again = true } else { number += 1 }
        logical += piece
        if !again, joinsNext(logical) {
          logical.removeLast()
          again = true
        }
        if again { continue }
        try statement(logical, file: file, line: number, depth: depth)
        logical = []
      }
      guard again else { return }
      while joinsNext(logical) { logical.removeLast() }
      try statement(logical, file: file, line: number + 1, depth: depth)
    }

    /// What one `BIO_gets` reads at most (CONFBUFSIZE - 2).
    let gets = 510

    mutating func statement(_ raw: [UInt8], file: String, line: Int, depth: Int) throws(Failure) {
      func fail(_ reason: String) -> Failure { Failure(file: file, line: line, reason: reason) }
      let text = Self.withoutComment(raw)
      var at = Self.skipSpace(text, 0)
      guard at < text.count else { return }
      if text[at] == 0x5B {
        // `[ a b ]`: names and the spaces between them, up to the bracket.
        let start = Self.skipSpace(text, at + 1)
        var scan = start
        var end = start
        while true {
          end = Self.alphaNumeric(text, scan, dollarID: dollarID)
          let next = Self.skipSpace(text, end)
          if next < text.count, text[next] == 0x5D { break }
          guard next < text.count, next != scan else { throw fail("missing close square bracket") }
          scan = next
        }
        // A variable in a section's name is looked up in the default section only.
        section = try copy(Array(text[start..<end]), in: Reader.defaultSection, fail: fail)
        if parsed.sections[section] == nil { parsed.sections[section] = [] }
        return
      }
      var nameStart = at
      var nameEnd = Self.alphaNumeric(text, at, dollarID: dollarID)
      var target = section
      if nameEnd + 1 < text.count, text[nameEnd] == 0x3A, text[nameEnd + 1] == 0x3A {
        target = Array(text[nameStart..<nameEnd])
        nameStart = nameEnd + 2
        nameEnd = Self.alphaNumeric(text, nameStart, dollarID: dollarID)
      }
      at = Self.skipSpace(text, nameEnd)
      let name = Array(text[nameStart..<nameEnd])
      func directive(_ word: String) -> Bool {
        let prefix = Array(word.utf8)
        guard name.starts(with: prefix) else { return false }
        // OpenSSL compares the directive as a prefix: the rest of the name must end where the spaces begin.
        return at != nameStart + prefix.count || (at < text.count && text[at] == 0x3D)
      }
      if directive(".pragma") {
        try pragma(Self.directiveValue(text, at), fail: fail)
        return
      }
      if directive(".include") {
        let path = try copy(Self.directiveValue(text, at), in: target, fail: fail)
        try includeFile(String(decoding: path, as: UTF8.self), depth: depth, fail: fail)
        return
      }
      guard at < text.count, text[at] == 0x3D else { throw fail("missing equal sign") }
      let value = try copy(Self.trimmed(text, from: Self.skipSpace(text, at + 1)), in: target, fail: fail)
      var values = parsed.sections[target] ?? []
      values.removeAll { $0.name == name }
      values.append((name, Value(bytes: value, file: file, line: line)))
      parsed.sections[target] = values
    }

    mutating func pragma(_ raw: [UInt8], fail: (String) -> Failure) throws(Failure) {
      guard let colon = raw.firstIndex(of: 0x3A), colon != 0, colon + 1 < raw.count else {
        throw fail("invalid pragma")
      }
      let key = String(decoding: Self.trimmed(Array(raw[..<colon]), from: 0), as: UTF8.self)
      let value = String(decoding: raw[Self.skipSpace(raw, colon + 1)...], as: UTF8.self)
      func flag() throws(Failure) -> Bool {
        switch value {
        case "on", "true": return true
        case "off", "false": return false
        default: throw fail("invalid pragma")
        }
      }
      switch key {
      case "dollarid": dollarID = try flag()
      case "abspath": absolutePaths = try flag()
      case "includedir": includeFolder = value
      default: break
      }
    }

    mutating func includeFile(_ path: String, depth: Int, fail: (String) -> Failure) throws(Failure) {
      var full = path
      if let folder = environment["OPENSSL_CONF_INCLUDE"] ?? includeFolder, !path.hasPrefix("/") {
        full = folder + (folder.hasSuffix("/") ? "" : "/") + path
      }
      if absolutePaths, !full.hasPrefix("/") { throw fail("relative path") }
      guard depth < includeDepthLimit else { throw fail("includes nested too deeply (\(includeDepthLimit))") }
      for (file, bytes) in include(full) ?? [] {
        included += 1
        guard included <= includeFileLimit else { throw fail("more than \(includeFileLimit) files included") }
        try read(bytes, file: file, depth: depth + 1)
      }
    }

    /// A value as `str_copy` makes it: quotes and escapes taken off, variables expanded.
    func copy(_ from: [UInt8], in section: [UInt8], fail: (String) -> Failure) throws(Failure) -> [UInt8] {
      var out: [UInt8] = []
      var at = 0
      while at < from.count {
        let c = from[at]
        if isQuote(c) {
          at += 1
          while at < from.count, from[at] != c {
            if isEscape(from[at]) {
              at += 1
              if at >= from.count { break }
            }
            out.append(from[at])
            at += 1
          }
          if at < from.count { at += 1 }
        } else if isEscape(c) {
          at += 1
          guard at < from.count else { break }
          switch from[at] {
          case 0x72: out.append(0x0D)
          case 0x6E: out.append(0x0A)
          case 0x62: out.append(0x08)
          case 0x74: out.append(0x09)
          default: out.append(from[at])
          }
          at += 1
        } else if c == 0x24, !dollarID || (at + 1 < from.count && (from[at + 1] == 0x7B || from[at + 1] == 0x28)) {
          at += 1
          var close: UInt8?
          if at < from.count, from[at] == 0x7B || from[at] == 0x28 {
            close = from[at] == 0x7B ? 0x7D : 0x29
            at += 1
          }
          func name() -> [UInt8] {
            let start = at
            while at < from.count, isAlnum(from[at]) || (dollarID && from[at] == 0x24) { at += 1 }
            return Array(from[start..<at])
          }
          var place = section
          var variable = name()
          if at + 1 < from.count, from[at] == 0x3A, from[at + 1] == 0x3A {
            place = variable
            at += 2
            variable = name()
          }
          if let close {
            guard at < from.count, from[at] == close else { throw fail("no close brace") }
            at += 1
          }
          // The section's own value, then (for ENV) the environment, then the default section's.
          let fromEnvironment = place == Array("ENV".utf8)
            ? environment[String(decoding: variable, as: UTF8.self)].map { Array($0.utf8) } : nil
          let found =
            parsed.own(variable, in: place)?.bytes ?? fromEnvironment
            ?? parsed.own(variable, in: Reader.defaultSection)?.bytes
          guard let found else { throw fail("variable has no value") }
          guard out.count + found.count <= valueLengthLimit else { throw fail("variable expansion too long") }
          out += found
        } else {
          out.append(c)
          at += 1
        }
      }
      return out
    }

    /// The line up to its first comment outside quotes and escapes.
    static func withoutComment(_ text: [UInt8]) -> [UInt8] {
      var at = 0
      while at < text.count {
        let c = text[at]
        if c == 0x23 { return Array(text[..<at]) }
        if isQuote(c) {
          at += 1
          while at < text.count, text[at] != c {
            if isEscape(text[at]) {
              at += 1
              if at >= text.count { return text }
            }
            at += 1
          }
          if at < text.count { at += 1 }
        } else if isEscape(c) {
          at += at + 1 < text.count ? 2 : 1
        } else {
          at += 1
        }
      }
      return text
    }

    static func skipSpace(_ text: [UInt8], _ from: Int) -> Int {
      var at = from
      while at < text.count, isSpace(text[at]) { at += 1 }
      return at
    }

    /// Past a name: letters, digits, `_`, OpenSSL's punctuation, and escaped bytes (`$` too with `dollarid`).
    static func alphaNumeric(_ text: [UInt8], _ from: Int, dollarID: Bool) -> Int {
      var at = from
      while at < text.count {
        if isEscape(text[at]) {
          at += at + 1 < text.count ? 2 : 1
          continue
        }
        guard isAlnumPunct(text[at]) || (dollarID && text[at] == 0x24) else { break }
        at += 1
      }
      return at
    }

    static func trimmed(_ text: [UInt8], from: Int) -> [UInt8] {
      var end = text.count
      while end > from, isSpace(text[end - 1]) { end -= 1 }
      return from < end ? Array(text[from..<end]) : []
    }

    /// A directive's argument: after an optional `=` and the spaces around it, trailing spaces off.
    static func directiveValue(_ text: [UInt8], _ at: Int) -> [UInt8] {
      var start = at
      if start < text.count, text[start] == 0x3D { start = skipSpace(text, start + 1) }
      return trimmed(text, from: start)
    }
  }
}

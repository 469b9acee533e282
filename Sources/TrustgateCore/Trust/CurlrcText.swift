/// One trust setting in a curl config file (`.curlrc`).
struct CurlrcEntry: Sendable, Equatable {
  enum Setting: Sendable, Equatable {
    /// `insecure`, `--insecure`, `-k` (alone or among other short options): verification off.
    case insecure(Bool)
    case cacert(String)
    case capath(String)
  }
  var setting: Setting
  /// 1-based.
  var line: Int
}

/// curl's config file syntax, as curl 7.88.1's `parseconfig` (tool_parsecfg.c) reads it, measured against the real
/// curl (ConfigSwitchTests): a line whose first non-blank byte is `#`, `/` or `*` is a comment; an option word
/// (`insecure`, `--insecure`, `-k`, long names in any case and as any unambiguous prefix, `no-insecure` whole), then
/// spaces, `=` or `:` (not after a dashed option), then a value, quoted with backslash escapes or up to a space.
/// Short options may be grouped (`-sk`); one that takes an argument (`-o`) takes the rest of the group. Only the
/// settings trustgate judges are returned; a later one wins.
enum CurlrcText {
  /// Long options trustgate reads, and the shortest prefix curl 7.88 takes as each (no other option starts so).
  static let longOptions: [(name: String, shortest: Int)] = [("insecure", 3), ("cacert", 3), ("capath", 3)]
  /// Short options that take an argument: the rest of a group is that argument.
  static let takesArgument = Set("AbcCdDeEFHKmoPQrtTuUwxXyYz")

  static func entries(in bytes: [UInt8]) -> [CurlrcEntry] {
    var result: [CurlrcEntry] = []
    var number = 0
    var start = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count, bytes[end] != 0x0A { end += 1 }
      number += 1
      let line = bytes[start..<end]
      start = end + 1
      if let entry = parse(line, number: number) { result.append(entry) }
    }
    return result
  }

  static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (0x09...0x0D).contains(c) }

  static func parse(_ line: ArraySlice<UInt8>, number: Int) -> CurlrcEntry? {
    var rest = line.drop(while: isSpace)
    guard let first = rest.first, ![0x23, 0x2F, 0x2A].contains(first) else { return nil }
    let dashed = first == 0x2D
    let option = rest.prefix { !isSpace($0) && (dashed || ($0 != 0x3D && $0 != 0x3A)) }
    rest = rest.dropFirst(option.count).drop { isSpace($0) || (!dashed && ($0 == 0x3D || $0 == 0x3A)) }
    let word = String(decoding: option, as: UTF8.self)
    if word.hasPrefix("-") && !word.hasPrefix("--") {
      // A group of short options: -k sets insecure, until one that takes the rest as its argument.
      for letter in word.dropFirst() {
        if letter == "k" { return CurlrcEntry(setting: .insecure(true), line: number) }
        if takesArgument.contains(letter) { return nil }
      }
      return nil
    }
    var name = (word.hasPrefix("--") ? String(word.dropFirst(2)) : word).lowercased()
    if name == "no-insecure" { return CurlrcEntry(setting: .insecure(false), line: number) }
    guard
      let long = longOptions.first(where: { name.count >= $0.shortest && $0.name.hasPrefix(name) })?.name
    else { return nil }
    name = long
    if name == "insecure" { return CurlrcEntry(setting: .insecure(true), line: number) }
    guard let value = value(rest), !value.isEmpty else { return nil }
    return CurlrcEntry(setting: name == "cacert" ? .cacert(value) : .capath(value), line: number)
  }

  /// The parameter: quoted (`\t`, `\n`, `\r`, `\v` escapes, a backslash taking the next byte as it is) up to the
  /// closing quote, or up to the first space.
  static func value(_ bytes: ArraySlice<UInt8>) -> String? {
    guard bytes.first == 0x22 else {
      return String(decoding: bytes.prefix { !isSpace($0) }, as: UTF8.self)
    }
    var out: [UInt8] = []
    var index = bytes.index(after: bytes.startIndex)
    while index < bytes.endIndex, bytes[index] != 0x22 {
      var c = bytes[index]
      if c == 0x5C, bytes.index(after: index) < bytes.endIndex {
        index = bytes.index(after: index)
        switch bytes[index] {
        case 0x74: c = 0x09
        case 0x6E: c = 0x0A
        case 0x72: c = 0x0D
        case 0x76: c = 0x0B
        default: c = bytes[index]
        }
      }
      out.append(c)
      index = bytes.index(after: index)
    }
    return String(decoding: out, as: UTF8.self)
  }
}

/// npm's `.npmrc` syntax as the `ini` package npm 10 uses reads it: `key = value` lines, `;` or `#` starting a
/// comment line, and a `;` or `#` inside an unquoted value starting a comment; a `"…"` or `'…'` value unquoted.
/// Only keys before any `[section]` are npm's settings. The value and 1-based line of `name`, the last one winning.
/// Lines end at CR as at LF (`ini` splits at `/[\r\n]+/`: `fund=false<CR>strict-ssl=false` turns verification off);
/// the line reported is git's (LF-counted).
enum NpmrcText {
  static func value(of name: String, in bytes: [UInt8]) -> (value: String, line: Int)? {
    var found: (String, Int)?
    var lines: [(text: ArraySlice<UInt8>, number: Int)] = []
    var number = 1
    var start = bytes.startIndex
    for index in bytes.indices where bytes[index] == 0x0A || bytes[index] == 0x0D {
      lines.append((bytes[start..<index], number))
      if bytes[index] == 0x0A { number += 1 }
      start = index + 1
    }
    lines.append((bytes[start...], number))
    for (raw, number) in lines {
      let line = raw.drop { $0 == 0x20 || $0 == 0x09 }
      guard let first = line.first, first != 0x3B, first != 0x23 else { continue }
      if first == 0x5B { break }
      guard let equals = line.firstIndex(of: 0x3D) else { continue }
      let key = String(decoding: line[..<equals], as: UTF8.self).trimmingCharacters(in: " \t\r")
      guard key == name else { continue }
      var value = String(decoding: line[(equals + 1)...], as: UTF8.self).trimmingCharacters(in: " \t\r")
      if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, value.last == quote {
        value = String(value.dropFirst().dropLast())
      } else if let comment = value.firstIndex(where: { $0 == ";" || $0 == "#" }) {
        value = String(value[..<comment]).trimmingCharacters(in: " \t\r")
      }
      found = (value, number)
    }
    return found
  }
}

extension String {
  /// Without these characters at either end.
  fileprivate func trimmingCharacters(in set: String) -> String {
    var slice = Substring(self)
    while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
    while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
    return String(slice)
  }
}

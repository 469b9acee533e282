/// An option line of a requirements file (one whose first word starts with `-`) as pip reads it
/// (`req_file.parse_line`, pip 20–25): split as `shlex.split` splits it (POSIX quotes and backslashes), then read by
/// optparse over the options such a file may hold, pip's `SUPPORTED_OPTIONS` and `SUPPORTED_OPTIONS_REQ`. A long
/// option may be any unique prefix of its name (`--trusted` is `--trusted-host`) and takes its value after `=` or as
/// the next word; a short one takes it attached (`-rbase.txt`) or next. Words that are no option are passed over.
/// What optparse refuses (an unknown or ambiguous option, a missing value), pip stops on before it installs anything.
/// Option values are not checked further (`--use-feature`'s choices differ between pip versions).
struct PipOptionLine: Equatable {
  /// The values given, by pip's name for them (`trusted_hosts`, `requirements`, …), in order.
  var values: [String: [String]] = [:]

  enum Parsed: Equatable {
    case options(PipOptionLine)
    /// optparse's or shlex's complaint, and the option it was about (nil for shlex's).
    case refused(reason: String, option: String?)
  }

  struct Option {
    let short: [String]
    let long: [String]
    let takesValue: Bool
    let dest: String
  }

  /// pip 23's `build_parser()` (the same since pip 22.1 added `-C`): `python -c 'from pip._internal.req.req_file
  /// import build_parser; …'` lists them.
  static let options: [Option] = [
    Option(short: ["-i"], long: ["--index-url", "--pypi-url"], takesValue: true, dest: "index_url"),
    Option(short: [], long: ["--extra-index-url"], takesValue: true, dest: "extra_index_urls"),
    Option(short: [], long: ["--no-index"], takesValue: false, dest: "no_index"),
    Option(short: ["-c"], long: ["--constraint"], takesValue: true, dest: "constraints"),
    Option(short: ["-r"], long: ["--requirement"], takesValue: true, dest: "requirements"),
    Option(short: ["-e"], long: ["--editable"], takesValue: true, dest: "editables"),
    Option(short: ["-f"], long: ["--find-links"], takesValue: true, dest: "find_links"),
    Option(short: [], long: ["--no-binary"], takesValue: true, dest: "format_control"),
    Option(short: [], long: ["--only-binary"], takesValue: true, dest: "format_control"),
    Option(short: [], long: ["--prefer-binary"], takesValue: false, dest: "prefer_binary"),
    Option(short: [], long: ["--require-hashes"], takesValue: false, dest: "require_hashes"),
    Option(short: [], long: ["--pre"], takesValue: false, dest: "pre"),
    Option(short: [], long: ["--trusted-host"], takesValue: true, dest: "trusted_hosts"),
    Option(short: [], long: ["--use-feature"], takesValue: true, dest: "features_enabled"),
    Option(short: [], long: ["--global-option"], takesValue: true, dest: "global_options"),
    Option(short: [], long: ["--hash"], takesValue: true, dest: "hashes"),
    Option(short: ["-C"], long: ["--config-settings"], takesValue: true, dest: "config_settings"),
  ]

  /// optparse's complaint about an option given no value.
  static let needsValue = "needs a value"

  /// Every long name with its option.
  static let longNames: [(name: String, option: Option)] = options.flatMap { option in
    option.long.map { ($0, option) }
  }

  static func parse(_ line: String) -> Parsed {
    guard let words = shlexSplit(line) else {
      return .refused(reason: "pip cannot split it into words (a quote or a backslash is not closed)", option: nil)
    }
    var line = PipOptionLine()
    var rest = words[...]
    while let word = rest.popFirst() {
      if word == "--" { break }
      if word.hasPrefix("--") {
        var name = word
        var attached: String?
        if let equals = word.firstIndex(of: "=") {
          name = String(word[..<equals])
          attached = String(word[word.index(after: equals)...])
        }
        // optparse's `_match_abbrev`: the name itself, else the one long name it starts.
        let words = longNames.filter { $0.name == name }
        let found = words.isEmpty ? longNames.filter { $0.name.hasPrefix(name) } : words
        guard let (shown, option) = found.first else { return .refused(reason: "no such option", option: name) }
        guard found.count == 1 else {
          let names = found.map(\.name).sorted().joined(separator: ", ")
          return .refused(reason: "ambiguous option (\(names))", option: name)
        }
        if option.takesValue {
          guard let value = attached ?? rest.popFirst() else {
            return .refused(reason: needsValue, option: shown)
          }
          line.values[option.dest, default: []].append(value)
        } else if attached != nil {
          return .refused(reason: "takes no value", option: shown)
        } else {
          line.values[option.dest, default: []].append("")
        }
      } else if word.hasPrefix("-") && word.unicodeScalars.count > 1 {
        var letters = word.unicodeScalars.dropFirst()
        while let letter = letters.popFirst() {
          let name = "-" + String(letter)
          guard let option = options.first(where: { $0.short.contains(name) }) else {
            return .refused(reason: "no such option", option: name)
          }
          guard option.takesValue else {
            line.values[option.dest, default: []].append("")
            continue
          }
          guard let value = letters.isEmpty ? rest.popFirst() : String(letters) else {
            return .refused(reason: needsValue, option: name)
          }
          line.values[option.dest, default: []].append(value)
          break
        }
      }
    }
    return .options(line)
  }

  /// `shlex.split(text)`: words at spaces, tabs, CR and LF; `'…'` literal; `"…"` with `\"` and `\\` escaped
  /// (another backslash kept); a backslash outside quotes takes the next character as it is. Nil where Python raises
  /// ("No closing quotation", "No escaped character").
  static func shlexSplit(_ text: String) -> [String]? {
    let scalars = Array(text.unicodeScalars)
    var words: [String] = []
    var word = String.UnicodeScalarView()
    var inWord = false
    var quote: Unicode.Scalar?
    var index = 0
    while index < scalars.count {
      let scalar = scalars[index]
      index += 1
      if let open = quote {
        if scalar == open {
          quote = nil
        } else if open == "\"" && scalar == "\\" {
          guard index < scalars.count else { return nil }
          let next = scalars[index]
          index += 1
          if next != "\"" && next != "\\" { word.append("\\") }
          word.append(next)
        } else {
          word.append(scalar)
        }
        continue
      }
      switch scalar {
      case " ", "\t", "\r", "\n":
        if inWord { words.append(String(word)) }
        word = String.UnicodeScalarView()
        inWord = false
      case "\\":
        guard index < scalars.count else { return nil }
        word.append(scalars[index])
        index += 1
        inWord = true
      case "\"", "'":
        quote = scalar
        inWord = true
      default:
        word.append(scalar)
        inWord = true
      }
    }
    guard quote == nil else { return nil }
    if inWord { words.append(String(word)) }
    return words
  }
}

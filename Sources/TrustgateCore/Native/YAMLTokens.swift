import CYaml

/// libyaml's scanner (the one Yams parses with), run over a document without composing it: it tells tokens apart the
/// way YAML does, so an `&` or `*` inside a quoted string, a plain scalar or a comment is not taken for an anchor or
/// an alias. Scanning is linear in the input and builds no nodes.
enum YAMLTokens {
  /// What the scan found first.
  enum Anchoring: Equatable {
    /// An `&name` anchor on the given 1-based line.
    case anchor(name: String, line: Int)
    /// A `*name` alias on the given 1-based line.
    case alias(name: String, line: Int)
  }

  /// The first anchor or alias in `text`, or nil when there is none (or the scanner stops at a syntax error before
  /// one: composing then stops at the same error).
  static func firstAnchorOrAlias(in text: String) -> Anchoring? {
    var bytes = Array(text.utf8)
    if bytes.isEmpty { return nil }
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else { return nil }
    defer { yaml_parser_delete(&parser) }
    return bytes.withUnsafeMutableBufferPointer { buffer -> Anchoring? in
      guard let base = buffer.baseAddress else { return nil }
      yaml_parser_set_input_string(&parser, base, buffer.count)
      while true {
        var token = yaml_token_t()
        guard yaml_parser_scan(&parser, &token) == 1 else { return nil }
        defer { yaml_token_delete(&token) }
        let line = Int(token.start_mark.line) + 1
        switch token.type {
        case YAML_ANCHOR_TOKEN:
          return .anchor(name: name(token.data.anchor.value), line: line)
        case YAML_ALIAS_TOKEN:
          return .alias(name: name(token.data.alias.value), line: line)
        case YAML_STREAM_END_TOKEN, YAML_NO_TOKEN:
          return nil
        default:
          continue
        }
      }
    }
  }

  private static func name(_ value: UnsafeMutablePointer<yaml_char_t>?) -> String {
    guard let value else { return "" }
    return String(String(cString: value).prefix(60))
  }
}

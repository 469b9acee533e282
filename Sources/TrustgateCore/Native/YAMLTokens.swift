import CYaml

/// libyaml's scanner (the one Yams parses with), run over a document without composing it: it tells tokens apart the
/// way YAML does, so an `&` or `*` inside a quoted string, a plain scalar or a comment is not taken for an anchor or
/// an alias. It builds no nodes, but it is linear only while collections stay shallow: for every token it walks its
/// stack of possible simple keys, one per open flow collection, so 200,000 nested `[` took minutes (libyaml's own
/// nesting limit, 1,000, is the parser's, after the scan). The scan stops at the first collection deeper than
/// `maximumDepth`.
enum YAMLTokens {
  /// What the scan refused first.
  enum Refusal: Equatable {
    /// An `&name` anchor on the given 1-based line.
    case anchor(name: String, line: Int)
    /// A `*name` alias on the given 1-based line.
    case alias(name: String, line: Int)
    /// A collection opened more than `maximumDepth` collections deep, on the given line.
    case tooDeep(line: Int)
  }

  /// Collections (block or flow) inside one another: a policy needs four (the top mapping, `ignore`, an entry, its
  /// `in` list).
  static let maximumDepth = 64

  /// The first anchor, alias or too deep collection in `text`, or nil when there is none (or the scanner stops at a
  /// syntax error before one: composing then stops at the same error).
  static func firstRefusal(in text: String) -> Refusal? {
    var bytes = Array(text.utf8)
    if bytes.isEmpty { return nil }
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else { return nil }
    defer { yaml_parser_delete(&parser) }
    return bytes.withUnsafeMutableBufferPointer { buffer -> Refusal? in
      guard let base = buffer.baseAddress else { return nil }
      yaml_parser_set_input_string(&parser, base, buffer.count)
      var depth = 0
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
        case YAML_FLOW_SEQUENCE_START_TOKEN, YAML_FLOW_MAPPING_START_TOKEN, YAML_BLOCK_SEQUENCE_START_TOKEN,
          YAML_BLOCK_MAPPING_START_TOKEN:
          depth += 1
          if depth > maximumDepth { return .tooDeep(line: line) }
        case YAML_FLOW_SEQUENCE_END_TOKEN, YAML_FLOW_MAPPING_END_TOKEN, YAML_BLOCK_END_TOKEN:
          depth -= 1
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

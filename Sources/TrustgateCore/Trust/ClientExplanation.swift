/// `trustgate explain CLIENT`: the knowledge table's rows for one client, in words.
extension ClientBehaviours {
  public static func explain(_ client: String) -> String? {
    let rows = rows(client)
    guard !rows.isEmpty else { return nil }
    var out = "\(client) — what it trusts, by version (trustgate's knowledge table)\n"
    for row in rows {
      var range = row.versions == .any ? "any version" : row.versions.description
      if row.python != .any { range += ", Python \(row.python)" }
      if let key = row.when { range += ", when \(key) is on" }
      out += "\n\(client) \(range) — \(describe(row.context))\n"
      for (index, slot) in row.slots.enumerated() {
        let heading = row.slots.count > 1 ? "  loads (\(index + 1)), the first that applies:\n" : ""
        out += heading
        for (number, choice) in slot.enumerated() {
          out +=
            "    \(number + 1). \(choice.label): file → \(describe(choice.file)); folder → "
            + "\(describe(choice.folder)); missing → \(describe(choice.missing)); no certificate → "
            + "\(describe(choice.noCertificates))"
          if choice.variable != nil, choice.empty != .next { out += "; empty → \(describe(choice.empty))" }
          out += "\n"
        }
      }
      if !row.defaultsUnlessSet.isEmpty {
        out += "  the last loads only when \(row.defaultsUnlessSet.joined(separator: " and ")) are unset or empty\n"
      }
      if !row.variablesUnlessConfigured.isEmpty {
        out += "  no variable is read when \(row.variablesUnlessConfigured.joined(separator: " or ")) is set\n"
      }
      if !row.ignores.isEmpty { out += "  ignores: \(row.ignores.joined(separator: ", "))\n" }
      for trustSwitch in row.switches {
        out +=
          "  verification off: \(trustSwitch.variable)\(trustSwitch.value.map { "=\($0)" } ?? " set to anything")\n"
      }
      if !row.flags.isEmpty { out += "  verification flags: \(row.flags.names.joined(separator: ", "))\n" }
      if let note = row.note { out += "  note: \(note)\n" }
      out += "  source: \(row.source)\n"
    }
    let rules = flagRules.filter { rule in
      rows.contains { $0.context == rule.context && rule.clients?.contains($0.client) != false }
    }
    if !rules.isEmpty {
      out += "\nVerification flags\n"
      for rule in rules {
        let package = rule.package.map { "\($0) \(rule.versions), " } ?? ""
        out += "  \(package)Python \(rule.python): \(rule.flags.names.joined(separator: ", ")) (\(rule.source))\n"
      }
    }
    let levels = securityLevelRules.filter { rule in rows.contains { rule.contexts.contains($0.context) } }
    if !levels.isEmpty {
      out += "\nSecurity level (the last that applies)\n"
      for rule in levels {
        let level: String
        switch rule.level {
        case .fixed(let number): level = "\(number)"
        case .system: level = "the tree's (its OpenSSL configuration's system_default, else the build's)"
        }
        let library = rule.library.map { "linked with \($0), " } ?? ""
        out += "  \(library)Python \(rule.python): \(level) (\(rule.source))\n"
      }
    }
    return out
  }

  static func describe(_ context: ContextKind) -> String {
    switch context {
    case .stdlibDefault: return "ssl.create_default_context()"
    case .urllib3: return "urllib3's create_urllib3_context()"
    case .ownContext: return "its own ssl.SSLContext (no strict flags)"
    case .program: return "a program on OpenSSL (no extra flags)"
    case .curl: return "libcurl (an intermediate in the CA file is a trust anchor: partial chains)"
    case .go: return "Go's crypto/x509 (every certificate of its pool is a trust anchor: partial chains)"
    case .rustls: return "rustls and webpki (no extra flags; no SHA-1, no RSA key under 2048 bits)"
    case .java: return "Java's PKIX validator (every certificate of its trust store is a trust anchor: partial chains)"
    case .node: return "Node's own context on its OpenSSL (no extra flags; openssl.cnf's nodejs_conf section only)"
    }
  }

  static func describe(_ reaction: TrustChoice.Reaction) -> String {
    switch reaction {
    case .loadFile: return "loads it"
    case .lookUpFolder(let split): return split ? "looks roots up by hash (a : list)" : "looks roots up by hash"
    case .loadEveryFile(let split): return split ? "loads every file in it (a : list)" : "loads every file in it"
    case .loadKeyStore: return "loads its trusted entries (a JKS or PKCS #12 keystore)"
    case .loadProgramRoots: return "loads the roots compiled into the program"
    case .next: return "ignored (next choice)"
    case .nothing: return "skipped"
    case .raises(let message): return "raises \(message)"
    case .exits(let message): return "stops: \(message)"
    case .disables: return "verification off"
    }
  }
}

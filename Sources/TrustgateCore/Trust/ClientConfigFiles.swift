/// The configuration files clients read trust settings from, as data: the key trustgate reports, the files in the
/// order the client reads them (a later file wins), the sections and key. Each row names its source.
struct ClientConfigFile: Sendable {
  var key: String
  /// Paths with `~` for the home folder, `$XDG_CONFIG_HOME`, `$PREFIX` for the Python prefix, `$ENV:NAME` for a
  /// variable's value.
  var files: [String]
  /// Sections read, a later one winning (pip: `[global]` then `[install]`).
  var sections: [String]
  var name: String
  var source: String
}

extension TrustConfiguration {
  static let files: [ClientConfigFile] = [
    .init(
      key: "pip cert",
      // GLOBAL (site_config_dirs: /etc/xdg/pip, /etc), USER (legacy ~/.pip, then XDG), SITE (sys.prefix), then
      // PIP_CONFIG_FILE; PIP_CERT (a variable) beats them all and is its own choice in the table.
      files: [
        "/etc/xdg/pip/pip.conf", "/etc/pip.conf", "~/.pip/pip.conf", "$XDG_CONFIG_HOME/pip/pip.conf",
        "$PREFIX/pip.conf", "$ENV:PIP_CONFIG_FILE",
      ],
      sections: ["global", "install"], name: "cert",
      source: "src-read pip-23.2.1 _internal/configuration.py (OVERRIDE_ORDER, iter_config_files); "
        + "https://pip.pypa.io/en/stable/topics/configuration/"),
    .init(
      key: "git http.sslCAInfo", files: ["/etc/gitconfig", "$XDG_CONFIG_HOME/git/config", "~/.gitconfig"],
      sections: ["http"], name: "sslcainfo",
      source: "https://github.com/git/git/blob/master/Documentation/config/http.txt; git-config(1) FILES"),
    .init(
      key: "git http.sslCAPath", files: ["/etc/gitconfig", "$XDG_CONFIG_HOME/git/config", "~/.gitconfig"],
      sections: ["http"], name: "sslcapath",
      source: "https://github.com/git/git/blob/master/Documentation/config/http.txt; git-config(1) FILES"),
    .init(
      key: "aws ca_bundle", files: ["~/.aws/config", "$ENV:AWS_CONFIG_FILE"], sections: ["default"],
      name: "ca_bundle", source: "src-read botocore 1.44.8 configprovider.py ('ca_bundle', 'AWS_CA_BUNDLE')"),
  ]

  /// The configuration of the clients in a snapshot's tree: the project's Python prefix (or VIRTUAL_ENV) for pip's
  /// site file, and (with `programs`) the programs the table looks for.
  public static func read(
    _ fs: any FileSystemView, snapshot: Snapshot, env: [String: String], programs lookForPrograms: Bool = true
  ) -> TrustConfiguration {
    let python = PythonSelection.primary(snapshot.python.environments)
    let programs =
      !lookForPrograms
      ? []
      : ClientBehaviours.all.flatMap { row -> [String] in
        if case .configured(_, let programs) = row.presence { return programs }
        return []
      }
    let prefix = env["VIRTUAL_ENV"].flatMap { $0.isEmpty ? nil : $0 } ?? python?.path
    return read(fs, env: env, prefix: prefix, programs: programs)
  }

  /// Reads the clients' configuration files and the programs present in a tree. `prefix` is the project's Python
  /// prefix (a venv's folder) in view paths.
  public static func read(
    _ fs: any FileSystemView, env: [String: String], prefix: String?, programs: [String] = []
  ) -> TrustConfiguration {
    var configuration = TrustConfiguration()
    let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root"
    let xdg = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
    for file in files {
      for pattern in file.files {
        var path = pattern
        if path.hasPrefix("~/") { path = home + path.dropFirst(1) }
        path = path.replacing("$XDG_CONFIG_HOME", with: xdg)
        if path.hasPrefix("$PREFIX") {
          guard let prefix, prefix.hasPrefix("/") else { continue }
          path = prefix + path.dropFirst("$PREFIX".count)
        }
        if path.hasPrefix("$ENV:") {
          guard let value = env[String(path.dropFirst(5))], !value.isEmpty else { continue }
          path = value
        }
        guard let bytes = try? fs.read(path, limit: 1 << 20),
          let value = INIValues.value(
            in: String(decoding: bytes, as: UTF8.self), sections: file.sections,
            name: file.name)
        else { continue }
        configuration.values[file.key] = value
        configuration.origins[file.key] = path
      }
    }
    for program in programs where fs.isFile(program) { configuration.programs.insert(program) }
    return configuration
  }
}

/// The value of one key in INI-style text (pip.conf, gitconfig, aws config): sections case-insensitive, `key = value`
/// or `key: value`, `#` and `;` comments. A later section of `sections` wins over an earlier one.
enum INIValues {
  static func value(in text: String, sections: [String], name: String) -> String? {
    var section = ""
    var found: [String: String] = [:]
    for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
      let line = raw.trimmed
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("[") {
        section = String(line.dropFirst().prefix { $0 != "]" && $0 != " " && $0 != "\"" }).lowercased()
        continue
      }
      guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
      let key = line[..<separator].trimmed.lowercased().replacing("_", with: "-")
      guard key == name.replacing("_", with: "-") else { continue }
      var value = line[line.index(after: separator)...].trimmed
      if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
      found[section] = value
    }
    return sections.reversed().lazy.compactMap { found[$0] }.first
  }
}

extension StringProtocol {
  /// Without leading and trailing spaces and tabs.
  fileprivate var trimmed: String {
    String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
  }
}

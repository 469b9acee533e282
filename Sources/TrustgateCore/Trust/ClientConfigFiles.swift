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
  /// pip's configuration files in its order: GLOBAL (site_config_dirs: /etc/xdg/pip, /etc), USER (legacy ~/.pip,
  /// then XDG), SITE (sys.prefix), then PIP_CONFIG_FILE.
  static let pipFiles = [
    "/etc/xdg/pip/pip.conf", "/etc/pip.conf", "~/.pip/pip.conf", "$XDG_CONFIG_HOME/pip/pip.conf",
    "$PREFIX/pip.conf", "$ENV:PIP_CONFIG_FILE",
  ]
  /// git's configuration files in its order (system, XDG, global; a later one wins).
  static let gitFiles = ["/etc/gitconfig", "$XDG_CONFIG_HOME/git/config", "~/.gitconfig"]

  static let files: [ClientConfigFile] = [
    .init(
      key: "pip cert",
      // PIP_CERT (a variable) beats the files and is its own choice in the table.
      files: pipFiles,
      sections: ["global", "install"], name: "cert",
      source: "src-read pip-23.2.1 _internal/configuration.py (OVERRIDE_ORDER, iter_config_files); "
        + "https://pip.pypa.io/en/stable/topics/configuration/"),
    .init(
      key: "git http.sslCAInfo", files: gitFiles,
      sections: ["http"], name: "sslcainfo",
      source: "https://github.com/git/git/blob/master/Documentation/config/http.txt; git-config(1) FILES"),
    .init(
      key: "git http.sslCAPath", files: gitFiles,
      sections: ["http"], name: "sslcapath",
      source: "https://github.com/git/git/blob/master/Documentation/config/http.txt; git-config(1) FILES"),
    .init(
      key: "aws ca_bundle", files: ["~/.aws/config", "$ENV:AWS_CONFIG_FILE"], sections: ["default"],
      name: "ca_bundle", source: "src-read botocore 1.44.8 configprovider.py ('ca_bundle', 'AWS_CA_BUNDLE')"),
  ]

  /// Settings that turn verification off, read from the same files in the same order (a later file wins): pip's
  /// `trusted-host` (verification off for the hosts it lists) and git's `http.sslVerify` (off for every host when
  /// false; git's booleans: false, no, off, 0, or an empty value).
  static let switchFiles: [(file: ClientConfigFile, client: String, shown: String, disables: @Sendable (String) -> Bool)] = [
    (
      .init(
        key: "pip trusted-host", files: pipFiles, sections: ["global", "install"], name: "trusted-host",
        source:
          "https://pip.pypa.io/en/stable/cli/pip/#cmdoption-trusted-host; measured pip 23.2.1 (ConfigSwitchTests)"),
      "pip", "trusted-host", { !$0.isEmpty }
    ),
    (
      .init(
        key: "git http.sslVerify", files: gitFiles, sections: ["http"], name: "sslverify",
        source: "https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslVerify"),
      "git", "http.sslVerify", { ["false", "no", "off", "0", ""].contains($0.lowercased()) }
    ),
  ]

  /// The configuration of the clients in a snapshot's tree: the project's Python prefix (or VIRTUAL_ENV) for pip's
  /// site file, and (with `programs`) the programs the table looks for.
  public static func read(
    _ fs: any FileSystemView, snapshot: Snapshot, env: [String: String], programs lookForPrograms: Bool = true,
    workingDirectory: String = "/"
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
    return read(fs, env: env, prefix: prefix, programs: programs, workingDirectory: workingDirectory)
  }

  /// Reads the clients' configuration files and the programs present in a tree. `prefix` is the project's Python
  /// prefix (a venv's folder) in view paths. A relative CA path in a file (pip's `cert = ci/corp-ca.pem`) is
  /// opened by the client from the folder it runs in, `workingDirectory`, and is recorded resolved against it.
  public static func read(
    _ fs: any FileSystemView, env: [String: String], prefix: String?, programs: [String] = [],
    workingDirectory: String = "/"
  ) -> TrustConfiguration {
    var configuration = TrustConfiguration()
    let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root"
    let xdg = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
    // Several keys come from the same files (pip's cert and trusted-host, git's three): each is read once.
    var texts: [String: String?] = [:]
    func text(_ path: String) -> String? {
      if let known = texts[path] { return known }
      let read = (try? fs.read(path, limit: 1 << 20)).map { String(decoding: $0, as: UTF8.self) }
      texts[path] = read
      return read
    }
    for file in files {
      for path in paths(file, home: home, xdg: xdg, prefix: prefix, env: env) {
        guard let text = text(path), let value = INIValues.value(in: text, sections: file.sections, name: file.name)
        else { continue }
        configuration.values[file.key] = TrustVariables.opened(value, from: workingDirectory)
        configuration.origins[file.key] = path
      }
    }
    for (file, client, shown, disables) in switchFiles {
      var winner: ConfigSwitch?
      for path in paths(file, home: home, xdg: xdg, prefix: prefix, env: env) {
        guard let text = text(path),
          let (value, line, subsection) = INIValues.valueAndLine(in: text, sections: file.sections, name: file.name)
        else { continue }
        winner = ConfigSwitch(
          client: client, key: shown, value: value, path: path, line: line, everyHost: client == "git",
          url: subsection)
      }
      if let winner, disables(winner.value) { configuration.switches.append(winner) }
    }
    for program in programs where fs.isFile(program) { configuration.programs.insert(program) }
    return configuration
  }
}

extension TrustConfiguration {
  /// The files of a row in the order the client reads them, as paths in the tree.
  static func paths(
    _ file: ClientConfigFile, home: String, xdg: String, prefix: String?, env: [String: String]
  ) -> [String] {
    file.files.compactMap { pattern in
      var path = pattern
      if path.hasPrefix("~/") { path = home + path.dropFirst(1) }
      if path.hasPrefix("$XDG_CONFIG_HOME") { path = xdg + path.dropFirst("$XDG_CONFIG_HOME".count) }
      if path.hasPrefix("$PREFIX") {
        guard let prefix, prefix.hasPrefix("/") else { return nil }
        path = prefix + path.dropFirst("$PREFIX".count)
      }
      if path.hasPrefix("$ENV:") {
        guard let value = env[String(path.dropFirst(5))], !value.isEmpty else { return nil }
        path = value
      }
      return path
    }
  }
}

/// The value of one key in INI-style text (pip.conf, gitconfig, aws config): sections case-insensitive, `key = value`
/// or `key: value`, `#` and `;` comments. A later section of `sections` wins over an earlier one.
/// Works on the UTF-8 bytes (every delimiter is ASCII), so no generic string code runs on the start-up path.
enum INIValues {
  /// Only a section without a subsection counts: git's `[http "https://git.corp.example/"] sslCAInfo` applies to
  /// that URL alone, not to the client's default.
  static func value(in text: String, sections: [String], name: String) -> String? {
    valueAndLine(in: text, sections: sections, name: name, urlSections: false)?.value
  }

  /// The value, the 1-based line that set it, and the subsection it was set in (git's `[http "https://host/"]`,
  /// which applies to that URL only); with `urlSections: false`, values set in a subsection are passed over.
  static func valueAndLine(
    in text: String, sections: [String], name: String, urlSections: Bool = true
  ) -> (value: String, line: Int, subsection: String?)? {
    let wanted = Array(name.utf8).map { $0 == 0x5F ? 0x2D : $0 }
    var section = ""
    var subsection: String?
    var found: [String: (value: String, line: Int, subsection: String?)] = [:]
    let bytes = Array(text.utf8)
    var start = 0
    var number = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count, bytes[end] != 0x0A, bytes[end] != 0x0D { end += 1 }
      let line = trimmed(bytes[start..<end])
      number += 1
      // CR LF ends one line, as a lone CR or LF does.
      start = end + (end + 1 < bytes.count && bytes[end] == 0x0D && bytes[end + 1] == 0x0A ? 2 : 1)
      guard let first = line.first, first != 0x23, first != 0x3B else { continue }
      if first == 0x5B {
        let name = line.dropFirst().prefix { $0 != 0x5D && $0 != 0x20 && $0 != 0x22 }
        section = String(decoding: name, as: UTF8.self).lowercased()
        let rest = line.dropFirst(1 + name.count)
        if let open = rest.firstIndex(of: 0x22), let close = rest[(open + 1)...].firstIndex(of: 0x22) {
          subsection = String(decoding: rest[(open + 1)..<close], as: UTF8.self)
        } else {
          subsection = nil
        }
        continue
      }
      guard let separator = line.firstIndex(where: { $0 == 0x3D || $0 == 0x3A }) else { continue }
      let key = String(decoding: trimmed(line[..<separator]), as: UTF8.self).lowercased().utf8
        .map { $0 == 0x5F ? 0x2D : $0 }
      guard key == wanted, urlSections || subsection == nil else { continue }
      var value = trimmed(line[(separator + 1)...])
      if value.count >= 2, value.first == 0x22, value.last == 0x22 { value = value.dropFirst().dropLast() }
      found[section] = (String(decoding: value, as: UTF8.self), number, subsection)
    }
    return sections.reversed().lazy.compactMap { found[$0] }.first
  }

  /// Without leading and trailing spaces and tabs.
  private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var slice = bytes
    while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
    while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
    return slice
  }
}

import Synchronization

/// How a client picks its configuration files and reads them.
enum ConfigFamily: Sendable {
  /// pip's files in pip's order, read as Python's `configparser` reads them; names with `_` and `-` alike.
  case pip
  /// git's system, global and repository files, read with git's own syntax (`GitConfigText`).
  case git
  /// botocore's one file (`AWS_CONFIG_FILE`, or ~/.aws/config), the profile's section, read by `configparser`.
  case aws
  /// The curl tool's one `.curlrc` (the first that exists), read with curl's syntax (`CurlrcText`).
  case curl
}

/// A setting clients read from their configuration files: the key trustgate reports, the family that picks and
/// reads the files, the sections (pip: `[global]` then `[install]`, a later one winning; git: the section of
/// `http.sslCAInfo`) and the name. Each row names its source.
struct ClientConfigFile: Sendable {
  var key: String
  var family: ConfigFamily
  var sections: [String]
  var name: String
  var source: String
}

extension TrustConfiguration {
  /// The most read of one client configuration file (pip.conf, .gitconfig, uv.toml, `.mvn/jvm.config`).
  static let configurationLimit = 1 << 20

  /// Variables naming a configuration file a client reads: a relative value is opened from the folder the client
  /// runs in, and an image's reader keeps the file each one names.
  static let fileVariables = [
    "PIP_CONFIG_FILE", "AWS_CONFIG_FILE", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "UV_CONFIG_FILE", "OPENSSL_CONF",
  ]

  static let files: [ClientConfigFile] = [
    .init(
      key: "pip cert", family: .pip,
      // PIP_CERT (a variable) beats the files and is its own choice in the table.
      sections: ["global", "install"], name: "cert",
      source: "src-read pip-23.2.1 _internal/configuration.py (OVERRIDE_ORDER, iter_config_files); "
        + "https://pip.pypa.io/en/stable/topics/configuration/"),
    .init(
      key: "git http.sslCAInfo", family: .git, sections: ["http"], name: "sslcainfo",
      source: "https://github.com/git/git/blob/master/Documentation/config/http.txt; git-config(1) FILES"),
    .init(
      key: "git http.sslCAPath", family: .git, sections: ["http"], name: "sslcapath",
      source: "https://github.com/git/git/blob/master/Documentation/config/http.txt; git-config(1) FILES"),
    .init(
      key: "aws ca_bundle", family: .aws, sections: ["default"], name: "ca_bundle",
      source: "src-read botocore 1.44.8 configprovider.py ('ca_bundle', 'AWS_CA_BUNDLE'), configloader.py"),
    .init(
      key: "curl cacert", family: .curl, sections: [], name: "cacert",
      source: "https://curl.se/docs/manpage.html#-K; measured curl 7.88.1 (ConfigSwitchTests)"),
    .init(
      key: "curl capath", family: .curl, sections: [], name: "capath",
      source: "https://curl.se/docs/manpage.html#-K; measured curl 7.88.1 (ConfigSwitchTests)"),
  ]

  /// Settings that turn verification off, read from the same files in the same order (a later file wins): pip's
  /// `trusted-host` (verification off for the hosts it lists) and git's `http.sslVerify` (off for every host when
  /// false in `[http]`, for one URL in `[http "URL"]`, which wins over `[http]` for that URL wherever it is).
  static let pipTrustedHost = ClientConfigFile(
    key: "pip trusted-host", family: .pip, sections: ["global", "install"], name: "trusted-host",
    source: "https://pip.pypa.io/en/stable/cli/pip/#cmdoption-trusted-host; measured pip 23.2.1 (ConfigSwitchTests)")
  static let gitSslVerify = ClientConfigFile(
    key: "git http.sslVerify", family: .git, sections: ["http"], name: "sslverify",
    source: "https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslVerify; "
      + "measured git 2.39.5 (ConfigSwitchTests)")

  /// The configuration of the clients in a snapshot's tree: the project's Python prefix (or VIRTUAL_ENV) for pip's
  /// site file, and (with `programs`) the programs the table looks for.
  public static func read(
    _ fs: any FileSystemView, snapshot: Snapshot, env: [String: String], programs lookForPrograms: Bool = true,
    workingDirectory: String = "/", repository: String? = nil
  ) -> TrustConfiguration {
    var configuration = read(
      fs, env: env, prefix: prefix(snapshot, env: env), workingDirectory: workingDirectory, repository: repository)
    if lookForPrograms { configuration.programs = programs(in: fs, env: env) }
    return configuration
  }

  /// The project's Python prefix, whose `pip.conf` pip reads: VIRTUAL_ENV, else the project's Python.
  static func prefix(_ snapshot: Snapshot, env: [String: String]) -> String? {
    env["VIRTUAL_ENV"].flatMap { $0.isEmpty ? nil : $0 }
      ?? PythonSelection.primary(snapshot.python.environments)?.path
  }

  /// The programs the table looks for (curl, git, uv) that exist in the tree: at the table's paths, or by name in a
  /// folder of PATH (the first 64 absolute ones), where a shell finds them (uv installed into a venv's `bin`, or
  /// `~/.local/bin`). One found on PATH is recorded under the table's first path for that name.
  static func programs(in fs: any FileSystemView, env: [String: String]) -> Set<String> {
    let all = ClientBehaviours.all.flatMap { row -> [String] in
      if case .configured(_, let programs, _) = row.presence { return programs }
      return []
    }
    var found = Set(all.filter { fs.isFile($0) })
    let folders = (env["PATH"] ?? "").split(separator: ":").prefix(64).filter { $0.hasPrefix("/") }
    var byName: [String: String] = [:]
    for path in all {
      let name = path.split(separator: "/").last.map(String.init) ?? path
      byName[name] = byName[name] ?? path
    }
    for (name, first) in byName where !found.contains(where: { $0.hasSuffix("/" + name) }) {
      if folders.contains(where: { fs.isFile((($0.hasSuffix("/") ? $0.dropLast() : $0)) + "/" + name) }) {
        found.insert(first)
      }
    }
    return found
  }

  /// Reads the clients' configuration files in a tree (the programs present are `programs(in:)`'s). `prefix` is the
  /// project's Python prefix (a venv's folder) in view paths; `repository` the work tree whose `.git/config` git
  /// reads. A relative CA path in a file (pip's `cert = ci/corp-ca.pem`) is opened by the client from the folder it
  /// runs in, `workingDirectory`, and is recorded resolved against it.
  /// `node`: the run's reading of the node program, begun beside the collectors.
  public static func read(
    _ fs: any FileSystemView, env: [String: String], prefix: String?, workingDirectory: String = "/",
    repository: String? = nil, node: RunNodeProgram? = nil
  ) -> TrustConfiguration {
    var configuration = TrustConfiguration()
    for row in ClientBehaviours.all {
      guard case .configured(let variables, _, _) = row.presence else { continue }
      configuration.presenceVariables.formUnion(variables.filter { env[$0] != nil })
    }
    let places = ConfigPlaces(env: env, prefix: prefix, repository: repository, fs: fs)
    configuration.home = places.home
    // Several keys come from the same files (pip's cert and trusted-host, git's three): each is read once.
    var texts: [String: [UInt8]?] = [:]
    // A file that is there but cannot be read (a FIFO the client would hang on, one over the limit, one this user
    // may not read) is recorded: the gate cannot see what it sets. A missing one, or a folder, the clients pass over.
    func bytes(_ path: String) -> [UInt8]? {
      if let known = texts[path] { return known }
      var read: [UInt8]?
      do { read = try fs.read(path, limit: configurationLimit) } catch {
        switch error {
        case .notFound, .isDirectory, .notDirectory, .danglingLink: break
        // /dev/null is the usual empty configuration (GIT_CONFIG_GLOBAL=/dev/null, PIP_CONFIG_FILE=/dev/null).
        case .notRegular where (try? fs.resolveExisting(path)) == "/dev/null": read = []
        default:
          let said = error.description
          configuration.unread[path] =
            said.hasPrefix(error.path + ": ") ? String(said.dropFirst(error.path.count + 2)) : said
        }
      }
      texts[path] = read
      return read
    }
    // git's `[include] path = …` reads the file there, in place (`~/` the home folder, a relative path from the
    // including file's folder; a missing one passed over). A file git refuses, or includes more than 10 deep (a
    // loop), stop every git command ("fatal: bad config line N in file F"): the first one counts.
    func gitEntries(_ path: String, depth: Int) -> [GitConfigEntry] {
      if depth > 10 {
        if configuration.failures["git"] == nil {
          configuration.failures["git"] = "fatal: exceeded maximum include depth (10) while including \(path)"
        }
        return []
      }
      guard let text = bytes(path) else { return [] }
      let parsed = GitConfigText.parse(text, path: path)
      if configuration.failures["git"] == nil, let bad = parsed.badLine {
        configuration.failures["git"] = "fatal: bad config line \(bad) in file \(path)"
      }
      return parsed.entries.flatMap { entry -> [GitConfigEntry] in
        guard let included = GitConfigText.included(by: entry, home: places.home) else { return [entry] }
        return [entry] + gitEntries(included, depth: depth + 1)
      }
    }
    var git = places.paths(.git).flatMap { gitEntries($0, depth: 0) }
    // Then the environment's settings (GIT_CONFIG_COUNT, GIT_CONFIG_PARAMETERS), which git reads after every file.
    // An include there is followed when its path is absolute; git refuses a relative one.
    let environment = GitEnvironmentConfig.entries(places.env)
    if configuration.failures["git"] == nil, let failure = environment.failure {
      configuration.failures["git"] = failure
    }
    for entry in environment.entries {
      git.append(entry)
      guard entry.section == "include", entry.subsection == nil, entry.key == "path", let value = entry.value,
        !value.isEmpty
      else { continue }
      let named = value.hasPrefix("~/") ? places.home + value.dropFirst(1) : value
      if named.hasPrefix("/") {
        git += gitEntries(named, depth: 1)
      } else if configuration.failures["git"] == nil {
        configuration.failures["git"] =
          "error: relative config includes must come from files; \(GitEnvironmentConfig.fatal)"
      }
    }
    // git reads `http.sslVerify` as a boolean wherever it is set for every host, and stops its HTTPS commands on
    // a value that is none ("fatal: bad boolean config value 'flase' for 'http.sslverify'"), even one a later line
    // overrides.
    if configuration.failures["git"] == nil,
      let bad = git.first(where: {
        $0.section == gitSslVerify.sections[0] && $0.subsection == nil && $0.key == gitSslVerify.name
          && GitConfigText.boolean($0.value) == nil
      })
    {
      configuration.failures["git"] = "fatal: bad boolean config value '\(bad.value ?? "")' for 'http.sslverify'"
    }
    configuration.securityLevel = SystemSecurityLevel.read(fs, env: env, workingDirectory: workingDirectory)
    configuration.tlsLibraries = TLSLibraries.read(fs)
    let gitLibrary = configuration.tlsLibraries["git"] ?? "OpenSSL"
    configuration.values[ClientBehaviours.gitGnuTLSKey] = gitLibrary == "GnuTLS" ? "true" : "false"
    // `http.sslBackend` (the last one): git asks libcurl for that backend before any HTTPS command, and a libcurl
    // built with one backend has no other ("fatal: Unsupported SSL backend 'openssl'. Supported SSL backends:").
    if configuration.failures["git"] == nil,
      let backend = git.last(where: { $0.section == "http" && $0.subsection == nil && $0.key == "sslbackend" })?.value,
      !backend.isEmpty, backend.lowercased() != gitLibrary.lowercased()
    {
      configuration.failures["git"] = "fatal: Unsupported SSL backend '\(backend.capped())'. Supported SSL backends:"
    }
    let curlFile = places.paths(.curl).first
    let curl = curlFile.flatMap(bytes).map(CurlrcText.entries) ?? []
    for file in files {
      switch file.family {
      case .git:
        guard
          let entry = git.last(where: {
            $0.section == file.sections[0] && $0.subsection == nil && $0.key == file.name
          }), let value = entry.value
        else { continue }
        // A pathname setting: git expands `~/` to the home folder.
        configuration.values[file.key] = TrustVariables.opened(places.expandingHome(value), from: workingDirectory)
        configuration.origins[file.key] = entry.path
      case .curl:
        guard let curlFile,
          let value = curl.lazy.reversed().compactMap({ entry -> String? in
            switch entry.setting {
            case .cacert(let path) where file.name == "cacert": return path
            case .capath(let path) where file.name == "capath": return path
            default: return nil
            }
          }).first
        else { continue }
        configuration.values[file.key] = TrustVariables.opened(value, from: workingDirectory)
        configuration.origins[file.key] = curlFile
      case .pip, .aws:
        let sections = file.family == .aws ? places.awsSections : file.sections
        for path in places.paths(file.family) {
          guard let text = bytes(path),
            let value = INIValues.value(in: text, sections: sections, name: file.name, pipNames: file.family == .pip)
          else { continue }
          // pip's `cert` is an optparse "path" (os.path.expanduser); botocore's CA reaches urllib3, which expands
          // it too.
          configuration.values[file.key] = TrustVariables.opened(places.expandingHome(value), from: workingDirectory)
          configuration.origins[file.key] = path
        }
      }
    }
    // The CA files and folders the configuration names, as the client finds them: a FIFO (it blocks opening it), a
    // path that is not there (it fails or passes over it, as its choice says), one too large for trustgate to read.
    for file in files {
      guard let path = configuration.values[file.key], path.hasPrefix("/") else { continue }
      switch fs.kind(path) {
      case .file(let size) where size > defaultReadLimit: configuration.oversized.insert(path)
      case .other where fs.isFIFO(path): configuration.pathStates[path] = .fifo
      case nil: configuration.pathStates[path] = .missing
      default: break
      }
    }
    let pip = pipSwitches(places, bytes: bytes)
    configuration.switches = gitSwitches(git) + pip.switches
    let javaHome = JavaSettings.home(fs, env: env)
    JavaSettings.read(fs, env: env, home: javaHome).apply(
      to: &configuration, keys: .java, fs: fs, workingDirectory: workingDirectory)
    // Maven's `.mvn` is the project's: the repository's (the `mvn` script looks for it from where it runs, up).
    JavaSettings.read(fs, env: env, program: .maven(project: repository), home: javaHome, bytes: bytes).apply(
      to: &configuration, keys: .maven, fs: fs, workingDirectory: workingDirectory)
    // `mvn` runs $JAVA_HOME/bin/java when JAVA_HOME is set, and stops when that is no program (Maven 3.8.7's script;
    // measured), where the JVM clients go on with the `java` PATH finds.
    if let named = env["JAVA_HOME"], !named.isEmpty,
      !fs.isFile(TrustVariables.opened(named, from: workingDirectory) + "/bin/java")
    {
      configuration.failures["maven"] =
        "The JAVA_HOME environment variable is not defined correctly, this environment variable is needed to run "
        + "this program."
    }
    if let failure = pip.failure { configuration.failures["pip"] = failure }
    let uv = UvSettings.read(places, workingDirectory: workingDirectory, bytes: bytes)
    configuration.values["uv system-certs"] = uv.systemCerts ? "true" : "false"
    if let insecure = uv.insecureHosts { configuration.switches.append(insecure) }
    if let failure = uv.failure { configuration.failures["uv"] = failure }
    if let npm = npmStrictSSL(places, workingDirectory: workingDirectory, bytes: bytes) {
      configuration.switches.append(npm)
    }
    NodeProgram.apply(to: &configuration, fs: fs, env: env, reading: node)
    if let go = goInsecure(places.env, workingDirectory: workingDirectory, bytes: bytes) {
      configuration.switches.append(go)
    }
    if let curlFile, let last = curl.last(where: { if case .insecure = $0.setting { true } else { false } }),
      last.setting == .insecure(true)
    {
      configuration.switches.append(
        ConfigSwitch(client: "curl", key: "insecure", value: "", path: curlFile, line: last.line, everyHost: true))
    }
    return configuration
  }

  /// npm's `strict-ssl = false` (measured with npm 10.8.2: only the word `false` turns it off), from its files in
  /// the order a later one wins: the global file (NPM_CONFIG_GLOBALCONFIG, else /usr/etc/npmrc), the user's
  /// (NPM_CONFIG_USERCONFIG, else ~/.npmrc), the project's (`.npmrc` beside the nearest package.json or
  /// node_modules from the folder npm runs in). NPM_CONFIG_STRICT_SSL beats the files, unless it is empty (npm passes
  /// an empty one over).
  static func npmStrictSSL(
    _ places: ConfigPlaces, workingDirectory: String, bytes: (String) -> [UInt8]?
  ) -> ConfigSwitch? {
    let env = places.env
    // npm passes over an empty variable (`envVal === ''`): the files decide then.
    let variable = ["NPM_CONFIG_STRICT_SSL", "npm_config_strict_ssl"].lazy.compactMap { env[$0] }.first { !$0.isEmpty }
    if variable != nil { return nil }
    func named(_ upper: String) -> String? {
      (env[upper] ?? env[upper.lowercased()]).flatMap { $0.isEmpty ? nil : $0 }
    }
    var files = [
      named("NPM_CONFIG_GLOBALCONFIG") ?? "/usr/etc/npmrc", named("NPM_CONFIG_USERCONFIG") ?? places.home + "/.npmrc",
    ]
    var folder = workingDirectory.split(separator: "/").map(String.init)
    while true {
      let base = folder.isEmpty ? "" : "/" + folder.joined(separator: "/")
      if places.fs.exists(base + "/package.json") || places.fs.exists(base + "/node_modules") {
        files.append(base + "/.npmrc")
        break
      }
      if folder.isEmpty { break }
      folder.removeLast()
    }
    var winner: (value: String, line: Int, path: String)?
    for path in files {
      guard let text = bytes(path), let (value, line) = NpmrcText.value(of: "strict-ssl", in: text) else { continue }
      winner = (value, line, path)
    }
    guard let winner, winner.value == "false" else { return nil }
    return ConfigSwitch(
      client: "npm", key: "strict-ssl", value: "false", path: winner.path, line: winner.line, everyHost: true)
  }

  /// go's GOINSECURE from its env file, which `go env -w` writes (cmd/go/internal/cfg, go 1.19): read only when the
  /// variable is unset or empty. The file is $GOENV (`off`: none), else `os.UserConfigDir()`'s `go/env`
  /// ($XDG_CONFIG_HOME when set and absolute, else $HOME/.config); its lines end at LF, a line counts when it starts
  /// with A–Z and holds `=`, and the last one of a key wins.
  static func goInsecure(
    _ env: [String: String], workingDirectory: String, bytes: (String) -> [UInt8]?
  ) -> ConfigSwitch? {
    func set(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
    guard set("GOINSECURE") == nil else { return nil }
    let path: String
    if let named = set("GOENV") {
      guard named != "off" else { return nil }
      path = TrustVariables.opened(named, from: workingDirectory)
    } else if let xdg = set("XDG_CONFIG_HOME") {
      guard xdg.hasPrefix("/") else { return nil }
      path = xdg + "/go/env"
    } else {
      guard let home = set("HOME") else { return nil }
      path = home + "/.config/go/env"
    }
    guard let text = bytes(path) else { return nil }
    let key = Array("GOINSECURE=".utf8)
    var found: (value: String, line: Int)?
    for (index, line) in text.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
    where line.starts(with: key) {
      found = (String(decoding: line.dropFirst(key.count), as: UTF8.self), index + 1)
    }
    guard let found, TrustVariables.goInsecure(found.value) else { return nil }
    return ConfigSwitch(
      client: "go", key: "GOINSECURE", value: found.value, path: path, line: found.line, everyHost: false)
  }

  /// git's `http.sslVerify`: the last `[http]` value for every host, and for each URL its section's last value.
  static func gitSwitches(_ entries: [GitConfigEntry]) -> [ConfigSwitch] {
    var last: [String?: GitConfigEntry] = [:]
    var order: [String?] = []
    for entry in entries
    where entry.section == gitSslVerify.sections[0] && entry.key == gitSslVerify.name {
      if last.updateValue(entry, forKey: entry.subsection) == nil { order.append(entry.subsection) }
    }
    return order.compactMap { url in
      // A URL section git cannot read as a URL (`http..sslVerify`, an empty one) applies to no URL.
      guard url != "", let entry = last[url], GitConfigText.boolean(entry.value) == false else { return nil }
      // From the environment (line 0): the variable that sets it, no file.
      let variable = entry.line == 0 ? entry.path : nil
      return ConfigSwitch(
        client: "git", key: "http.sslVerify", value: entry.value ?? "", path: variable == nil ? entry.path : "",
        line: entry.line, everyHost: true, url: url, variable: variable)
    }
  }

  /// pip's `trusted-host`: the hosts of the last file that sets it, one per word of the value (pip splits a list
  /// option's value on white space, so a value on the lines below the key counts).
  /// In the same pass, the first file `configparser` refuses: pip stops there before anything ("Configuration file
  /// could not be loaded").
  static func pipSwitches(
    _ places: ConfigPlaces, bytes: (String) -> [UInt8]?
  ) -> (switches: [ConfigSwitch], failure: String?) {
    var winner: ConfigSwitch?
    for path in places.paths(.pip) {
      guard let text = bytes(path) else { continue }
      switch INIValues.reading(in: text, sections: pipTrustedHost.sections, name: pipTrustedHost.name, pipNames: true) {
      case .value(let value, let line):
        let hosts = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
        winner = ConfigSwitch(
          client: "pip", key: "trusted-host", value: hosts, path: path, line: line, everyHost: false)
      case .unset:
        continue
      case .refused(let line, let reason):
        return ([], "Configuration file could not be loaded: \(path), line \(line): \(reason)")
      }
    }
    guard let winner, !winner.value.isEmpty else { return ([], nil) }
    return ([winner], nil)
  }
}

/// The clients' configuration, read once in a run for each Python prefix: the effective trust (on another core) and
/// the verdicts need the same files. Nothing outlives the run.
public final class RunConfigurations: Sendable {
  /// One per prefix: a second asker (the verdicts beside the effective trust) waits for the first one's reading
  /// instead of reading every file again.
  private let known = OnceEach<TrustConfiguration>()
  /// The node program, read beside the collectors (`Inspector.inspect` begins it).
  public let node = RunNodeProgram()

  public init() {}

  /// The configuration `request`'s clients read with `snapshot`'s Python (programs not looked for).
  func configuration(_ snapshot: Snapshot, request: InspectRequest) -> TrustConfiguration {
    let prefix = TrustConfiguration.prefix(snapshot, env: request.pathEnvironment)
    return known.value(prefix ?? "") {
      TrustConfiguration.read(
        request.fs, env: request.pathEnvironment, prefix: prefix, workingDirectory: request.workingDirectory,
        repository: request.repositoryPathInView, node: node)
    }
  }
}

/// uv's settings that decide what it trusts: `system-certs` (the system store instead of its bundled roots) and
/// `allow-insecure-host` (verification off for those hosts). The variables UV_SYSTEM_CERTS (then the deprecated
/// UV_NATIVE_TLS) beat the files; the files (https://docs.astral.sh/uv/concepts/configuration-files/): none with
/// UV_NO_CONFIG, only UV_CONFIG_FILE when set, else the system's (`$XDG_CONFIG_DIRS/uv/uv.toml`, /etc/uv/uv.toml),
/// the user's (`$XDG_CONFIG_HOME/uv/uv.toml`) and the project's (the nearest `uv.toml`, or `pyproject.toml` with a
/// `[tool.uv]` table, from the folder uv runs in up), a later one winning.
struct UvSettings {
  var systemCerts = false
  var insecureHosts: ConfigSwitch?
  /// A file that is not valid TOML: uv stops with "error: Failed to parse" before any request (measured, uv
  /// 0.13.9; it stops on keys it does not know as well, which trustgate cannot list).
  var failure: String?

  /// clap's boolish values, as uv parses its variables.
  static func boolish(_ value: String) -> Bool? {
    switch value.lowercased() {
    case "1", "true", "yes", "y", "t", "on": return true
    case "0", "false", "no", "n", "f", "off": return false
    default: return nil
    }
  }

  static func read(_ places: ConfigPlaces, workingDirectory: String, bytes: (String) -> [UInt8]?) -> UvSettings {
    var settings = UvSettings()
    var fromFiles: Bool?
    for (path, table) in files(places, workingDirectory: workingDirectory, bytes: bytes) {
      guard let text = bytes(path) else { continue }
      var hosts: (values: [String], line: Int)?
      text.withUnsafeBufferPointer { buffer in
        var header: [String] = []
        TOMLScanner.scan(utf8: buffer) { event in
          switch event {
          case .header(let path, _, _): header = path
          case .pair(let key, let value, let line):
            let full = header + key
            guard full.count == table.count + 1, Array(full.dropLast()) == table else { return }
            switch full.last {
            case "system-certs", "native-tls":
              if case .other(let written) = value.kind, let flag = boolish(written) { fromFiles = flag }
            case "allow-insecure-host":
              hosts = ((value.array ?? [value]).compactMap(\.string), line)
            default: break
            }
          case .invalid(let line, let reason):
            if settings.failure == nil {
              settings.failure = "error: Failed to parse: \(path) (TOML parse error at line \(line): \(reason))"
            }
          }
        }
      }
      if let hosts {
        settings.insecureHosts =
          hosts.values.isEmpty
          ? nil
          : ConfigSwitch(
            client: "uv", key: "allow-insecure-host", value: hosts.values.joined(separator: " "), path: path,
            line: hosts.line, everyHost: false)
      }
    }
    let variable = ["UV_SYSTEM_CERTS", "UV_NATIVE_TLS"].lazy.compactMap { places.env[$0].flatMap(boolish) }.first
    settings.systemCerts = variable ?? fromFiles ?? false
    return settings
  }

  /// uv's configuration files in the order they apply (a later one wins), each with the table its settings are in.
  static func files(
    _ places: ConfigPlaces, workingDirectory: String, bytes: (String) -> [UInt8]?
  ) -> [(path: String, table: [String])] {
    if places.env["UV_NO_CONFIG"].flatMap(boolish) == true { return [] }
    if let named = places.env["UV_CONFIG_FILE"], !named.isEmpty { return [(named, [])] }
    var result: [(String, [String])] = []
    let systemFolders =
      (places.env["XDG_CONFIG_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/xdg").split(separator: ":")
      .map { $0 + "/uv/uv.toml" } + ["/etc/uv/uv.toml"]
    if let system = systemFolders.first(where: places.fs.isFile) { result.append((system, [])) }
    result.append((places.xdg + "/uv/uv.toml", []))
    // The project's: the nearest folder with a uv.toml, or a pyproject.toml with a [tool.uv] table.
    var folder = workingDirectory.split(separator: "/").map(String.init)
    while true {
      let base = "/" + folder.joined(separator: "/")
      let prefix = base == "/" ? "" : base
      if places.fs.isFile(prefix + "/uv.toml") {
        result.append((prefix + "/uv.toml", []))
        break
      }
      if let text = bytes(prefix + "/pyproject.toml"), text.withUnsafeBufferPointer(hasToolUv) {
        result.append((prefix + "/pyproject.toml", ["tool", "uv"]))
        break
      }
      if folder.isEmpty { break }
      folder.removeLast()
    }
    return result
  }

  /// Whether a pyproject.toml has a `[tool.uv]` table (or `tool.uv.` keys).
  static func hasToolUv(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
    var found = false
    TOMLScanner.scan(utf8: buffer) { event in
      switch event {
      case .header(let path, _, _): if path.starts(with: ["tool", "uv"]) { found = true }
      case .pair(let key, _, _): if key.starts(with: ["tool", "uv"]) { found = true }
      case .invalid: break
      }
    }
    return found
  }
}

/// Where each family's files are, in the order the client reads them (a later one wins), for one environment.
struct ConfigPlaces {
  let env: [String: String]
  let prefix: String?
  let repository: String?
  let fs: any FileSystemView
  let home: String
  let xdg: String

  init(env: [String: String], prefix: String?, repository: String?, fs: any FileSystemView) {
    self.env = env
    self.prefix = prefix
    self.repository = repository
    self.fs = fs
    home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root"
    xdg = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
  }

  func paths(_ family: ConfigFamily) -> [String] {
    switch family {
    case .pip: return pip
    case .git: return git
    case .aws: return [nonEmpty("AWS_CONFIG_FILE").map(expandingHome) ?? home + "/.aws/config"]
    // A FIFO there is the one curl opens (and hangs on): it is taken, and recorded as unread.
    case .curl: return curl.first(where: { fs.exists($0) && !fs.isDirectory($0) }).map { [$0] } ?? []
    }
  }

  /// The curl tool's config file (curl 7.88.1, measured): the first that exists of $CURL_HOME/.curlrc,
  /// $XDG_CONFIG_HOME/.curlrc, ~/.curlrc, and ~/.config/curlrc when XDG_CONFIG_HOME is not set.
  var curl: [String] {
    var result: [String] = []
    if let curlHome = nonEmpty("CURL_HOME") { result.append(curlHome + "/.curlrc") }
    if let xdg = nonEmpty("XDG_CONFIG_HOME") { result.append(xdg + "/.curlrc") }
    result.append(home + "/.curlrc")
    if nonEmpty("XDG_CONFIG_HOME") == nil { result.append(home + "/.config/curlrc") }
    return result
  }

  private func nonEmpty(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
  /// `~/` as the clients that expand it read it: the home folder.
  func expandingHome(_ path: String) -> String { path.hasPrefix("~/") ? home + path.dropFirst(1) : path }

  /// pip (configuration.py `iter_config_files`, `_load_config_files`): PIP_CONFIG_FILE=/dev/null loads no file;
  /// the site-wide files (XDG_CONFIG_DIRS, then /etc), the user's (~/.pip, then XDG) unless PIP_CONFIG_FILE names a
  /// file that exists, the environment's (`sys.prefix`), then PIP_CONFIG_FILE.
  var pip: [String] {
    let variable = nonEmpty("PIP_CONFIG_FILE")
    if variable == "/dev/null" { return [] }
    var result =
      (nonEmpty("XDG_CONFIG_DIRS") ?? "/etc/xdg").split(separator: ":").filter { $0.hasPrefix("/") }
      .map { $0 + "/pip/pip.conf" } + ["/etc/pip.conf"]
    if variable.map({ !fs.exists($0) }) ?? true { result += [home + "/.pip/pip.conf", xdg + "/pip/pip.conf"] }
    if let prefix, prefix.hasPrefix("/") { result.append(prefix + "/pip.conf") }
    if let variable { result.append(variable) }
    return result
  }

  /// git (git-config(1) FILES, ENVIRONMENT): the system file unless GIT_CONFIG_NOSYSTEM is true (GIT_CONFIG_SYSTEM
  /// in its place), the XDG file and ~/.gitconfig (GIT_CONFIG_GLOBAL in place of both; empty: none), then the
  /// repository's own.
  var git: [String] {
    var result: [String] = []
    if env["GIT_CONFIG_NOSYSTEM"].map({ GitConfigText.boolean($0) != true }) ?? true {
      if let system = env["GIT_CONFIG_SYSTEM"] {
        if !system.isEmpty { result.append(system) }
      } else {
        result.append("/etc/gitconfig")
      }
    }
    if let global = env["GIT_CONFIG_GLOBAL"] {
      if !global.isEmpty { result.append(global) }
    } else {
      result += [xdg + "/git/config", home + "/.gitconfig"]
    }
    if let repository, let local = gitDirectory(repository).map({ $0 + "/config" }) { result.append(local) }
    return result
  }

  /// The repository's git folder: `.git`, or where a `.git` file (a worktree, a submodule) points, its common
  /// folder for a worktree.
  private func gitDirectory(_ repository: String) -> String? {
    let dotGit = repository + "/.git"
    if fs.isDirectory(dotGit) { return dotGit }
    guard fs.isFile(dotGit), let text = try? fs.read(dotGit, limit: 4096),
      let line = String(decoding: text, as: UTF8.self).split(whereSeparator: \.isNewline).first,
      line.hasPrefix("gitdir:")
    else { return nil }
    let named = line.dropFirst("gitdir:".count).trimmingSpaces()
    let folder = named.hasPrefix("/") ? named : repository + "/" + named
    guard let common = try? fs.read(folder + "/commondir", limit: 4096) else { return folder }
    let shared =
      String(decoding: common, as: UTF8.self).split(whereSeparator: \.isNewline).first?.trimmingSpaces() ?? ""
    if shared.isEmpty { return folder }
    return shared.hasPrefix("/") ? shared : folder + "/" + shared
  }

  /// botocore's profile (AWS_DEFAULT_PROFILE, then AWS_PROFILE: configprovider.py's order, measured): `[default]`,
  /// or `[profile NAME]`.
  var awsSections: [String] {
    let profile = nonEmpty("AWS_DEFAULT_PROFILE") ?? nonEmpty("AWS_PROFILE") ?? "default"
    return profile == "default" ? ["profile default", "default"] : ["profile " + profile]
  }
}

/// The value of one key in a file Python's `configparser` reads (pip.conf, the aws config), read as
/// `RawConfigParser` reads it: `[section]` headers (case kept), `key = value` or `key: value` at the first `=` or `:`,
/// keys in any case, lines starting with `#` or `;` (after spaces) comments, no comments after a value, and lines
/// indented deeper than their key continuing its value (joined with line ends; blank lines inside kept, trailing
/// ones dropped). Line ends are LF, CR LF or CR. A file `configparser` refuses (a key before any section, a line
/// that is neither, a section or a key twice) gives nothing: pip and botocore then stop with an error instead of
/// reading it. A later section of `sections` wins over an earlier one; `pipNames` reads `trusted_host` and
/// `--trusted-host` as `trusted-host`, as pip does.
enum INIValues {
  static func value(in text: [UInt8], sections: [String], name: String, pipNames: Bool) -> String? {
    valueAndLine(in: text, sections: sections, name: name, pipNames: pipNames)?.value
  }

  /// What reading one key of a file gives.
  enum Reading: Equatable {
    case value(String, line: Int)
    case unset
    /// `configparser` refuses the file (pip then stops: "Configuration file could not be loaded").
    case refused(line: Int, reason: String)
  }

  /// The value and the 1-based line of its key.
  static func valueAndLine(
    in bytes: [UInt8], sections: [String], name: String, pipNames: Bool
  ) -> (value: String, line: Int)? {
    guard case .value(let value, let line) = reading(in: bytes, sections: sections, name: name, pipNames: pipNames)
    else { return nil }
    return (value, line)
  }

  static func reading(in bytes: [UInt8], sections: [String], name: String, pipNames: Bool) -> Reading {
    let wanted = Array(name.utf8)
    var section: String?
    // The option being read: its section, and whether it is the wanted key.
    var option: (section: String, wanted: Bool)?
    var indentLevel = 0
    var found: [String: (lines: [String], line: Int)] = [:]
    var seen: [String: Set<[UInt8]>] = [:]
    var start = 0
    var number = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count, bytes[end] != 0x0A, bytes[end] != 0x0D { end += 1 }
      let raw = bytes[start..<end]
      number += 1
      // CR LF ends one line, as a lone CR or LF does.
      start = end + (end + 1 < bytes.count && bytes[end] == 0x0D && bytes[end + 1] == 0x0A ? 2 : 1)
      let line = stripped(raw)
      if let first = line.first, first == 0x23 || first == 0x3B { continue }
      if line.isEmpty {
        if let option, option.wanted { found[option.section]?.lines.append("") }
        continue
      }
      let indent = raw.distance(from: raw.startIndex, to: raw.firstIndex { !isSpace($0) } ?? raw.endIndex)
      if let option, indent > indentLevel {
        if option.wanted { found[option.section]?.lines.append(String(decoding: line, as: UTF8.self)) }
        continue
      }
      indentLevel = indent
      if line.first == 0x5B, let close = line.lastIndex(of: 0x5D), close > line.startIndex + 1 {
        let name = String(decoding: line[(line.startIndex + 1)..<close], as: UTF8.self)
        // `strict`: a section twice in one file is an error.
        guard seen.updateValue([], forKey: name) == nil else {
          return .refused(line: number, reason: "section [\(name.capped(100))] twice")
        }
        section = name
        option = nil
        continue
      }
      guard let current = section else { return .refused(line: number, reason: "a line before any [section]") }
      guard let separator = line.firstIndex(where: { $0 == 0x3D || $0 == 0x3A }), separator > line.startIndex
      else { return .refused(line: number, reason: "neither a [section] nor key = value") }
      var key = Array(stripped(line[..<separator])).map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
      // `strict`: a key twice in one section is an error (pip's `_` and `-` spellings are two keys to it).
      guard seen[current]?.insert(key).inserted == true else {
        return .refused(
          line: number, reason: "\(String(decoding: key, as: UTF8.self).capped(100)) twice in [\(current.capped(100))]")
      }
      if pipNames {
        key = key.map { $0 == 0x5F ? 0x2D : $0 }
        if key.starts(with: [0x2D, 0x2D]) { key.removeFirst(2) }
      }
      option = (current, key == wanted)
      if key == wanted {
        found[current] = ([String(decoding: stripped(line[(separator + 1)...]), as: UTF8.self)], number)
      }
    }
    guard let (lines, line) = sections.reversed().lazy.compactMap({ found[$0] }).first else { return .unset }
    var kept = lines
    while kept.count > 1, kept.last == "" { kept.removeLast() }
    return .value(kept.joined(separator: "\n"), line: line)
  }

  /// Python's `str.isspace` for ASCII.
  private static func isSpace(_ c: UInt8) -> Bool {
    c == 0x20 || (0x09...0x0D).contains(c) || (0x1C...0x1F).contains(c)
  }

  /// Without leading and trailing white space.
  private static func stripped(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var slice = bytes
    while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
    while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
    return slice
  }
}

/// The files and folders an image's own settings name, wherever they are: the targets of its trust variables
/// (`REQUESTS_CA_BUNDLE=/app/certs/corp.pem`), the configuration files variables name (`PIP_CONFIG_FILE`,
/// `AWS_CONFIG_FILE`), and the CA paths those files give (pip `cert`, git `http.sslCAInfo`, aws `ca_bundle`).
///
/// The image reader keeps them beside the files of `trustRelevantPatterns`, so a file the image names is read and
/// judged, never taken for missing because no pattern matched its folder. A named folder keeps its direct entries
/// (OpenSSL, Go and Node read no deeper).
struct NamedPaths {
  /// Absolute paths kept, each with its direct entries.
  private(set) var paths: Set<String> = []

  /// Whether the reader keeps `path`: a named path, or a direct entry of one.
  func contains(_ path: String) -> Bool {
    !paths.isEmpty && (paths.contains(path) || paths.contains(ImageFileSystem.parent(of: path)))
  }

  /// Adds absolute, lexically normalised paths; relative ones depend on a working folder and are left to the
  /// collectors' own reports.
  mutating func add(_ named: [String]) {
    for path in named where path.hasPrefix("/") {
      if let normal = ImageFileSystem.normalise(path) { paths.insert(normal) }
    }
  }

  /// Paths the environment names: every CA variable's value (each folder of a `:`-separated SSL_CERT_DIR), and the
  /// configuration files a variable names (`TrustConfiguration.fileVariables`).
  static func named(by env: [String: String]) -> [String] {
    var result: [String] = []
    for variable in TrustVariables.all {
      guard let value = env[variable.name], !value.isEmpty else { continue }
      switch variable.role {
      case .caDirectory: result += value.split(separator: ":").map(String.init)
      case .caFile, .caFileOrDirectory: result.append(value)
      case .disablesVerification: break
      }
    }
    for name in TrustConfiguration.fileVariables {
      if let value = env[name], !value.isEmpty { result.append(value) }
    }
    return result
  }

  /// CA paths the clients' configuration files in a merged tree give.
  static func named(in tree: MemoryFileSystem, env: [String: String], workingDirectory: String) -> [String] {
    let configuration = TrustConfiguration.read(
      tree, env: env, prefix: env["VIRTUAL_ENV"], workingDirectory: workingDirectory)
    // git's sslCAPath may list folders with `:`; a file path holding `:` is kept whole as well.
    return configuration.values.values.flatMap { value in [value] + value.split(separator: ":").map(String.init) }
  }

  /// For each named path, where it leads in `tree` through the tree's links; adds each destination the pass that
  /// built `tree` did not keep (`kept` is that pass's predicate). Returns whether anything was added: the layers
  /// must then be read again.
  mutating func addDestinations(of named: [String], in tree: MemoryFileSystem, kept: (String) -> Bool) -> Bool {
    var added = false
    for path in named where path.hasPrefix("/") {
      guard let destination = Self.destination(of: path, in: tree) else { continue }
      switch tree.nodes[destination] {
      case .file?, .symlink?, .special?:
        continue
      case .directory?:
        // A folder is kept entry by entry; a probe entry tells whether the pass kept its entries.
        if kept(destination + "/x") { continue }
      case nil:
        if kept(destination) { continue }
      }
      if paths.insert(destination).inserted { added = true }
    }
    return added
  }

  /// The absolute path `path` leads to in `tree`, following its links (at most 40), whether or not it exists there;
  /// nil for a loop.
  static func destination(of path: String, in tree: MemoryFileSystem) -> String? {
    var pending = Array(path.split(separator: "/").reversed())
    var current: [Substring] = []
    var hops = 0
    while let part = pending.popLast() {
      if part == "." { continue }
      if part == ".." {
        _ = current.popLast()
        continue
      }
      let candidate = "/" + (current + [part]).joined(separator: "/")
      guard case .symlink(let target)? = tree.nodes[candidate] else {
        current.append(part)
        continue
      }
      hops += 1
      if hops > 40 { return nil }
      if target.hasPrefix("/") { current = [] }
      pending.append(contentsOf: target.split(separator: "/").reversed())
    }
    return "/" + current.joined(separator: "/")
  }
}

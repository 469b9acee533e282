/// A place that may hold a Python installation, in the order it was found.
struct PythonPrefixCandidate: Sendable, Equatable {
  /// The prefix as found (a view path, links not resolved so that repository paths stay repository paths).
  var prefix: String
  /// `pyvenv.cfg` when the prefix is a virtual environment.
  var config: VenvConfig?
  /// The version an interpreter's file name or pyenv's version name gives (`python3.11` → `3.11`).
  var version: String?
}

/// Finds candidate prefixes in the order Python users meet them: the active virtual environment, the repository's
/// virtual environments, each `python3`/`python` on `PATH`, then the system prefixes.
struct PythonPrefixFinder {
  let fs: any FileSystemView
  let env: [String: String]
  let repository: String?

  /// Folder names a repository's virtual environment usually has.
  static let repositoryVenvNames = [".venv", "venv", "env"]
  /// Interpreter names looked up on PATH.
  static let interpreterNames = ["python3", "python"]

  func candidates() -> [PythonPrefixCandidate] {
    var found: [PythonPrefixCandidate] = []
    if let active = env["VIRTUAL_ENV"], !active.isEmpty { found.append(prefix(active)) }
    if let repository {
      // Each folder is listed once: only venv names it holds are looked into (no lookups of paths that are not there);
      // a folder that cannot be listed may still be searchable, so every name is tried there.
      for (folder, names) in projectFolders(repository) {
        for name in Self.repositoryVenvNames where names?.contains(name) ?? true {
          let path = (folder == "/" ? "" : folder) + "/" + name
          if fs.isFile(path + "/pyvenv.cfg") { found.append(prefix(path)) }
        }
      }
    }
    for directory in (env["PATH"] ?? "").split(separator: ":") where directory.hasPrefix("/") {
      for name in Self.interpreterNames {
        if let candidate = interpreter(PathPresenter.clean(String(directory)) + "/" + name) { found.append(candidate) }
      }
    }
    found += systemPrefixes()
    return found
  }

  /// How deep below the repository root a project's own virtual environment is looked for (`apps/api/.venv`).
  static let projectDepth = 2

  /// The repository root and its folders down to `projectDepth`, as the lockfile walk enters them: each project of a
  /// repository may have its own `.venv`, and TG303 compares a lockfile only with the one beside it.
  /// `names`: what the folder holds, nil when it cannot be listed.
  func projectFolders(_ repository: String) -> [(folder: String, names: Set<String>?)] {
    // Listings need a path without links; the presenter knows the repository under both names.
    let root = (try? fs.resolve(repository)) ?? repository
    var folders: [(folder: String, names: Set<String>?)] = []
    var level = [root]
    for depth in 0...Self.projectDepth {
      var next: [String] = []
      for folder in level {
        let listed = try? fs.rawListTyped(folder)
        let entries = listed ?? []
        folders.append((folder, listed.map { Set($0.map(\.name)) }))
        guard depth < Self.projectDepth else { continue }
        for (name, type) in entries where type == .directory && LockfileCollector.descends(into: name) {
          next.append((folder == "/" ? "" : folder) + "/" + name)
        }
      }
      next.sort()
      level = next
    }
    return folders
  }

  /// A prefix with its pyvenv.cfg, if any.
  func prefix(_ path: String, version: String? = nil) -> PythonPrefixCandidate {
    let clean = PathPresenter.clean(path)
    let config = (try? fs.read(clean + "/pyvenv.cfg", limit: 1 << 16)).map(VenvConfig.init)
    return PythonPrefixCandidate(prefix: clean, config: config, version: version ?? interpreterVersion(clean))
  }

  /// `bin/python3 -> python3.11` names the version of a prefix that has no pyvenv.cfg. The link's name is enough:
  /// an image's view holds links but not the interpreters they lead to.
  func interpreterVersion(_ prefix: String) -> String? {
    guard fs.linkKind(prefix + "/bin/python3") != nil, let real = try? fs.resolve(prefix + "/bin/python3") else {
      return nil
    }
    return real.split(separator: "/").last.flatMap { PythonCollector.libraryVersion(String($0)) }
  }

  /// The prefix of an interpreter on PATH. Like Python itself, a `pyvenv.cfg` next to the unresolved executable's
  /// folder makes it a virtual environment; otherwise links are followed and the prefix is the parent of `bin`.
  func interpreter(_ path: String) -> PythonPrefixCandidate? {
    guard fs.linkKind(path) != nil else { return nil }
    let folder = PythonCollector.parent(path)
    for venv in [folder, PythonCollector.parent(folder)] where fs.isFile(venv + "/pyvenv.cfg") {
      return prefix(venv)
    }
    guard let real = try? fs.resolveExisting(path), case .file(let size) = fs.rawKind(real) else { return nil }
    if size < 64 << 10, let shim = pyenvShim(real) { return shim }
    let realFolder = PythonCollector.parent(real)
    guard realFolder.hasSuffix("/bin") else { return nil }
    let name = real.split(separator: "/").last.map(String.init) ?? ""
    return prefix(PythonCollector.parent(realFolder), version: PythonCollector.libraryVersion(name))
  }

  /// pyenv's shims are shell scripts; the version comes from `PYENV_VERSION`, the repository's `.python-version`
  /// or `$PYENV_ROOT/version`, and lives in `$PYENV_ROOT/versions/<name>`. `system` leaves it to the next PATH entry.
  func pyenvShim(_ path: String) -> PythonPrefixCandidate? {
    guard let bytes = try? fs.read(path, limit: 64 << 10), bytes.starts(with: Array("#!".utf8)) else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    guard text.contains("pyenv") else { return nil }
    // The shims folder sits directly in the pyenv root.
    let root = env["PYENV_ROOT"].map(PathPresenter.clean) ?? PythonCollector.parent(PythonCollector.parent(path))
    var selected = env["PYENV_VERSION"].flatMap { $0.split(separator: ":").first.map(String.init) }
    if selected == nil, let repository {
      selected = firstWord(repository + "/.python-version")
    }
    if selected == nil { selected = firstWord(root + "/version") }
    guard let version = selected, version != "system" else { return nil }
    let looksNumeric = version.first?.isNumber == true
    return prefix(root + "/versions/" + version, version: looksNumeric ? version : nil)
  }

  /// The first word of a small text file (pyenv version files).
  private func firstWord(_ path: String) -> String? {
    guard let bytes = try? fs.read(path, limit: 1 << 16) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
      .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
      .first { !$0.hasPrefix("#") }
      .map(String.init)
  }

  /// `/usr/local` (python.org builds, official Docker images, Debian's pip) and `/usr` (distribution packages)
  /// when they hold a site-packages or dist-packages folder.
  func systemPrefixes() -> [PythonPrefixCandidate] {
    var found: [PythonPrefixCandidate] = []
    for prefix in ["/usr/local", "/usr"] {
      var hasPackages = prefix == "/usr" && fs.isDirectory("/usr/lib/python3/dist-packages")
      for lib in ["lib", "lib64"] where !hasPackages {
        for name in (try? fs.list(prefix + "/" + lib)) ?? [] where PythonCollector.libraryVersion(name) != nil {
          let folder = prefix + "/" + lib + "/" + name
          if fs.isDirectory(folder + "/site-packages") || fs.isDirectory(folder + "/dist-packages") {
            hasPackages = true
            break
          }
        }
      }
      if hasPackages { found.append(self.prefix(prefix)) }
    }
    return found
  }
}

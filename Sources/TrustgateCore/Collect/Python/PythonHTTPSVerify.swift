/// PEP 493's `PYTHONHTTPSVERIFY=0` turns off verification for the standard library's https only in Pythons whose
/// `ssl.py` reads it: Python 2.7 (`_https_verify_envvar = 'PYTHONHTTPSVERIFY'`, upstream since 2.7.12) and
/// distribution-patched Python 3 (RHEL's). Upstream Python 3 never reads it: measured here, Python 3.11.7 and
/// Debian's 3.11 verify with it set, Python 2.7.18 does not (ConfigSwitchTests). So the variable is judged by
/// the `ssl.py` of every Python prefix found, and of `/usr` and `/usr/local`.
enum PythonHTTPSVerify {
  /// Whether a Python found in `fs` reads the variable: true when some `ssl.py` names it, false when every one read
  /// does not, nil when none could be read (then the variable is taken at its word).
  static func read(_ python: PythonInfo, fs: any FileSystemView) -> (reads: Bool?, files: [String]) {
    var prefixes = ["/usr", "/usr/local"]
    for environment in python.environments {
      // A virtual environment's standard library is its base installation's.
      let prefix = environment.base ?? environment.path
      if prefix.hasPrefix("/"), !prefixes.contains(prefix) { prefixes.append(prefix) }
    }
    var read = 0
    var readers: [String] = []
    // Bounded whatever the tree holds: the first prefixes, and only `pythonX.Y` folders (a few per prefix).
    for prefix in prefixes.prefix(maximumPrefixes) {
      let base = prefix == "/" ? "" : prefix
      for lib in ["lib", "lib64"] {
        let names = ((try? fs.list(base + "/" + lib)) ?? []).filter(isStandardLibrary).sorted()
        for name in names.prefix(maximumVersions) {
          let file = base + "/" + lib + "/" + name + "/ssl.py"
          guard let bytes = try? fs.read(file, limit: 4 << 20) else { continue }
          read += 1
          if firstOccurrence(of: marker, in: bytes) != nil { readers.append(file) }
        }
      }
    }
    return (readers.isEmpty ? (read == 0 ? nil : false) : true, readers)
  }

  static let maximumPrefixes = 64
  static let maximumVersions = 16

  /// `python2.7`, `python3.11`, `python3.13t`: the folders a standard library lives in.
  static func isStandardLibrary(_ name: String) -> Bool {
    guard name.hasPrefix("python") else { return false }
    var rest = name.dropFirst("python".count)
    if rest.hasSuffix("t") { rest.removeLast() }
    let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 2
      && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } }
  }

  static let variable = "PYTHONHTTPSVERIFY"
  private static let marker = Array(variable.utf8)

  /// `PYTHONHTTPSVERIFY=0` kept as turning verification off only when a Python here reads it.
  static func judge(_ variables: inout [EnvVariable], python: PythonInfo, fs: any FileSystemView) {
    guard let index = variables.firstIndex(where: { $0.name == variable && $0.disablesVerification == true }),
      read(python, fs: fs).reads == false
    else { return }
    variables[index].disablesVerification = false
  }
}

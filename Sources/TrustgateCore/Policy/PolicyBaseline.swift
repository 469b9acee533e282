extension Policy {
  /// Refuses a `baseline:` that leaves the repository: through `..`, an absolute path, or a symbolic link on the way
  /// (followed as the kernel would, a dangling one to where it points). The policy comes with a pull request, so it
  /// must not make the gate read (or tell anyone to write) a file elsewhere on the host.
  public func checkBaselineInside(
    repositoryRoot: String, fs: some FileSystemView = HostFileSystem()
  ) throws(PolicyError) {
    guard let baseline else { return }
    let shown = String(baseline.prefix(200))
    func refuse(_ why: String) -> PolicyError {
      PolicyError(
        path: path ?? ".trustgate.yml", line: baselineLine,
        message: "baseline '\(shown)' \(why); name a file inside the repository, such as "
          + "\(BaselineLoader.defaultBaselinePath), or remove the key")
    }
    guard !baseline.isEmpty, !baseline.unicodeScalars.contains("\u{0}") else { throw refuse("is not a file name") }
    let root = (try? fs.resolve(repositoryRoot)) ?? repositoryRoot
    let full = baseline.hasPrefix("/") ? baseline : repositoryRoot + "/" + baseline
    let real: String
    do {
      real = try Self.resolvePrefix(full, fs: fs)
    } catch {
      throw refuse("cannot be followed (\(error.description))")
    }
    guard Self.isInside(real, root: root) else {
      throw refuse("lies outside the repository (it leads to \(String(real.prefix(200))))")
    }
  }

  /// Whether a resolved path is `root` or lies below it.
  static func isInside(_ real: String, root: String) -> Bool {
    real == root || real.hasPrefix(root == "/" ? "/" : root + "/")
  }

  /// Where `path` leads: its longest existing prefix resolved through links, then the missing rest applied lexically
  /// (a folder that does not exist holds no links).
  static func resolvePrefix(_ path: String, fs: some FileSystemView) throws(FileError) -> String {
    let parts = path.split(separator: "/").map(String.init)
    var existing = 0
    var resolved = "/"
    for count in stride(from: parts.count, through: 1, by: -1) {
      let prefix = "/" + parts[0..<count].joined(separator: "/")
      // `..` in a prefix is resolved by `resolve` itself; a prefix exists when something (even a dangling link that
      // `resolve` follows to a missing final name) stands there.
      do {
        resolved = try fs.resolve(prefix)
        existing = count
        break
      } catch {
        if case .symlinkLoop = error { throw error }
        continue
      }
    }
    var components = resolved.split(separator: "/").map(String.init)
    for part in parts[existing...] where part != "." {
      if part == ".." { _ = components.popLast() } else { components.append(part) }
    }
    return "/" + components.joined(separator: "/")
  }
}

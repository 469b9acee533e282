/// Turns view paths into snapshot paths: repository-relative inside the repository (so a committed baseline does not
/// depend on where the repository is checked out), view-absolute elsewhere.
struct PathPresenter: Sendable {
  /// The repository root as given and as resolved, without trailing slashes.
  let roots: [String]

  init(repository: String?, fs: any FileSystemView) {
    guard let repository else {
      roots = []
      return
    }
    let given = Self.clean(repository)
    let real = (try? fs.resolve(given)).map(Self.clean)
    roots = real.map { $0 == given ? [given] : [given, $0] } ?? [given]
  }

  func present(_ path: String) -> String {
    for root in roots {
      if path == root { return "." }
      let prefix = root == "/" ? "/" : root + "/"
      if path.hasPrefix(prefix) { return String(path.dropFirst(prefix.count)) }
    }
    return path
  }

  /// Whether a view path lies inside the repository.
  func isInRepository(_ path: String) -> Bool { present(path) != path }

  static func clean(_ path: String) -> String {
    var p = path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    return p
  }
}

/// Tells whether a bundle is the OS bundle: it resolves to one of the OS bundle files, or holds exactly the same
/// certificates in the same order. OS bundles are read only when a comparison needs them.
final class OSBundleMatcher: Sendable {
  private let context: CollectionContext
  private let bundles: [String]
  /// The bundles' real paths and certificate lists, found on first use (the folders' bundle readers share them).
  private let known = Locked<(realPaths: Set<String>, lists: [[String]])?>(nil)

  init(context: CollectionContext, bundles: [String]) {
    self.context = context
    self.bundles = bundles
  }

  func matches(path: String, certificates: CertificateSet) -> Bool {
    let (realPaths, lists) = known.withLock { known in
      if let known { return known }
      let found = (
        Set(bundles.compactMap { try? context.fs.resolveExisting($0) }),
        bundles.compactMap { bundle -> [String]? in
          guard context.fs.isFile(bundle) else { return nil }
          return context.certificates(inFile: bundle, area: .stores)?.certificates
        }
      )
      known = found
      return found
    }
    if let real = try? context.fs.resolveExisting(path), realPaths.contains(real) { return true }
    guard !certificates.certificates.isEmpty else { return false }
    return lists.contains(certificates.certificates)
  }
}

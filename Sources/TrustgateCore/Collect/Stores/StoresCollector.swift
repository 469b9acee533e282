/// Reads the operating system's CA bundles, hashed directories and anchor folders.
public struct StoresCollector {
  public init() {}

  /// Returns the stores found; the OS bundle (first existing in Go's order) comes back as `primaryBundle`.
  public func collect(_ context: CollectionContext) -> (stores: [TrustStore], primaryBundle: String?) {
    var stores: [TrustStore] = []
    var primary: String?
    var bundleSets: [String: Set<String>] = [:]
    for location in StoreLocations.bundles where context.fs.linkKind(location.path) != nil {
      var store = TrustStore(path: location.path, kind: .bundle, linksTo: linkTarget(location.path, context.fs))
      if let set = context.certificates(inFile: location.path, area: .stores) {
        store.certificates = set
        bundleSets[location.path] = set.distinct
        if primary == nil && !set.certificates.isEmpty { primary = location.path }
        reportContents(of: store, context)
      }
      stores.append(store)
    }
    for location in StoreLocations.directories where context.fs.isDirectory(location.path) {
      guard let reading = context.certificates(inDirectory: location.path, area: .stores, recursive: location.recursive) else { continue }
      var store = TrustStore(path: location.path, kind: location.kind, linksTo: linkTarget(location.path, context.fs))
      store.certificates = reading.set
      if location.kind == .hashedDirectory || reading.hashLinks > 0 {
        store.kind = reading.hashLinks > 0 ? .hashedDirectory : location.kind
        (store.mismatchedHashLinks, store.mismatchedHashLinkCount) = Self.listed(reading.mismatchedHashLinks)
        report(
          reading.mismatchedHashLinks, in: location.path,
          message: "hash link name does not match the subject hash of the certificate it points to",
          fix: "Rebuild the links: `openssl rehash \(location.path)` (or `update-ca-certificates --fresh`).", context)
        (store.danglingLinks, store.danglingLinkCount) = Self.listed(reading.danglingLinks)
      }
      report(
        reading.danglingLinks, in: location.path, message: "dangling link: its certificate is gone",
        fix: "Remove the link or rebuild the directory (`update-ca-certificates --fresh` / `openssl rehash`).", context)
      stores.append(store)
    }
    for location in StoreLocations.anchors where context.fs.isDirectory(location.path) {
      guard let reading = context.certificates(inDirectory: location.path, area: .stores, recursive: location.recursive) else { continue }
      var store = TrustStore(path: location.path, kind: .anchors, linksTo: linkTarget(location.path, context.fs))
      store.certificates = reading.set
      // A link to a root that is gone: the update step cannot add it, and nothing says which root it was.
      report(
        reading.danglingLinks, in: location.path, message: "dangling link: the certificate it names is gone",
        fix: "Remove the link, or copy the certificate itself here (then run `update-ca-certificates`).", context,
        unreadable: true)
      let target = location.bundle.first { bundleSets[$0] != nil }
      if let target, let bundle = bundleSets[target] {
        let missing = reading.set.distinct.subtracting(bundle).sorted()
        if !missing.isEmpty {
          store.notInBundle = missing
          for fingerprint in missing {
            let subject = context.certificate(fingerprint)?.subject ?? fingerprint
            context.report(
              Problem(
                area: .stores, path: location.path,
                message: "local CA \(subject) is not in \(target): the update step was not run after adding it",
                fix: "Run `\(location.updateCommand ?? "update-ca-certificates")` after copying the certificate (in the image build, in the same layer)."))
          }
        }
      } else if !reading.set.certificates.isEmpty {
        context.report(
          Problem(
            area: .stores, path: location.path,
            message: "local CAs present but no bundle built from them (\(location.bundle.joined(separator: ", ")) missing)",
            fix: "Install ca-certificates and run `\(location.updateCommand ?? "update-ca-certificates")`."))
      }
      stores.append(store)
    }
    if stores.allSatisfy({ $0.kind != .bundle || $0.certificates.certificates.isEmpty }) {
      context.report(
        Problem(
          area: .stores, path: StoreLocations.bundles[0].path,
          message: "no CA bundle with certificates found in any known location: clients using the OS store trust nothing",
          fix: "Install the CA package (`apt-get install ca-certificates`, `apk add ca-certificates`, `dnf install ca-certificates`)."))
    }
    return (stores, primary)
  }

  /// How many link names a store lists; the rest are counted.
  public static let listedLinks = 20

  /// The first `listedLinks` names, and the full count when there are more.
  static func listed(_ names: [String]) -> ([String], Int?) {
    names.count > listedLinks ? (Array(names.prefix(listedLinks)), names.count) : (names, nil)
  }

  /// One problem per bad link, or one for all of them when there are many: "/etc/ssl/certs: 100000 links: dangling
  /// link (first: …)" is a line of output, not megabytes.
  private func report(
    _ names: [String], in folder: String, message: String, fix: String, _ context: CollectionContext,
    unreadable: Bool = false
  ) {
    let unreadable: Bool? = unreadable ? true : nil
    guard names.count > Problem.aggregationThreshold else {
      for name in names {
        context.report(
          Problem(area: .stores, path: folder + "/" + name, message: message, fix: fix, unreadable: unreadable))
      }
      return
    }
    let first = names.prefix(Problem.aggregationThreshold).joined(separator: ", ")
    context.report(
      Problem(
        area: .stores, path: folder, message: "\(names.count) links: \(message) (first: \(first), …)", fix: fix,
        unreadable: unreadable))
  }

  private func reportContents(of store: TrustStore, _ context: CollectionContext) {
    let set = store.certificates
    if set.certificates.isEmpty && set.unparsable == 0 {
      context.report(
        Problem(
          area: .stores, path: store.path, message: "CA bundle holds no certificates",
          fix: "Regenerate it (`update-ca-certificates --fresh` / `update-ca-trust`) or reinstall ca-certificates."))
    }
    if set.expired > 0 {
      context.report(
        Problem(
          area: .stores, path: store.path, message: "\(set.expired) expired certificate(s) in the bundle",
          fix: "Update the ca-certificates package; expired roots verify nothing."))
    }
    if set.notYetValid > 0 {
      context.report(
        Problem(
          area: .stores, path: store.path,
          message: "\(set.notYetValid) certificate(s) not yet valid at \(context.now): check the clock",
          fix: "Fix the system clock (NTP), or replace certificates issued with a future start date."))
    }
    if set.duplicates > 0 {
      context.report(
        Problem(
          area: .stores, path: store.path, message: "\(set.duplicates) duplicate certificate(s) in the bundle",
          fix: "Regenerate the bundle; a certificate appended twice usually means a build step ran twice."))
    }
  }

  private func linkTarget(_ path: String, _ fs: any FileSystemView) -> String? {
    guard case .symlink = fs.linkKind(path), let real = try? fs.resolve(path), real != path else { return nil }
    return real
  }
}

/// What one site-packages (or dist-packages) folder holds.
struct SitePackagesReading {
  var distributions: [Distribution] = []
  var certifi: BundledCA?
  var pipCertifi: BundledCA?
  var vendoredBundles: [BundledCA] = []
}

/// Reads a site-packages folder: every `*.dist-info`, `*.egg-info` and `*.egg` for names and versions, and the CA
/// bundles packages ship. Only names are listed and only metadata headers and bundles are read, so a folder with
/// hundreds of distributions takes milliseconds.
struct SitePackagesReader: Sendable {
  let context: CollectionContext
  let paths: PathPresenter
  let osBundles: OSBundleMatcher

  private var fs: any FileSystemView { context.fs }
  /// Metadata with a long description reaches a few hundred kilobytes; more means something else is there.
  static let metadataLimit = 16 << 20

  func read(_ folder: String) -> SitePackagesReading {
    var reading = SitePackagesReading()
    let real: String
    let names: [String]
    do {
      real = try fs.resolveExisting(folder)
      names = try fs.list(real)
    } catch {
      problem(error.reason, at: folder, fix: "Make the folder readable by the build user.")
      return reading
    }
    // The CA bundles packages ship are a large part of a folder's work: read on another core while the metadata is.
    let present = Set(names)
    let bundles = PendingValue { [self] in readBundles(folder, present: present) }
    for name in names {
      let path = folder + "/" + name
      let entryReal = real + "/" + name
      // One lstat per entry; links are followed only when they are links, to report loops and dangling ones.
      var kind = fs.rawKind(entryReal)
      // Raw paths below a link would be followed by the host, outside the view: only plain entries take the fast path.
      var direct: String? = entryReal
      if case .symlink = kind {
        direct = nil
        do { kind = fs.rawKind(try fs.resolveExisting(path)) } catch {
          problem(error.reason, at: path, fix: "Remove or repair the link; Python skips it or fails to import.")
          continue
        }
      }
      if name.hasSuffix(".dist-info") {
        guard kind == .directory else {
          notAFolder(path)
          continue
        }
        readDistribution(path + "/METADATA", real: direct.map { $0 + "/METADATA" }, into: &reading)
      } else if name.hasSuffix(".egg-info") {
        let isFolder = kind == .directory
        readDistribution(
          isFolder ? path + "/PKG-INFO" : path, real: isFolder ? direct.map { $0 + "/PKG-INFO" } : direct,
          into: &reading)
      } else if name.hasSuffix(".egg"), kind == .directory {
        readDistribution(path + "/EGG-INFO/PKG-INFO", real: direct.map { $0 + "/EGG-INFO/PKG-INFO" }, into: &reading)
      }
    }
    if let found = bundles.wait() {
      (reading.certifi, reading.pipCertifi, reading.vendoredBundles) = (found.certifi, found.pipCertifi, found.vendored)
    }
    return reading
  }

  /// certifi's bundle, pip's copy and the vendored bundles of the packages a folder holds (`present`: its names).
  private func readBundles(
    _ folder: String, present: Set<String>
  ) -> (certifi: BundledCA?, pipCertifi: BundledCA?, vendored: [BundledCA]) {
    let certifi = present.contains("certifi") ? readCertifi(folder) : nil
    var pipCertifi: BundledCA?
    if present.contains("pip"), fs.linkKind(folder + "/" + CertifiLocation.pipCertifi) != nil {
      pipCertifi = bundle(package: "pip", path: folder + "/" + CertifiLocation.pipCertifi)
    }
    var vendored: [BundledCA] = []
    for location in vendoredBundleLocations {
      guard let top = location.path.split(separator: "/").first, present.contains(String(top)) else { continue }
      let path = folder + "/" + location.path
      guard fs.linkKind(path) != nil else { continue }
      if let found = bundle(package: location.package, path: path) { vendored.append(found) }
    }
    return (certifi, pipCertifi, vendored)
  }

  /// Reads Name and Version from a metadata file; anything missing or broken is a problem, never a crash.
  /// `real` is the same file when no link lies on the way to it: then one lstat and one read, no path resolution.
  /// Whether the RFC 822 header block ends (a blank line) within these bytes.
  static func headerEnds(_ bytes: [UInt8]) -> Bool {
    var previous: UInt8 = 0x0A
    for byte in bytes where byte != 0x0D {
      if byte == 0x0A && previous == 0x0A { return true }
      previous = byte
    }
    return false
  }

  private func readDistribution(_ metadataPath: String, real: String?, into reading: inout SitePackagesReading) {
    let metadata: CoreMetadata
    do throws(FileError) {
      // The header (Name, Version) comes first; long descriptions follow. Read a prefix, all only if needed.
      let file: String
      if let real, case .file = fs.rawKind(real) { file = real } else { file = try fs.resolveExisting(metadataPath) }
      switch fs.rawKind(file) {
      case .file: break
      case .directory: throw .isDirectory(metadataPath)
      default: throw .notRegular(metadataPath, kind: fs.rawSpecialKind(file))
      }
      var bytes = try fs.rawReadPrefix(file, count: 8192)
      if bytes.count == 8192 && !Self.headerEnds(bytes) {
        bytes = try fs.rawRead(file, limit: Self.metadataLimit)
      }
      metadata = CoreMetadata(bytes)
    } catch {
      problem(
        error.reason, at: metadataPath,
        fix:
          "Reinstall the distribution (`pip install --force-reinstall --no-deps NAME`) or remove its metadata folder.")
      return
    }
    if metadata.invalidUTF8 {
      problem(
        "the metadata header is not UTF-8 text", at: metadataPath,
        fix: "Reinstall the distribution; core metadata must be UTF-8 (PEP 566).")
    }
    guard let name = metadata.name, let version = metadata.version else {
      let missing = [metadata.name == nil ? "Name" : nil, metadata.version == nil ? "Version" : nil].compactMap { $0 }
      problem(
        "the metadata header has no \(missing.joined(separator: " or ")) field, so the distribution is not counted",
        at: metadataPath,
        fix: "Reinstall the distribution (`pip install --force-reinstall --no-deps NAME`) or remove the stale folder.")
      return
    }
    reading.distributions.append(Distribution(name: name, version: version, metadata: paths.present(metadataPath)))
  }

  /// certifi's bundle, and the file `certifi.where()` really returns when a distribution patched `core.py`.
  private func readCertifi(_ folder: String) -> BundledCA? {
    let pem = folder + "/" + CertifiLocation.certifi
    let patched = patchedWhere(folder + "/" + CertifiLocation.certifiCore)
    guard fs.linkKind(pem) != nil || patched != nil else {
      if fs.isDirectory(folder + "/certifi") {
        problem(
          "certifi is installed without cacert.pem; certifi.where() points at a missing file", at: folder + "/certifi",
          fix: "Reinstall certifi (`pip install --force-reinstall certifi`).")
      }
      return nil
    }
    guard var found = bundle(package: "certifi", path: pem, loading: patched) else { return nil }
    found.loadedFrom = patched
    return found
  }

  /// A bundle file: where links lead, its certificates, and whether it is the OS bundle.
  /// `loading` is the file clients really read when it is not `path` (a patched `certifi.where()`).
  private func bundle(package: String, path: String, loading: String? = nil) -> BundledCA? {
    var linksTo: String?
    if let parent = try? fs.resolve(path, followFinal: false), case .symlink = fs.rawKind(parent) {
      do { linksTo = try fs.resolveExisting(path) } catch {
        if case .danglingLink(_, let target) = error { linksTo = target }
      }
    }
    let loaded = loading ?? path
    // A patched where() names the OS bundle; when that is gone the stores report it, and certifi's users load nothing.
    let gone = loading != nil && !fs.exists(loaded)
    let set =
      gone ? nil : context.certificates(inFile: loaded, area: .python, fix: "Reinstall \(package) or repair the link.")
    let namesOSBundle = loading.map { file in StoreLocations.bundles.contains { $0.path == file } } ?? false
    let isOS = namesOSBundle || (set.map { osBundles.matches(path: loaded, certificates: $0) } ?? false)
    var found = BundledCA(
      package: package, path: paths.present(path), linksTo: linksTo.map(paths.present), isOSBundle: isOS,
      certificates: set ?? CertificateSet())
    if set == nil, !gone, fs.isFile(loaded) { found.unreadable = true }
    return found
  }

  /// Debian and Ubuntu's python3-certifi (and Fedora's) patch `where()` to return the OS bundle; upstream's core.py
  /// names `cacert.pem`. A core.py that does not, but quotes an absolute `.crt`/`.pem` path, returns that path.
  private func patchedWhere(_ corePath: String) -> String? {
    guard let bytes = try? fs.read(corePath, limit: 1 << 20) else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    guard !text.contains("cacert.pem") else { return nil }
    for quote in ["'", "\""] {
      for (index, piece) in text.split(separator: Character(quote), omittingEmptySubsequences: false).enumerated()
      where index % 2 == 1 && piece.hasPrefix("/") && (piece.hasSuffix(".crt") || piece.hasSuffix(".pem")) {
        return String(piece)
      }
    }
    return nil
  }

  private func notAFolder(_ path: String) {
    problem(
      "is a file, but a .dist-info must be a folder; Python ignores this distribution", at: path,
      fix: "Remove the stray file and reinstall the distribution.")
  }

  private func problem(_ message: String, at path: String, fix: String) {
    context.report(Problem(area: .python, path: paths.present(path), message: message, fix: fix))
  }
}

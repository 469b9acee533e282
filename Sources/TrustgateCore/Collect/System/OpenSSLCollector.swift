/// The OpenSSL of the inspected tree: its version and the compiled-in defaults, resolved inside the tree.
///
/// On the host the version is the linked library's. For `--root` and images it is the target's own: from its package
/// database (dpkg, apk), else from the version string inside its `libcrypto` (rpm's database is SQLite or Berkeley DB;
/// the library says the same thing in a few kilobytes' search). The defaults stay this build's, looked up inside the
/// tree: a fair guess for trees of the same distribution family. When this build's `cert.pem` is absent from such a
/// tree, the OPENSSLDIR of another family that is present is used instead (Alpine and SUSE `/etc/ssl`, RHEL and
/// Fedora `/etc/pki/tls`, Debian and Ubuntu `/usr/lib/ssl`): otherwise every Alpine or RHEL image would be reported
/// as trusting nothing.
public struct OpenSSLCollector {
  /// True for `--root` and images, whose OpenSSL is not the one trustgate is linked with.
  public var otherTree: Bool

  public init(otherTree: Bool = false) { self.otherTree = otherTree }

  /// OPENSSLDIR of the common distribution families.
  static let distributionDirectories = ["/etc/ssl", "/etc/pki/tls", "/usr/lib/ssl"]

  public func collect(_ context: CollectionContext) -> OpenSSLInfo {
    var info = OpenSSLInfo()
    info.version = otherTree ? Self.targetVersion(context.fs) : OpenSSLLibrary.version
    info.defaultCertFile = OpenSSLLibrary.defaultCertFile
    info.defaultCertDir = OpenSSLLibrary.defaultCertDir
    if otherTree, let file = info.defaultCertFile, context.fs.linkKind(file) == nil,
      let directory = Self.distributionDirectories.first(where: { context.fs.linkKind($0 + "/cert.pem") != nil })
    {
      info.defaultCertFile = directory + "/cert.pem"
      info.defaultCertDir = directory + "/certs"
    }
    info.certFileEnv = OpenSSLLibrary.certFileEnv
    info.certDirEnv = OpenSSLLibrary.certDirEnv
    if let file = info.defaultCertFile, context.fs.linkKind(file) != nil {
      if let real = try? context.fs.resolve(file), real != file { info.resolvedCertFile = real }
      info.certFile = context.certificates(inFile: file, area: .openssl)
    }
    if let directory = info.defaultCertDir, let real = try? context.fs.resolveExisting(directory), real != directory {
      info.resolvedCertDir = real
    }
    return info
  }

  /// The target's OpenSSL, e.g. `OpenSSL 3.0.17 (dpkg libssl3 3.0.17-1~deb12u2)` or, from the library itself,
  /// `OpenSSL 3.2.2 4 Jun 2024`; nil when the tree has neither (a scratch image, a static binary).
  static func targetVersion(_ fs: any FileSystemView) -> String? {
    if let package = OpenSSLPackages.installed(fs) {
      let upstream = OpenSSLPackages.upstream(package.version)
      return "OpenSSL \(upstream) (\(package.manager) \(package.name) \(package.version))"
    }
    return OpenSSLLibraryFile.version(fs)
  }
}

/// The packages that ship OpenSSL's library, per package manager, newest name first. One row per database.
enum OpenSSLPackages {
  struct Database: Sendable {
    var manager: String
    var path: String
    var packages: [String]
    var source: String
  }

  static let databases: [Database] = [
    .init(
      manager: "dpkg", path: "/var/lib/dpkg/status", packages: ["libssl3t64", "libssl3", "libssl1.1", "openssl"],
      source: "Debian 13 renamed libssl3 to libssl3t64 (64-bit time_t transition); packages.debian.org"),
    .init(
      manager: "apk", path: "/lib/apk/db/installed", packages: ["libcrypto3", "libssl3", "libcrypto1.1", "openssl"],
      source: "Alpine's openssl APKBUILD subpackages (pkgs.alpinelinux.org)"),
  ]

  /// Distroless and other dpkg-less images keep one status file per package in this folder.
  static let dpkgStatusFolder = "/var/lib/dpkg/status.d"

  static func installed(_ fs: any FileSystemView) -> InstalledPackage? {
    for database in databases {
      guard let bytes = try? fs.read(database.path) else { continue }
      for name in database.packages {
        let found: InstalledPackage?
        switch database.manager {
        case "dpkg":
          found = PlatformCollector.stanza(of: name, in: bytes).flatMap { PlatformCollector.dpkgPackage(name, in: $0) }
        default:
          found = PlatformCollector.apkPackage(name, in: String(decoding: bytes, as: UTF8.self))
        }
        if let found { return found }
      }
    }
    for name in databases[0].packages {
      // Distroless writes the stanza without a Status line: the file's presence means installed.
      guard let bytes = try? fs.read(dpkgStatusFolder + "/" + name, limit: 1 << 20),
        let stanza = PlatformCollector.stanza(of: name, in: bytes),
        let version = stanza.split(separator: "\n").first(where: { $0.hasPrefix("Version: ") })?.dropFirst(9)
      else { continue }
      return InstalledPackage(manager: "dpkg", name: name, version: String(version))
    }
    return nil
  }

  /// The upstream part of a package version: `1:3.0.17-1~deb12u2` → `3.0.17`, `3.3.2-r0` → `3.3.2`.
  static func upstream(_ version: String) -> String {
    var text = Substring(version)
    if let colon = text.firstIndex(of: ":") { text = text[text.index(after: colon)...] }
    if let dash = text.lastIndex(of: "-") { text = text[..<dash] }
    return String(text)
  }
}

/// The version string compiled into a target's libcrypto (`OPENSSL_VERSION_TEXT`, "OpenSSL 3.2.2 4 Jun 2024").
enum OpenSSLLibraryFile {
  /// Library folders, in the dynamic loader's order for the common layouts; multiarch folders are listed.
  static let folders = ["/usr/lib64", "/lib64", "/usr/lib", "/lib"]
  /// Library names, newest ABI first.
  static let names = ["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so.10", "libcrypto.so.1.0.0"]
  /// libcrypto is 2–6 MB; more is not a libcrypto this search is meant for.
  static let readLimit = 32 << 20

  static func version(_ fs: any FileSystemView) -> String? {
    var candidates: [String] = []
    for folder in folders {
      let names = (try? fs.list(folder)) ?? []
      for multiarch in names where multiarch.hasSuffix("-linux-gnu") || multiarch.hasSuffix("-linux-musl") {
        candidates += Self.names.map { folder + "/" + multiarch + "/" + $0 }
      }
      candidates += Self.names.map { folder + "/" + $0 }
    }
    for path in candidates where fs.linkKind(path) != nil {
      if let bytes = try? fs.read(path, limit: readLimit), let found = search(bytes) { return found }
    }
    return nil
  }

  /// The first NUL-terminated string that starts with `OpenSSL ` and a digit, at most 64 bytes long.
  static func search(_ bytes: [UInt8]) -> String? {
    let needle = Array("OpenSSL ".utf8)
    var index = 0
    while let start = find(needle, in: bytes, from: index) {
      index = start + 1
      let digit = start + needle.count
      guard start == 0 || bytes[start - 1] == 0, digit < bytes.count, (0x30...0x39).contains(bytes[digit]) else {
        continue
      }
      var end = digit
      while end < bytes.count, end - start <= 64, bytes[end] != 0, (0x20...0x7E).contains(bytes[end]) { end += 1 }
      guard end < bytes.count, bytes[end] == 0, end - start <= 64 else { continue }
      return String(decoding: bytes[start..<end], as: UTF8.self)
    }
    return nil
  }

  private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
    firstOccurrence(of: needle, in: bytes, from: from)
  }
}

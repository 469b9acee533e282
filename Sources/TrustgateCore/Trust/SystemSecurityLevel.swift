/// The TLS security level every new OpenSSL context starts with in a tree: libssl loads the OpenSSL configuration
/// (OPENSSL_CONF, else `OPENSSLDIR/openssl.cnf`) and runs its `system_default` commands on each new context, whose
/// `CipherString` may set `@SECLEVEL`; without one the level is the build's: 2 in Debian's and Ubuntu's OpenSSL
/// (built with OPENSSL_TLS_SECURITY_LEVEL=2), 1 upstream. libssl then verifies chains at that level
/// (`ssl_verify_cert_chain` makes it the auth level): at 1 no SHA-1 signature and no RSA key under 1024 bits, at 2
/// none under 2048.
enum SystemSecurityLevel {
  static let upstreamDefault = "OpenSSL's default"
  static let debianDefault = "the default of Debian's and Ubuntu's OpenSSL builds"

  /// OPENSSLDIR of the library trustgate runs with, then of the distribution families (as `OpenSSLCollector`).
  static var configurationFiles: [String] {
    let library = OpenSSLLibrary.defaultCertFile
    let own = library.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    var files = [own + "/openssl.cnf"]
    for folder in OpenSSLCollector.distributionDirectories where !files.contains(folder + "/openssl.cnf") {
      files.append(folder + "/openssl.cnf")
    }
    return files
  }

  static func read(_ fs: any FileSystemView, env: [String: String], workingDirectory: String) -> SecuritySetting {
    let fallback = buildDefault(fs)
    // OPENSSL_CONF names the file, even one that is not there (then nothing is loaded).
    let file: String
    if let named = env["OPENSSL_CONF"] {
      guard !named.isEmpty else { return fallback }
      file = TrustVariables.opened(named, from: workingDirectory)
    } else {
      guard let found = configurationFiles.first(where: { fs.isFile($0) }) else { return fallback }
      file = found
    }
    guard let bytes = try? fs.read(file, limit: 1 << 20) else { return fallback }
    let include: OpenSSLConfigText.Includer = { path in
      let opened = TrustVariables.opened(path, from: workingDirectory)
      switch fs.kind(opened) {
      case .file: return (try? fs.read(opened, limit: 1 << 20)).map { [(opened, $0)] }
      case .directory:
        // A folder's `.cnf` and `.conf` files (OpenSSL reads them in the folder's order; here in name order).
        let names = ((try? fs.list(opened)) ?? []).filter { name in
          let lower = name.lowercased()
          return lower.hasSuffix(".cnf") || lower.hasSuffix(".conf")
        }
        return names.compactMap { name in
          let path = opened + "/" + name
          return (try? fs.read(path, limit: 1 << 20)).map { (path, $0) }
        }
      default: return nil
      }
    }
    guard case .success(let parsed) = OpenSSLConfigText.parse(bytes, file: file, environment: env, include: include),
      let (level, at) = OpenSSLConfigText.securityLevel(parsed)
    else { return fallback }
    return SecuritySetting(level: level, origin: "\(at.file):\(at.line)")
  }

  /// The build's level: Debian's and Ubuntu's, by the tree's os-release (ID, or ID_LIKE naming either).
  static func buildDefault(_ fs: any FileSystemView) -> SecuritySetting {
    for path in ["/etc/os-release", "/usr/lib/os-release"] {
      guard let bytes = try? fs.read(path, limit: 64 << 10) else { continue }
      let fields = PlatformCollector.osRelease(String(decoding: bytes, as: UTF8.self))
      let family = ((fields["ID"] ?? "") + " " + (fields["ID_LIKE"] ?? "")).split(separator: " ")
      if family.contains("debian") || family.contains("ubuntu") {
        return SecuritySetting(level: 2, origin: debianDefault)
      }
      break
    }
    return SecuritySetting(level: 1, origin: upstreamDefault)
  }
}

/// Clients linked with another TLS library than OpenSSL, by what their programs load: Debian's git runs HTTPS through
/// libcurl-gnutls (`git-remote-https` needs `libcurl-gnutls.so.4`), other distributions' through OpenSSL's libcurl.
enum TLSLibraries {
  static let gitRemotes = ["/usr/lib/git-core/git-remote-https", "/usr/libexec/git-core/git-remote-https"]
  /// The dynamic section's names lie in a program's first kilobytes (git-remote-http: at ~10 KB).
  static let headerBytes = 64 << 10

  static func read(_ fs: any FileSystemView) -> [String: String] {
    for path in gitRemotes {
      guard let real = try? fs.resolveExisting(path), case .file = fs.rawKind(real),
        let head = try? fs.rawReadPrefix(real, count: headerBytes)
      else { continue }
      return contains(head, Array("libcurl-gnutls.so".utf8)) ? ["git": "GnuTLS"] : [:]
    }
    return [:]
  }

  static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
    guard let first = needle.first, bytes.count >= needle.count else { return false }
    var at = 0
    while at <= bytes.count - needle.count {
      if bytes[at] == first, bytes[at..<(at + needle.count)].elementsEqual(needle) { return true }
      at += 1
    }
    return false
  }
}

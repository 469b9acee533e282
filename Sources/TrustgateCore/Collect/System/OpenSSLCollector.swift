/// The OpenSSL that trustgate runs with: version and compiled-in defaults, resolved inside the inspected tree.
///
/// For `--root` and images the defaults are this build's, looked up inside the image: a fair guess for images of the
/// same distribution family, and the snapshot says which library was asked. When this build's `cert.pem` is absent
/// from such a tree, the OPENSSLDIR of another family that is present is used instead (Alpine and SUSE `/etc/ssl`,
/// RHEL and Fedora `/etc/pki/tls`, Debian and Ubuntu `/usr/lib/ssl`): otherwise every Alpine or RHEL image would
/// be reported as trusting nothing.
public struct OpenSSLCollector {
  /// True for `--root` and images, whose OpenSSL is not the one trustgate is linked with.
  public var otherTree: Bool

  public init(otherTree: Bool = false) { self.otherTree = otherTree }

  /// OPENSSLDIR of the common distribution families.
  static let distributionDirectories = ["/etc/ssl", "/etc/pki/tls", "/usr/lib/ssl"]

  public func collect(_ context: CollectionContext) -> OpenSSLInfo {
    var info = OpenSSLInfo()
    info.version = OpenSSLLibrary.version
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
    return info
  }
}

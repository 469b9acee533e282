/// The OpenSSL that trustgate runs with: version and compiled-in defaults, resolved inside the inspected tree.
///
/// For `--root` and images the defaults are this build's, looked up inside the image: a fair guess for images of the
/// same distribution family, and the snapshot says which library was asked.
public struct OpenSSLCollector {
  public init() {}

  public func collect(_ context: CollectionContext) -> OpenSSLInfo {
    var info = OpenSSLInfo()
    info.version = OpenSSLLibrary.version
    info.defaultCertFile = OpenSSLLibrary.defaultCertFile
    info.defaultCertDir = OpenSSLLibrary.defaultCertDir
    info.certFileEnv = OpenSSLLibrary.certFileEnv
    info.certDirEnv = OpenSSLLibrary.certDirEnv
    if let file = info.defaultCertFile, context.fs.linkKind(file) != nil {
      if let real = try? context.fs.resolve(file), real != file { info.resolvedCertFile = real }
      info.certFile = context.certificates(inFile: file, area: .openssl)
    }
    return info
  }
}

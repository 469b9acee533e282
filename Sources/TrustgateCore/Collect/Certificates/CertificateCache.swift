/// Certificates already parsed in this run, by the SHA-256 of their DER bytes: Debian's bundle, its hashed directory
/// and /usr/share/ca-certificates hold the same roots three times, and certifi's bundle repeats most of them. Each
/// distinct certificate is parsed once per run; nothing is kept between runs.
public final class CertificateCache: Sendable {
  private let entries = Locked<[[UInt8]: Certificate]>([:])
  public init() {}

  /// The certificate these DER bytes parse to, parsing them only if no earlier file of this run held them.
  func certificate(der: [UInt8], trusted: Bool) throws(OpenSSLError) -> Certificate {
    guard let key = ContentDigest.sha256(der, trusted: trusted) else {
      return try X509Parser.certificate(der: der, trusted: trusted)
    }
    if let known = entries.withLock({ $0[key] }) { return known }
    let certificate = try X509Parser.certificate(der: der, trusted: trusted)
    entries.withLock { $0[key] = certificate }
    return certificate
  }

  var count: Int { entries.withLock { $0.count } }
}


/// Certificates already parsed in this run, by their PEM body: Debian's bundle, its hashed directory and
/// /usr/share/ca-certificates hold the same roots three times.
public final class CertificateCache: Sendable {
  private let entries = Locked<[UInt64: [(body: [UInt8], certificate: Certificate)]]>([:])
  public init() {}

  func certificate(forBody body: ArraySlice<UInt8>) -> Certificate? {
    let key = Self.fingerprint(body)
    return entries.withLock { $0[key]?.first { $0.body.elementsEqual(body) }?.certificate }
  }

  func store(_ certificate: Certificate, forBody body: ArraySlice<UInt8>) {
    let key = Self.fingerprint(body)
    entries.withLock { $0[key, default: []].append((Array(body), certificate)) }
  }

  /// FNV-1a, 64 bits: far cheaper than Hasher over every byte; hits are confirmed by comparing bodies.
  static func fingerprint(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    bytes.withUnsafeBufferPointer { buffer in
      for byte in buffer {
        hash ^= UInt64(byte)
        hash &*= 0x100_0000_01b3
      }
    }
    return hash
  }
}


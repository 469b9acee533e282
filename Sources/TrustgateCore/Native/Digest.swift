import COpenSSL

/// A running SHA-256 over bytes fed in pieces, through OpenSSL's EVP interface.
///
/// Owns one `EVP_MD_CTX`; nothing outside `Native/` sees OpenSSL. Used to check image blobs against their digests
/// while they stream past, so a blob is never held whole in memory.
final class SHA256Digest {
  private let context: OpaquePointer?
  private var finished = false

  init() {
    context = EVP_MD_CTX_new()
    if let context {
      // Only fails when OpenSSL is out of memory; `finalize` then reports an empty digest, which never matches.
      _ = EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }
  }

  deinit { EVP_MD_CTX_free(context) }

  /// Adds bytes to the digest.
  func update(_ bytes: UnsafeRawBufferPointer) {
    guard let context, !finished, let base = bytes.baseAddress, !bytes.isEmpty else { return }
    _ = EVP_DigestUpdate(context, base, bytes.count)
  }

  /// Adds bytes to the digest.
  func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The digest as `sha256:` and 64 lowercase hex digits; the digest takes no more bytes after this.
  func finalize() -> String {
    guard let context, !finished else { return "sha256:" }
    finished = true
    var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    guard EVP_DigestFinal_ex(context, &output, &length) == 1 else { return "sha256:" }
    let hexDigits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    hex.reserveCapacity(Int(length) * 2)
    for byte in output.prefix(Int(length)) {
      hex.append(hexDigits[Int(byte >> 4)])
      hex.append(hexDigits[Int(byte & 0x0f)])
    }
    return "sha256:" + String(decoding: hex, as: UTF8.self)
  }

  /// The raw 32 bytes; nil when OpenSSL failed. The digest takes no more bytes after this.
  func finalizeRaw() -> [UInt8]? {
    guard let context, !finished else { return nil }
    finished = true
    var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    guard EVP_DigestFinal_ex(context, &output, &length) == 1 else { return nil }
    return Array(output.prefix(Int(length)))
  }

  /// The SHA-256 digest of a whole byte array, as `sha256:hex`.
  static func of(_ bytes: [UInt8]) -> String {
    let digest = SHA256Digest()
    digest.update(bytes)
    return digest.finalize()
  }
}

/// Raw SHA-256 digests of bytes in memory, through OpenSSL.
enum ContentDigest {
  /// The digest of `bytes`, with one byte after them for `trusted` (OpenSSL's TRUSTED CERTIFICATE form parses to a
  /// certificate with trust settings, another value); nil only when OpenSSL fails (out of memory).
  static func sha256(_ bytes: [UInt8], trusted: Bool = false) -> [UInt8]? {
    guard var digest = bytes.withUnsafeBytes({ Digests.raw($0, Digests.sha256) }) else { return nil }
    if trusted { digest.append(1) }
    return digest
  }

  /// Lower-case hex SHA-256 of the UTF-8 bytes of `text` (report fingerprints).
  static func hex(_ text: String) -> String {
    let digest = Array(text.utf8).withUnsafeBytes { Digests.raw($0, Digests.sha256) } ?? []
    return TrustgateCore.hex(digest)
  }
}

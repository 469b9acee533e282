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

/// The raw SHA-256 of a whole byte array: the key under which `ParseCache` keeps what the bytes parse to.
enum ContentDigest {
  static func sha256(_ bytes: [UInt8]) -> [UInt8] {
    // EVP_Digest fails only without memory; a key of the input's own bytes can then never collide with a digest.
    bytes.withUnsafeBytes { Digests.raw($0, Digests.sha256) } ?? [0xFF] + bytes
  }

  /// The same for part of an array, without copying it.
  static func sha256(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    bytes.withUnsafeBytes { Digests.raw($0, Digests.sha256) } ?? [0xFF] + bytes
  }
}

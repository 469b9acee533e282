import COpenSSL

/// A Java trust store read as the JDK's default SSL context reads it (`sun.security.ssl.TrustStoreManager`, JDK 17 to
/// 25): `KeyStore.getInstance(KeyStore.getDefaultType())`, which is PKCS #12 and, with `keystore.type.compat`, takes a
/// JKS file for one (its first four bytes decide), then `load(stream, password)`, where the password is
/// `javax.net.ssl.trustStorePassword` or none. Java trusts every TrustedCertificateEntry, and the first certificate
/// of every key entry (`TrustStoreUtil.getTrustedCerts`).
///
/// - JKS (`sun.security.provider.JavaKeyStore`): magic `FEEDFEED`, version 1 or 2, entries of tag 1 (a key and its
///   chain) or 2 (a trusted certificate), each certificate decoded; with a password, the SHA-1 of the password's
///   UTF-16 bytes, "Mighty Aphrodite" and every byte before it must be the last 20 bytes.
/// - PKCS #12 (`sun.security.pkcs12.PKCS12KeyStore`): a certificate bag is a trusted entry only with Oracle's
///   trustedKeyUsage attribute (what keytool writes; `openssl pkcs12 -export -nokeys` writes none, so Java trusts
///   nothing from such a file); without a password, encrypted safes are passed over and the MAC is not checked.
public enum JavaKeyStore {
  public enum Reading: Sendable, Equatable {
    /// The DER of each certificate Java trusts from the file, in file order (an alias met again replaces the first).
    case certificates([[UInt8]], format: String)
    /// `KeyStore.load` throws: Java's default SSL context cannot be made ("problem accessing trust store").
    case failure(String)
  }

  /// A store read with a password is another reading than without (`TrustConfiguration.keyStores`' keys).
  static func key(_ path: String, _ password: String?) -> String { password.map { path + "\u{0}" + $0 } ?? path }

  static let jksMagic: UInt32 = 0xFEED_FEED
  /// The largest trust store read (Debian's cacerts is ~190 KB, a JDK's own ~100 KB).
  public static let sizeLimit = 16 << 20

  public static func read(_ bytes: [UInt8], password: String?) -> Reading {
    guard bytes.count <= sizeLimit else {
      return .failure("the file is larger than \(sizeLimit >> 20) MiB, which trustgate does not read")
    }
    if bytes.count >= 4, UInt32(bigEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }) == jksMagic {
      return readJKS(bytes, password: password)
    }
    return readPKCS12(bytes, password: password)
  }

  /// A truncated entry, an unknown tag or a certificate that does not decode throws in `JavaKeyStore.engineLoad`.
  static func readJKS(_ bytes: [UInt8], password: String?) -> Reading {
    var reader = BigEndianReader(bytes)
    let eof = Reading.failure("java.io.EOFException (the JKS file ends inside an entry)")
    guard reader.u32() == jksMagic, let version = reader.u32() else { return eof }
    guard version == 1 || version == 2 else { return .failure("java.io.IOException: Invalid keystore format") }
    guard let count = reader.u32() else { return eof }
    var byAlias: [String: Int] = [:]
    var trusted: [[UInt8]?] = []
    func certificate() -> [UInt8]? {
      if version == 2 { guard reader.utf() != nil else { return nil } }
      guard let length = reader.u32(), let der = reader.bytes(Int(length)) else { return nil }
      return Array(der)
    }
    for _ in 0..<count {
      guard let tag = reader.u32() else { return eof }
      guard tag == 1 || tag == 2 else { return .failure("java.io.IOException: Unrecognized keystore entry: \(tag)") }
      guard let alias = reader.utf(), reader.bytes(8) != nil else { return eof }
      var chosen: [UInt8]?
      if tag == 1 {
        guard let keyLength = reader.u32(), reader.bytes(Int(keyLength)) != nil, let chain = reader.u32() else {
          return eof
        }
        for index in 0..<chain {
          guard let der = certificate() else { return eof }
          guard decodes(der) else { return unparsed(alias) }
          if index == 0 { chosen = der }
        }
      } else {
        guard let der = certificate() else { return eof }
        guard decodes(der) else { return unparsed(alias) }
        chosen = der
      }
      let key = alias.lowercased()
      if let earlier = byAlias[key] { trusted[earlier] = nil }
      byAlias[key] = trusted.count
      trusted.append(chosen)
    }
    if let password {
      let read = reader.offset
      var keyed: [UInt8] = []
      for unit in password.utf16 { keyed += [UInt8(unit >> 8), UInt8(unit & 0xff)] }
      keyed += Array("Mighty Aphrodite".utf8)
      let digest = (keyed + bytes[..<read]).withUnsafeBytes { Digests.raw($0, Digests.sha1) }
      guard let stored = reader.bytes(20) else { return eof }
      guard let digest, digest == Array(stored) else {
        return .failure("java.io.IOException: Keystore was tampered with, or password was incorrect")
      }
    }
    return .certificates(trusted.compactMap { $0 }, format: "JKS")
  }

  /// Java's CertificateFactory throws on every certificate of the file, a key entry's whole chain too.
  static func unparsed(_ alias: String) -> Reading {
    .failure("java.security.cert.CertificateException: a certificate of entry \(alias.capped(200)) does not parse")
  }

  static func readPKCS12(_ bytes: [UInt8], password: String?) -> Reading {
    var blocks: UnsafeMutablePointer<tg_pem_block>?
    var aliases: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    let count = bytes.withUnsafeBufferPointer { buffer in
      if let password {
        return password.withCString { tg_pkcs12_java_trusted(buffer.baseAddress, buffer.count, $0, &blocks, &aliases) }
      }
      return tg_pkcs12_java_trusted(buffer.baseAddress, buffer.count, nil, &blocks, &aliases)
    }
    defer {
      tg_pem_blocks_free(blocks, max(count, 0))
      tg_aliases_free(aliases, max(count, 0))
    }
    switch count {
    case -1: return .failure("java.io.IOException: the file is neither a JKS nor a PKCS #12 keystore")
    case -2:
      return .failure("java.io.IOException: Integrity check failed: Failed PKCS12 integrity checking (the password)")
    case -3: return .failure("java.io.IOException: keystore password was incorrect")
    case -4: return .failure("java.io.IOException: an iteration count above Java's limit of 5,000,000")
    case -6:
      return .failure("more than 10,000,000 key derivation iterations in all, which trustgate does not spend")
    case ..<0: return .failure("java.io.IOException: a PKCS #12 safe Java cannot read")
    default: break
    }
    var byAlias: [String: Int] = [:]
    var trusted: [[UInt8]?] = []
    for index in 0..<Int(count) {
      guard let block = blocks?[index], let der = block.der else { continue }
      let bytes = Array(UnsafeBufferPointer(start: der, count: block.length))
      if let name = aliases?[index] {
        let key = String(cString: name).lowercased()
        if let earlier = byAlias[key] { trusted[earlier] = nil }
        byAlias[key] = trusted.count
      }
      trusted.append(bytes)
    }
    return .certificates(trusted.compactMap { $0 }, format: "PKCS #12")
  }

  /// Whether the DER is a certificate: its structure, read with the template the store's index uses (not
  /// `d2i_X509`, whose public-key decoding through OpenSSL 3's decoders costs ~0.3 ms a certificate: 45 ms for
  /// Debian's cacerts, on every run of a host with a JDK).
  static func decodes(_ der: [UInt8]) -> Bool {
    var hash: UInt = 0
    return der.withUnsafeBufferPointer { tg_x509_decodes($0.baseAddress, $0.count, &hash) == 1 }
  }
}

/// Java's `DataInputStream` over bytes: big-endian integers and `readUTF` strings; nil past the end.
struct BigEndianReader {
  let bytes: [UInt8]
  var offset = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  mutating func bytes(_ count: Int) -> ArraySlice<UInt8>? {
    guard count >= 0, count <= bytes.count - offset else { return nil }
    defer { offset += count }
    return bytes[offset..<offset + count]
  }

  mutating func u32() -> UInt32? {
    bytes(4).map { $0.reduce(0) { $0 << 8 | UInt32($1) } }
  }

  /// `readUTF`: a two-byte length, then modified UTF-8 (read here as UTF-8, invalid bytes replaced).
  mutating func utf() -> String? {
    guard let high = bytes(1)?.first, let low = bytes(1)?.first, let text = bytes(Int(high) << 8 | Int(low)) else {
      return nil
    }
    return String(decoding: text, as: UTF8.self)
  }
}

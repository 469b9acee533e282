import COpenSSL

#if canImport(Glibc)
  import Glibc
#endif

/// An error from OpenSSL, with the library's own messages drained from its error queue.
public struct OpenSSLError: Error, Sendable, CustomStringConvertible {
  public var operation: String
  public var messages: [String]

  static func drain(_ operation: String) -> OpenSSLError {
    var messages: [String] = []
    while true {
      let code = ERR_get_error()
      if code == 0 { break }
      var buffer = [CChar](repeating: 0, count: 256)
      ERR_error_string_n(code, &buffer, buffer.count)
      messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return OpenSSLError(operation: operation, messages: messages)
  }

  public var description: String {
    messages.isEmpty ? "\(operation) failed" : "\(operation) failed: \(messages.joined(separator: "; "))"
  }
}

/// Parses DER certificates into trustgate's `Certificate` value.
///
/// OpenSSL 3's `d2i_X509` decodes every public key through its provider framework (~100 µs a certificate); a CA
/// bundle never needs the key. So the certificate's outer structure is walked here, and OpenSSL parses each part
/// trustgate records: names (`d2i_X509_NAME`, printed RFC 2253 and hashed as `openssl rehash` does), validity
/// (`d2i_ASN1_TIME`), extensions (`d2i_X509_EXTENSIONS`), and the fingerprints (`EVP_Digest`).
public enum X509Parser {
  /// One certificate from DER bytes. With `trusted` (OpenSSL `TRUSTED CERTIFICATE`), trust attributes may follow.
  public static func certificate(der: [UInt8], trusted: Bool = false) throws(OpenSSLError) -> Certificate {
    let result: Result<Certificate, OpenSSLError> = der.withUnsafeBufferPointer { buffer in
      do throws(OpenSSLError) {
        return .success(try parse(buffer, trusted: trusted))
      } catch { return .failure(error) }
    }
    ERR_clear_error()
    return try result.get()
  }

  static func parse(_ bytes: UnsafeBufferPointer<UInt8>, trusted: Bool) throws(OpenSSLError) -> Certificate {
    var reader = DERReader(bytes)
    guard let certificate = reader.next(), certificate.tag == 0x30 else { throw malformed("no certificate SEQUENCE") }
    if !trusted && reader.offset != bytes.count { throw malformed("\(bytes.count - reader.offset) bytes after the certificate") }
    var outer = DERReader(bytes, certificate.content)
    guard let tbs = outer.next(), tbs.tag == 0x30, let algorithm = outer.next(), algorithm.tag == 0x30,
      let signature = outer.next(), signature.tag == 0x03, outer.atEnd
    else { throw malformed("certificate is not tbsCertificate, signatureAlgorithm, signature") }
    var fields = DERReader(bytes, tbs.content)
    var field = fields.next()
    if field?.tag == 0xA0 { field = fields.next() }
    guard let serial = field, serial.tag == 0x02 else { throw malformed("no serial number") }
    guard let sigAlg = fields.next(), sigAlg.tag == 0x30, let issuer = fields.next(), issuer.tag == 0x30,
      let validity = fields.next(), validity.tag == 0x30, let subject = fields.next(), subject.tag == 0x30,
      let key = fields.next(), key.tag == 0x30
    else { throw malformed("tbsCertificate fields out of order") }
    var extensions: DERReader.Element?
    while let optional = fields.next() {
      if optional.tag == 0xA3 { extensions = optional }
    }
    var times = DERReader(bytes, validity.content)
    guard let notBefore = times.next(), let notAfter = times.next() else { throw malformed("no validity dates") }
    let der = UnsafeBufferPointer(rebasing: bytes[certificate.whole])
    let subjectName = try Name(bytes, subject)
    // Roots name themselves as issuer: the same bytes are one name, parsed and printed once.
    let sameName = bytes[issuer.whole].elementsEqual(bytes[subject.whole])
    let issuerName = sameName ? subjectName : try Name(bytes, issuer)
    let subjectText = subjectName.text
    let extensionSet = try extensions.map { element throws(OpenSSLError) -> Extensions in
      var inner = DERReader(bytes, element.content)
      guard let sequence = inner.next(), sequence.tag == 0x30 else { throw malformed("extensions are not a SEQUENCE") }
      return try Extensions(bytes, sequence)
    }
    return Certificate(
      sha256: Digests.hex(der, Digests.sha256), sha1: Digests.hex(der, Digests.sha1),
      subject: subjectText, issuer: sameName ? subjectText : issuerName.text, serial: serialHex(bytes[serial.content]),
      notBefore: try time(bytes, notBefore), notAfter: try time(bytes, notAfter),
      isCA: extensionSet?.isCA ?? false, selfSigned: sameName || X509_NAME_cmp(subjectName.pointer, issuerName.pointer) == 0,
      hasKeyUsage: extensionSet?.has(NID_key_usage) ?? false,
      hasSubjectKeyIdentifier: extensionSet?.has(NID_subject_key_identifier) ?? false,
      hasAuthorityKeyIdentifier: extensionSet?.has(NID_authority_key_identifier) ?? false,
      subjectHash: hex8(UInt32(truncatingIfNeeded: X509_NAME_hash_ex(subjectName.pointer, nil, nil, nil))))
  }

  static func malformed(_ what: String) -> OpenSSLError {
    OpenSSLError(operation: "reading a DER certificate", messages: [what])
  }

  /// Like `BN_bn2hex`: uppercase, two digits a byte, leading zero bytes dropped.
  static func serialHex(_ content: Slice<UnsafeBufferPointer<UInt8>>) -> String {
    var bytes = content.drop { $0 == 0 }
    if content.first.map({ $0 & 0x80 != 0 }) == true { bytes = content[...] }
    return bytes.isEmpty ? "0" : hex(bytes).uppercased()
  }

  static func time(_ bytes: UnsafeBufferPointer<UInt8>, _ element: DERReader.Element) throws(OpenSSLError) -> String {
    var cursor: UnsafePointer<UInt8>? = bytes.baseAddress.map { $0 + element.whole.lowerBound }
    guard let parsed = d2i_ASN1_TIME(nil, &cursor, element.whole.count) else { throw .drain("reading a validity date") }
    defer { ASN1_TIME_free(parsed) }
    var tm = tm()
    guard ASN1_TIME_to_tm(parsed, &tm) == 1 else { throw malformed("invalid validity date") }
    return isoTimestamp(
      year: Int(tm.tm_year) + 1900, month: Int(tm.tm_mon) + 1, day: Int(tm.tm_mday), hour: Int(tm.tm_hour),
      minute: Int(tm.tm_min), second: Int(tm.tm_sec))
  }
}

/// An `X509_NAME` parsed by OpenSSL; owned and freed here.
final class Name {
  let pointer: OpaquePointer

  init(_ bytes: UnsafeBufferPointer<UInt8>, _ element: DERReader.Element) throws(OpenSSLError) {
    var cursor: UnsafePointer<UInt8>? = bytes.baseAddress.map { $0 + element.whole.lowerBound }
    guard let parsed = d2i_X509_NAME(nil, &cursor, element.whole.count) else { throw .drain("reading a distinguished name") }
    pointer = parsed
  }

  deinit { X509_NAME_free(pointer) }

  /// RFC 2253 with UTF-8 kept as is (`openssl x509 -nameopt RFC2253,-esc_msb`).
  var text: String {
    guard let bio = BIO_new(BIO_s_mem()) else { return "" }
    defer { BIO_free(bio) }
    X509_NAME_print_ex(bio, pointer, 0, tg_name_flags())
    var data: UnsafeMutablePointer<CChar>?
    let count = tg_bio_get_mem_data(bio, &data)
    guard let data, count > 0 else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: data, count: Int(count)), as: UTF8.self)
  }
}

/// A certificate's extensions parsed by OpenSSL; owned and freed here.
final class Extensions {
  let pointer: OpaquePointer

  init(_ bytes: UnsafeBufferPointer<UInt8>, _ element: DERReader.Element) throws(OpenSSLError) {
    var cursor: UnsafePointer<UInt8>? = bytes.baseAddress.map { $0 + element.whole.lowerBound }
    guard let parsed = tg_d2i_extensions(&cursor, element.whole.count) else { throw .drain("reading extensions") }
    pointer = parsed
  }

  deinit { tg_extensions_free(pointer) }

  func has(_ nid: Int32) -> Bool { tg_extensions_has(pointer, nid) == 1 }
  var isCA: Bool { tg_extensions_is_ca(pointer) == 1 }
}

/// SHA-256 and SHA-1 fetched from the default provider once, not per certificate.
enum Digests {
  nonisolated(unsafe) static let sha256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)
  nonisolated(unsafe) static let sha1: OpaquePointer? = EVP_MD_fetch(nil, "SHA1", nil)

  static func hex(_ data: UnsafeBufferPointer<UInt8>, _ md: OpaquePointer?) -> String {
    raw(UnsafeRawBufferPointer(data), md).map { TrustgateCore.hex($0) } ?? ""
  }

  /// The digest's bytes; nil only when OpenSSL fails (out of memory).
  static func raw(_ data: UnsafeRawBufferPointer, _ md: OpaquePointer?) -> [UInt8]? {
    var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    guard EVP_Digest(data.baseAddress, data.count, &out, &length, md, nil) == 1 else { return nil }
    return Array(out.prefix(Int(length)))
  }
}

/// A minimal DER reader: tag, length and content ranges of consecutive elements (definite lengths only).
struct DERReader {
  struct Element {
    var tag: UInt8
    var whole: Range<Int>
    var content: Range<Int>
  }

  let bytes: UnsafeBufferPointer<UInt8>
  var offset: Int
  let end: Int

  init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>? = nil) {
    self.bytes = bytes
    offset = range?.lowerBound ?? 0
    end = range?.upperBound ?? bytes.count
  }

  var atEnd: Bool { offset >= end }

  mutating func next() -> Element? {
    let start = offset
    guard offset + 2 <= end else { return nil }
    let tag = bytes[offset]
    if tag & 0x1F == 0x1F { return nil }
    var length = Int(bytes[offset + 1])
    var header = 2
    if length & 0x80 != 0 {
      let count = length & 0x7F
      guard count >= 1, count <= 4, offset + 2 + count <= end else { return nil }
      length = 0
      for i in 0..<count { length = (length << 8) | Int(bytes[offset + 2 + i]) }
      header += count
    }
    guard length >= 0, offset + header + length <= end else { return nil }
    offset += header + length
    return Element(tag: tag, whole: start..<offset, content: (start + header)..<offset)
  }
}

/// The OpenSSL library trustgate runs with, and its compiled-in trust defaults.
public enum OpenSSLLibrary {
  /// Initialises libcrypto without its exit handler. trustgate exits (an input error, exit 2) while collectors may
  /// still be parsing certificates on other threads; OpenSSL's atexit cleanup frees the locks those threads hold and
  /// they crash (SIGSEGV in pthread_rwlock_wrlock). Called first thing in `main`; the process frees everything anyway.
  ///
  /// The configuration OPENSSL_CONF names is read whole at this point: a FIFO or a device there hung the run (as it
  /// hangs `openssl` and Python), a huge file would be read whole. Such a file is left unread; trustgate's own
  /// verification sets its parameters itself and does not depend on it.
  public static func initialiseWithoutExitHandler() {
    var options = UInt64(OPENSSL_INIT_NO_ATEXIT)
    if let named = getenv("OPENSSL_CONF"), !isReadableConfiguration(String(cString: named)) {
      options |= UInt64(OPENSSL_INIT_NO_LOAD_CONFIG)
    }
    _ = OPENSSL_init_crypto(options, nil)
  }

  /// A regular file of at most 1 MiB (following links), or nothing at all (OpenSSL then reports it missing).
  static func isReadableConfiguration(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0 else { return true }
    return info.st_mode & S_IFMT == S_IFREG && info.st_size <= 1 << 20
  }

  public static var version: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }
  public static var defaultCertFile: String { String(cString: X509_get_default_cert_file()) }
  public static var defaultCertDir: String { String(cString: X509_get_default_cert_dir()) }
  public static var certFileEnv: String { String(cString: X509_get_default_cert_file_env()) }
  public static var certDirEnv: String { String(cString: X509_get_default_cert_dir_env()) }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

func hex(_ bytes: some Sequence<UInt8>) -> String {
  var out: [UInt8] = []
  for b in bytes {
    out.append(hexDigits[Int(b >> 4)])
    out.append(hexDigits[Int(b & 0xf)])
  }
  return String(decoding: out, as: UTF8.self)
}

func hex8(_ value: UInt32) -> String {
  hex([UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)])
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
func isoTimestamp(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> String {
  func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
  }
  return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))Z"
}

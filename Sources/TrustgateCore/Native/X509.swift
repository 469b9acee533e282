import COpenSSL

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

/// An OpenSSL `X509` object parsed from DER; owns it and frees it. Only `Native/` sees the C pointer.
final class X509Object {
  let pointer: OpaquePointer

  /// Parses one DER certificate (with OpenSSL's trust attributes after it when `trusted`).
  init(der: UnsafeRawBufferPointer, trusted: Bool) throws(OpenSSLError) {
    guard let base = der.baseAddress?.assumingMemoryBound(to: UInt8.self), der.count > 0 else {
      throw OpenSSLError(operation: "reading a certificate", messages: ["no data"])
    }
    var cursor: UnsafePointer<UInt8>? = base
    let parsed = trusted ? d2i_X509_AUX(nil, &cursor, der.count) : d2i_X509(nil, &cursor, der.count)
    guard let parsed else { throw OpenSSLError.drain("parsing a DER certificate") }
    pointer = parsed
  }

  deinit { X509_free(pointer) }

  func digest(_ md: OpaquePointer?) -> String {
    var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    guard X509_digest(pointer, md, &out, &length) == 1 else { return "" }
    return hex(out.prefix(Int(length)))
  }

  func name(_ name: OpaquePointer?) -> String {
    guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
    defer { BIO_free(bio) }
    X509_NAME_print_ex(bio, name, 0, tg_name_flags())
    var data: UnsafeMutablePointer<CChar>?
    let count = tg_bio_get_mem_data(bio, &data)
    guard let data, count > 0 else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: data, count: Int(count)), as: UTF8.self)
  }

  func serial() -> String {
    guard let integer = X509_get_serialNumber(pointer), let bn = ASN1_INTEGER_to_BN(integer, nil) else { return "" }
    defer { BN_free(bn) }
    guard let text = BN_bn2hex(bn) else { return "" }
    defer { tg_openssl_free(text) }
    return String(cString: text)
  }

  func time(_ t: UnsafePointer<ASN1_TIME>?) -> String {
    var tm = tm()
    guard let t, ASN1_TIME_to_tm(t, &tm) == 1 else { return "" }
    return isoTimestamp(
      year: Int(tm.tm_year) + 1900, month: Int(tm.tm_mon) + 1, day: Int(tm.tm_mday), hour: Int(tm.tm_hour),
      minute: Int(tm.tm_min), second: Int(tm.tm_sec))
  }

  func hasExtension(_ nid: Int32) -> Bool { X509_get_ext_by_NID(pointer, nid, -1) >= 0 }

  var certificate: Certificate {
    let flags = X509_get_extension_flags(pointer)
    return Certificate(
      sha256: digest(EVP_sha256()), sha1: digest(EVP_sha1()),
      subject: name(X509_get_subject_name(pointer)), issuer: name(X509_get_issuer_name(pointer)),
      serial: serial(), notBefore: time(X509_get0_notBefore(pointer)), notAfter: time(X509_get0_notAfter(pointer)),
      isCA: flags & UInt32(EXFLAG_CA) != 0, selfSigned: flags & UInt32(EXFLAG_SS) != 0,
      hasKeyUsage: hasExtension(NID_key_usage), hasSubjectKeyIdentifier: hasExtension(NID_subject_key_identifier),
      hasAuthorityKeyIdentifier: hasExtension(NID_authority_key_identifier),
      subjectHash: hex8(UInt32(truncatingIfNeeded: X509_subject_name_hash(pointer))))
  }
}

/// Parses DER certificates into trustgate's `Certificate` value.
public enum X509Parser {
  /// One certificate from DER bytes; `trusted` for OpenSSL `TRUSTED CERTIFICATE` entries (DER + trust attributes).
  public static func certificate(der: [UInt8], trusted: Bool = false) throws(OpenSSLError) -> Certificate {
    let result: Result<Certificate, OpenSSLError> = der.withUnsafeBytes { raw in
      do throws(OpenSSLError) {
        return .success(try X509Object(der: raw, trusted: trusted).certificate)
      } catch { return .failure(error) }
    }
    ERR_clear_error()
    return try result.get()
  }
}

/// The OpenSSL library trustgate runs with, and its compiled-in trust defaults.
public enum OpenSSLLibrary {
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

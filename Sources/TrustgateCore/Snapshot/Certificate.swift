import Synchronization

/// One X.509 certificate as trustgate records it. Stored once per snapshot in `Snapshot.certificates`, keyed by
/// its SHA-256 fingerprint; trust sources list fingerprints.
public struct Certificate: Codable, Sendable, Hashable {
  /// SHA-256 of the DER encoding, lowercase hex without separators.
  public var sha256: String
  /// SHA-1 of the DER encoding, lowercase hex (vendors publish SHA-1 thumbprints).
  public var sha1: String
  /// Subject and issuer in RFC 2253 form.
  public var subject: String
  public var issuer: String
  /// Serial number, uppercase hex.
  public var serial: String
  /// Validity, ISO 8601 UTC (`2031-01-01T00:00:00Z`).
  public var notBefore: String
  public var notAfter: String
  /// basicConstraints CA:TRUE.
  public var isCA: Bool
  public var selfSigned: Bool
  public var hasKeyUsage: Bool
  public var hasSubjectKeyIdentifier: Bool
  public var hasAuthorityKeyIdentifier: Bool
  /// OpenSSL's subject name hash (`openssl x509 -subject_hash`), 8 lowercase hex digits: the name of hashed-directory links.
  public var subjectHash: String

  public init(
    sha256: String, sha1: String, subject: String, issuer: String, serial: String, notBefore: String,
    notAfter: String, isCA: Bool, selfSigned: Bool, hasKeyUsage: Bool, hasSubjectKeyIdentifier: Bool,
    hasAuthorityKeyIdentifier: Bool, subjectHash: String
  ) {
    self.sha256 = sha256
    self.sha1 = sha1
    self.subject = subject
    self.issuer = issuer
    self.serial = serial
    self.notBefore = notBefore
    self.notAfter = notAfter
    self.isCA = isCA
    self.selfSigned = selfSigned
    self.hasKeyUsage = hasKeyUsage
    self.hasSubjectKeyIdentifier = hasSubjectKeyIdentifier
    self.hasAuthorityKeyIdentifier = hasAuthorityKeyIdentifier
    self.subjectHash = subjectHash
  }

  /// Python 3.13's VERIFY_X509_STRICT rejects a CA certificate without keyUsage (and chains missing key identifiers).
  public var passesStrictVerification: Bool { !isCA || (hasKeyUsage && hasSubjectKeyIdentifier) }

  /// The subject's common name (else its first organisational unit, else the whole subject), escapes undone:
  /// `CN=Weird\, Inc,O=Example` → `Weird, Inc`. What messages call a certificate.
  public var displayName: String { DistinguishedName.displayName(subject) }

  public func isExpired(at now: String) -> Bool { notAfter < now }
  public func isNotYetValid(at now: String) -> Bool { notBefore > now }
}

/// What was read from one PEM bundle, DER file or directory of certificates.
public struct CertificateSet: Codable, Sendable, Hashable {
  /// SHA-256 fingerprints in file order (directories: by file name), duplicates kept.
  public var certificates: [String] { didSet { memo = DistinctMemo() } }
  /// Entries that did not parse.
  public var unparsable: Int
  /// Certificates expired / not yet valid at collection time.
  public var expired: Int
  public var notYetValid: Int
  /// How each client library's PEM reader loads the file, by reading (`openssl`, `go`, `rustls`, `node`, `gnutls`),
  /// when one of them does not take every certificate above: a text with a malformed block, two files joined
  /// without a newline, an indented BEGIN, other kinds of blocks. Nil for a plain bundle, which every reader takes
  /// whole (absent from JSON).
  public var readings: [String: Reading]?
  /// `distinct`, built on first use: reports, verdicts and rules ask a store for it many times in one run.
  private var memo = DistinctMemo()

  /// What one PEM reader loads of a file (`CertificateSet.readings`).
  public struct Reading: Codable, Sendable, Hashable {
    /// Distinct certificates it loads, and those of them valid at collection time.
    public var certificates: Int
    public var valid: Int
    /// GnuTLS refuses the whole file (a block it cannot read): libcurl stops before connecting.
    public var refused: Bool?
    /// OpenSSL's reader stops at a bad block and loads nothing (Python raises "[X509] PEM lib").
    public var malformed: Bool?

    public init(certificates: Int, valid: Int, refused: Bool = false, malformed: Bool = false) {
      self.certificates = certificates
      self.valid = valid
      self.refused = refused ? true : nil
      self.malformed = malformed ? true : nil
    }
  }

  enum CodingKeys: String, CodingKey { case certificates, unparsable, expired, notYetValid, readings }

  public init(certificates: [String] = [], unparsable: Int = 0, expired: Int = 0, notYetValid: Int = 0) {
    self.certificates = certificates
    self.unparsable = unparsable
    self.expired = expired
    self.notYetValid = notYetValid
  }

  public var count: Int { certificates.count }
  public var distinct: Set<String> { memo.value { Set(certificates) } }
  public var duplicates: Int { certificates.count - distinct.count }

  public static func == (a: CertificateSet, b: CertificateSet) -> Bool {
    a.certificates == b.certificates && a.unparsable == b.unparsable && a.expired == b.expired
      && a.notYetValid == b.notYetValid && a.readings == b.readings
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(certificates)
    hasher.combine(unparsable)
    hasher.combine(expired)
    hasher.combine(notYetValid)
    hasher.combine(readings)
  }

  /// A set computed once for the fingerprints it was made beside (a new memo comes with every change to them).
  final class DistinctMemo: Sendable {
    private let set = Mutex<Set<String>?>(nil)

    func value(_ make: () -> Set<String>) -> Set<String> {
      set.withLock { set in
        if let set { return set }
        let made = make()
        set = made
        return made
      }
    }
  }
}

/// Reads names printed by OpenSSL in RFC 2253 form (`X509_NAME_print_ex` with `XN_FLAG_RFC2253`): most specific
/// attribute first, `,` between RDNs, `+` inside one, and `\,`, `\+`, `\"`, `\\`, `\<`, `\>`, `\;`, `\=`, a leading
/// `\#` or `\ `, a trailing `\ ` and `\XX` (a byte in hex) as escapes (RFC 2253 §2.4).
public enum DistinguishedName {
  /// Every attribute in order, values unescaped; a value written `#…` (BER in hex) is kept as written.
  public static func attributes(_ name: String) -> [(type: String, value: String)] {
    var attributes: [(type: String, value: String)] = []
    var type = ""
    var value: [UInt8] = []
    var readingValue = false
    var quoted = false
    var bytes = Array(name.utf8)[...]
    func finish() {
      let text = String(decoding: value, as: UTF8.self)
      if readingValue || !type.isEmpty {
        attributes.append((String(type.drop { $0 == " " }), readingValue ? text : ""))
      }
      type = ""
      value = []
      readingValue = false
      quoted = false
    }
    while let byte = bytes.popFirst() {
      guard readingValue else {
        if byte == UInt8(ascii: "=") {
          readingValue = true
        } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ";") {
          finish()
        } else {
          type.unicodeScalars.append(Unicode.Scalar(byte))
        }
        continue
      }
      switch byte {
      case UInt8(ascii: "\\"):
        guard let next = bytes.popFirst() else { continue }
        if let high = hexValue(next), let low = bytes.first.flatMap(hexValue) {
          bytes.removeFirst()
          value.append(high << 4 | low)
        } else {
          value.append(next)
        }
      case UInt8(ascii: "\""):
        quoted.toggle()
      case UInt8(ascii: ","), UInt8(ascii: "+"), UInt8(ascii: ";"):
        if quoted { value.append(byte) } else { finish() }
      default:
        value.append(byte)
      }
    }
    finish()
    return attributes
  }

  /// The first `CN`, else the first `OU`, else the whole name: how messages name a certificate.
  public static func displayName(_ name: String) -> String {
    let parsed = attributes(name)
    for wanted in ["CN", "OU"] {
      if let match = parsed.first(where: { $0.type.uppercased() == wanted }) { return match.value }
    }
    return name
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
  }
}


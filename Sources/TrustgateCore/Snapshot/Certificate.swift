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

  public func isExpired(at now: String) -> Bool { notAfter < now }
  public func isNotYetValid(at now: String) -> Bool { notBefore > now }
}

/// What was read from one PEM bundle, DER file or directory of certificates.
public struct CertificateSet: Codable, Sendable, Hashable {
  /// SHA-256 fingerprints in file order (directories: by file name), duplicates kept.
  public var certificates: [String]
  /// Entries that did not parse.
  public var unparsable: Int
  /// Certificates expired / not yet valid at collection time.
  public var expired: Int
  public var notYetValid: Int

  public init(certificates: [String] = [], unparsable: Int = 0, expired: Int = 0, notYetValid: Int = 0) {
    self.certificates = certificates
    self.unparsable = unparsable
    self.expired = expired
    self.notYetValid = notYetValid
  }

  public var count: Int { certificates.count }
  public var distinct: Set<String> { Set(certificates) }
  public var duplicates: Int { certificates.count - distinct.count }
}

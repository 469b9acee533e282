import COpenSSL
import Synchronization

/// The verification flags a client sets on its context, as OpenSSL's `X509_V_FLAG_*`.
public struct VerificationFlags: OptionSet, Sendable, Hashable, Codable {
  public let rawValue: Int
  public init(rawValue: Int) { self.rawValue = rawValue }

  /// `X509_V_FLAG_X509_STRICT` (`ssl.VERIFY_X509_STRICT`).
  public static let x509Strict = VerificationFlags(rawValue: 1)
  /// `X509_V_FLAG_PARTIAL_CHAIN` (`ssl.VERIFY_X509_PARTIAL_CHAIN`).
  public static let partialChain = VerificationFlags(rawValue: 2)
  /// No fallback to the subject's common name when the leaf has no DNS name (`hostname_checks_common_name = False`,
  /// Go, webpki): `X509_CHECK_FLAG_NEVER_CHECK_SUBJECT` in the host check, no verify flag.
  public static let noCommonName = VerificationFlags(rawValue: 4)
  /// curl's own host check: no common name when the subjectAltName holds any DNS name or IP address (an IP-only one
  /// makes a host name fail), where OpenSSL's falls back to it while no DNS name is there; with neither, an address
  /// is compared with the common name, where OpenSSL's address check never reads it.
  public static let noCommonNameBesideAltNames = VerificationFlags(rawValue: 8)
  /// Go's crypto/x509 in place of OpenSSL's `ssl_server` purpose: an issuer signs only as `CheckSignatureFrom` lets
  /// it (a version 3 one needs basicConstraints cA, keyCertSign when it has a keyUsage: a root too, which OpenSSL
  /// never asks), every extended key usage in the chain names serverAuth or any (no SGC usage), and a leaf's keyUsage
  /// is not read.
  public static let goChainRules = VerificationFlags(rawValue: 16)
  /// Java's (sun.security.validator, OpenJDK 17) in place of the purpose: the trust anchor of a longer chain must be
  /// a CA (basicConstraints cA on a version 3 one, keyCertSign when it has a keyUsage), but its dates, path length,
  /// critical extensions and nameConstraints are not read; extended key usage is read on the leaf alone, whose
  /// keyUsage must allow digitalSignature (TLS 1.3 and ECDHE).
  public static let javaChainRules = VerificationFlags(rawValue: 32)
  /// GnuTLS's (libcurl-gnutls: git on Debian) in place of the purpose: no extended key usage anywhere, a self-issued
  /// root without basicConstraints is a CA, and the handshake refuses a leaf whose keyUsage lacks digitalSignature.
  public static let gnuTLSChainRules = VerificationFlags(rawValue: 64)
  /// Revocation checked (Java's `com.sun.net.ssl.checkRevocation=true`): with nothing fetched (the JDK's defaults)
  /// every certificate below the trust anchor fails, as no server in a chain file staples a status.
  public static let revocationRequired = VerificationFlags(rawValue: 128)
  /// With `revocationRequired`: CRLs are fetched (`com.sun.security.enableCRLDP=true`), so a certificate that names
  /// a CRL distribution point may pass (its CRL is on the network, taken as found); one that names none fails.
  public static let fetchesCRLs = VerificationFlags(rawValue: 256)
  /// webpki's (rustls: uv) in place of the purpose: nothing of the trust anchor but its subject, key and
  /// nameConstraints is read; every extended key usage below it names serverAuth; no keyUsage is read.
  public static let webpkiChainRules = VerificationFlags(rawValue: 512)

  var openSSL: UInt {
    var value: UInt = 0
    if contains(.x509Strict) { value |= UInt(X509_V_FLAG_X509_STRICT) }
    if contains(.partialChain) { value |= UInt(X509_V_FLAG_PARTIAL_CHAIN) }
    return value
  }

  /// The names `openssl verify` takes for them, for messages and the oracle in tests.
  public var names: [String] {
    (contains(.x509Strict) ? ["x509_strict"] : []) + (contains(.partialChain) ? ["partial_chain"] : [])
      + (contains(.noCommonName) ? ["no_common_name"] : [])
      + (contains(.noCommonNameBesideAltNames) ? ["no_common_name_beside_alt_names"] : [])
      + (contains(.goChainRules) ? ["go_chain_rules"] : [])
      + (contains(.javaChainRules) ? ["java_chain_rules"] : [])
      + (contains(.gnuTLSChainRules) ? ["gnutls_chain_rules"] : [])
      + (contains(.webpkiChainRules) ? ["webpki_chain_rules"] : [])
      + (contains(.revocationRequired) ? ["revocation_required"] : [])
      + (contains(.fetchesCRLs) ? ["fetches_crls"] : [])
  }
}

/// Why a chain file cannot be verified.
public enum ChainError: Error, Sendable, Equatable {
  /// The text is not PEM that OpenSSL reads.
  case unparsable
  /// No certificate in it.
  case empty
  /// It holds a private key (a chain as served never does).
  case privateKey
}

/// A chain as a server sends it: leaf first, then intermediates. Owned and freed here.
public final class CertificateChain: @unchecked Sendable {
  let stack: OpaquePointer
  /// Certificates in the chain.
  public let count: Int

  public init(pem: [UInt8]) throws(ChainError) {
    var keys: Int32 = 0
    var other: Int32 = 0
    let stack = pem.withUnsafeBufferPointer { buffer in
      tg_read_chain(buffer.baseAddress, Int32(clamping: buffer.count), &keys, &other)
    }
    ERR_clear_error()
    guard let stack else { throw .unparsable }
    let count = Int(tg_chain_count(stack))
    if keys > 0 {
      tg_chain_free(stack)
      throw .privateKey
    }
    if count == 0 {
      tg_chain_free(stack)
      throw .empty
    }
    self.stack = stack
    self.count = count
  }

  /// One certificate of an indexed CA file, sharing its decoding with the stores that hold it.
  init(_ certificate: DecodedCertificate) throws(ChainError) {
    guard let x509 = certificate.x509(), let stack = tg_chain_of(x509) else {
      ERR_clear_error()
      throw .unparsable
    }
    self.stack = stack
    count = 1
  }

  deinit { tg_chain_free(stack) }
}

/// One certificate of an indexed CA file, decoded as `d2i_X509` reads it at most once a run, however many stores and
/// chains of the run take it (each takes its own reference: `X509_STORE_add_cert`, `tg_chain_of`).
final class DecodedCertificate: @unchecked Sendable {
  let der: [UInt8]
  /// nil until decoded; then the X509 owned here, or nil inside when `d2i_X509` refused the bytes.
  private let decoded = Mutex<OpaquePointer??>(nil)

  init(der: [UInt8]) { self.der = der }

  /// The decoded certificate, owned by this object; nil when OpenSSL does not load these bytes.
  func x509() -> OpaquePointer? {
    decoded.withLock { decoded in
      if let known = decoded { return known }
      let made = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
        var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
        return d2i_X509(nil, &cursor, buffer.count)
      }
      ERR_clear_error()
      decoded = .some(made)
      return made
    }
  }

  deinit {
    if case .some(.some(let x509)) = decoded.withLock({ $0 }) { X509_free(x509) }
  }
}

/// A host name to check a leaf against: a DNS name or an IP address.
public struct HostIdentity: Sendable, Equatable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable { case dns, ip }
  public var name: String
  public var kind: Kind

  /// nil when `text` is neither an IP address (OpenSSL's own parser) nor a DNS name (LDH labels of 1–63, ≤ 253).
  public init?(_ text: String) {
    if let address = text.withCString({ a2i_IPADDRESS($0) }) {
      ASN1_OCTET_STRING_free(address)
      self.init(name: text, kind: .ip)
      return
    }
    ERR_clear_error()
    let name = text.hasSuffix(".") ? String(text.dropLast()) : text
    let labels = name.split(separator: ".", omittingEmptySubsequences: false)
    guard !name.isEmpty, name.utf8.count <= 253,
      labels.allSatisfy({ label in
        (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
          && label.utf8.allSatisfy {
            $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0)
              || (0x61...0x7A).contains($0)
          }
      }),
      // An all-digit last label is a mistyped IPv4 address, not a name.
      labels.last.map({ !$0.utf8.allSatisfy { (0x30...0x39).contains($0) } }) == true
    else { return nil }
    self.init(name: text, kind: .dns)
  }

  init(name: String, kind: Kind) {
    self.name = name
    self.kind = kind
  }

  public var description: String { name }
}

/// What `X509_verify_cert` said.
public struct VerificationOutcome: Sendable, Equatable {
  public var verifies: Bool
  /// `X509_V_ERR_*`, 0 when the chain verifies.
  public var code: Int
  /// OpenSSL's own string for `code` (`X509_verify_cert_error_string`), nil when the chain verifies.
  public var error: String?
  /// Depth in the chain where verification failed.
  public var depth: Int?
}

/// Reads one file of a hashed folder by name (`5ed36f99.0`): its bytes, or nil when there is none.
public typealias HashedFolderReader = @Sendable (_ name: String) -> [UInt8]?

/// An `X509_STORE` built the way a client builds its own: CA files added in its order, and hashed folders looked up
/// exactly as OpenSSL's `hash_dir` does — on demand, by the subject hash of the issuer wanted, `<hash>.0`, `<hash>.1`,
/// … until one is missing — but through `HashedFolderReader`s, so files are read inside the inspected tree (a path
/// given to OpenSSL would be opened on the host, escaping `--root`). Owned and freed here.
///
/// CA files are read lazily when they can be: OpenSSL 3.0's `d2i_X509` costs ~200 µs a certificate (it decodes each
/// public key through the provider decoders), and a verification needs the few certificates whose subject is an
/// issuer it looks for. A CA file of plain `CERTIFICATE` blocks that all decode (checked without building the key,
/// `tg_x509_decodes`) is indexed by subject hash; the first lookup of a subject adds every certificate of that subject
/// from every such file, which is what the store holds for that subject had the files been loaded whole, since the
/// store's own objects are searched before any lookup and the file lookup runs before the folders'. Anything else
/// (CRLs, keys, trust attributes, PEM headers, a block that does not decode) is loaded whole, as
/// `X509_load_cert_crl_file` does.
public final class CertificateStore {
  let store: OpaquePointer
  let files: LazyFiles
  let folders: HashedFolders

  public init() throws(OpenSSLError) {
    guard let store = X509_STORE_new() else { throw .drain("creating an X509_STORE") }
    self.store = store
    files = LazyFiles()
    folders = HashedFolders(files: files)
    // The file lookup first: CA files are searched before hashed folders whatever order they were added in.
    guard let method = LazyFiles.method, let lookup = X509_STORE_add_lookup(store, method) else {
      X509_STORE_free(store)
      throw .drain("adding a CA-file lookup")
    }
    X509_LOOKUP_set_method_data(lookup, Unmanaged.passUnretained(files).toOpaque())
  }

  deinit { X509_STORE_free(store) }

  /// Whether a lazily read CA file turned out not to load when a certificate was needed (OpenSSL would have loaded
  /// nothing of it): the verdict then needs a store loaded whole (`add(pem:lazily: false)`).
  public var inexact: Bool { files.inexact }

  /// Adds every certificate of a PEM text, as `X509_load_cert_crl_file` does; the count, 0 when it holds none or does
  /// not parse (then nothing is added — OpenSSL's `no certificate or crl found` / PEM error).
  /// `lazily`: index plain certificate files and parse only the certificates a verification asks for.
  @discardableResult
  public func add(pem: [UInt8], lazily: Bool = true) -> Int {
    add(CAFile(pem), lazily: lazily)
  }

  /// Adds a CA file read (and indexed) once: clients that load the same file in different stores share its index.
  @discardableResult
  public func add(_ file: CAFile, lazily: Bool = true) -> Int {
    defer { ERR_clear_error() }
    if lazily, !files.whole, let entries = file.entries {
      files.entries.append(contentsOf: entries)
      return entries.count
    }
    // A file loaded whole puts subjects in the store's objects that the lazy lookup would then never be asked for:
    // from here on every file is loaded whole.
    files.loadAll(into: store)
    if file.certificateBlocksOnly {
      // Only its certificate blocks, never the text (a TRUSTED CERTIFICATE in it is not Go's).
      var added = 0
      for entry in file.entries ?? [] {
        if let certificate = entry.certificate.x509(), X509_STORE_add_cert(store, certificate) == 1 { added += 1 }
      }
      return added
    }
    let count = file.pem.withUnsafeBufferPointer {
      tg_store_add_pem(store, $0.baseAddress, Int32(clamping: $0.count))
    }
    return Int(count)
  }

  /// Adds a hashed folder, searched after those added before (like `X509_LOOKUP_add_dir`).
  public func addHashedFolder(_ reader: @escaping HashedFolderReader) throws(OpenSSLError) {
    if folders.readers.isEmpty {
      guard let method = HashedFolders.method, let lookup = X509_STORE_add_lookup(store, method) else {
        throw .drain("adding a hashed-folder lookup")
      }
      X509_LOOKUP_set_method_data(lookup, Unmanaged.passUnretained(folders).toOpaque())
    }
    folders.readers.append(reader)
  }

  /// Verifies `chain` (leaf first; the rest untrusted) as a TLS client verifies a server: purpose `ssl_server`, the
  /// client's flags, at `time` (seconds since the epoch), and the host as libssl checks it (`X509_check_host` with
  /// no partial wildcards, or `X509_check_ip_asc`, through the verify parameters).
  /// `securityLevel`: the TLS security level the client's context runs at (libssl turns it into the verify
  /// parameters' auth level: weak keys and SHA-1 signatures fail at 2); nil leaves OpenSSL's verify default.
  public func verify(
    _ chain: CertificateChain, host: HostIdentity?, flags: VerificationFlags, at time: Int64,
    securityLevel: Int? = nil, purpose: String? = "ssl_server"
  ) -> VerificationOutcome {
    defer { ERR_clear_error() }
    guard let context = X509_STORE_CTX_new() else {
      return VerificationOutcome(verifies: false, code: -1, error: "out of memory", depth: nil)
    }
    defer { X509_STORE_CTX_free(context) }
    guard let leaf = tg_chain_value(chain.stack, 0), X509_STORE_CTX_init(context, store, leaf, chain.stack) == 1 else {
      return VerificationOutcome(
        verifies: false, code: -1, error: OpenSSLError.drain("X509_STORE_CTX_init").description)
    }
    // No purpose for a root checked alone: a CA is no TLS server, the question is whether the store trusts it.
    // A client's own rules stand in for the purpose (`tg_client_chain_rules` below), and it forgives what its library
    // does not check (`tg_client_forgives`).
    let library: Int32 =
      purpose == nil ? 0
      : flags.contains(.goChainRules) ? TG_RULES_GO
      : flags.contains(.javaChainRules) ? TG_RULES_JAVA
      : flags.contains(.gnuTLSChainRules) ? TG_RULES_GNUTLS
      : flags.contains(.webpkiChainRules) ? TG_RULES_WEBPKI : 0
    X509_STORE_CTX_set_default(context, library != 0 ? "default" : purpose ?? "default")
    if library != 0 { tg_client_forgives(context, library) }
    let parameters = X509_STORE_CTX_get0_param(context)
    X509_VERIFY_PARAM_set_flags(parameters, flags.openSSL)
    X509_VERIFY_PARAM_set_time(parameters, time_t(time))
    if let securityLevel { X509_VERIFY_PARAM_set_auth_level(parameters, Int32(securityLevel)) }
    if let host {
      switch host.kind {
      case .dns:
        let never =
          flags.contains(.noCommonName)
            || (flags.contains(.noCommonNameBesideAltNames) && tg_has_dns_or_ip_name(leaf) == 1)
          ? UInt32(X509_CHECK_FLAG_NEVER_CHECK_SUBJECT) : 0
        X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS) | never)
        X509_VERIFY_PARAM_set1_host(parameters, host.name, 0)
      case .ip where flags.contains(.noCommonNameBesideAltNames) && tg_has_dns_or_ip_name(leaf) == 0:
        // curl's own check: with no DNS or IP name the last CN is compared with the address, exactly
        // (`Curl_cert_hostcheck`, no wildcard for an address), where OpenSSL's address check never looks at a CN.
        X509_VERIFY_PARAM_set_hostflags(
          parameters, UInt32(X509_CHECK_FLAG_NO_WILDCARDS) | UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        X509_VERIFY_PARAM_set1_host(parameters, host.name, 0)
      case .ip:
        X509_VERIFY_PARAM_set1_ip_asc(parameters, host.name)
      }
    }
    let result = X509_verify_cert(context)
    let code = Int(X509_STORE_CTX_get_error(context))
    if result == 1 && code == X509_V_OK {
      var depth: Int32 = 0
      let chain = X509_STORE_CTX_get0_chain(context)
      var broken = library == 0 ? 0 : tg_client_chain_rules(chain, library, &depth)
      if broken == 0, purpose != nil, flags.contains(.revocationRequired) {
        broken = tg_revocation_sources_missing(chain, flags.contains(.fetchesCRLs) ? 1 : 0, &depth)
      }
      guard let (code, error) = Self.clientRuleErrors[broken] else {
        return VerificationOutcome(verifies: true, code: 0, error: nil, depth: nil)
      }
      return VerificationOutcome(verifies: false, code: Int(code), error: error, depth: Int(depth))
    }
    return VerificationOutcome(
      verifies: false, code: code, error: String(cString: X509_verify_cert_error_string(code)),
      depth: Int(X509_STORE_CTX_get_error_depth(context)))
  }

  /// What `tg_client_chain_rules` answers, as OpenSSL's nearest code and the client's own words.
  static let clientRuleErrors: [Int32: (Int32, String)] = [
    TG_BROKEN_ISSUER: (X509_V_ERR_INVALID_CA, "parent certificate cannot sign this kind of certificate"),
    TG_BROKEN_CHAIN_EKU: (X509_V_ERR_INVALID_PURPOSE, "incompatible key usage"),
    TG_BROKEN_ANCHOR_NOT_CA: (X509_V_ERR_INVALID_CA, "TrustAnchor is not a CA certificate"),
    TG_BROKEN_ANCHOR_KEY_USAGE: (
      X509_V_ERR_KEYUSAGE_NO_CERTSIGN, "TrustAnchor does not have keyCertSign bit set in KeyUsage extension"
    ),
    TG_BROKEN_LEAF_EKU: (
      X509_V_ERR_INVALID_PURPOSE, "Extended key usage does not permit use for TLS server authentication"
    ),
    TG_BROKEN_LEAF_KEY_USAGE: (X509_V_ERR_INVALID_PURPOSE, "KeyUsage does not allow digital signatures"),
    TG_BROKEN_HANDSHAKE_KEY_USAGE: (
      X509_V_ERR_INVALID_PURPOSE, "Key usage violation in certificate has been detected"
    ),
    TG_BROKEN_NO_REVOCATION_SOURCE: (X509_V_ERR_UNABLE_TO_GET_CRL, "Could not determine revocation status"),
    TG_BROKEN_WEBPKI_EKU: (
      X509_V_ERR_INVALID_PURPOSE, "certificate does not allow extended key usage for server authentication"
    ),
  ]

  /// Whether a leaf matches a host by itself, outside chain verification (`X509_check_host`/`X509_check_ip_asc`).
  public static func matches(_ chain: CertificateChain, host: HostIdentity) -> Bool {
    guard let leaf = tg_chain_value(chain.stack, 0) else { return false }
    defer { ERR_clear_error() }
    switch host.kind {
    case .dns:
      return X509_check_host(leaf, host.name, 0, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS), nil) == 1
    case .ip:
      return X509_check_ip_asc(leaf, host.name, 0) == 1
    }
  }
}

/// How a client reads a PEM CA file.
public enum PEMReading: Sendable, Hashable {
  /// OpenSSL's `X509_load_cert_crl_file`: every block it knows (a TRUSTED CERTIFICATE too), the text whole; a block
  /// it cannot frame or decode loads nothing of the file.
  case openssl
  /// Go's `AppendCertsFromPEM` (`PEMDialects.go`): `CERTIFICATE` blocks only, each decoded alone; every other block,
  /// and one that breaks a rule, passed over.
  case goBlocks
  /// rustls-pki-types' reader (uv, `PEMDialects.rustls`): `CERTIFICATE` sections, a section that does not decode
  /// passed over.
  case rustls
  /// `PEM_read_bio_X509` in a loop (Node's NODE_EXTRA_CA_CERTS): `CERTIFICATE` and `X509 CERTIFICATE` blocks as
  /// OpenSSL frames them (a byte-order mark is no matter), a TRUSTED CERTIFICATE passed over; the loop stops at the
  /// first block it cannot frame or decode and keeps the certificates before it.
  case x509Blocks
  /// GnuTLS's `gnutls_x509_crt_list_import` (git on libcurl-gnutls, `PEMDialects.gnuTLS`): a block it cannot read
  /// refuses the whole file.
  case gnuTLS

  public static let all: [PEMReading] = [.openssl, .goBlocks, .rustls, .x509Blocks, .gnuTLS]

  /// Its name in a snapshot (`CertificateSet.readings`).
  public var key: String {
    switch self {
    case .openssl: "openssl"
    case .goBlocks: "go"
    case .rustls: "rustls"
    case .x509Blocks: "node"
    case .gnuTLS: "gnutls"
    }
  }
}

/// A CA file's text and, when it can be read lazily, its certificates indexed by subject hash.
public struct CAFile: @unchecked Sendable {
  public let pem: [UInt8]
  let entries: [LazyFiles.Entry]?
  /// How it was read. Block by block (every reading but `openssl`): `entries` are exactly what loads, never the text.
  let reading: PEMReading
  /// GnuTLS refuses the file as a whole (`gnuTLS`): a block in it does not decode.
  let refused: Bool
  /// OpenSSL's PEM reader stopped on a block it could not frame, or a certificate block that does not decode (Python
  /// then raises "[X509] PEM lib", not "no certificate or crl found").
  let malformed: Bool
  var certificateBlocksOnly: Bool { reading != .openssl }

  public init(_ pem: [UInt8], reading: PEMReading = .openssl) {
    self.init(pem, reading: reading, known: [:])
  }

  /// `known`: certificates the run decoded already, by DER (`LazyFiles.index`).
  init(_ pem: [UInt8], reading: PEMReading, known: [DERKey: LazyFiles.Entry]) {
    self.pem = pem
    self.reading = reading
    let indexed = LazyFiles.indexed(pem, reading: reading, known: known)
    entries = indexed.entries
    refused = indexed.refused
    malformed = indexed.malformed
    ERR_clear_error()
  }

  /// The file as `reading` reads it, from its index when it has one (its blocks, decoded once); else indexed again.
  func read(as reading: PEMReading) -> CAFile {
    guard reading != self.reading else { return self }
    // OpenSSL's index holds CERTIFICATE and X509 CERTIFICATE blocks only when the text has nothing else, all framed
    // and all decoding; each other reading takes the same ones from a text written the way all readers agree on
    // (`LazyFiles.canonical`), but for the differences checked. Any other text is read again its own way.
    guard self.reading == .openssl, let entries else { return CAFile(pem, reading: reading) }
    switch reading {
    case .openssl: return self
    case .x509Blocks: return CAFile(pem: pem, entries: entries, reading: reading)
    case .goBlocks, .rustls:
      guard LazyFiles.canonical(pem, blocks: entries.count), entries.allSatisfy({ LazyFiles.whole($0.der) }) else {
        return CAFile(pem, reading: reading)
      }
      return CAFile(pem: pem, entries: entries.filter(\.certificateBlock), reading: reading)
    case .gnuTLS:
      guard LazyFiles.canonical(pem, blocks: entries.count), entries.allSatisfy({ LazyFiles.whole($0.der) }) else {
        return CAFile(pem, reading: reading)
      }
      // GnuTLS finds a BEGIN anywhere (an indented one OpenSSL passes over) and orders X509 CERTIFICATE blocks its
      // own way: the same only when every BEGIN is one of the index's CERTIFICATE blocks.
      let begins = CertificateFile.occurrences(of: Array("-----BEGIN ".utf8), in: pem)
      guard begins == entries.count, entries.allSatisfy(\.certificateBlock) else {
        return CAFile(pem, reading: reading)
      }
      return CAFile(pem: pem, entries: entries, reading: reading)
    }
  }

  /// Certificates given as DER (a Java keystore's): each is an entry, loaded one by one as Go's blocks are, never as
  /// text; one that does not decode is passed over. `known`: certificates the run decoded already.
  init(certificates: [[UInt8]], known: [DERKey: LazyFiles.Entry]) {
    var entries: [LazyFiles.Entry] = []
    entries.reserveCapacity(certificates.count)
    for der in certificates {
      if let reused = known.isEmpty ? nil : known[DERKey(der)] {
        entries.append(reused)
        continue
      }
      var hash: UInt = 0
      guard der.withUnsafeBufferPointer({ tg_x509_decodes($0.baseAddress, $0.count, &hash) }) == 1 else { continue }
      entries.append(LazyFiles.Entry(subjectHash: hash, certificate: DecodedCertificate(der: der)))
    }
    self.init(pem: [], entries: entries, reading: .goBlocks)
    ERR_clear_error()
  }

  private init(pem: [UInt8], entries: [LazyFiles.Entry], reading: PEMReading) {
    self.pem = pem
    self.entries = entries
    self.reading = reading
    refused = false
    malformed = false
  }

  /// Decodes the file's first certificate (kept for the stores that will want it): OpenSSL's first decode in a
  /// process sets up its key decoders (~2.5 ms, against ~250 µs for the next), which a thread with time to spare can
  /// pay ahead.
  func warmUpDecoders() {
    _ = entries?.first?.certificate.x509()
  }
}

/// DER bytes as a dictionary key, hashed in one pass (an array of bytes hashes element by element).
struct DERKey: Hashable {
  let bytes: [UInt8]
  init(_ bytes: [UInt8]) { self.bytes = bytes }
  func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
  static func == (lhs: DERKey, rhs: DERKey) -> Bool { lhs.bytes == rhs.bytes }
}

/// The lazily read CA files of one store and the lookup method that parses their certificates on demand.
final class LazyFiles: SubjectLookup, @unchecked Sendable {
  struct Entry {
    var subjectHash: UInt
    var certificate: DecodedCertificate
    /// A `CERTIFICATE` block (not `X509 CERTIFICATE`): what Go reads.
    var certificateBlock = true
    var der: [UInt8] { certificate.der }
  }
  var entries: [Entry] = []
  /// Subject hashes already looked up (their certificates are in the store's objects, or there are none).
  var looked: Set<UInt> = []
  var inexact = false

  nonisolated(unsafe) static let method = SubjectLookup.method(named: "trustgate CA file")

  /// The certificates of a text made only of plain `CERTIFICATE` blocks that all decode, in file order; nil when the
  /// text must be loaded whole (it does not frame, or holds anything else).
  /// Read block by block (`reading` other than `.openssl`): the blocks that reading takes, without headers, that
  /// decode, every other block passed over; never nil (a text that does not frame gives none).
  /// `known`: certificates this run decoded already, by their DER bytes (decoding is a function of the bytes alone):
  /// the same root in a bundle and in a folder's file is decoded once.
  static func index(_ pem: [UInt8], reading: PEMReading = .openssl, known: [DERKey: Entry] = [:]) -> [Entry]? {
    indexed(pem, reading: reading, known: known).entries
  }

  /// What `index` gives, with whether GnuTLS refuses the file and whether OpenSSL's reader stops on a bad block.
  static func indexed(
    _ pem: [UInt8], reading: PEMReading, known: [DERKey: Entry]
  ) -> (entries: [Entry]?, refused: Bool, malformed: Bool) {
    func entry(_ bytes: [UInt8]) -> Entry? {
      if var reused = known.isEmpty ? nil : known[DERKey(bytes)] {
        reused.certificateBlock = true
        return reused
      }
      var hash: UInt = 0
      guard bytes.withUnsafeBufferPointer({ tg_x509_decodes($0.baseAddress, $0.count, &hash) }) == 1 else {
        return nil
      }
      return Entry(subjectHash: hash, certificate: DecodedCertificate(der: bytes))
    }
    // Go, webpki and GnuTLS refuse a certificate with bytes after it (OpenSSL reads it and passes them over).
    func strict(_ bytes: [UInt8]) -> Entry? { LazyFiles.whole(bytes) ? entry(bytes) : nil }
    switch reading {
    case .goBlocks: return (PEMDialects.go(pem).compactMap(strict), false, false)
    case .rustls: return (PEMDialects.rustls(pem).compactMap(strict), false, false)
    case .gnuTLS:
      guard let blocks = PEMDialects.gnuTLS(pem) else { return ([], true, false) }
      var entries: [Entry] = []
      for der in blocks {
        guard let decoded = strict(der) else { return ([], true, false) }
        entries.append(decoded)
      }
      return (entries, false, false)
    case .openssl, .x509Blocks:
      break
    }
    var blocks: UnsafeMutablePointer<tg_pem_block>?
    var complete: Int32 = 1
    let count = pem.withUnsafeBufferPointer {
      tg_pem_frame($0.baseAddress, Int32(clamping: $0.count), &blocks, &complete)
    }
    defer { tg_pem_blocks_free(blocks, max(count, 0)) }
    let malformed = count < 0 || complete == 0
    // OpenSSL's whole-text load fails on a text that does not frame: nothing of it loads.
    guard reading == .x509Blocks || !malformed else { return (nil, false, true) }
    var entries: [Entry] = []
    entries.reserveCapacity(Int(max(count, 0)))
    for block in UnsafeBufferPointer(start: blocks, count: Int(max(count, 0))) {
      // A certificate block with PEM headers stops OpenSSL's readers ("not proc type"); another kind of block is
      // passed over by the PEM_read_bio_X509 loop, or makes the text loaded whole as OpenSSL does.
      if block.plain == 3 {
        if reading == .x509Blocks { break }
        return (nil, false, true)
      }
      guard let der = block.der, block.plain != 0 else {
        if reading == .x509Blocks { continue }
        return (nil, false, malformed)
      }
      let bytes = Array(UnsafeBufferPointer(start: der, count: block.length))
      // One that does not decode stops the loop (the certificates before it stay), or the whole-text load.
      guard let decoded = entry(bytes) else {
        if reading == .x509Blocks { break }
        return (nil, false, true)
      }
      var taken = decoded
      taken.certificateBlock = block.plain == 1
      entries.append(taken)
    }
    return (entries, false, malformed)
  }

  /// Whether `der` is one DER element with nothing after it: its outer length is what it holds.
  static func whole(_ der: [UInt8]) -> Bool {
    guard der.count >= 2 else { return false }
    let first = Int(der[1])
    guard first >= 0x80 else { return 2 + first == der.count }
    let octets = first & 0x7F
    guard (1...4).contains(octets), der.count >= 2 + octets else { return false }
    let length = der[2..<(2 + octets)].reduce(0) { $0 << 8 | Int($1) }
    return 2 + octets + length == der.count
  }

  /// Whether `pem` is written the one way every PEM reader agrees on, with `blocks` blocks: lines ending in LF or
  /// CRLF; `-----BEGIN CERTIFICATE-----` (or `X509 CERTIFICATE`) lines exactly, each closed by its exact END line;
  /// between them only base64 digits, `=` only at the end and whole groups of four; no five dashes on any other
  /// line. Readers part everywhere else: OpenSSL drops any control, tab or non-ASCII byte at a line's end and stops
  /// decoding at a dash, Go trims spaces and tabs, rustls ends a line at a CR and wants dashes alone after BEGIN,
  /// GnuTLS finds a BEGIN anywhere.
  static func canonical(_ pem: [UInt8], blocks: Int) -> Bool {
    let begins = ["-----BEGIN CERTIFICATE-----", "-----BEGIN X509 CERTIFICATE-----"].map { Array($0.utf8) }
    let ends = ["-----END CERTIFICATE-----", "-----END X509 CERTIFICATE-----"].map { Array($0.utf8) }
    return pem.withUnsafeBufferPointer { text in
      var found = 0
      var open: Int?
      var digits = 0
      var pads = 0
      var last: UInt8 = 0
      var start = 0
      while start < text.count {
        var end = start
        while end < text.count, text[end] != 0x0A { end += 1 }
        let next = end + 1
        if end > start, text[end - 1] == 0x0D { end -= 1 }
        let line = UnsafeBufferPointer(rebasing: text[start..<end])
        start = next
        if let kind = open {
          if line.elementsEqual(ends[kind]) {
            // Whole groups of four, at most two `=`, and the bits the padding leaves over zero (as encoders write
            // them; readers differ on others).
            guard digits > 0, digits % 4 == 0, pads <= 2, last & (pads == 2 ? 0x0F : pads == 1 ? 0x03 : 0) == 0
            else { return false }
            found += 1
            open = nil
            continue
          }
          guard !line.isEmpty, pads == 0 else { return false }
          for byte in line {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): last = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): last = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): last = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"), UInt8(ascii: "/"): last = 62
            case UInt8(ascii: "="):
              pads += 1
              digits += 1
              continue
            default: return false
            }
            guard pads == 0 else { return false }
            digits += 1
          }
          continue
        }
        if let kind = begins.firstIndex(where: { line.elementsEqual($0) }) {
          open = kind
          digits = 0
          pads = 0
          continue
        }
        // Five dashes anywhere else (a BEGIN GnuTLS finds mid-line, a stray END line, a mark before BEGIN) or a CR
        // that is not a line's last byte.
        var dashes = 0
        for byte in line {
          if byte == 0x0D { return false }
          dashes = byte == UInt8(ascii: "-") ? dashes + 1 : 0
          if dashes == 5 { return false }
        }
      }
      return open == nil && found == blocks
    }
  }

  /// Set once a file was loaded whole: every later file is loaded whole too.
  var whole = false

  /// Adds every certificate whose subject is `name` to the store, then answers with one.
  override func find(_ name: OpaquePointer, store: OpaquePointer, into result: OpaquePointer) -> Int32 {
    var ok: Int32 = 0
    let hash = X509_NAME_hash_ex(name, nil, nil, &ok)
    guard ok == 1 else { return 0 }
    load(hash, into: store)
    return tg_store_find_subject(store, name, result)
  }

  /// Adds the certificates whose subject hashes to `hash` (once a hash). All of them, colliding subjects too: then
  /// the store holds everything of every subject with that hash, as it would with the files loaded whole.
  func load(_ hash: UInt, into store: OpaquePointer) {
    guard looked.insert(hash).inserted else { return }
    for entry in entries where entry.subjectHash == hash {
      // The store takes its own reference to the certificate, decoded once for every store of the run.
      guard let certificate = entry.certificate.x509(), X509_STORE_add_cert(store, certificate) == 1 else {
        inexact = true
        continue
      }
    }
  }

  /// Adds every certificate not added yet, and loads files whole from now on.
  func loadAll(into store: OpaquePointer) {
    whole = true
    for hash in Set(entries.map(\.subjectHash)) { load(hash, into: store) }
  }
}

/// The hashed folders of one store, a lookup that reads them as `by_dir` does.
final class HashedFolders: SubjectLookup, @unchecked Sendable {
  var readers: [HashedFolderReader] = []
  let files: LazyFiles

  init(files: LazyFiles) { self.files = files }

  nonisolated(unsafe) static let method = SubjectLookup.method(named: "trustgate hashed folder")

  /// `by_dir`'s `get_cert_by_subject`: for each folder in order, load `<hash>.0`, `<hash>.1`, … into the store until
  /// a name is missing (or does not load), then answer with a certificate of that subject if the store has one.
  override func find(_ name: OpaquePointer, store: OpaquePointer, into result: OpaquePointer) -> Int32 {
    var ok: Int32 = 0
    let hash = hex8(UInt32(truncatingIfNeeded: X509_NAME_hash_ex(name, nil, nil, &ok)))
    guard ok == 1 else { return 0 }
    for reader in readers {
      var index = 0
      while let bytes = reader("\(hash).\(index)") {
        // The file may hold other subjects than its name says: what the CA files hold of those subjects goes into
        // the store first, or the lookup would never be asked for them (nothing to do when no CA file is lazy).
        if !files.entries.isEmpty {
          if let entries = LazyFiles.index(bytes) {
            for entry in entries { files.load(entry.subjectHash, into: store) }
          } else {
            files.loadAll(into: store)
          }
        }
        let loaded = bytes.withUnsafeBufferPointer {
          tg_store_add_pem(store, $0.baseAddress, Int32(clamping: $0.count))
        }
        if loaded == 0 { break }
        index += 1
      }
      if tg_store_find_subject(store, name, result) == 1 { return 1 }
    }
    return 0
  }
}

/// What OpenSSL asks a lookup for (`get_by_subject`): a certificate of one subject. LazyFiles and HashedFolders are
/// lookups; OpenSSL holds one as its lookup's method data, and the store keeps it alive.
class SubjectLookup: @unchecked Sendable {
  /// Puts what the lookup has of `name` into the store, and copies one certificate of it into `result`; 0 if none.
  func find(_ name: OpaquePointer, store: OpaquePointer, into result: OpaquePointer) -> Int32 { 0 }

  /// A lookup method whose only function is `get_by_subject`, calling `find` on the method data.
  static func method(named name: String) -> OpaquePointer? {
    guard let method = X509_LOOKUP_meth_new(name) else { return nil }
    X509_LOOKUP_meth_set_get_by_subject(method, lookupBySubject)
    return method
  }
}

private let lookupBySubject:
  @convention(c) (OpaquePointer?, X509_LOOKUP_TYPE, OpaquePointer?, OpaquePointer?) -> Int32 = {
    lookup, type, name, result in
    guard type == X509_LU_X509, let lookup, let name, let result, let data = X509_LOOKUP_get_method_data(lookup),
      let store = X509_LOOKUP_get_store(lookup)
    else { return 0 }
    return Unmanaged<SubjectLookup>.fromOpaque(data).takeUnretainedValue().find(name, store: store, into: result)
  }

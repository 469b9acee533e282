#if canImport(Glibc)
  import Glibc
#endif

/// One place a client may take CA certificates from, and what it does with each state of that place. A client's
/// behaviour is a list of slots; each slot takes its first choice that applies, and every slot loads.
public struct TrustChoice: Sendable, Equatable {
  /// Where the path comes from.
  public enum Input: Sendable, Equatable {
    /// An environment variable's value.
    case variable(String)
    /// An environment variable's value, read only while another variable is unset (curl reads SSL_CERT_FILE only
    /// when SSL_CERT_DIR is not set).
    case variableUnlessSet(String, unlessSet: String)
    /// A key in the client's own configuration files (`TrustConfiguration` reads them).
    case config(String)
    /// `certifi.where()` in the project's Python (Debian's patched certifi returns the OS bundle).
    case certifi
    /// pip's vendored `pip/_vendor/certifi/cacert.pem`.
    case pipCertifi
    /// A file inside site-packages that a package ships.
    case packageFile(String)
    /// OpenSSL's compiled-in `OPENSSLDIR/cert.pem` and `OPENSSLDIR/certs` of the target.
    case opensslDefaultFile, opensslDefaultDir
    /// The OS bundle: the first existing of the usual locations (Go's order).
    case osBundle
    /// A fixed path (a program's build-time default).
    case file(String)
    case directory(String)
    /// A fixed folder, passed over while a variable is set and not empty (Go's folders, which SSL_CERT_DIR
    /// replaces together).
    case directoryUnlessSet(String, unlessSet: String)
    /// Roots compiled into the program (Node's when no program is found): nothing here can load or verify them.
    case builtIn(String)
    /// The roots compiled into the `node` program, read from it (`NodeProgram`).
    case nodeBundledRoots
    /// A copy of Mozilla's roots here, standing for a program's compiled-in copy of the same list (uv's
    /// webpki-roots): the project's certifi, else pip's vendored one, unless it is the OS bundle in disguise.
    case mozillaCopy
    /// A file under the JVM's `java.home` (`TrustConfiguration` value `java home`), passed over while a
    /// configuration value is set (jssecacerts, which Java does not try once `javax.net.ssl.trustStore` is set).
    case javaHome(String, unlessConfigured: String?)
  }

  /// What the client does with what it finds.
  public enum Reaction: Sendable, Hashable {
    /// Loads every certificate of the file as a trust anchor.
    case loadFile
    /// Looks issuers up in the folder by subject hash (`capath`, OpenSSL's `hash_dir`); `split` for a `:` list
    /// (`X509_LOOKUP_add_dir` splits every capath it is given, whoever passes it).
    case lookUpFolder(split: Bool)
    /// Loads every certificate of every regular file in the folder, hash names or not (uv's SSL_CERT_DIR); `split`:
    /// each folder of a `:` list (Go, uv), else the whole value is one folder (Node's system store).
    case loadEveryFile(split: Bool)
    /// Loads the roots compiled into a program (`TrustConfiguration.node`).
    case loadProgramRoots
    /// Loads the trusted entries of a Java keystore (JKS or PKCS #12), with the password the configuration holds
    /// under `password` (`java trustStorePassword`), if any.
    case loadKeyStore(password: String)
    /// Ignores it: the slot's next choice decides.
    case next
    /// Loads nothing from it and goes on without an error.
    case nothing
    /// Raises before connecting; `{path}` stands for the path.
    case raises(String)
    /// The program stops with this message; `{path}` stands for the path.
    case exits(String)
    /// Verification is off.
    case disables
  }

  public var input: Input
  /// The name shown as the client's source (`SSL_CERT_FILE`, `certifi`, `pip.conf cert`).
  public var label: String
  /// When the input is unset (or has no path), the slot's next choice decides; when set but empty, this.
  public var empty: Reaction = .next
  public var file: Reaction
  public var folder: Reaction
  public var missing: Reaction
  /// A file that holds no certificate OpenSSL reads.
  public var noCertificates: Reaction
  /// How the client reads this file when not as the row says (`PEM_read_bio_X509` for Node's NODE_EXTRA_CA_CERTS:
  /// a `TRUSTED CERTIFICATE` is passed over).
  public var reading: PEMReading?
  /// The client expands a leading `~/` in the variable to the home folder (os.path.expanduser).
  public var expandsHome = false
  /// What the client does with a FIFO there; nil: as with a file (it opens it to load it, and blocks then).
  public var fifo: Reaction? = nil

  public init(
    _ input: Input, label: String, empty: Reaction = .next, file: Reaction = .loadFile, folder: Reaction,
    missing: Reaction, noCertificates: Reaction
  ) {
    self.input = input
    self.label = label
    self.empty = empty
    self.file = file
    self.folder = folder
    self.missing = missing
    self.noCertificates = noCertificates
  }

  /// The variable this choice reads, if it is one.
  public var variable: String? {
    switch input {
    case .variable(let name), .variableUnlessSet(let name, _): return name
    default: return nil
    }
  }
}

extension TrustChoice {
  static let fileNotFound = "FileNotFoundError: [Errno 2] No such file or directory"
  static let isADirectory = "IsADirectoryError: [Errno 21] Is a directory"
  static let noCertificateFound = "ssl.SSLError: [X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found"
  /// What Python raises when OpenSSL's PEM reader stops on a malformed block (`X509_load_cert_crl_file` fails with
  /// ERR_R_PEM_LIB); the `_ssl.c` line it adds differs between versions.
  static let pemLib = "ssl.SSLError: [X509] PEM lib"
  /// libcurl on GnuTLS when `gnutls_certificate_set_x509_trust_file` refuses the CA file (a block that does not
  /// decode): CURLE_SSL_CACERT_BADFILE, before connecting (measured git 2.39.5, PEMDialectTests).
  static let gnuTLSRefused = "Problem with the SSL CA cert (path? access rights?) (curl exit 77)"
  static let requestsInvalidPath = "OSError: Could not find a suitable TLS CA certificate bundle, invalid path: {path}"

  /// The OSError Python raises when opening a file fails for `reason` (strerror's text): `PermissionError: [Errno 13]
  /// Permission denied` for a CA file the client's user may not read.
  static func pythonOSError(_ reason: String) -> String {
    guard let code = (1..<134).first(where: { String(cString: strerror(Int32($0))) == reason }) else {
      return "OSError: \(reason)"
    }
    let name =
      switch Int32(code) {
      case EACCES, EPERM: "PermissionError"
      case ENOENT: "FileNotFoundError"
      case EISDIR: "IsADirectoryError"
      default: "OSError"
      }
    return "\(name): [Errno \(code)] \(reason)"
  }

  /// OpenSSL's default-paths loader (`SSL_CTX_set_default_verify_paths`): the file it cannot use is skipped and the
  /// folder still searched (trust-regressions.md §10, measured: a missing SSL_CERT_FILE next to a working folder).
  static let opensslFile: [TrustChoice] = [
    .init(
      .variable("SSL_CERT_FILE"), label: "SSL_CERT_FILE", empty: .nothing, folder: .nothing, missing: .nothing,
      noCertificates: .nothing),
    .init(.opensslDefaultFile, label: "OpenSSL default", folder: .nothing, missing: .nothing, noCertificates: .nothing),
  ]
  static let opensslFolder: [TrustChoice] = [
    {
      var choice = TrustChoice(
        .variable("SSL_CERT_DIR"), label: "SSL_CERT_DIR", empty: .nothing, file: .nothing,
        folder: .lookUpFolder(split: true), missing: .nothing, noCertificates: .nothing)
      // OpenSSL 3's default paths also add SSL_CERT_DIR as a store URI, opened at once: a FIFO there blocks
      // (measured: Python's `ssl.create_default_context()` and `openssl s_client` hang in `fifo_open`).
      choice.fifo = .raises(
        "SSL_CERT_DIR {path} is " + TrustPlanner.fifoReaction + " (OpenSSL's default paths open it as a store)")
      return choice
    }(),
    .init(
      .opensslDefaultDir, label: "OpenSSL default directory", file: .nothing, folder: .lookUpFolder(split: true),
      missing: .nothing, noCertificates: .nothing),
  ]

  /// `load_verify_locations(cafile=…)` in CPython: the error Python raises for each state.
  static func pythonCAFile(_ input: Input, label: String) -> TrustChoice {
    .init(
      input, label: label, folder: .raises(isADirectory), missing: .raises(fileNotFound),
      noCertificates: .raises(noCertificateFound))
  }

  /// requests (and pip, botocore through it): a folder becomes `ca_cert_dir`, a missing path raises in
  /// `HTTPAdapter.cert_verify` before connecting.
  static func requestsBundle(_ input: Input, label: String) -> TrustChoice {
    .init(
      input, label: label, folder: .lookUpFolder(split: true), missing: .raises(requestsInvalidPath),
      noCertificates: .raises(noCertificateFound))
  }

  /// libcurl with OpenSSL: a CA file it cannot load stops the transfer (`CURLE_SSL_CACERT_BADFILE`, exit 77).
  static func curlCAFile(_ input: Input, label: String) -> TrustChoice {
    let message = "error setting certificate file: {path} (curl exit 77)"
    return .init(
      input, label: label, folder: .exits(message), missing: .exits(message), noCertificates: .exits(message))
  }

  static func curlCAPath(_ input: Input, label: String) -> TrustChoice {
    .init(
      input, label: label, file: .nothing, folder: .lookUpFolder(split: true), missing: .nothing,
      noCertificates: .nothing)
  }
}

/// A range of versions: from `from` (inclusive) up to `below` (exclusive); nil ends are open.
public struct VersionRange: Sendable, Equatable, CustomStringConvertible {
  public var from: String?
  public var below: String?
  public init(from: String? = nil, below: String? = nil) {
    self.from = from
    self.below = below
  }
  public static let any = VersionRange()

  /// An unknown version counts as the newest (the range open above), as a fresh install would be.
  public func contains(_ text: String?) -> Bool {
    guard let text, let version = Version(text) else { return below == nil }
    if let from, let low = Version(from), version < low { return false }
    if let below, let high = Version(below), version >= high { return false }
    return true
  }

  public var description: String {
    switch (from, below) {
    case (nil, nil): return "any"
    case (let a?, nil): return ">= \(a)"
    case (nil, let b?): return "< \(b)"
    case (let a?, let b?): return ">= \(a), < \(b)"
    }
  }
}

/// Which SSL context a client builds, for the flags table.
public enum ContextKind: String, Sendable, Equatable {
  /// `ssl.create_default_context()`.
  case stdlibDefault
  /// urllib3's `create_urllib3_context()` (requests, botocore, urllib3 itself).
  case urllib3
  /// A context the client builds itself with `ssl.SSLContext(PROTOCOL_TLS_CLIENT)`: no strict flags.
  case ownContext
  /// A C program on OpenSSL's defaults (`openssl s_client`): no extra flags.
  case program
  /// libcurl (curl, git): partial chains accepted, so a trusted intermediate is an anchor.
  case curl
  /// Go's crypto/x509: every certificate of its pool is a root, so a trusted intermediate is an anchor too.
  case go
  /// rustls and webpki (uv): no extra flags; only modern signatures and keys.
  case rustls
  /// Java's PKIX validator (SunJSSE): every certificate of the trust store is an anchor.
  case java
  /// Node's own context (its OpenSSL, configured from the `nodejs_conf` section only): no extra flags.
  case node
}

/// When a client reads its version from: a distribution in the project's Python, Python itself, or nothing.
public enum VersionSource: Sendable, Equatable {
  case package(String)
  case python
  case openssl
  case none
}

/// Whether a client is present.
public enum Presence: Sendable, Equatable {
  /// The distribution is installed in the project's Python or pinned in a lockfile.
  case package(String)
  /// A Python environment exists.
  case python
  /// Always (OpenSSL itself).
  case always
  /// One of these variables is set, one of these programs exists in the tree, or a lockfile of one of these
  /// formats is in the repository (uv.lock: the project is locked, and so installed, with uv).
  case configured(variables: [String], programs: [String], lockfiles: [LockfileFormat] = [])
  /// A configuration value was found (`java home`: a JVM is installed, where JAVA_HOME or a `java` link leads).
  case setting(String)
  /// Any of these.
  case anyOf([Presence])
}

/// A variable whose value turns a client's verification off.
public struct TrustSwitch: Sendable, Equatable {
  public var variable: String
  /// nil: any value (even empty) switches verification off.
  public var value: String?
}

/// One row of the knowledge: what a client does, at a version range, to decide what it trusts. Rows are tried in
/// order; the first whose client, version and Python ranges match applies.
public struct ClientBehaviour: Sendable {
  public var client: String
  public var presence: Presence
  public var version: VersionSource
  public var versions: VersionRange = .any
  public var python: VersionRange = .any
  public var context: ContextKind
  /// Each slot takes its first choice that applies; every slot loads (in this order).
  public var slots: [[TrustChoice]]
  /// Trust variables the client does not read (shown when set).
  public var ignores: [String] = []
  public var switches: [TrustSwitch] = []
  /// Configuration keys that, when set, make the client read none of its variables (the curl tool looks at
  /// CURL_CA_BUNDLE, SSL_CERT_DIR and SSL_CERT_FILE only when its options name no CA file or folder).
  public var variablesUnlessConfigured: [String] = []
  /// A configuration key (`TrustConfiguration.values`) that must be "true" for the row to apply (uv's system
  /// certificates); rows without one apply whatever it says.
  public var when: String? = nil
  /// Variables that, set and not empty, make the client pass over its last slot, its defaults (uv: SSL_CERT_FILE or
  /// SSL_CERT_DIR replace the bundled roots and the system store, even when what they name cannot be read).
  public var defaultsUnlessSet: [String] = []
  /// How the client reads a PEM CA file: as OpenSSL does, as Go does (`CERTIFICATE` blocks only), or block by block
  /// as `PEM_read_bio_X509` and GnuTLS do.
  public var reading = PEMReading.openssl
  /// Flags of the TLS library the row stands for, whatever its context's rules say (GnuTLS's own chain rules).
  public var flags: VerificationFlags = []
  /// Said whenever the row applies.
  public var note: String? = nil
  /// A URL, or a measured fact (trust-regressions.md §10).
  public var source: String

  /// Variables any of its choices read, in order.
  public var reads: [String] {
    var seen: [String] = []
    for choice in slots.joined() {
      if let name = choice.variable, !seen.contains(name) { seen.append(name) }
    }
    return seen + switches.map(\.variable).filter { !seen.contains($0) }
  }
}

/// Version boundaries where a client's row changes, named once: the table's rows and `TrustChanges` (TG301) both
/// read them, so a boundary cannot drift between the resolver and the upgrade rule.
public enum TrustBoundaries {
  /// httpx builds its context with `ssl.create_default_context` and stops checking `is_file()`.
  public static let httpxDefaultContext = "0.28.0"
  /// requests stops turning verification off on an empty CURL_CA_BUNDLE.
  public static let requestsEmptyCurlBundle = "2.28.0"
  /// urllib3 adds the strict flags on Python 3.13.
  public static let urllib3StrictFlags = "2.4.0"
  /// botocore refuses an empty CA setting (InvalidConfigError) instead of turning verification off.
  public static let botocoreEmptyBundle = "1.43.54"
  /// urllib3 stops falling back to the subject's common name.
  public static let urllib3NoCommonName = "2.0.0"
  /// pip uses truststore (the OS store) by default, on Python 3.10 and later.
  public static let pipTruststore = "24.2"
  public static let pipTruststorePython = "3.10"
  /// `ssl.create_default_context` adds the strict flags.
  public static let pythonStrictFlags = "3.13"
  /// Python's contexts run at security level 2.
  public static let pythonSecurityLevel2 = "3.10"
}

/// Trust knowledge as data: every client trustgate judges, one row per version range, each with its source
/// (trust-regressions.md §1–§7 for the documented and source-read behaviour, §10 for what real clients were measured
/// doing). The resolver, the verifier, rules and `explain` all read this table.
public enum ClientBehaviours {
  static let certifi = TrustChoice.pythonCAFile(.certifi, label: "certifi")

  public static let all: [ClientBehaviour] = [
    .init(
      client: "httpx", presence: .package("httpx"), version: .package("httpx"),
      versions: .init(below: TrustBoundaries.httpxDefaultContext),
      context: .ownContext,
      slots: [
        [
          // `get_ca_bundle_from_env`: SSL_CERT_FILE only if `is_file()`, SSL_CERT_DIR only if `is_dir()`.
          .init(
            .variable("SSL_CERT_FILE"), label: "SSL_CERT_FILE", folder: .next, missing: .next,
            noCertificates: .raises(TrustChoice.noCertificateFound)),
          .init(
            .variable("SSL_CERT_DIR"), label: "SSL_CERT_DIR", file: .next, folder: .lookUpFolder(split: true),
            missing: .next, noCertificates: .next),
          certifi,
        ]
      ],
      ignores: ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"],
      source: "src-read httpx-0.27.2 httpx/_utils.py get_ca_bundle_from_env; measured (trust-regressions.md §10)"),
    .init(
      client: "httpx", presence: .package("httpx"), version: .package("httpx"),
      versions: .init(from: TrustBoundaries.httpxDefaultContext),
      context: .stdlibDefault,
      slots: [
        [
          .init(
            .variable("SSL_CERT_FILE"), label: "SSL_CERT_FILE", folder: .raises(TrustChoice.isADirectory),
            missing: .raises(TrustChoice.fileNotFound), noCertificates: .raises(TrustChoice.noCertificateFound)),
          // `create_default_context(capath=…)`: OpenSSL adds the folder without looking at it.
          .init(
            .variable("SSL_CERT_DIR"), label: "SSL_CERT_DIR", file: .nothing, folder: .lookUpFolder(split: true),
            missing: .nothing, noCertificates: .nothing),
          certifi,
        ]
      ],
      ignores: ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"],
      source: "src-read httpx-0.28.1 httpx/_config.py create_ssl_context; measured (trust-regressions.md §10)"),
    .init(
      client: "requests", presence: .package("requests"), version: .package("requests"),
      versions: .init(below: TrustBoundaries.requestsEmptyCurlBundle), context: .urllib3,
      slots: [
        [
          TrustChoice.requestsBundle(.variable("REQUESTS_CA_BUNDLE"), label: "REQUESTS_CA_BUNDLE"),
          {
            var curl = TrustChoice.requestsBundle(.variable("CURL_CA_BUNDLE"), label: "CURL_CA_BUNDLE")
            curl.empty = .disables
            return curl
          }(),
          certifi,
        ]
      ],
      ignores: ["SSL_CERT_FILE", "SSL_CERT_DIR"],
      source: "https://github.com/psf/requests/blob/main/HISTORY.md#2280-2022-06-09 (empty CURL_CA_BUNDLE)"),
    .init(
      client: "requests", presence: .package("requests"), version: .package("requests"),
      versions: .init(from: TrustBoundaries.requestsEmptyCurlBundle), context: .urllib3,
      slots: [
        [
          TrustChoice.requestsBundle(.variable("REQUESTS_CA_BUNDLE"), label: "REQUESTS_CA_BUNDLE"),
          TrustChoice.requestsBundle(.variable("CURL_CA_BUNDLE"), label: "CURL_CA_BUNDLE"),
          certifi,
        ]
      ],
      ignores: ["SSL_CERT_FILE", "SSL_CERT_DIR"],
      source: "src-read requests-2.32.3 sessions.py merge_environment_settings, adapters.py cert_verify"),
    // urllib3 without requests: `ssl_wrap_socket` falls back to `load_default_certs()` (OpenSSL's defaults).
    .init(
      client: "urllib3", presence: .package("urllib3"), version: .package("urllib3"), context: .urllib3,
      slots: [TrustChoice.opensslFile, TrustChoice.opensslFolder], ignores: ["REQUESTS_CA_BUNDLE"],
      source: "measured urllib3 2.2.3–2.5.0 (trust-regressions.md §10); urllib3 util/ssl_.py ssl_wrap_socket"),
    .init(
      client: "python-ssl", presence: .python, version: .python, context: .stdlibDefault,
      slots: [TrustChoice.opensslFile, TrustChoice.opensslFolder], ignores: ["REQUESTS_CA_BUNDLE"],
      source: "https://docs.python.org/3/library/ssl.html#ssl.create_default_context; measured urllib.request (§10)"),
    .init(
      client: "aiohttp", presence: .package("aiohttp"), version: .package("aiohttp"), context: .stdlibDefault,
      slots: [TrustChoice.opensslFile, TrustChoice.opensslFolder], ignores: ["REQUESTS_CA_BUNDLE"],
      source: "src-read aiohttp 3.8.6/3.11.18 connector.py _make_ssl_context (trust-regressions.md §4, §7)"),
    // pip ≥ 24.2 on Python ≥ 3.10: a truststore context (the OS store through OpenSSL's defaults on Linux) with
    // the vendored certifi loaded too; `--cert`/PIP_CERT/pip.conf and requests' variables add a file to it.
    .init(
      client: "pip", presence: .package("pip"), version: .package("pip"),
      versions: .init(from: TrustBoundaries.pipTruststore),
      python: .init(from: TrustBoundaries.pipTruststorePython), context: .ownContext,
      slots: [
        pipExplicit + [
          .init(
            .osBundle, label: "truststore (OS store)", folder: .nothing, missing: .nothing, noCertificates: .nothing)
        ],
        TrustChoice.opensslFile, TrustChoice.opensslFolder,
        [TrustChoice.pythonCAFile(.pipCertifi, label: "vendored certifi")],
      ],
      note: "and its vendored certifi",
      source:
        "https://pip.pypa.io/en/stable/topics/https-certificates/; src-read pip-24.2 cli/index_command.py "
        + "_create_truststore_ssl_context"),
    .init(
      client: "pip", presence: .package("pip"), version: .package("pip"), context: .urllib3,
      slots: [pipExplicit + [TrustChoice.pythonCAFile(.pipCertifi, label: "vendored certifi")]],
      source:
        "https://pip.pypa.io/en/stable/topics/configuration/; measured pip 23.2.1 with /etc/pip.conf cert (§10); "
        + "requests merge_environment_settings puts REQUESTS_CA_BUNDLE before the session's verify"),
    botocoreRow(validatesEmpty: true),
    botocoreRow(validatesEmpty: false),
    .init(
      client: "truststore", presence: .package("truststore"), version: .package("truststore"), context: .ownContext,
      slots: [TrustChoice.opensslFile, TrustChoice.opensslFolder],
      note: "on Linux truststore verifies with OpenSSL's default paths",
      source: "src-read truststore 0.10.5 _openssl.py (trust-regressions.md §7)"),
    .init(
      client: "shotgun-api3", presence: .package("shotgun-api3"), version: .package("shotgun-api3"),
      // API calls go through its vendored httplib2's own `ssl.SSLContext`; only uploads and downloads use
      // `ssl.create_default_context(cafile=…)` (strict on Python 3.13).
      context: .ownContext,
      slots: [
        [
          TrustChoice.pythonCAFile(.variable("SHOTGUN_API_CACERTS"), label: "SHOTGUN_API_CACERTS"),
          TrustChoice.pythonCAFile(.packageFile("shotgun_api3/lib/certifi/cacert.pem"), label: "bundled certifi"),
        ]
      ],
      ignores: ["SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"],
      note: "uploads and downloads verify with ssl.create_default_context (strict flags on Python 3.13)",
      source:
        "measured shotgun-api3 3.10.3 (trust-regressions.md §10); src-read shotgun-api3 3.10.3 shotgun.py "
        + "_get_certs_file, _build_opener, lib/httplib2/__init__.py _build_ssl_context"),
    .init(
      client: "curl", presence: .configured(variables: ["CURL_CA_BUNDLE", "SSL_CERT_FILE"], programs: curlPrograms),
      version: .none,
      context: .curl,
      slots: [
        [
          TrustChoice.curlCAFile(.config("curl cacert"), label: ".curlrc cacert"),
          TrustChoice.curlCAFile(.variable("CURL_CA_BUNDLE"), label: "CURL_CA_BUNDLE"),
          TrustChoice.curlCAFile(
            .variableUnlessSet("SSL_CERT_FILE", unlessSet: "SSL_CERT_DIR"), label: "SSL_CERT_FILE"),
          TrustChoice.curlCAFile(.osBundle, label: "built-in CA bundle"),
        ],
        [
          TrustChoice.curlCAPath(.config("curl capath"), label: ".curlrc capath"),
          TrustChoice.curlCAPath(.variable("SSL_CERT_DIR"), label: "SSL_CERT_DIR"),
          TrustChoice.curlCAPath(.directory("/etc/ssl/certs"), label: "built-in CA path"),
        ],
      ],
      variablesUnlessConfigured: ["curl cacert", "curl capath"],
      source:
        "https://curl.se/docs/manpage.html (--cacert, CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR); measured curl "
        + "7.88.1 exit 77 on a missing SSL_CERT_FILE (§10), but SSL_CERT_FILE unread while SSL_CERT_DIR is set and an "
        + "intermediate in the CA file accepted as anchor (docs/conformance.md); built-in paths: Debian's build"),
    gitRow(gnuTLS: true),
    gitRow(gnuTLS: false),
    .init(
      client: "openssl", presence: .always, version: .openssl, context: .program,
      slots: [TrustChoice.opensslFile, TrustChoice.opensslFolder],
      source: "https://man.netbsd.org/SSL_CTX_load_verify_locations.3; measured openssl s_client (§10)"),
    uvRow(systemCerts: true),
    uvRow(systemCerts: false),
    nodeRow(.openssl),
    nodeRow(.system),
    nodeRow(.bundled),
    goRow,
    javaRow,
    mavenRow,
  ]

  /// The key the configuration sets to "true" when git's libcurl is linked with GnuTLS (`TLSLibraries`).
  public static let gitGnuTLSKey = "git gnutls"

  /// git through libcurl. With GnuTLS (Debian's libcurl-gnutls; measured git 2.39.5, GnuTLS 3.7.9) the CA file is
  /// read for CERTIFICATE blocks only (a TRUSTED CERTIFICATE is passed over) and the CA path is one folder whose every
  /// file is loaded (`gnutls_certificate_set_x509_trust_dir`: no `:` list, no hash names). An empty GIT_SSL_CAINFO is
  /// still git's CA file: libcurl refuses it (exit 77).
  static func gitRow(gnuTLS: Bool) -> ClientBehaviour {
    // GnuTLS takes a CA file with no certificate it reads (a TRUSTED CERTIFICATE) as empty: the handshake goes on
    // and verification fails.
    func caFile(_ input: TrustChoice.Input, label: String) -> TrustChoice {
      var choice = TrustChoice.curlCAFile(input, label: label)
      if gnuTLS { choice.noCertificates = .nothing }
      return choice
    }
    var caInfo = caFile(.variable("GIT_SSL_CAINFO"), label: "GIT_SSL_CAINFO")
    caInfo.empty = .exits(TrustChoice.gnuTLSRefused)
    func caPath(_ input: TrustChoice.Input, label: String) -> TrustChoice {
      var choice = TrustChoice.curlCAPath(input, label: label)
      if gnuTLS { choice.folder = .loadEveryFile(split: false) }
      return choice
    }
    return .init(
      client: "git", presence: .configured(variables: ["GIT_SSL_CAINFO", "GIT_SSL_NO_VERIFY"], programs: gitPrograms),
      version: .none, context: .curl,
      slots: [
        [
          caInfo,
          caFile(.config("git http.sslCAInfo"), label: "http.sslCAInfo"),
          caFile(.osBundle, label: "libcurl CA bundle"),
        ],
        [
          caPath(.variable("GIT_SSL_CAPATH"), label: "GIT_SSL_CAPATH"),
          caPath(.config("git http.sslCAPath"), label: "http.sslCAPath"),
          TrustChoice.curlCAPath(.directory("/etc/ssl/certs"), label: "libcurl CA path"),
        ],
      ],
      switches: [.init(variable: "GIT_SSL_NO_VERIFY", value: nil)],
      when: gnuTLS ? gitGnuTLSKey : nil,
      reading: gnuTLS ? .gnuTLS : .openssl,
      flags: gnuTLS ? [.gnuTLSChainRules] : [],
      source:
        "https://github.com/git/git/blob/master/Documentation/config/http.txt; measured git 2.39.5 (libcurl): an "
        + "intermediate in the CA file accepted as anchor (docs/conformance.md)"
        + (gnuTLS
          ? "; measured git 2.39.5 with libcurl-gnutls: a TRUSTED CERTIFICATE CA file refused, GIT_SSL_CAPATH one "
            + "folder of plain files (GitGnuTLSTests); GnuTLS 3.7.9 checks no extended key usage "
            + "(gnutls_certificate_verify_peers2 without a purpose), takes a self-issued root without "
            + "basicConstraints as a CA (lib/x509/verify.c check_if_ca), and refuses a leaf whose keyUsage lacks "
            + "digitalSignature in the handshake (GnuTLSChainRulesTests)" : ""))
  }

  /// Java's default SSL context (`sun.security.ssl.TrustStoreManager`, JDK 17 to 25; measured OpenJDK 17.0.15,
  /// JavaVerificationTests): `javax.net.ssl.trustStore` when it names a readable file, else `jssecacerts` in
  /// `java.home/lib/security` (only while the property is unset), else `cacerts` there; one keystore (JKS or
  /// PKCS #12), never SSL_CERT_FILE or the OS bundle (Debian's cacerts is a keystore update-ca-certificates rebuilds
  /// with ca-certificates-java). A store `KeyStore.load` refuses (a PEM file, a wrong trustStorePassword) fails every
  /// handshake; no store, or one with no trusted entry, leaves no anchor ("the trustAnchors parameter must be
  /// non-empty").
  static let javaRow = jvmRow(
    .java, presence: .setting(JavaSettings.homeKey),
    note: "Maven, Gradle, sbt and every JVM program read the same store; JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS and "
      + "_JAVA_OPTIONS can name another with -Djavax.net.ssl.trustStore",
    source:
      "https://github.com/openjdk/jdk/blob/master/src/java.base/share/classes/sun/security/ssl/TrustStoreManager.java; "
      + "measured OpenJDK 17.0.15 (JavaVerificationTests)")

  /// Maven (`mvn`, present with its program): Java's row with the `mvn` script's sources of system properties too
  /// (`.mvn/jvm.config` and MAVEN_OPTS on the JVM's command line, `.mvn/maven.config` and MAVEN_CONFIG as Maven's
  /// own `-D` arguments, which win), and Wagon's `maven.wagon.http.ssl.insecure=true`, which turns verification off
  /// (measured with Maven 3.8.7 resolving a plugin from `openssl s_server`, MavenVerificationTests).
  static let mavenRow = jvmRow(
    .maven, presence: .configured(variables: [], programs: mavenPrograms),
    note: "MAVEN_OPTS, .mvn/jvm.config, .mvn/maven.config and MAVEN_CONFIG can name another store",
    source: "/usr/share/maven/bin/mvn (Maven 3.8.7's script); measured Maven 3.8.7 (MavenVerificationTests)")
  static let mavenPrograms = ["/usr/bin/mvn", "/usr/local/bin/mvn", "/usr/share/maven/bin/mvn", "/opt/maven/bin/mvn"]

  /// A JVM client's row: the trust store property (`keys`), else jssecacerts while it is unset, else cacerts.
  static func jvmRow(_ keys: JavaSettings.Keys, presence: Presence, note: String, source: String) -> ClientBehaviour {
    let load = TrustChoice.Reaction.loadKeyStore(password: keys.password)
    return ClientBehaviour(
      client: keys.client, presence: presence, version: .none, context: .java,
      slots: [
        [
          .init(
            .config(keys.none), label: "javax.net.ssl.trustStore=NONE", file: javaNone, folder: javaNone,
            missing: javaNone, noCertificates: javaNone),
          .init(
            .config(keys.store), label: "javax.net.ssl.trustStore", file: load, folder: .next,
            missing: .next, noCertificates: javaRefused),
          .init(
            .javaHome("lib/security/jssecacerts", unlessConfigured: keys.store), label: "jssecacerts",
            file: load, folder: .next, missing: .next, noCertificates: javaRefused),
          .init(
            .javaHome("lib/security/cacerts", unlessConfigured: nil), label: "cacerts", file: load,
            folder: .nothing, missing: .nothing, noCertificates: javaRefused),
        ]
      ],
      ignores: ["SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"],
      note: note, source: source)
  }

  static let javaRefused = TrustChoice.Reaction.raises(
    "java.security.KeyManagementException: problem accessing trust store {path}")
  static let javaNone = TrustChoice.Reaction.raises(
    "java.security.InvalidAlgorithmParameterException: the trustAnchors parameter must be non-empty "
      + "(javax.net.ssl.trustStore=NONE loads no file)")

  /// Go's crypto/x509 on Linux (`root_unix.go`, `root_linux.go`; measured go 1.19.8's `go mod download` against
  /// `openssl s_server`, GoVerificationTests): SSL_CERT_FILE, else the first of its bundle files that reads; and
  /// every file of each folder of SSL_CERT_DIR (`:`-separated), else of each of its folders. An empty variable is
  /// unset; what cannot be read adds nothing. Only `CERTIFICATE` blocks count.
  static let goRow = ClientBehaviour(
    client: "go",
    // Present with its program: a Go variable (GOFLAGS, GOPROXY) is no trust variable, which a snapshot keeps.
    presence: .configured(variables: [], programs: goPrograms),
    version: .none, context: .go,
    slots: [
      [
        .init(
          .variable("SSL_CERT_FILE"), label: "SSL_CERT_FILE", folder: .nothing, missing: .nothing,
          noCertificates: .nothing)
      ]
        + goBundles.map {
          .init(.file($0), label: "Go's system bundle", folder: .next, missing: .next, noCertificates: .nothing)
        },
      [
        .init(
          .variable("SSL_CERT_DIR"), label: "SSL_CERT_DIR", file: .nothing, folder: .loadEveryFile(split: true),
          missing: .nothing,
          noCertificates: .nothing)
      ],
    ] + goFolders.map { [goFolder($0)] },
    ignores: ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"],
    reading: .goBlocks,
    note: "programs built with Go (gh, terraform, kubectl, helm, docker's CLI) read the same places",
    source:
      "https://github.com/golang/go/blob/master/src/crypto/x509/root_unix.go (loadSystemRoots), root_linux.go; "
      + "measured go 1.19.8 (GoVerificationTests)")

  /// Go's `certFiles`, in its order: the first that reads is the bundle.
  static let goBundles = [
    "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem",
  ]
  /// Go's `certDirectories`: every one is read whole, unless SSL_CERT_DIR names others.
  static let goFolders = ["/etc/ssl/certs", "/etc/pki/tls/certs", "/system/etc/security/cacerts"]
  static let goPrograms = ["/usr/local/go/bin/go", "/usr/bin/go", "/usr/lib/go/bin/go"]

  static func goFolder(_ path: String) -> TrustChoice {
    .init(
      .directoryUnlessSet(path, unlessSet: "SSL_CERT_DIR"), label: "Go's system folders", file: .nothing,
      folder: .loadEveryFile(split: true), missing: .nothing, noCertificates: .nothing)
  }

  /// pip's own certificate settings, in the order that wins: requests' variables replace the session's `verify`.
  static let pipExplicit: [TrustChoice] = [
    TrustChoice.requestsBundle(.variable("REQUESTS_CA_BUNDLE"), label: "REQUESTS_CA_BUNDLE"),
    TrustChoice.requestsBundle(.variable("CURL_CA_BUNDLE"), label: "CURL_CA_BUNDLE"),
    {
      // An optparse "path" option: pip expands `~/`.
      var cert = TrustChoice.requestsBundle(.variable("PIP_CERT"), label: "PIP_CERT")
      cert.expandsHome = true
      return cert
    }(),
    TrustChoice.requestsBundle(.config("pip cert"), label: "pip.conf cert"),
  ]

  /// botocore's `verify` path (AWS_CA_BUNDLE, ca_bundle, REQUESTS_CA_BUNDLE): measured, a folder raises
  /// `IsADirectoryError` (it is loaded as a file), unlike requests which takes it as `ca_cert_dir`.
  static func botocoreBundle(_ input: TrustChoice.Input, label: String, validatesEmpty: Bool = true) -> TrustChoice {
    var choice = TrustChoice.requestsBundle(input, label: label)
    choice.folder = .raises(TrustChoice.isADirectory)
    // The value becomes urllib3's `ca_certs`, which urllib3 expands (`~/` is the home folder).
    choice.expandsHome = true
    // `_validate_verify_value` (1.43.54 on): an empty or blank value stops every call. Before, an empty `verify` is
    // false: `_setup_ssl_cert` sets CERT_NONE, verification off.
    choice.empty = validatesEmpty ? .raises(botocoreEmptyBundle) : .disables
    return choice
  }

  /// botocore's CA settings in the order that wins; measured (conformance matrix, botocore 1.44.8 with urllib3 2.5.0
  /// on Python 3.13): no strict flags and no partial chains, so its context is treated as its own.
  static func botocoreRow(validatesEmpty: Bool) -> ClientBehaviour {
    .init(
      client: "botocore", presence: .package("botocore"), version: .package("botocore"),
      versions: validatesEmpty
        ? .init(from: TrustBoundaries.botocoreEmptyBundle) : .init(below: TrustBoundaries.botocoreEmptyBundle),
      context: .ownContext,
      slots: [
        [
          botocoreBundle(.variable("AWS_CA_BUNDLE"), label: "AWS_CA_BUNDLE", validatesEmpty: validatesEmpty),
          botocoreBundle(.config("aws ca_bundle"), label: "~/.aws/config ca_bundle", validatesEmpty: validatesEmpty),
          botocoreBundle(.variable("REQUESTS_CA_BUNDLE"), label: "REQUESTS_CA_BUNDLE", validatesEmpty: validatesEmpty),
          certifi,
          TrustChoice.pythonCAFile(.packageFile("botocore/cacert.pem"), label: "botocore cacert.pem"),
        ]
      ],
      ignores: ["SSL_CERT_FILE", "CURL_CA_BUNDLE"],
      source:
        "src-read botocore 1.44.8 configprovider.py, endpoint.py _get_verify_value (_validate_verify_value from "
        + "1.43.54, src-read 1.43.53/1.43.54 wheels), httpsession.py get_cert_path (trust-regressions.md §7); "
        + "measured (docs/conformance.md): a folder raises IsADirectoryError, no strict flags on Python 3.13")
  }

  static let botocoreEmptyBundle =
    "botocore.exceptions.InvalidConfigError: Invalid CA bundle: the configured value (ca_bundle, AWS_CA_BUNDLE, "
    + "REQUESTS_CA_BUNDLE, or verify) resolved to an empty or whitespace-only string. Provide a valid path to a CA "
    + "bundle file."

  static let curlPrograms = ["/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl"]
  static let uvPrograms = ["/usr/local/bin/uv", "/usr/bin/uv", "/bin/uv", "/root/.local/bin/uv", "/root/.cargo/bin/uv"]

  /// The label of uv's compiled-in roots (judged with certifi's copy when there is one), which TG802 names like
  /// certifi.
  public static let uvBundledRoots = "uv's bundled Mozilla roots"

  /// uv (measured uv 0.13.9 against `openssl s_server`, UvVerificationTests): SSL_CERT_FILE (one file, PEM) and each
  /// folder of SSL_CERT_DIR (every regular file in it, hash names or not) replace its defaults, even when they name
  /// nothing readable ("No default certificates will be trusted"); otherwise the system store with `system-certs`
  /// (UV_SYSTEM_CERTS, the deprecated UV_NATIVE_TLS, or uv.toml), else the Mozilla roots compiled into it, which
  /// stand in a store as certifi's copy of the same list when the project has one (else nothing can judge them).
  static func uvRow(systemCerts: Bool) -> ClientBehaviour {
    let nothing = TrustChoice.Reaction.nothing
    return .init(
      client: "uv",
      presence: .configured(
        variables: ["UV_SYSTEM_CERTS", "UV_NATIVE_TLS", "UV_INSECURE_HOST"], programs: uvPrograms, lockfiles: [.uv]),
      version: .none, context: .rustls,
      slots: [
        [
          .init(
            .variable("SSL_CERT_FILE"), label: "SSL_CERT_FILE", folder: nothing, missing: nothing,
            noCertificates: nothing)
        ],
        [
          .init(
            .variable("SSL_CERT_DIR"), label: "SSL_CERT_DIR", file: nothing, folder: .loadEveryFile(split: true),
            missing: nothing, noCertificates: nothing)
        ],
        systemCerts
          ? [
            .init(.osBundle, label: "system store", folder: nothing, missing: nothing, noCertificates: nothing)
          ]
          : [
            .init(
              .mozillaCopy, label: uvBundledRoots + ", as certifi's copy", folder: nothing, missing: .next,
              noCertificates: nothing),
            .init(
              .builtIn(uvBundledRoots), label: uvBundledRoots, folder: nothing, missing: nothing,
              noCertificates: nothing),
          ],
      ],
      ignores: ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"],
      when: systemCerts ? "uv system-certs" : nil,
      defaultsUnlessSet: ["SSL_CERT_FILE", "SSL_CERT_DIR"],
      // rustls-pki-types reads CERTIFICATE sections only, each `-----BEGIN ` first on its line.
      reading: .rustls,
      source:
        "https://docs.astral.sh/uv/concepts/authentication/certificates/; measured uv 0.13.9 (UvVerificationTests)")
  }
  /// Node (measured node 20.20.2, 22.14.0, 22.15.0 and 24.19.0 against `openssl s_server`, NodeVerificationTests):
  /// its bundled roots, read from the program (`NodeProgram`), unless NODE_OPTIONS says `--use-openssl-ca` (or the
  /// build chose OpenSSL's store): then SSL_CERT_FILE and SSL_CERT_DIR, else its OpenSSL's default file and hashed
  /// folder (Node's own builds: `/etc/ssl`, whatever the system's OpenSSL uses). `--use-system-ca` (Linux: Node 22.15
  /// and 23.9 on) or NODE_USE_SYSTEM_CA=1 (22.19 and 24.6 on) adds the system store to the bundled roots (not to
  /// OpenSSL's store): SSL_CERT_FILE, else the default file, and every file of SSL_CERT_DIR, else of the default
  /// folder (hash names or not). NODE_EXTRA_CA_CERTS adds a
  /// file to any of them (one it cannot load is skipped with a warning); an intermediate is no anchor;
  /// NODE_TLS_REJECT_UNAUTHORIZED=0 alone turns verification off.
  enum NodeStore { case openssl, system, bundled }

  static func nodeRow(_ store: NodeStore) -> ClientBehaviour {
    let nothing = TrustChoice.Reaction.nothing
    func file(_ input: TrustChoice.Input, _ label: String) -> TrustChoice {
      .init(input, label: label, empty: nothing, folder: nothing, missing: nothing, noCertificates: nothing)
    }
    func folder(_ input: TrustChoice.Input, _ label: String, every: Bool) -> TrustChoice {
      .init(
        input, label: label, empty: nothing, file: nothing,
        folder: every ? .loadEveryFile(split: false) : .lookUpFolder(split: true),
        missing: nothing, noCertificates: nothing)
    }
    // OpenSSL's default paths as Node's OpenSSL has them: its own OPENSSLDIR, else the system's.
    let defaultFile = [
      file(.config(NodeProgram.fileKey), "Node's OpenSSL default"), file(.opensslDefaultFile, "OpenSSL default"),
    ]
    func defaultFolder(every: Bool) -> [TrustChoice] {
      [
        folder(.config(NodeProgram.folderKey), "Node's OpenSSL default directory", every: every),
        folder(.opensslDefaultDir, "OpenSSL default directory", every: every),
      ]
    }
    var slots: [[TrustChoice]] = []
    if store == .openssl {
      slots.append([file(.variable("SSL_CERT_FILE"), "SSL_CERT_FILE")] + defaultFile)
      slots.append([folder(.variable("SSL_CERT_DIR"), "SSL_CERT_DIR", every: false)] + defaultFolder(every: false))
    } else {
      slots.append([
        .init(
          .nodeBundledRoots, label: NodeProgram.bundledRoots, file: .loadProgramRoots, folder: nothing,
          missing: .next, noCertificates: nothing),
        .init(
          .builtIn(NodeProgram.bundledRoots), label: NodeProgram.bundledRoots, folder: nothing, missing: nothing,
          noCertificates: nothing),
      ])
    }
    if store == .system {
      slots.append([file(.variable("SSL_CERT_FILE"), "system store: SSL_CERT_FILE")] + defaultFile)
      slots.append(
        [folder(.variable("SSL_CERT_DIR"), "system store: SSL_CERT_DIR", every: true)] + defaultFolder(every: true))
    }
    // `AddCertsFromFile`: PEM_read_bio_X509 in a loop, which reads CERTIFICATE blocks only.
    var extra = file(.variable("NODE_EXTRA_CA_CERTS"), "NODE_EXTRA_CA_CERTS")
    extra.reading = .x509Blocks
    slots.append([extra])
    let when = store == .openssl ? NodeProgram.opensslKey : store == .system ? NodeProgram.systemKey : nil
    return .init(
      client: "node",
      // Its trust variables in the snapshot, or (read with the configuration) its program on PATH, NODE_OPTIONS and
      // NODE_USE_SYSTEM_CA.
      presence: .anyOf([
        .configured(variables: ["NODE_EXTRA_CA_CERTS", "NODE_TLS_REJECT_UNAUTHORIZED"], programs: []),
        .setting(NodeProgram.presentKey),
      ]),
      version: .none, context: .node, slots: slots,
      ignores: store == .bundled ? ["SSL_CERT_FILE", "SSL_CERT_DIR"] : [],
      switches: [.init(variable: "NODE_TLS_REJECT_UNAUTHORIZED", value: "0")],
      when: when,
      source: "https://nodejs.org/api/cli.html (--use-openssl-ca, --use-system-ca, NODE_EXTRA_CA_CERTS, "
        + "NODE_TLS_REJECT_UNAUTHORIZED); measured node 20.20.2, 22.14.0, 22.15.0, 24.19.0 (NodeVerificationTests)")
  }

  static let gitPrograms = ["/usr/bin/git", "/bin/git", "/usr/local/bin/git"]

  /// The flags each kind of context sets, by version: the strict checks Python 3.13 added.
  public struct FlagRule: Sendable {
    public var context: ContextKind
    /// The package whose version matters (urllib3), nil for the stdlib.
    public var package: String?
    public var versions: VersionRange = .any
    public var python: VersionRange
    public var flags: VerificationFlags
    public var source: String
    /// The clients of that context the rule is for; nil: all of them (pip's own urllib3 is vendored, not the one
    /// installed).
    public var clients: Set<String>? = nil
  }

  public static let flagRules: [FlagRule] = [
    .init(
      context: .curl, package: nil, python: .any, flags: [.partialChain],
      source:
        "https://curl.se/libcurl/c/CURLOPT_SSL_OPTIONS.html (CURLSSLOPT_NO_PARTIALCHAIN: partial chains are "
        + "accepted by default since 7.68.0); measured curl 7.88.1 and git 2.39.5 (docs/conformance.md)"),
    .init(
      context: .go, package: nil, python: .any, flags: [.partialChain],
      source:
        "https://github.com/golang/go/blob/master/src/crypto/x509/verify.go (a chain ends at any certificate of "
        + "opts.Roots); measured go 1.19.8: an intermediate in SSL_CERT_FILE is an anchor (GoVerificationTests)"),
    .init(
      context: .java, package: nil, python: .any, flags: [.partialChain],
      source:
        "https://docs.oracle.com/en/java/javase/17/security/java-pki-programmers-guide.html (any trusted "
        + "certificate is a TrustAnchor); measured OpenJDK 17.0.15: an intermediate in the store is an anchor "
        + "(JavaVerificationTests)"),
    .init(
      context: .stdlibDefault, package: nil, python: .init(from: TrustBoundaries.pythonStrictFlags),
      flags: [.x509Strict, .partialChain],
      source: "https://github.com/python/cpython/issues/107361 (gh-107361, PR #112389)"),
    .init(
      context: .urllib3, package: "urllib3", versions: .init(from: TrustBoundaries.urllib3StrictFlags),
      python: .init(from: TrustBoundaries.pythonStrictFlags),
      flags: [.x509Strict, .partialChain],
      source: "https://github.com/urllib3/urllib3/blob/main/CHANGES.rst#240-2025-04-10 (#3571)"),
    // No common name when the leaf has no DNS name: "Hostname mismatch, certificate is not valid for 'localhost'".
    .init(
      context: .urllib3, package: "urllib3", versions: .init(from: TrustBoundaries.urllib3NoCommonName), python: .any,
      flags: [.noCommonName],
      source: "https://github.com/urllib3/urllib3/blob/main/CHANGES.rst#200-2023-04-26 (commonName fallback "
        + "removed); src-read urllib3 2.3.0 util/ssl_.py create_urllib3_context: hostname_checks_common_name = False",
      clients: ["requests", "urllib3"]),
    .init(
      context: .ownContext, package: "httpx", versions: .init(below: TrustBoundaries.httpxDefaultContext),
      python: .any, flags: [.noCommonName],
      source: "https://github.com/encode/httpx/blob/0.27.2/httpx/_config.py (load_ssl_context_verify sets "
        + "hostname_checks_common_name = False; 0.28 uses ssl.create_default_context, which keeps the fallback)",
      clients: ["httpx"]),
    .init(
      context: .go, package: nil, python: .any, flags: [.noCommonName],
      source: "https://go.dev/doc/go1.17#crypto/x509 (the x509ignoreCN=0 GODEBUG is gone: no common name "
        + "fallback); measured go 1.19.8: \"x509: certificate relies on legacy Common Name field\""),
    .init(
      context: .java, package: nil, python: .any, flags: [.javaChainRules],
      source: "https://github.com/openjdk/jdk17u/blob/master/src/java.base/share/classes/sun/security/validator/"
        + "PKIXValidator.java (the trust anchor must be a CA; a TrustAnchor carries no dates, path length or name "
        + "constraints) and EndEntityChecker.java (extended key usage on the leaf alone); measured OpenJDK 17.0.15 "
        + "(ChainRulesTests): \"TrustAnchor with subject … is not a CA certificate\" for a v3 root without "
        + "basicConstraints cA, an expired root verifies, a leaf whose keyUsage lacks digitalSignature does not "
        + "(TLS 1.3)"),
    .init(
      context: .go, package: nil, python: .any, flags: [.goChainRules],
      source: "https://github.com/golang/go/blob/go1.19.8/src/crypto/x509/x509.go (CheckSignatureFrom: a v3 parent "
        + "without basicConstraints cA, or with keyUsage and no certSign, cannot sign) and verify.go "
        + "(checkChainForKeyUsage; the leaf's keyUsage is ignored); measured go 1.19.8 (GoVerificationTests)"),
    .init(
      context: .curl, package: nil, python: .any, flags: [.noCommonNameBesideAltNames],
      source: "https://github.com/curl/curl/blob/curl-7_88_1/lib/vtls/openssl.c (Curl_ossl_verifyhost: with a DNS "
        + "or IP subjectAltName the CN is not used); measured curl 7.88.1: \"no alternative certificate subject name "
        + "matches\" for an IP-only subjectAltName (CommonNameVerificationTests)",
      clients: ["curl"]),
    .init(
      context: .rustls, package: nil, python: .any, flags: [.noCommonName],
      source: "https://github.com/rustls/webpki (names are matched against subjectAltName only)"),
    .init(
      context: .rustls, package: nil, python: .any, flags: [.webpkiChainRules],
      source: "https://github.com/rustls/webpki (a trust anchor is a subject, a key and name constraints; "
        + "keyUsage is not read); measured uv 0.13.9: a CA:FALSE root, one without basicConstraints and a leaf "
        + "with keyCertSign alone verify, an intermediate for clientAuth only does not (ChainRulesTests)"),
  ]

  /// The TLS security level a context runs at: libssl makes it the chain's auth level (`ssl_verify_cert_chain`):
  /// at 1 SHA-1 signatures and RSA keys under 1024 bits fail, at 2 RSA keys under 2048 bits too. The last rule that
  /// matches a client wins.
  public struct SecurityLevelRule: Sendable {
    public enum Level: Sendable, Equatable {
      case fixed(Int)
      /// The level libssl gives every new context in the tree (`SystemSecurityLevel`).
      case system
    }
    public var contexts: [ContextKind]
    public var python: VersionRange = .any
    /// The TLS library the client is linked with (`TrustConfiguration.tlsLibraries`); nil: OpenSSL.
    public var library: String? = nil
    public var level: Level
    /// Why the client runs at that level, for its verdict when the level refuses a chain (`.system`: the tree's
    /// configuration line or build says).
    public var because: String? = nil
    public var source: String
  }

  public static let securityLevelRules: [SecurityLevelRule] = [
    // Every OpenSSL client starts at the tree's level: its configuration's system_default, else the build's.
    .init(
      contexts: [.stdlibDefault, .urllib3, .ownContext, .program, .curl], level: .system,
      source: "ssl/ssl_cert.c ssl_verify_cert_chain (auth level = security level), ssl/ssl_mcnf.c system_default; "
        + "measured curl 7.88.1, openssl s_client 3.0 and Python 3.9 with OPENSSL_CONF (SecurityLevelTests)"),
    // Every `ssl.SSLContext` gets Python's default cipher string, which starts with @SECLEVEL=2 since 3.10.
    .init(
      contexts: [.stdlibDefault, .urllib3, .ownContext], python: .init(from: TrustBoundaries.pythonSecurityLevel2),
      level: .fixed(2), because: "Python 3.10+ sets @SECLEVEL=2 on every context",
      source: "https://github.com/python/cpython/pull/25778 (bpo-43998)"),
    // GnuTLS (Debian's git): SHA-1 signatures refused, RSA keys of 1024 bits accepted, as OpenSSL at level 1.
    .init(
      contexts: [.curl], library: "GnuTLS", level: .fixed(1),
      because: "GnuTLS refuses SHA-1 signatures (modelled as OpenSSL's level 1)",
      source: "measured git 2.39.5 with libcurl-gnutls (GnuTLS 3.7.9): a SHA-1-signed leaf refused, a 1024-bit "
        + "root accepted, whatever OpenSSL's configuration says (SecurityLevelTests)"),
    // Go 1.18 refuses SHA-1 signatures (GODEBUG=x509sha1=1 allowed them until 1.24); it checks no key size before
    // 1.24 (RSA under 1024 bits), as OpenSSL at level 1 does for RSA under 1024 bits.
    // webpki verifies RSA signatures of keys from 2048 bits only and no SHA-1 signature, whatever OpenSSL says.
    .init(
      contexts: [.rustls], level: .fixed(2),
      because: "webpki takes no SHA-1 signature and no RSA key under 2048 bits (modelled as OpenSSL's level 2)",
      source: "measured uv 0.13.9: a SHA-1 leaf UnsupportedSignatureAlgorithm, a 1024-bit root BadSignature, "
        + "whatever OpenSSL's configuration says (SecurityLevelTests)"),
    // Node reads only the `nodejs_conf` section of openssl.cnf, not the system_default its `openssl_conf` names.
    .init(
      contexts: [.node], level: .fixed(1),
      because: "Node reads openssl.cnf's nodejs_conf section only (OpenSSL's level 1)",
      source: "https://nodejs.org/api/cli.html#--openssl-shared-config; measured node 20.20.2: a 1024-bit root "
        + "accepted under a system_default of @SECLEVEL=2, refused when nodejs_conf names it (NodeVerificationTests)"),
    .init(
      contexts: [.go], level: .fixed(1), because: "Go 1.18+ refuses SHA-1 signatures (modelled as OpenSSL's level 1)",
      source: "https://go.dev/doc/go1.18#sha1; measured go 1.19.8 (SecurityLevelTests)"),
  ]

  /// The rows for one client.
  public static func rows(_ client: String) -> [ClientBehaviour] { all.filter { $0.client == client } }

  /// Clients in the table, in its order.
  public static var clients: [String] {
    var seen: [String] = []
    for row in all where !seen.contains(row.client) { seen.append(row.client) }
    return seen
  }

  /// Clients that read a variable, for messages (`SSL_CERT_FILE` → "urllib3, python-ssl, …").
  public static func readers(of variable: String) -> [String] {
    clients.filter { client in rows(client).contains { $0.reads.contains(variable) } }
  }
}

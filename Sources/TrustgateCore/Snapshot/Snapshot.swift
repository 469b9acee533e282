/// Everything trustgate read about one machine, root filesystem or image: the value `inspect` prints, `baseline`
/// stores and `check` compares. Collections are sorted so the same environment gives byte-identical JSON.
public struct Snapshot: Codable, Sendable, Equatable {
  public static let schemaID = "trustgate.snapshot/1"

  public var schema: String = Snapshot.schemaID
  public var target: Target
  public var platform: PlatformInfo = .init()
  public var openssl: OpenSSLInfo = .init()
  public var stores: [TrustStore] = []
  public var environment: [EnvVariable] = []
  public var proxy: ProxySettings = .init()
  public var python: PythonInfo = .init()
  public var lockfiles: [Lockfile] = []
  /// The only host-dependent section; `baseline` drops it.
  public var clock: ClockInfo?
  /// Where each client present takes its trust from; derived from the rest, never collected.
  public var effectiveTrust: [ClientTrust] = []
  /// Settings in client configuration files that turn TLS verification off; absent when there are none.
  public var configSwitches: [ConfigSwitch]?
  /// Every certificate met anywhere, keyed by SHA-256.
  public var certificates: [String: Certificate] = [:]
  public var problems: [Problem] = []
  /// Per client present: whether it verifies each endpoint, required root and private anchor (OpenSSL, as the client
  /// builds its store). Nil when there is nothing to verify, so snapshots without them keep their bytes.
  public var verdicts: [ClientVerdict]?

  public init(target: Target) { self.target = target }

  /// Sorts every list so serialisation is deterministic.
  public mutating func normalise() {
    stores.sort()
    environment.sort()
    proxy.variables.sort()
    python.environments.sort()
    lockfiles.sort()
    effectiveTrust.sort()
    problems = Problem.aggregated(problems)
    verdicts?.sort()
  }
}

/// What was inspected.
public struct Target: Codable, Sendable, Equatable {
  public enum Kind: String, Codable, Sendable { case host, root, image }
  public var kind: Kind
  /// The image reference or file name for images; nil otherwise (host paths would make baselines differ).
  public var image: String?
  /// For an image whose config names a `User` other than root: who reads its files (`app (uid 1000, gid 1000)`).
  public var user: String?
  public init(kind: Kind, image: String? = nil, user: String? = nil) {
    self.kind = kind
    self.image = image
    self.user = user
  }
}

/// `/etc/os-release` and the installed CA package.
public struct PlatformInfo: Codable, Sendable, Equatable {
  public var osID: String?
  public var osVersionID: String?
  public var prettyName: String?
  /// `ca-certificates` as the package manager records it (dpkg status, apk installed db, rpm not read).
  public var caPackage: InstalledPackage?
  public init() {}
}

public struct InstalledPackage: Codable, Sendable, Equatable {
  public var manager: String
  public var name: String
  public var version: String
  public init(manager: String, name: String, version: String) {
    self.manager = manager
    self.name = name
    self.version = version
  }
}

/// OpenSSL as linked into trustgate (the host's libssl), its compiled-in defaults and what they resolve to.
public struct OpenSSLInfo: Codable, Sendable, Equatable {
  public var version: String?
  public var defaultCertFile: String?
  public var defaultCertDir: String?
  public var certFileEnv: String?
  public var certDirEnv: String?
  /// Where the default file leads inside the inspected tree (after links), and its certificates.
  public var resolvedCertFile: String?
  /// Where the default directory leads inside the inspected tree (Debian: `/usr/lib/ssl/certs` → `/etc/ssl/certs`).
  public var resolvedCertDir: String?
  public var certFile: CertificateSet?
  public init() {}
}

/// A CA bundle file or certificate directory of the operating system.
public struct TrustStore: Codable, Sendable, Equatable, Comparable {
  public enum Kind: String, Codable, Sendable {
    /// A PEM (or DER) bundle that clients load.
    case bundle
    /// A directory clients load by subject hash (`openssl rehash` links).
    case hashedDirectory
    /// A directory of certificates that an update step turns into the bundle (anchors / local CAs).
    case anchors
    /// Any other directory of certificates (Go reads them all).
    case directory
  }
  public var path: String
  public var kind: Kind
  /// The path links lead to, when `path` is a link.
  public var linksTo: String?
  public var certificates: CertificateSet
  /// Hashed directories: links whose name does not match the certificate's subject hash, and dangling links.
  public var mismatchedHashLinks: [String]?
  public var danglingLinks: [String]?
  /// How many there are when the lists above hold only the first `StoresCollector.listedLinks` names; nil when the
  /// lists are complete (a folder of 100,000 bad links must not make a snapshot of megabytes).
  public var mismatchedHashLinkCount: Int?
  public var danglingLinkCount: Int?
  /// Anchors: certificates (SHA-256) that the bundle built from this folder does not contain.
  public var notInBundle: [String]?

  public init(path: String, kind: Kind, linksTo: String? = nil, certificates: CertificateSet = .init()) {
    self.path = path
    self.kind = kind
    self.linksTo = linksTo
    self.certificates = certificates
  }

  public static func < (lhs: TrustStore, rhs: TrustStore) -> Bool { lhs.path < rhs.path }
}

/// A trust-related environment variable that is set (possibly empty). Unset variables are not listed.
public struct EnvVariable: Codable, Sendable, Equatable, Comparable {
  public enum Role: String, Codable, Sendable {
    case caFile, caDirectory, caFileOrDirectory, disablesVerification
  }
  public var name: String
  public var role: Role
  /// The value as set (trust variables hold paths and switches, never secrets); "" when set and empty.
  public var value: String
  /// For switches: whether this value turns verification off.
  public var disablesVerification: Bool?
  /// For paths: what the value points at.
  public var target: EnvTarget?
  /// For a relative path (`certs/ca.pem`): the absolute path clients open, resolved against the folder they run in
  /// (`/src/certs/ca.pem`). Nil for an absolute value.
  public var path: String?

  public init(name: String, role: Role, value: String) {
    self.name = name
    self.role = role
    self.value = value
  }

  public var isEmpty: Bool { value.isEmpty }
  /// The path clients open: `path` for a relative value, else the value.
  public var openedPath: String { path ?? value }
  /// The value for messages, each part cut at `InertText.valueLimit`: with the path clients open when it is relative
  /// (`certs/ca.pem (/src/certs/ca.pem)`).
  public var shownValue: String { path.map { "\(value.capped()) (\($0.capped()))" } ?? value.capped() }
  public static func < (lhs: EnvVariable, rhs: EnvVariable) -> Bool { lhs.name < rhs.name }
}

public struct EnvTarget: Codable, Sendable, Equatable {
  public enum State: String, Codable, Sendable {
    /// `unreadable`: there, but this user may not read it (clients fail when they load it); `linkLoop`: links that
    /// lead back to themselves (clients see nothing there); `tooLarge`: a file over the size trustgate reads (what
    /// it holds, and so what its clients trust, is unknown); `fifo`: a named pipe, which a client that opens it
    /// blocks on (any other special file is `notAFile`).
    case file, directory, missing, danglingLink, linkLoop, unreadable, notAFile, tooLarge, fifo
  }
  public var state: State
  public var resolvedPath: String?
  public var certificates: CertificateSet?
  /// Other trust sources with the same certificates (`store:/etc/ssl/certs/ca-certificates.crt`, `certifi:…`).
  public var sameAs: [String]?
  public init(state: State) { self.state = state }
}

/// Proxy variables, credentials already redacted.
public struct ProxySettings: Codable, Sendable, Equatable {
  public var variables: [ProxyVariable] = []
  public init() {}
}

public struct ProxyVariable: Codable, Sendable, Equatable, Comparable {
  public var name: String
  /// The value with any user and password replaced by `***`.
  public var value: String
  public var scheme: String?
  public var host: String?
  public var port: Int?
  public var hasCredentials: Bool
  /// Why the value is not a usable proxy URL; nil when it is (always nil for NO_PROXY).
  public var malformed: String?

  public init(name: String, value: String, hasCredentials: Bool) {
    self.name = name
    self.value = value
    self.hasCredentials = hasCredentials
  }

  public static func < (lhs: ProxyVariable, rhs: ProxyVariable) -> Bool { lhs.name < rhs.name }
}

/// Python installations found without running Python.
public struct PythonInfo: Codable, Sendable, Equatable {
  public var environments: [PythonEnvironment] = []
  public init() {}
}

public struct PythonEnvironment: Codable, Sendable, Equatable, Comparable {
  public enum Kind: String, Codable, Sendable { case virtualenv, system, local }
  /// The prefix (venv folder, `/usr`, `/usr/local`); relative to the repository when inside it.
  public var path: String
  public var kind: Kind
  /// `3.11.7` from pyvenv.cfg, else `3.11` from the lib/pythonX.Y folder.
  public var pythonVersion: String?
  /// site-packages / dist-packages folders read, in the same form as `path`.
  public var sitePackages: [String] = []
  /// Installed distributions by normalised name.
  public var distributions: [Distribution] = []
  public var certifi: BundledCA?
  /// pip's own vendored copy (`pip/_vendor/certifi/cacert.pem`).
  public var pipCertifi: BundledCA?
  /// Other CA bundles shipped inside packages (httplib2, botocore, …).
  public var vendoredBundles: [BundledCA] = []
  /// Virtual environments: the base installation's prefix (from pyvenv.cfg `home`), in the same form as `path`.
  public var base: String?
  /// Virtual environments: whether the base installation's packages are visible too (pyvenv.cfg).
  public var includesSystemSitePackages: Bool?
  /// True for the environment `VIRTUAL_ENV` names (the active one); nil otherwise.
  public var active: Bool?
  /// True for the environment chosen as the project's Python (`PythonSelection.primary`); absent otherwise.
  public var projectPython: Bool?

  public init(path: String, kind: Kind) {
    self.path = path
    self.kind = kind
  }

  public func distribution(_ name: String) -> Distribution? {
    let n = normalizePackageName(name)
    return distributions.first { $0.name == n }
  }

  public static func < (lhs: PythonEnvironment, rhs: PythonEnvironment) -> Bool { lhs.path < rhs.path }
}

public struct Distribution: Codable, Sendable, Equatable, Comparable {
  /// PEP 503-normalised name.
  public var name: String
  public var version: String
  /// The metadata file the version came from.
  public var metadata: String
  public init(name: String, version: String, metadata: String) {
    self.name = normalizePackageName(name)
    self.version = version
    self.metadata = metadata
  }
  public static func < (lhs: Distribution, rhs: Distribution) -> Bool {
    (lhs.name, lhs.metadata) < (rhs.name, rhs.metadata)
  }
}

/// A CA bundle inside a Python package.
public struct BundledCA: Codable, Sendable, Equatable, Comparable {
  /// Distribution that ships it (`certifi`, `pip`, `httplib2`, `botocore`).
  public var package: String
  public var path: String
  /// Where links lead (Debian's python3-certifi links to the OS bundle).
  public var linksTo: String?
  /// Whether what clients load is the OS bundle (a link to it, a patched `certifi.where()`, or the same certificates).
  public var isOSBundle: Bool
  /// The file a patched package really loads instead of `path`: Debian and Ubuntu's python3-certifi make
  /// `certifi.where()` return `/etc/ssl/certs/ca-certificates.crt`. `certificates` are that file's.
  public var loadedFrom: String?
  /// The certificates clients load (from `loadedFrom` when set, else from `path`).
  public var certificates: CertificateSet
  /// True when the file is there but could not be read (its mode, another owner): clients raise when they load it.
  /// nil otherwise (absent from JSON, so older snapshots read the same).
  public var unreadable: Bool?
  public init(
    package: String, path: String, linksTo: String? = nil, isOSBundle: Bool = false, certificates: CertificateSet
  ) {
    self.package = package
    self.path = path
    self.linksTo = linksTo
    self.isOSBundle = isOSBundle
    self.certificates = certificates
  }
  public static func < (lhs: BundledCA, rhs: BundledCA) -> Bool { lhs.path < rhs.path }
}

/// The time and how much to trust it.
public struct ClockInfo: Codable, Sendable, Equatable {
  public enum Sync: String, Codable, Sendable { case synchronised, unsynchronised, unknown }
  /// Collection time, ISO 8601 UTC.
  public var now: String
  public var sync: Sync
  /// Kernel's estimated maximum error, microseconds (adjtimex), when known.
  public var maxErrorMicroseconds: Int?
  /// HEAD commit time of the repository, ISO 8601 UTC.
  public var headCommitTime: String?
  public init(now: String, sync: Sync) {
    self.now = now
    self.sync = sync
  }
}

/// Where one client library or program takes its trust from, given its version and the environment.
public struct ClientTrust: Codable, Sendable, Equatable, Comparable {
  public enum Status: String, Codable, Sendable { case ok, broken, insecure, unknown }
  /// `httpx`, `requests`, `pip`, `botocore`, `curl`, `git`, `node`, `openssl`, `python-ssl`, …
  public var client: String
  public var version: String?
  /// Short description of the source: `SSL_CERT_FILE`, `certifi`, `openssl-default`, …
  public var source: String
  /// The file or directory loaded, in view paths.
  public var path: String?
  /// Valid (unexpired) roots in that source.
  public var roots: Int?
  public var status: Status
  /// Variables this client reads that are set, and set variables it ignores.
  public var honours: [String] = []
  public var ignores: [String] = []
  public var note: String?

  public init(client: String, version: String?, source: String, path: String?, roots: Int?, status: Status) {
    self.client = client
    self.version = version
    self.source = source
    self.path = path
    self.roots = roots
    self.status = status
  }

  public static func < (lhs: ClientTrust, rhs: ClientTrust) -> Bool { lhs.client < rhs.client }

  /// Whether it trusts a public set only, never the OS store: certifi, or the Mozilla roots compiled into uv.
  public var readsPublicRoots: Bool { source == "certifi" || source.hasPrefix(ClientBehaviours.uvBundledRoots) }
  /// Java on the JDK's own keystore (cacerts, jssecacerts): a root added to the OS store reaches it only through
  /// ca-certificates-java's hook or keytool.
  public var readsJDKStore: Bool {
    (client == "java" || client == "maven") && (source == "cacerts" || source == "jssecacerts")
  }
  /// Node on the Mozilla roots compiled into it, never the OS store (unless NODE_EXTRA_CA_CERTS adds a root to them).
  public var readsNodeBundledRoots: Bool { client == "node" && source == NodeProgram.bundledRoots }
}

/// A setting in a client's configuration file that turns TLS verification off: pip's `trusted-host` (for the hosts
/// it lists) or git's `http.sslVerify = false` (for every host), where the client reads it.
public struct ConfigSwitch: Codable, Sendable, Equatable, Comparable {
  /// The client that reads it (`pip`, `git`).
  public var client: String
  /// The setting as its documentation names it (`trusted-host`, `http.sslVerify`).
  public var key: String
  public var value: String
  /// The file that sets it, and its line (1-based).
  public var path: String
  public var line: Int
  /// Whether it turns verification off for every host (git's switch) rather than for the hosts it lists.
  public var everyHost: Bool
  /// The URL it applies to, when it is set in a URL's section (git's `[http "https://git.corp.example/"]`).
  public var url: String?
  /// The environment variable that sets it (git's GIT_CONFIG_KEY_0, GIT_CONFIG_PARAMETERS), when no file does:
  /// `path` is then empty and `line` 0.
  public var variable: String?

  public init(
    client: String, key: String, value: String, path: String, line: Int, everyHost: Bool, url: String? = nil,
    variable: String? = nil
  ) {
    self.client = client
    self.key = Self.redactingCredentials(key)
    self.value = Self.redactingCredentials(value)
    self.path = path
    self.line = line
    self.everyHost = everyHost && url == nil
    self.url = url.map(Self.redactingCredentials)
    self.variable = variable
  }

  /// The setting with every password it holds replaced, before anything keeps it: each item of a list (`,` or any
  /// whitespace between items) written `scheme://user:password@host` or `user:password@host` (a pip trusted-host, a uv
  /// allow-insecure-host, a GOINSECURE pattern, git's `http.<url>.sslVerify`) keeps only `***@` and what follows its
  /// last `@`. The host the client matches is unchanged.
  static func redactingCredentials(_ value: String) -> String {
    guard value.contains("@") else { return value }
    var out = ""
    var item = ""
    func flush() {
      if let at = item.lastIndex(of: "@") {
        let before = item[..<at]
        if let scheme = before.range(of: "://") {
          item = String(before[..<scheme.upperBound]) + "***" + item[at...]
        } else if !before.contains("/") {
          item = "***" + item[at...]
        }
      }
      out += item
      item = ""
    }
    for character in value {
      // pip splits a list on any whitespace, line ends too.
      if character == "," || character.isWhitespace {
        flush()
        out.append(character)
      } else {
        item.append(character)
      }
    }
    flush()
    return out
  }

  /// Where it is set, for messages: the file, or the environment variable.
  public var place: String { variable.map { "the environment (\($0))" } ?? path }

  /// Whom it turns verification off for, for messages.
  public var scope: String {
    if let url { return "for \(url.capped(200))" }
    return everyHost ? "for every host" : "for the hosts it lists"
  }

  public static func < (lhs: ConfigSwitch, rhs: ConfigSwitch) -> Bool {
    (lhs.client, lhs.key, lhs.path, lhs.variable ?? "", lhs.url ?? "", lhs.line)
      < (rhs.client, rhs.key, rhs.path, rhs.variable ?? "", rhs.url ?? "", rhs.line)
  }
}

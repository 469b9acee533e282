/// A trust-related environment variable: what it holds and who reads it.
public struct TrustVariable: Sendable {
  public var name: String
  public var role: EnvVariable.Role
  /// Readers the client table (`ClientBehaviours`) does not hold: Go, cargo, npm, …
  public var otherReaders: String
  /// For switches: whether a value turns verification off.
  public var disables: (@Sendable (String) -> Bool)? = nil

  public init(
    name: String, role: EnvVariable.Role, readBy otherReaders: String, disables: (@Sendable (String) -> Bool)? = nil
  ) {
    self.name = name
    self.role = role
    self.otherReaders = otherReaders
    self.disables = disables
  }

  /// Everyone that reads it, for messages: the table's clients first, then the others.
  public var readBy: String {
    let readers = ClientBehaviours.readers(of: name) + (otherReaders.isEmpty ? [] : [otherReaders])
    return readers.isEmpty ? "its readers" : readers.joined(separator: ", ")
  }
}

/// The checklist of trust variables (../shared/knowledge/trust-regressions.md §7 and its switch table).
/// Adding a variable is one line. Which of the table's clients read a variable, and in what order, is
/// `ClientBehaviours` (Trust/); `readBy` here lists only readers outside it.
public enum TrustVariables {
  public static let all: [TrustVariable] = [
    // OpenSSL defaults beyond the table: Ruby, PHP, Go.
    .init(name: "SSL_CERT_FILE", role: .caFile, readBy: "Ruby, PHP, Go"),
    .init(name: "SSL_CERT_DIR", role: .caDirectory, readBy: "Ruby, PHP, Go"),
    .init(name: "REQUESTS_CA_BUNDLE", role: .caFileOrDirectory, readBy: ""),
    .init(name: "CURL_CA_BUNDLE", role: .caFile, readBy: ""),
    // pip hands it to requests, which loads a folder as a hashed one (`ca_cert_dir`); measured with pip 23.0.1,
    // 23.2.1 and 24.2 against openssl s_server (TrustVariableTargetRuleTests).
    .init(name: "PIP_CERT", role: .caFileOrDirectory, readBy: ""),
    .init(name: "AWS_CA_BUNDLE", role: .caFile, readBy: "boto3, aws cli"),
    .init(name: "NODE_EXTRA_CA_CERTS", role: .caFile, readBy: ""),
    .init(name: "GIT_SSL_CAINFO", role: .caFile, readBy: ""),
    .init(name: "GIT_SSL_CAPATH", role: .caDirectory, readBy: ""),
    .init(name: "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", role: .caFile, readBy: "gRPC C-core (grpcio), grpc-js"),
    .init(name: "HTTPLIB2_CA_CERTS", role: .caFile, readBy: "httplib2"),
    .init(name: "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE", role: .caFile, readBy: "Google Cloud SDK"),
    .init(name: "NIX_SSL_CERT_FILE", role: .caFile, readBy: "Nix"),
    .init(name: "SHOTGUN_API_CACERTS", role: .caFile, readBy: ""),
    .init(name: "CARGO_HTTP_CAINFO", role: .caFile, readBy: "cargo"),
    .init(name: "NPM_CONFIG_CAFILE", role: .caFile, readBy: "npm"),
    .init(name: "npm_config_cafile", role: .caFile, readBy: "npm"),
    .init(name: "BUNDLE_SSL_CA_CERT", role: .caFileOrDirectory, readBy: "Ruby bundler"),
    .init(name: "DENO_CERT", role: .caFile, readBy: "Deno"),
    // Switches that turn verification off (trust-regressions.md, verification-disabling switches).
    .init(
      name: "PYTHONHTTPSVERIFY", role: .disablesVerification,
      readBy: "Python 2.7 and distribution-patched Python 3 (PEP 493)",
      disables: { $0 == "0" }),
    .init(
      name: "NODE_TLS_REJECT_UNAUTHORIZED", role: .disablesVerification, readBy: "", disables: { $0 == "0" }),
    // git checks only that the variable exists.
    .init(name: "GIT_SSL_NO_VERIFY", role: .disablesVerification, readBy: "", disables: { _ in true }),
    // npm (@npmcli/config's parseField) trims the value and takes only the word `false` as false; "FALSE" or "0" is a
    // string that leaves verification on (measured with npm 10.8.2 against openssl s_server, ConfigSwitchTests).
    .init(
      name: "NPM_CONFIG_STRICT_SSL", role: .disablesVerification, readBy: "npm", disables: npmFalse),
    .init(
      name: "npm_config_strict_ssl", role: .disablesVerification, readBy: "npm", disables: npmFalse),
    // pip splits the list at white space (`str.split()`): blanks alone name no host.
    .init(
      name: "PIP_TRUSTED_HOST", role: .disablesVerification, readBy: "pip",
      disables: { $0.unicodeScalars.contains { !pythonSpace($0) } }),
    // go fetches the module paths it lists with InsecureSkipVerify (cmd/go's web package); a comma-separated list of
    // patterns, where blanks name no module path (measured with go 1.19, GoInsecureTests).
    .init(
      name: "GOINSECURE", role: .disablesVerification, readBy: "go (module downloads of the paths it lists)",
      disables: goInsecure),
    // uv splits it at spaces (measured with uv 0.13.9, UvVerificationTests): blanks alone name no host.
    .init(
      name: "UV_INSECURE_HOST", role: .disablesVerification, readBy: "uv",
      disables: { $0.unicodeScalars.contains { !pythonSpace($0) } }),
  ]

  public static func variable(_ name: String) -> TrustVariable? { all.first { $0.name == name } }

  /// Whether a GOINSECURE list names a module path: one of its comma-separated patterns holds more than blanks.
  @Sendable static func goInsecure(_ value: String) -> Bool {
    value.split(separator: ",").contains { $0.unicodeScalars.contains { !pythonSpace($0) } }
  }

  /// What Python's `str.isspace()` (and so `str.split()`) takes as white space.
  static func pythonSpace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
    default: false
    }
  }

  /// Whether npm reads a configuration value as `false`: the word itself once JavaScript's `trim()` has taken the
  /// white space around it (what `String.prototype.trim` counts as white space, U+FEFF among it).
  @Sendable static func npmFalse(_ value: String) -> Bool {
    let space: Set<UInt32> = [
      0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF,
    ]
    func isSpace(_ scalar: Unicode.Scalar) -> Bool {
      space.contains(scalar.value) || (0x2000...0x200A).contains(scalar.value)
    }
    var scalars = value.unicodeScalars[...]
    while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
    while let last = scalars.last, isSpace(last) { scalars.removeLast() }
    return String(String.UnicodeScalarView(scalars)) == "false"
  }

  /// Variables whose values are paths a client opens: the CA variables, and the configuration files
  /// `TrustConfiguration` reads from a variable (`PIP_CONFIG_FILE`, `AWS_CONFIG_FILE`).
  static let pathVariables: [(name: String, list: Bool)] =
    all.compactMap { variable in
      switch variable.role {
      case .caDirectory: return (variable.name, true)
      case .caFile, .caFileOrDirectory: return (variable.name, false)
      case .disablesVerification: return nil
      }
    }
    + TrustConfiguration.fileVariables.map { ($0, false) }

  /// `env` with every relative path a client would open made absolute against `workingDirectory`, as the
  /// client's `open` resolves it against the process's working folder: `REQUESTS_CA_BUNDLE=certs/ca.pem` in a job
  /// started in `/src` names `/src/certs/ca.pem`, in a container whose `WorkingDir` is `/app` `/app/certs/ca.pem`.
  /// Each folder of a `:`-separated SSL_CERT_DIR is resolved on its own; URLs and empty values stay as they are.
  public static func resolvingRelativePaths(_ env: [String: String], in workingDirectory: String) -> [String: String] {
    var result = env
    for (name, list) in pathVariables {
      guard let value = env[name], !value.isEmpty, !value.contains("://") else { continue }
      let resolved =
        list
        ? value.split(separator: ":", omittingEmptySubsequences: false)
          .map { opened(String($0), from: workingDirectory) }.joined(separator: ":")
        : opened(value, from: workingDirectory)
      if resolved != value { result[name] = resolved }
    }
    return result
  }

  /// The path a client opens for `path` when it runs in `workingDirectory`: a relative one joined to that folder,
  /// an absolute or empty one as it is.
  static func opened(_ path: String, from workingDirectory: String) -> String {
    guard !path.isEmpty, !path.hasPrefix("/") else { return path }
    let base = workingDirectory.hasPrefix("/") ? workingDirectory : "/" + workingDirectory
    return (base.hasSuffix("/") ? base : base + "/") + path
  }
}

/// A trust-related environment variable: what it holds and who reads it.
public struct TrustVariable: Sendable {
  public var name: String
  public var role: EnvVariable.Role
  /// Clients that read it, for messages and effective trust.
  public var readBy: String
  /// For switches: whether a value turns verification off.
  public var disables: (@Sendable (String) -> Bool)? = nil
}

/// The checklist of trust variables (../shared/knowledge/trust-regressions.md §7 and its switch table).
/// Adding a variable is one line.
public enum TrustVariables {
  public static let all: [TrustVariable] = [
    // OpenSSL defaults: CPython ssl, urllib, aiohttp, httpx ≥ 0.28 path handling, curl tool, Ruby, PHP, Go.
    .init(name: "SSL_CERT_FILE", role: .caFile, readBy: "OpenSSL-default programs, httpx, curl, Go, truststore"),
    .init(name: "SSL_CERT_DIR", role: .caDirectory, readBy: "OpenSSL-default programs, httpx, curl, Go"),
    // requests: REQUESTS_CA_BUNDLE > CURL_CA_BUNDLE (requests sessions.py merge_environment_settings).
    .init(name: "REQUESTS_CA_BUNDLE", role: .caFileOrDirectory, readBy: "requests, pip, botocore"),
    .init(name: "CURL_CA_BUNDLE", role: .caFile, readBy: "curl, requests, pip"),
    .init(name: "PIP_CERT", role: .caFile, readBy: "pip"),
    .init(name: "AWS_CA_BUNDLE", role: .caFile, readBy: "botocore, boto3, aws cli"),
    .init(name: "NODE_EXTRA_CA_CERTS", role: .caFile, readBy: "Node.js (appended to its bundled roots)"),
    .init(name: "GIT_SSL_CAINFO", role: .caFile, readBy: "git"),
    .init(name: "GIT_SSL_CAPATH", role: .caDirectory, readBy: "git"),
    .init(name: "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", role: .caFile, readBy: "gRPC C-core (grpcio), grpc-js"),
    .init(name: "HTTPLIB2_CA_CERTS", role: .caFile, readBy: "httplib2"),
    .init(name: "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE", role: .caFile, readBy: "Google Cloud SDK"),
    .init(name: "NIX_SSL_CERT_FILE", role: .caFile, readBy: "Nix"),
    .init(name: "SHOTGUN_API_CACERTS", role: .caFile, readBy: "shotgun_api3 (ShotGrid SDK)"),
    .init(name: "CARGO_HTTP_CAINFO", role: .caFile, readBy: "cargo"),
    .init(name: "NPM_CONFIG_CAFILE", role: .caFile, readBy: "npm"),
    .init(name: "npm_config_cafile", role: .caFile, readBy: "npm"),
    .init(name: "BUNDLE_SSL_CA_CERT", role: .caFileOrDirectory, readBy: "Ruby bundler"),
    .init(name: "DENO_CERT", role: .caFile, readBy: "Deno"),
    // Switches that turn verification off (trust-regressions.md, verification-disabling switches).
    .init(
      name: "PYTHONHTTPSVERIFY", role: .disablesVerification, readBy: "distro-patched Python (PEP 493)",
      disables: { $0 == "0" }),
    .init(
      name: "NODE_TLS_REJECT_UNAUTHORIZED", role: .disablesVerification, readBy: "Node.js", disables: { $0 == "0" }),
    // git checks only that the variable exists.
    .init(name: "GIT_SSL_NO_VERIFY", role: .disablesVerification, readBy: "git", disables: { _ in true }),
    .init(
      name: "NPM_CONFIG_STRICT_SSL", role: .disablesVerification, readBy: "npm", disables: { $0.lowercased() == "false" }),
    .init(
      name: "npm_config_strict_ssl", role: .disablesVerification, readBy: "npm", disables: { $0.lowercased() == "false" }),
    .init(name: "PIP_TRUSTED_HOST", role: .disablesVerification, readBy: "pip", disables: { !$0.isEmpty }),
    .init(name: "UV_INSECURE_HOST", role: .disablesVerification, readBy: "uv", disables: { !$0.isEmpty }),
  ]

  public static func variable(_ name: String) -> TrustVariable? { all.first { $0.name == name } }
}

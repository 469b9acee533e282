/// A version of a package (or of Python) at which TLS trust behaviour changes. From
/// `../shared/knowledge/trust-regressions.md`; each entry carries its source. Boundaries that also change what a
/// client loads or the flags it sets come from `TrustBoundaries`, which the client table (Trust/) reads too.
public struct TrustChange: Sendable {
  public var package: String
  public var boundary: String
  public var summary: String
  /// What breaks, in the error users see.
  public var impact: String
  public var fix: String
  public var source: String
  /// The change matters only on these Python versions and later (strict X.509 on 3.13), nil for all.
  public var minimumPython: String? = nil
}

public enum TrustChanges {
  public static let all: [TrustChange] = [
    .init(
      package: "httpx", boundary: TrustBoundaries.httpxDefaultContext,
      summary: "httpx 0.28 builds its SSL context with ssl.create_default_context(cafile=certifi) and reads SSL_CERT_FILE/SSL_CERT_DIR differently",
      impact: "a SSL_CERT_FILE that is not a file now raises FileNotFoundError when the Client is built (0.27 silently fell back to certifi); on Python 3.13 the stdlib's VERIFY_X509_STRICT applies, so CAs without keyUsage fail with CERTIFICATE_VERIFY_FAILED",
      fix: "Point SSL_CERT_FILE at an existing bundle that holds your CA, or pass verify=ssl.create_default_context(cafile=...); or pin httpx==0.27.2 until the CA is fixed",
      source: "https://github.com/encode/httpx/blob/master/CHANGELOG.md#0280-28th-november-2024"),
    .init(
      package: "requests", boundary: TrustBoundaries.requestsEmptyCurlBundle,
      summary: "requests before 2.28 turns verification off when CURL_CA_BUNDLE is set to an empty string",
      impact: "with an empty CURL_CA_BUNDLE, requests < 2.28 verifies nothing; >= 2.28 verifies with certifi",
      fix: "Unset CURL_CA_BUNDLE (or set it to a bundle) and use requests >= 2.28",
      source: "https://github.com/psf/requests/blob/main/HISTORY.md#2280-2022-06-09"),
    .init(
      package: "requests", boundary: "2.32.0",
      summary: "requests 2.32 preloads one global SSLContext from certifi at import time",
      impact: "truststore.inject_into_ssl() called after importing requests is not applied; custom HTTPAdapter ssl_context (2.32.3) no longer gets a CA bundle: `unable to get local issuer certificate`",
      fix: "Call truststore.inject_into_ssl() before importing requests (truststore >= 0.10.1), load CAs into custom adapter contexts, or use requests >= 2.32.5",
      source: "https://github.com/psf/requests/issues/6730"),
    .init(
      package: "requests", boundary: "2.32.5",
      summary: "requests 2.32.5 reverts the global SSLContext cache of 2.32.0",
      impact: "CA bundles are loaded per connection again; code that relied on the preloaded context behaves differently",
      fix: "Re-test custom adapters and truststore injection against the new version",
      source: "https://github.com/psf/requests/blob/main/HISTORY.md#2325-2025-08-18"),
    .init(
      package: "urllib3", boundary: "2.0.0",
      summary: "urllib3 2.0 requires OpenSSL >= 1.1.1, makes TLS 1.2 the minimum and drops the commonName fallback",
      impact: "ImportError on LibreSSL/old OpenSSL Pythons; TLS 1.0/1.1 servers and CN-only certificates fail",
      fix: "Use a Python built on OpenSSL >= 1.1.1 and reissue CN-only certificates with a subjectAltName; or pin urllib3<2",
      source: "https://urllib3.readthedocs.io/en/stable/v2-migration-guide.html"),
    .init(
      package: "urllib3", boundary: TrustBoundaries.urllib3StrictFlags,
      summary: "urllib3 2.4 adds VERIFY_X509_STRICT and VERIFY_X509_PARTIAL_CHAIN on Python 3.13+",
      impact: "requests and botocore on Python 3.13 start rejecting CAs without keyUsage and leaves without authorityKeyIdentifier",
      fix: "Reissue private CAs with keyUsage/subjectKeyIdentifier (RFC 5280); or pin urllib3<2.4 while you do",
      source: "https://github.com/urllib3/urllib3/blob/main/CHANGES.rst#240-2025-04-10", minimumPython: TrustBoundaries.pythonStrictFlags),
    .init(
      package: "pip", boundary: TrustBoundaries.pipTruststore,
      summary: "pip 24.2 uses the OS trust store (truststore) by default on Python >= 3.10",
      impact: "pip's trust moves between its vendored certifi and the system store: a corporate CA in the OS store starts (or stops) working for pip",
      fix: "Make sure the CA pip needs is in the source the new version reads (OS store, or PIP_CERT)",
      source: "https://pip.pypa.io/en/stable/topics/https-certificates/"),
    .init(
      package: "truststore", boundary: "0.10.1",
      summary: "truststore 0.10.1 patches the SSLContext requests 2.32 preloads",
      impact: "older truststore with requests 2.32.0-2.32.4 leaves requests on certifi despite inject_into_ssl()",
      fix: "Use truststore >= 0.10.1",
      source: "https://github.com/sethmlarson/truststore/issues/165"),
    .init(
      package: "python", boundary: TrustBoundaries.pythonStrictFlags,
      summary: "Python 3.13 adds VERIFY_X509_STRICT and VERIFY_X509_PARTIAL_CHAIN to ssl.create_default_context()",
      impact: "`CA cert does not include key usage extension` / `Missing Authority Key Identifier` for non-conforming private CAs",
      fix: "Reissue private CAs RFC 5280-conformant (keyUsage, subjectKeyIdentifier, authorityKeyIdentifier on leaves)",
      source: "https://github.com/python/cpython/issues/107361"),
    .init(
      package: "python", boundary: "3.12",
      summary: "Python 3.12 removes ssl.wrap_socket() and ssl.match_hostname()",
      impact: "AttributeError in old vendored urllib3/six code paths",
      fix: "Upgrade the libraries that call the removed functions",
      source: "https://docs.python.org/3/whatsnew/3.12.html#ssl"),
    .init(
      package: "python", boundary: TrustBoundaries.pythonSecurityLevel2,
      summary: "Python 3.10 requires OpenSSL 1.1.1 and raises the default security level",
      impact: "TLS 1.0/1.1 and weak keys fail (SECLEVEL 2)",
      fix: "Upgrade the servers' TLS configuration or lower the security level on your own context",
      source: "https://peps.python.org/pep-0644/"),
  ]

  /// certifi releases that removed many roots (trust-regressions.md §6).
  public static let certifiRemovals: [(version: String, removed: String)] = [
    ("2022.12.7", "TrustCor roots (CVE-2022-23491)"),
    ("2023.7.22", "e-Tugra roots (CVE-2023-37920)"),
    ("2024.7.4", "GLOBALTRUST 2020 (CVE-2024-39689)"),
    ("2025.4.26", "7 roots incl. Baltimore CyberTrust Root, GlobalSign Root CA, Go Daddy Class 2, Starfield Class 2"),
    ("2026.1.4", "the last Entrust and AffirmTrust roots"),
    ("2026.4.22", "17 roots incl. DigiCert Global Root CA, DigiCert Assured ID Root CA, DigiCert High Assurance EV Root CA"),
  ]

  /// Packages whose version matters to trust: the table's, plus the TLS clients and CA bundles themselves.
  public static let trustPackages: Set<String> = Set(all.map(\.package)).union([
    "certifi", "httpx", "httpcore", "requests", "urllib3", "aiohttp", "pip", "truststore", "botocore", "boto3",
  ])

  /// The table's entries by package, boundaries parsed once.
  static let byPackage: [String: [(change: TrustChange, boundary: Version)]] = Dictionary(
    grouping: all.compactMap { change in Version(change.boundary).map { (change, $0) } }, by: { $0.change.package })

  /// Changes that moving `package` from `old` to `new` crosses, oldest boundary first.
  public static func crossed(package: String, from old: String, to new: String) -> [TrustChange] {
    guard let entries = byPackage[package], let a = Version(old), let b = Version(new), a != b else { return [] }
    return entries.filter { Version.crosses(from: a, to: b, boundary: $0.boundary) }.map(\.change)
  }
}

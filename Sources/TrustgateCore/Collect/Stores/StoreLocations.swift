/// Where Linux distributions keep CA certificates. Knowledge is data: adding a location is one line here.
/// Sources: Go `crypto/x509/root_linux.go` (certFiles, certDirectories), truststore 0.10.5 `_CA_FILE_CANDIDATES`,
/// update-ca-certificates(8) (Debian), update-ca-trust(8) (RHEL), SUSE's ca-certificates (`/var/lib/ca-certificates`).
public struct StoreLocation: Sendable {
  public var path: String
  public var kind: TrustStore.Kind
  /// Which systems use it, for messages.
  public var used: String
  /// For anchors: the bundle the update step writes, and the command that does it.
  public var bundle: [String] = []
  public var updateCommand: String? = nil
  /// Whether certificates in subdirectories count (update-ca-certificates reads everything below its folders).
  public var recursive = false
}

public enum StoreLocations {
  /// Bundles, in Go's search order (the first that exists is "the" OS bundle), then other known bundle files.
  public static let bundles: [StoreLocation] = [
    .init(path: "/etc/ssl/certs/ca-certificates.crt", kind: .bundle, used: "Debian, Ubuntu, Gentoo, Alpine"),
    .init(path: "/etc/pki/tls/certs/ca-bundle.crt", kind: .bundle, used: "Fedora, RHEL 6+"),
    .init(path: "/etc/ssl/ca-bundle.pem", kind: .bundle, used: "openSUSE, SLES"),
    .init(path: "/etc/pki/tls/cacert.pem", kind: .bundle, used: "OpenELEC"),
    .init(path: "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", kind: .bundle, used: "CentOS, RHEL 7+, Fedora 44+"),
    .init(path: "/etc/ssl/cert.pem", kind: .bundle, used: "Alpine, Arch, Fedora 34-43, RHEL 9-10"),
    .init(path: "/etc/pki/tls/cert.pem", kind: .bundle, used: "Fedora <= 34, RHEL <= 9"),
    .init(path: "/etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt", kind: .bundle, used: "RHEL, Fedora (OpenSSL trust form)"),
    .init(path: "/var/lib/ca-certificates/ca-bundle.pem", kind: .bundle, used: "openSUSE, SLES"),
  ]

  /// Directories OpenSSL reads by subject hash, and directories Go reads whole.
  public static let directories: [StoreLocation] = [
    .init(path: "/etc/ssl/certs", kind: .hashedDirectory, used: "Debian, Ubuntu, Alpine, SLES (OpenSSL capath)"),
    .init(path: "/etc/pki/tls/certs", kind: .directory, used: "Fedora, RHEL"),
    .init(path: "/var/lib/ca-certificates/openssl", kind: .hashedDirectory, used: "openSUSE, SLES"),
    .init(path: "/usr/share/ca-certificates", kind: .directory, used: "Debian, Ubuntu (certificates offered to update-ca-certificates)",
      recursive: true),
  ]

  /// Folders where an administrator drops a local or corporate root; an update step copies them into the bundle.
  public static let anchors: [StoreLocation] = [
    .init(
      path: "/usr/local/share/ca-certificates", kind: .anchors, used: "Debian, Ubuntu, Alpine",
      bundle: ["/etc/ssl/certs/ca-certificates.crt"], updateCommand: "update-ca-certificates", recursive: true),
    .init(
      path: "/etc/pki/ca-trust/source/anchors", kind: .anchors, used: "RHEL, Fedora, CentOS",
      bundle: ["/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/pki/tls/certs/ca-bundle.crt"],
      updateCommand: "update-ca-trust"),
    .init(
      path: "/usr/share/pki/ca-trust-source/anchors", kind: .anchors, used: "RHEL, Fedora (package-provided)",
      bundle: ["/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/pki/tls/certs/ca-bundle.crt"],
      updateCommand: "update-ca-trust"),
    .init(
      path: "/etc/pki/trust/anchors", kind: .anchors, used: "openSUSE, SLES",
      bundle: ["/var/lib/ca-certificates/ca-bundle.pem", "/etc/ssl/ca-bundle.pem"], updateCommand: "update-ca-certificates"),
    .init(
      path: "/usr/share/pki/trust/anchors", kind: .anchors, used: "openSUSE, SLES (package-provided)",
      bundle: ["/var/lib/ca-certificates/ca-bundle.pem", "/etc/ssl/ca-bundle.pem"], updateCommand: "update-ca-certificates"),
  ]
}

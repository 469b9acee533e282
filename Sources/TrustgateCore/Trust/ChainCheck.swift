#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// `trustgate verify --chain`: per client present, does this chain verify, and why not. The command only wires.
public enum ChainCheck {
  public enum Format: String, Sendable, CaseIterable { case text, json }

  static let chainHelp =
    "give a PEM file with the server's leaf certificate first, then its intermediates (as the server sends them; "
    + "e.g. `openssl s_client -showcerts` output), and no private key"

  /// The chain in a host file (`shown` as the user gave it), or exit 2 naming the file and what to give.
  public static func chain(at path: String, shown: String) throws(InputError) -> CertificateChain {
    let bytes: [UInt8]
    do { bytes = try HostFileSystem().read(path, limit: 16 << 20) } catch {
      throw InputError("\(shown): \(error.reason); \(chainHelp)")
    }
    return try chain(named: shown, bytes: bytes)
  }

  public static func chain(named path: String, bytes: [UInt8]) throws(InputError) -> CertificateChain {
    do {
      return try CertificateChain(pem: bytes)
    } catch {
      switch error {
      case .unparsable: throw InputError("\(path): not a PEM certificate chain OpenSSL can read; \(chainHelp)")
      case .empty: throw InputError("\(path): holds no certificate; \(chainHelp)")
      case .privateKey:
        throw InputError("\(path): holds a private key, which must never be passed around; \(chainHelp)")
      }
    }
  }

  /// The host to check the leaf against, or exit 2 naming it and what to give.
  public static func host(_ text: String) throws(InputError) -> HostIdentity {
    guard let host = HostIdentity(text) else {
      throw InputError(
        "--host \(InertText.escaped(text)): neither a DNS name nor an IP address; give the name clients connect to "
          + "(e.g. api.example.com) or an IPv4/IPv6 address, without scheme, port or path")
    }
    return host
  }

  /// Inspects the target, then verifies the chain for every client present.
  public static func run(_ request: InspectRequest, chain: CertificateChain, chainName: String, host: HostIdentity?)
    -> [ClientVerdict]
  {
    let snapshot = Inspector.inspect(request)
    let verifier = TrustVerifier(snapshot: snapshot, request: request)
    return verifier.verify(chain, host: host, subject: "chain \(chainName)")
  }

  /// 0 when every client verifies, 1 otherwise.
  public static func exitStatus(_ verdicts: [ClientVerdict]) -> Int32 { verdicts.allSatisfy(\.verifies) ? 0 : 1 }

  public static func render(_ verdicts: [ClientVerdict], format: Format) -> String {
    switch format {
    case .json:
      return JSONValue.array(jsonItems(verdicts)).rendered()
    case .text:
      var out = ""
      // Each value escaped on its own: a line end in a path (a CA file's folder) must not start a line of its own,
      // which could pass for another client's verdict.
      for verdict in verdicts {
        let name = InertText.escaped(verdict.client + (verdict.version.map { " \($0)" } ?? ""))
        let flags = verdict.flags.isEmpty ? "" : " [\(verdict.flags.joined(separator: ", "))]"
        out +=
          verdict.verifies
          ? "ok    \(name)\(flags)\n"
          : "FAIL  \(name)\(flags): \(InertText.escaped(verdict.error ?? "does not verify").capped(400))\n"
        for source in verdict.sources { out += "        \(InertText.escaped(source).capped(400))\n" }
      }
      let failing = verdicts.filter { !$0.verifies }.count
      out +=
        failing == 0
        ? "\(verdicts.count) client\(verdicts.count == 1 ? "" : "s") verify the chain\n"
        : "\(failing) of \(verdicts.count) clients do not verify the chain\n"
      // Callers print it through InertText.block, the one sanitiser of text output.
      return out
    }
  }

  /// One JSON object per verdict: client, version, verifies, error, sources, flags, security_level.
  static func jsonItems(_ verdicts: [ClientVerdict]) -> [JSONValue] {
    verdicts.map { verdict in
      .object([
        "client": .string(verdict.client),
        "version": verdict.version.map(JSONValue.string) ?? .null,
        "verifies": .bool(verdict.verifies),
        "error": verdict.error.map(JSONValue.string) ?? .null,
        "sources": .array(verdict.sources.map(JSONValue.string)),
        "flags": .array(verdict.flags.map(JSONValue.string)),
        "security_level": verdict.securityLevel.map(JSONValue.int) ?? .null,
      ])
    }
  }

  /// Writes the captured chain's PEM to `path` (`shown` as the user gave it). Only a regular file is replaced: a
  /// link, folder, FIFO or device there exits 2. The text holds certificates only, no secret.
  public static func save(_ pem: String, to path: String, shown: String) throws(InputError) {
    var status = stat()
    if lstat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
      throw InputError(
        "--save \(InertText.escaped(shown)): exists and is not a regular file (a link, folder, FIFO or device); give a new "
          + "file name or a regular file to replace")
    }
    // O_NOFOLLOW and O_NONBLOCK: a link or FIFO put there since the check fails instead of being followed or waited on.
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw InputError("--save \(InertText.escaped(shown)): cannot write: \(String(cString: strerror(errno))); give a writable path")
    }
    defer { close(descriptor) }
    var after = stat()
    guard fstat(descriptor, &after) == 0, after.st_mode & S_IFMT == S_IFREG else {
      throw InputError("--save \(InertText.escaped(shown)): not a regular file; give a new file name or a regular file to replace")
    }
    let bytes = Array(pem.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
      guard written > 0 else {
        throw InputError("--save \(InertText.escaped(shown)): cannot write: \(String(cString: strerror(errno)))")
      }
      offset += written
    }
  }
}

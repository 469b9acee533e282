import Foundation
import XCTest

@testable import TrustgateCore

/// A private PKI made by the real `openssl` at test time: a root with keyUsage, a root without it, an intermediate,
/// a leaf for localhost/127.0.0.1 under the intermediate, one under the root without keyUsage, a root with a 1024-bit
/// RSA key and its leaf, and a leaf the root signed with SHA-1.
final class VerifyPKI {
  let directory: TemporaryDirectory
  var path: String { directory.path + "/pki" }

  static let script = #"""
    set -eu
    mkdir -p "$1" && cd "$1"
    cat > ext.cnf <<'EOF'
    [req]
    distinguished_name = dn
    [dn]
    [root_ku]
    basicConstraints = critical,CA:TRUE
    keyUsage = critical,keyCertSign,cRLSign
    subjectKeyIdentifier = hash
    [root_noku]
    basicConstraints = critical,CA:TRUE
    subjectKeyIdentifier = hash
    [inter]
    basicConstraints = critical,CA:TRUE,pathlen:0
    keyUsage = critical,keyCertSign,cRLSign
    subjectKeyIdentifier = hash
    authorityKeyIdentifier = keyid:always
    [leaf]
    basicConstraints = critical,CA:FALSE
    keyUsage = critical,digitalSignature
    extendedKeyUsage = serverAuth
    subjectAltName = DNS:localhost,IP:127.0.0.1
    subjectKeyIdentifier = hash
    authorityKeyIdentifier = keyid:always
    EOF
    key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
    key root
    openssl req -x509 -new -key root.key -subj "/CN=trustgate test root" -days 3650 -config ext.cnf \
      -extensions root_ku -out root.pem
    key noku
    openssl req -x509 -new -key noku.key -subj "/CN=trustgate test root without keyUsage" -days 3650 \
      -config ext.cnf -extensions root_noku -out noku.pem
    key inter
    openssl req -new -key inter.key -subj "/CN=trustgate test intermediate" -config ext.cnf -out inter.csr
    openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -days 1825 -extfile ext.cnf \
      -extensions inter -out inter.pem 2>/dev/null
    key leaf
    openssl req -new -key leaf.key -subj "/CN=localhost" -config ext.cnf -out leaf.csr
    openssl x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 365 -extfile ext.cnf \
      -extensions leaf -out leaf.pem 2>/dev/null
    cat leaf.pem inter.pem > chain.pem
    key nokuleaf
    openssl req -new -key nokuleaf.key -subj "/CN=localhost" -config ext.cnf -out nokuleaf.csr
    openssl x509 -req -in nokuleaf.csr -CA noku.pem -CAkey noku.key -CAcreateserial -days 365 -extfile ext.cnf \
      -extensions leaf -out nokuleaf.pem 2>/dev/null
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out weak.key 2>/dev/null
    openssl req -x509 -new -key weak.key -subj "/CN=trustgate test root with a 1024-bit key" -days 3650 \
      -config ext.cnf -extensions root_ku -out weak.pem
    key weakleaf
    openssl req -new -key weakleaf.key -subj "/CN=localhost" -config ext.cnf -out weakleaf.csr
    openssl x509 -req -in weakleaf.csr -CA weak.pem -CAkey weak.key -CAcreateserial -days 365 -extfile ext.cnf \
      -extensions leaf -out weakleaf.pem 2>/dev/null
    key sha1leaf
    openssl req -new -key sha1leaf.key -subj "/CN=localhost" -config ext.cnf -out sha1leaf.csr
    openssl x509 -req -in sha1leaf.csr -CA root.pem -CAkey root.key -CAcreateserial -days 365 -sha1 \
      -extfile ext.cnf -extensions leaf -out sha1leaf.pem 2>/dev/null
    """#

  init() throws {
    directory = try TemporaryDirectory()
    let result = try Shell.run(["/bin/sh", "-c", Self.script, "sh", directory.path + "/pki"])
    guard result.status == 0 else { throw XCTSkip("openssl could not make the test PKI: \(result.output)") }
  }

  func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))) }
  func file(_ name: String) -> String { path + "/" + name }
}

/// Runs a real program and collects its exit status and output.
enum Shell {
  struct Result {
    var status: Int32
    var output: String
  }

  static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
  }

  static func which(_ program: String) -> String? {
    for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let candidate = "\(folder)/\(program)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }
}

/// `openssl verify` as an independent oracle: its verdict and OpenSSL's reason for the same store and flags.
enum OpenSSLOracle {
  struct Verdict: Equatable {
    var verifies: Bool
    var error: String?
  }

  /// `arguments` choose the store (`-CAfile`, `-CApath`, `-no-CAfile`, …) and flags; `environment` may set
  /// SSL_CERT_FILE/SSL_CERT_DIR for OpenSSL's default paths.
  static func verify(
    leaf: String, untrusted: String?, arguments: [String], host: String? = nil, environment: [String: String] = [:]
  ) throws -> Verdict {
    guard let openssl = Shell.which("openssl") else { throw XCTSkip("no openssl on PATH") }
    var command = [openssl, "verify", "-purpose", "sslserver"] + arguments
    if let untrusted { command += ["-untrusted", untrusted] }
    if let host {
      command +=
        host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." })
        ? ["-verify_ip", host] : ["-verify_hostname", host]
    }
    command.append(leaf)
    var env = ["PATH": "/usr/bin:/bin"]
    for (key, value) in environment { env[key] = value }
    let result = try Shell.run(command, environment: env)
    if result.status == 0 { return Verdict(verifies: true, error: nil) }
    // "error 20 at 0 depth lookup: unable to get local issuer certificate"
    for line in result.output.split(separator: "\n") {
      if let range = line.range(of: " depth lookup: ") {
        return Verdict(verifies: false, error: String(line[range.upperBound...]))
      }
    }
    return Verdict(verifies: false, error: result.output)
  }
}

import Foundation
import XCTest

/// Real servers for `verify --connect` tests: `openssl s_server` and `tinyproxy`, on free loopback ports, stopped when
/// the test ends.
final class LocalServers {
  private var processes: [Process] = []

  deinit { stopAll() }

  func stopAll() {
    for process in processes where process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
    processes.removeAll()
  }

  /// A TCP port nothing listens on now, on 127.0.0.1 and (when `alsoIPv6`) on ::1.
  static func freePort(alsoIPv6: Bool = false) throws -> Int {
    for _ in 0..<20 {
      let port = try bindAndRelease(family: AF_INET, address: "127.0.0.1", port: 0)
      if !alsoIPv6 { return port }
      if (try? bindAndRelease(family: AF_INET6, address: "::1", port: port)) != nil { return port }
    }
    throw XCTSkip("no free loopback port found")
  }

  /// Binds (and, with `listening`, listens without ever accepting: a silent server), returning the port; the socket
  /// is closed unless `keep` receives it.
  @discardableResult
  static func bindAndRelease(
    family: Int32, address: String, port: Int, listening: Bool = false, keep: ((Int32) -> Void)? = nil
  ) throws -> Int {
    let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw XCTSkip("no socket for family \(family)") }
    var bound = -1
    if family == AF_INET {
      var value = sockaddr_in()
      value.sin_family = sa_family_t(AF_INET)
      value.sin_port = in_port_t(UInt16(port).bigEndian)
      inet_pton(AF_INET, address, &value.sin_addr)
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      let status = withUnsafeMutablePointer(to: &value) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
          guard bind(descriptor, pointer, length) == 0 else { return -1 }
          return getsockname(descriptor, pointer, &length)
        }
      }
      if status == 0 { bound = Int(UInt16(bigEndian: value.sin_port)) }
    } else {
      var value = sockaddr_in6()
      value.sin6_family = sa_family_t(AF_INET6)
      value.sin6_port = in_port_t(UInt16(port).bigEndian)
      inet_pton(AF_INET6, address, &value.sin6_addr)
      var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
      let status = withUnsafeMutablePointer(to: &value) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
          guard bind(descriptor, pointer, length) == 0 else { return -1 }
          return getsockname(descriptor, pointer, &length)
        }
      }
      if status == 0 { bound = Int(UInt16(bigEndian: value.sin6_port)) }
    }
    guard bound > 0 else {
      close(descriptor)
      throw XCTSkip("cannot bind \(address):\(port)")
    }
    if listening { listen(descriptor, 16) }
    if let keep { keep(descriptor) } else { close(descriptor) }
    return bound
  }

  /// `openssl s_server` serving `certificate` (and `chain`, the intermediates) on `address`:`port` (`[::1]` for IPv6);
  /// with `www`, it answers an HTTP request with a status page, as a client library expects.
  func sServer(
    address: String, port: Int, certificate: String, key: String, chain: String?, www: Bool = false,
    extra: [String] = []
  ) throws {
    guard let openssl = Shell.which("openssl") else { throw XCTSkip("no openssl on PATH") }
    var arguments = ["s_server", "-accept", "\(address):\(port)", "-cert", certificate, "-key", key, "-quiet"] + extra
    if www { arguments.append("-www") }
    if address.hasPrefix("[") { arguments.append("-6") }
    if let chain { arguments += ["-cert_chain", chain] }
    try start([openssl] + arguments)
    try waitForListener(address: address, port: port)
  }

  /// `openssl s_server` on a free loopback port serving the leaf `pki` made, with its intermediate; returns the port.
  func serveChain(of pki: VerifyPKI, www: Bool = false) throws -> Int {
    let port = try Self.freePort()
    try sServer(
      address: "127.0.0.1", port: port, certificate: pki.file("leaf.pem"), key: pki.file("leaf.key"),
      chain: pki.file("inter.pem"), www: www)
    return port
  }

  /// `tinyproxy` in the foreground with `configuration` (its Port line must name `port`), logging to its LogFile.
  func tinyproxy(configuration path: String, port: Int) throws {
    guard
      let tinyproxy = Shell.which("tinyproxy")
        ?? ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"].first(where: {
          FileManager.default.isExecutableFile(atPath: $0)
        })
    else { throw XCTSkip("tinyproxy is not installed (scripts/install-deps.sh --test installs it)") }
    try start([tinyproxy, "-d", "-c", path])
    try waitForListener(address: "127.0.0.1", port: port)
  }

  /// Any program that listens on 127.0.0.1:`port` once started.
  func program(_ command: [String], port: Int) throws {
    try start(command)
    try waitForListener(address: "127.0.0.1", port: port)
  }

  private func start(_ command: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    processes.append(process)
  }

  /// Polls until something accepts on the port (5 s at most).
  private func waitForListener(address: String, port: Int) throws {
    let family = address.hasPrefix("[") ? AF_INET6 : AF_INET
    let host = address.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    for _ in 0..<100 {
      let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
      defer { close(descriptor) }
      var connected: Int32 = -1
      if family == AF_INET {
        var value = sockaddr_in()
        value.sin_family = sa_family_t(AF_INET)
        value.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &value.sin_addr)
        connected = withUnsafePointer(to: &value) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
          }
        }
      } else {
        var value = sockaddr_in6()
        value.sin6_family = sa_family_t(AF_INET6)
        value.sin6_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET6, host, &value.sin6_addr)
        connected = withUnsafePointer(to: &value) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
          }
        }
      }
      if connected == 0 { return }
      usleep(50_000)
    }
    XCTFail("nothing listens on \(address):\(port) after 5 s")
  }
}

/// An independent oracle for served chains: `openssl s_client -showcerts`, and `openssl x509` fingerprints.
enum SClient {
  /// The PEM blocks `openssl s_client -showcerts` prints for the server, certificates only, in order.
  static func certificates(_ authority: String) throws -> String {
    guard let openssl = Shell.which("openssl") else { throw XCTSkip("no openssl on PATH") }
    let result = try Shell.run([openssl, "s_client", "-connect", authority, "-showcerts"])
    var out = ""
    var inside = false
    for line in result.output.split(separator: "\n", omittingEmptySubsequences: false) {
      if line == "-----BEGIN CERTIFICATE-----" { inside = true }
      if inside { out += line + "\n" }
      if line == "-----END CERTIFICATE-----" { inside = false }
    }
    return out
  }

  /// The certificate's SHA-256 fingerprint as lowercase hex without colons.
  static func fingerprint(_ file: String) throws -> String {
    guard let openssl = Shell.which("openssl") else { throw XCTSkip("no openssl on PATH") }
    let result = try Shell.run([openssl, "x509", "-in", file, "-noout", "-fingerprint", "-sha256"])
    let value = result.output.split(separator: "=", maxSplits: 1).last ?? ""
    return value.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "").lowercased()
  }
}

import Dispatch
import Foundation
import Synchronization

/// What `verify --connect` reaches: `HOST[:PORT]`, port 443 by default, an IPv6 literal as `[::1]:8443`.
public struct CaptureTarget: Sendable, Equatable {
  public var host: HostIdentity
  public var port: Int

  /// `host:port` as CONNECT and messages write it (IPv6 in brackets).
  public var authority: String {
    (host.kind == .ip && host.name.contains(":") ? "[\(host.name)]" : host.name) + ":\(port)"
  }

  public init(host: HostIdentity, port: Int) {
    self.host = host
    self.port = port
  }

  /// The name sent as SNI: DNS names only, without a trailing dot (RFC 6066 §3; curl strips it too).
  var serverName: String? {
    guard host.kind == .dns else { return nil }
    return host.name.hasSuffix(".") ? String(host.name.dropLast()) : host.name
  }

  static let help =
    "give HOST[:PORT] with HOST a DNS name or an IP address (an IPv6 address in brackets: [::1]:8443), "
    + "PORT 1-65535 (default 443), and no scheme or path"

  /// The target `text` names, or exit 2 naming it and what to give.
  public static func parse(_ text: String) throws(InputError) -> CaptureTarget {
    let shown = InertText(text).description
    if text.contains("://") || text.contains("/") {
      throw InputError("--connect \(shown): not HOST[:PORT]; \(help)")
    }
    var hostText = Substring(text)
    var portText: Substring?
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { throw InputError("--connect \(shown): no closing ]; \(help)") }
      hostText = text[text.index(after: text.startIndex)..<close]
      let after = text[text.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { throw InputError("--connect \(shown): text after ]; \(help)") }
        portText = after.dropFirst()
      }
    } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
      hostText = text[..<colon]
      portText = text[text.index(after: colon)...]
    }
    var port = 443
    if let portText {
      guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(portText), (1...65535).contains(value)
      else {
        throw InputError("--connect \(shown): port \(InertText(portText)) is not a number from 1 to 65535; \(help)")
      }
      port = value
    }
    guard let host = HostIdentity(String(hostText)) else {
      throw InputError("--connect \(shown): \(InertText(hostText)) is neither a DNS name nor an IP address; \(help)")
    }
    return CaptureTarget(host: host, port: port)
  }
}

/// One address tried (or the proxy tunnel), and the chain it served or why none came.
public struct AddressCapture: Sendable {
  /// The numeric address connected to; nil through a proxy (the proxy resolves the name).
  public var address: String?
  public var outcome: Result<ServedChain, NetworkError>

  public var chain: ServedChain? { try? outcome.get() }
  public var failure: String? {
    if case .failure(let error) = outcome { return error.description }
    return nil
  }
  /// The leaf's SHA-256 (hex), the fingerprint that tells chains apart.
  public var leafSHA256: String? {
    chain?.der.first.flatMap { der in der.withUnsafeBytes { Digests.raw($0, Digests.sha256) }.map { hex($0) } }
  }
  public var leafSubject: String? { chain?.der.first.flatMap { try? X509Parser.certificate(der: $0).subject } }
  /// `127.0.0.1`, or `localhost:8443 through the proxy`.
  func shown(_ target: CaptureTarget) -> String { address ?? "\(target.authority) through the proxy" }
}

/// The chains a server sends, fetched over TLS: from every address its name resolves to (at most `addressLimit`,
/// side by side, each within the timeout), or through the HTTPS proxy of the environment.
public struct ChainCapture: Sendable {
  public var target: CaptureTarget
  public var proxy: ProxyRoute?
  /// Set when a proxy variable is set but NO_PROXY lists the host: the variable that did it.
  public var bypassedBy: String?
  public var addresses: [AddressCapture]

  public static let addressLimit = 8
  /// Bytes of the proxy's response headers read at most.
  static let proxyResponseLimit = 16 << 10

  /// Connects and captures; exit 2 (naming every address, and the proxy, credentials redacted) when no address
  /// served a chain.
  public static func capture(_ target: CaptureTarget, environment: [String: String], timeout seconds: Double)
    throws(InputError) -> ChainCapture
  {
    let decision = try ProxyRoute.decide(for: target.host, environment: environment)
    let proxy = decision.route
    var bypassedBy: String?
    if case .bypassed(let variable) = decision { bypassedBy = variable }
    var capture = ChainCapture(target: target, proxy: proxy, bypassedBy: bypassedBy, addresses: [])
    if let proxy {
      let deadline = Deadline(seconds: seconds)
      capture.addresses = [
        AddressCapture(address: nil, outcome: Result { () throws(NetworkError) in try tunnel(proxy, target, deadline) })
      ]
    } else {
      let found: [SocketAddress]
      do {
        found = try NameResolution.addresses(
          of: target.host.name, port: target.port, deadline: Deadline(seconds: seconds))
      } catch {
        throw InputError("--connect \(target.authority): \(error); check the name, or give an IP address")
      }
      capture.addresses = fetchSideBySide(Array(found.prefix(addressLimit)), target, seconds: seconds)
    }
    guard capture.addresses.contains(where: { $0.chain != nil }) else {
      let tried =
        proxy == nil
        ? capture.addresses.map { "\($0.shown(target)): \($0.failure ?? "")" }.joined(separator: "; ")
        : capture.addresses.compactMap(\.failure).joined(separator: "; ")
      let via = proxy.map { " through the proxy \($0.shown) (from \($0.variable))" } ?? ""
      throw InputError(
        "--connect \(target.authority): no chain fetched\(via): \(tried); check that a TLS server listens there"
          + (proxy == nil ? "" : " and that the proxy allows CONNECT to it") + ", or raise --timeout")
    }
    return capture
  }

  /// One capture per address, each on its own thread so that unreachable addresses cost one timeout in all.
  static func fetchSideBySide(_ addresses: [SocketAddress], _ target: CaptureTarget, seconds: Double)
    -> [AddressCapture]
  {
    let results = Mutex<[Int: Result<ServedChain, NetworkError>]>([:])
    let group = DispatchGroup()
    let serverName = target.serverName
    for (index, address) in addresses.enumerated() {
      group.enter()
      let thread = Thread {
        let deadline = Deadline(seconds: seconds)
        let outcome = Result { () throws(NetworkError) -> ServedChain in
          let connection = try TCPConnection(to: address, deadline: deadline)
          return try TLSCapture.peerChain(over: connection, serverName: serverName, deadline: deadline)
        }
        results.withLock { $0[index] = outcome }
        group.leave()
      }
      thread.start()
    }
    group.wait()
    return results.withLock { outcomes in
      addresses.enumerated().map { index, address in
        AddressCapture(address: address.text, outcome: outcomes[index] ?? .failure(NetworkError("not tried")))
      }
    }
  }

  /// Through `proxy`: connect to it, `CONNECT host:port`, then the handshake inside the tunnel.
  static func tunnel(_ proxy: ProxyRoute, _ target: CaptureTarget, _ deadline: Deadline) throws(NetworkError)
    -> ServedChain
  {
    let proxyAddresses = try NameResolution.addresses(of: proxy.host, port: proxy.port, deadline: deadline)
    var connection: TCPConnection?
    var failures: [String] = []
    for address in proxyAddresses.prefix(addressLimit) where connection == nil {
      do { connection = try TCPConnection(to: address, deadline: deadline) } catch {
        failures.append("\(address.bracketed):\(proxy.port): \(error)")
      }
    }
    guard let connection else {
      throw NetworkError("cannot reach the proxy \(proxy.shown): \(failures.joined(separator: "; "))")
    }
    var request = "CONNECT \(target.authority) HTTP/1.1\r\nHost: \(target.authority)\r\n"
    if let authorization = proxy.authorization { request += "Proxy-Authorization: \(authorization)\r\n" }
    request += "User-Agent: trustgate\r\n\r\n"
    try connection.send(Array(request.utf8), deadline: deadline, doing: "sending CONNECT to the proxy")
    var response: [UInt8] = []
    let end: [UInt8] = Array("\r\n\r\n".utf8)
    while firstOccurrence(of: end, in: response) == nil {
      guard response.count < proxyResponseLimit else {
        throw NetworkError("the proxy \(proxy.shown) sent more than \(proxyResponseLimit >> 10) KiB of headers")
      }
      let bytes = try connection.receive(
        limit: proxyResponseLimit - response.count, deadline: deadline, doing: "waiting for the proxy's answer")
      if bytes.isEmpty { throw NetworkError("the proxy \(proxy.shown) closed the connection before answering CONNECT") }
      response += bytes
    }
    // The proxy's own words are echoed; a proxy that echoes the credentials it was sent gets them blanked.
    var statusLine = String(decoding: response.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
    for secret in proxy.secrets where !secret.isEmpty {
      statusLine = statusLine.replacingOccurrences(of: secret, with: "***")
    }
    let fields = statusLine.split(separator: " ", maxSplits: 2)
    guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), let status = Int(fields[1]) else {
      throw NetworkError("the proxy \(proxy.shown) did not answer CONNECT with HTTP (\(statusLine.capped(80)))")
    }
    guard (200..<300).contains(status) else {
      throw NetworkError(
        "the proxy \(proxy.shown) refused CONNECT \(target.authority): \(statusLine.capped(120))"
          + (status == 407 || status == 401
            ? " (it wants credentials, or others: give them in the URL, http://user:password@host:port)" : ""))
    }
    if let header = firstOccurrence(of: end, in: response), header + end.count != response.count {
      throw NetworkError("the proxy \(proxy.shown) sent data after its CONNECT answer, before the TLS handshake")
    }
    let serverName = target.serverName
    return try TLSCapture.peerChain(over: connection, serverName: serverName, deadline: deadline)
  }
}

import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The HTTP proxy `verify --connect` tunnels through with `CONNECT host:port`, chosen from the environment as curl
/// chooses it for an `https://` URL:
/// - `https_proxy`, else `HTTPS_PROXY`: "The lower case version has precedence" (curl(1) ENVIRONMENT;
///   https://everything.curl.dev/usingcurl/proxies/env). Python's urllib (and so requests) also prefers lowercase.
/// - `no_proxy`, else `NO_PROXY`, a list of names separated by commas (or blanks), matched by curl's rules
///   (https://curl.se/libcurl/c/CURLOPT_NOPROXY.html): a lone `*` matches every host; a name matches itself and every
///   name under it (`example.com` and `.example.com` both match `www.example.com`, not `notexample.com`); an IP
///   address matches the same address, or a CIDR range (`192.168.0.0/16`, `fd00::/8`); IPv6 without brackets.
///   An empty `no_proxy` bypasses nothing. Names are compared as given, never resolved.
/// ALL_PROXY is not read, and only `http://` proxies are tunnelled through (no TLS or SOCKS to the proxy).
public struct ProxyRoute: Sendable, Equatable {
  public var host: String
  public var port: Int
  /// The URL as shown, credentials redacted (`http://***@proxy:3128`) by the collector's own parser.
  public var shown: String
  /// The variable it came from (`https_proxy`).
  public var variable: String
  /// `Basic base64(user:password)` when the URL carries credentials. Sent to the proxy, never printed.
  var authorization: String?

  /// What must never be echoed: the authorization value, and the user and password in it.
  var secrets: [String] {
    guard let authorization else { return [] }
    let token = String(authorization.dropFirst("Basic ".count))
    let decoded = Data(base64Encoded: token).map { String(decoding: $0, as: UTF8.self) } ?? ""
    return [token] + decoded.split(separator: ":", maxSplits: 1).map(String.init).filter { $0.count >= 3 }
  }

  public static let variables = ["https_proxy", "HTTPS_PROXY"]
  public static let exclusionVariables = ["no_proxy", "NO_PROXY"]

  /// How `verify --connect` reaches a host: directly (no proxy variable, or an empty one), directly because the named
  /// NO_PROXY variable lists it, or through a proxy.
  public enum Decision: Sendable, Equatable {
    case direct
    case bypassed(by: String)
    case proxy(ProxyRoute)

    public var route: ProxyRoute? {
      if case .proxy(let route) = self { return route }
      return nil
    }
  }

  /// The proxy to go through for `host`, or nil to connect directly (no proxy variable, or NO_PROXY lists the host).
  /// An unusable proxy URL exits 2 naming the variable (its credentials redacted) and what to give.
  public static func choose(for host: HostIdentity, environment: [String: String]) throws(InputError) -> ProxyRoute? {
    try decide(for: host, environment: environment).route
  }

  /// `choose`, saying why a connection is direct.
  public static func decide(for host: HostIdentity, environment: [String: String]) throws(InputError) -> Decision {
    guard let name = variables.first(where: { environment[$0] != nil }), let value = environment[name],
      !value.isEmpty
    else { return .direct }
    if let exclusion = exclusionVariables.first(where: { environment[$0] != nil }),
      bypasses(host, noProxy: environment[exclusion] ?? "")
    {
      return .bypassed(by: exclusion)
    }
    let parsed = ProxyCollector.parse(name: name, value: value)
    let fix = "set \(name) to http://[user:password@]host:port, or unset it to connect directly"
    if let why = parsed.malformed {
      throw InputError("\(name)=\(parsed.value): not a usable proxy URL: \(why); \(fix)")
    }
    guard parsed.scheme == nil || parsed.scheme == "http", let proxyHost = parsed.host else {
      throw InputError(
        "\(name)=\(parsed.value): only http:// proxies are tunnelled through (HTTP CONNECT), not "
          + "\(parsed.scheme ?? "this scheme")://; \(fix)")
    }
    // Without a port, curl's default proxy port: 1080 (curl(1), --proxy).
    var route = ProxyRoute(
      host: proxyHost, port: parsed.port ?? 1080, shown: parsed.value, variable: name, authorization: nil)
    if parsed.hasCredentials, let credentials = credentials(in: value) {
      route.authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
    }
    return .proxy(route)
  }

  /// `user:password` from `scheme://user:password@host`, percent-decoded as curl decodes them; the URL is split by
  /// the collector's own reading (`ProxyCollector.split`), the one its redaction uses.
  static func credentials(in value: String) -> String? {
    guard let userInformation = ProxyCollector.split(value).userInformation else { return nil }
    let user = userInformation.prefix { $0 != ":" }
    let password = userInformation.dropFirst(user.count + 1)
    return percentDecoded(user) + ":" + percentDecoded(password)
  }

  static func percentDecoded(_ text: Substring) -> String {
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let byte = utf8.first {
      // Two hex digits, as curl decodes them (`UInt8("+f", radix: 16)` alone would take a sign).
      let digits = utf8.dropFirst().prefix(2)
      if byte == UInt8(ascii: "%"), digits.count == 2, digits.allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
        let value = UInt8(String(decoding: digits, as: UTF8.self), radix: 16)
      {
        bytes.append(value)
        utf8 = utf8.dropFirst(3)
      } else {
        bytes.append(byte)
        utf8 = utf8.dropFirst()
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Whether NO_PROXY's `list` names `host` (curl's rules, see the type's documentation).
  public static func bypasses(_ host: HostIdentity, noProxy list: String) -> Bool {
    if list.trimmingWhitespace() == "*" { return true }
    let tokens = list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
    switch host.kind {
    case .ip:
      guard let address = IPAddressBytes(host.name) else { return false }
      for token in tokens {
        let parts = token.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let text = parts[0].hasPrefix("[") && parts[0].hasSuffix("]") ? parts[0].dropFirst().dropLast() : parts[0]
        guard let network = IPAddressBytes(String(text)), network.bytes.count == address.bytes.count else { continue }
        let bits = parts.count == 2 ? Int(parts[1]) : network.bytes.count * 8
        guard let bits, bits >= 0, bits <= network.bytes.count * 8 else { continue }
        if address.matches(network, bits: bits) { return true }
      }
      return false
    case .dns:
      let name = normalised(host.name)
      for token in tokens {
        var pattern = normalised(token)
        if pattern.hasPrefix(".") { pattern.removeFirst() }
        if pattern.isEmpty { continue }
        if name == pattern || name.hasSuffix("." + pattern) { return true }
      }
      return false
    }
  }

  private static func normalised(_ name: String) -> String {
    let lower = name.lowercased()
    return lower.hasSuffix(".") && lower.count > 1 ? String(lower.dropLast()) : lower
  }
}

/// An IPv4 or IPv6 address as its network-order bytes (`inet_pton`).
struct IPAddressBytes {
  let bytes: [UInt8]

  init?(_ text: String) {
    var buffer = [UInt8](repeating: 0, count: 16)
    if text.withCString({ inet_pton(AF_INET, $0, &buffer) }) == 1 {
      bytes = Array(buffer.prefix(4))
    } else if text.withCString({ inet_pton(AF_INET6, $0, &buffer) }) == 1 {
      bytes = buffer
    } else {
      return nil
    }
  }

  /// Whether the first `bits` bits equal `network`'s.
  func matches(_ network: IPAddressBytes, bits: Int) -> Bool {
    for index in 0..<bytes.count {
      let remaining = bits - index * 8
      if remaining <= 0 { return true }
      let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
      if bytes[index] & mask != network.bytes[index] & mask { return false }
    }
    return true
  }
}


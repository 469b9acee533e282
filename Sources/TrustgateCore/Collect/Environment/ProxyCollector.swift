/// Reads proxy variables in both cases. Credentials are redacted here, at collection, so nothing later can leak them.
public struct ProxyCollector {
  /// Scheme-specific and fallback proxies, and the exclusion list; both spellings are read
  /// (curl reads lowercase first and ignores uppercase HTTP_PROXY; Python's urllib lets lowercase win).
  public static let names = [
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
  ]
  static let schemes: Set<String> = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"]

  public let env: [String: String]
  public init(env: [String: String]) { self.env = env }

  public func collect(_ context: CollectionContext) -> ProxySettings {
    var settings = ProxySettings()
    for name in Self.names {
      guard let value = env[name] else { continue }
      let variable = name.lowercased() == "no_proxy" ? ProxyVariable(name: name, value: value, hasCredentials: false) : Self.parse(name: name, value: value)
      if let why = variable.malformed {
        context.report(
          Problem(
            area: .proxy, message: "\(name)=\(variable.value) is not a usable proxy URL: \(why)",
            fix: "Set \(name) to scheme://host:port, e.g. http://proxy.example.com:3128."))
      }
      if variable.hasCredentials {
        context.report(
          Problem(
            area: .proxy, message: "\(name) carries a user and password in the URL (redacted here); build logs and child processes see it",
            fix: "Pass proxy credentials through the CI's secret store, not a plain environment variable in the pipeline file."))
      }
      settings.variables.append(variable)
    }
    for base in ["http_proxy", "https_proxy", "all_proxy", "no_proxy"] {
      let upper = base.uppercased()
      guard let lower = settings.variables.first(where: { $0.name == base }),
        let upperValue = settings.variables.first(where: { $0.name == upper }), lower.value != upperValue.value
      else { continue }
      context.report(
        Problem(
          area: .proxy,
          message: "\(base) and \(upper) disagree (\(lower.value) vs \(upperValue.value)): curl and Python pick different ones",
          fix: "Set both spellings to the same value, or unset one."))
    }
    return settings
  }

  /// `scheme://user:password@host:port/path` split into the scheme (lowercased), the user information (the secret
  /// part, never to be shown) and the rest. The one reading of a proxy URL: `parse` redacts with it, and
  /// `verify --connect` takes the credentials it sends from it.
  static func split(_ value: String) -> (scheme: String?, userInformation: Substring?, rest: Substring) {
    var rest = Substring(value.trimmingWhitespace())
    var scheme: String?
    if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://"),
      rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
    {
      scheme = rest[..<colon].lowercased()
      rest = rest[rest.index(colon, offsetBy: 3)...]
    }
    // Credentials end at the last `@`, even past a `/`, `?` or `#`: passwords are pasted unencoded, and a proxy URL
    // has no use for `@` in its path, so misreading a path beats leaking a password.
    var userInformation: Substring?
    if let at = rest.lastIndex(of: "@") {
      userInformation = rest[..<at]
      rest = rest[rest.index(after: at)...]
    }
    return (scheme, userInformation, rest)
  }

  /// Splits `scheme://user:password@host:port/path`, replacing the credentials with `***`.
  public static func parse(name: String, value: String) -> ProxyVariable {
    let (scheme, userInformation, rest) = split(value)
    let hasCredentials = userInformation != nil
    let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    // A proxy has no use for a query or fragment, but a token pasted there (`?access_token=…`) is a secret: shown as
    // `?***`.
    var tail = rest.dropFirst(authority.count)
    if let mark = tail.firstIndex(where: { $0 == "?" || $0 == "#" }), tail.index(after: mark) < tail.endIndex {
      tail = Substring(tail[...mark] + "***")
    }
    let redacted = (scheme.map { $0 + "://" } ?? "") + (hasCredentials ? "***@" : "") + authority + tail
    var variable = ProxyVariable(name: name, value: redacted, hasCredentials: hasCredentials)
    variable.scheme = scheme
    var host = Substring(authority)
    var portText: Substring?
    if host.hasPrefix("[") {
      if let close = host.firstIndex(of: "]") {
        let after = host[host.index(after: close)...]
        if after.hasPrefix(":") { portText = after.dropFirst() }
        host = host[host.index(after: host.startIndex)..<close]
      }
    } else if let colon = host.lastIndex(of: ":") {
      portText = host[host.index(after: colon)...]
      host = host[..<colon]
    }
    variable.host = host.isEmpty ? nil : String(host)
    if let portText {
      if let port = Int(portText), (1...65535).contains(port) { variable.port = port } else {
        // `http://user:secret` without a host puts the password where the port goes, all digits as often as not
        // (`http://user:123456`): a port that is not one is never echoed.
        variable.malformed =
          portText.allSatisfy({ $0.isASCII && $0.isNumber }) && !portText.isEmpty
          ? "the port is not a number between 1 and 65535" : "the port is not a number"
        variable.value = (scheme.map { $0 + "://" } ?? "") + (hasCredentials ? "***@" : "") + host + ":***" + tail
      }
    }
    if value.isEmpty {
      variable.malformed = "the value is empty"
    } else if let scheme, !schemes.contains(scheme) {
      variable.malformed = "unknown scheme '\(scheme)' (expected http, https, socks4, socks5 or socks5h)"
    } else if host.isEmpty {
      variable.malformed = "no host"
    } else if host.contains(where: { $0 == " " || $0 == "\t" }) {
      variable.malformed = "the host contains whitespace"
    }
    return variable
  }
}

extension String {
  func trimmingWhitespace() -> String {
    var s = Substring(self)
    while let f = s.first, f.isWhitespace { s = s.dropFirst() }
    while let l = s.last, l.isWhitespace { s = s.dropLast() }
    return String(s)
  }
}

/// A glob over absolute paths: `*` matches within one component, `**` matches any number of whole components
/// (none included, so `/etc/ssl/**` matches `/etc/ssl` itself).
public struct PathPattern: Sendable, Hashable, CustomStringConvertible {
  public let description: String
  private let components: [[UInt8]]

  public init(_ pattern: String) {
    description = pattern
    components = pattern.split(separator: "/").map { Array($0.utf8) }
  }

  /// Whether an absolute path (`/etc/ssl/certs/ca.pem`) matches.
  public func matches(_ path: String) -> Bool {
    matches(components: Self.split(path))
  }

  /// Matches a path already split by `split`, so one split serves a whole list of patterns.
  func matches(components parts: [[UInt8]]) -> Bool {
    Self.match(components[...], parts[...])
  }

  /// The last component when it holds no `*`: only a path whose own last component is that can match.
  var literalLast: [UInt8]? {
    guard let last = components.last, !last.contains(UInt8(ascii: "*")) else { return nil }
    return last
  }

  static func split(_ path: String) -> [[UInt8]] {
    path.split(separator: "/").map { Array($0.utf8) }
  }

  private static func match(_ pattern: ArraySlice<[UInt8]>, _ path: ArraySlice<[UInt8]>) -> Bool {
    guard let head = pattern.first else { return path.isEmpty }
    if head == [UInt8(ascii: "*"), UInt8(ascii: "*")] {
      let rest = pattern.dropFirst()
      if rest.isEmpty { return true }
      for start in path.indices where match(rest, path[start...]) { return true }
      return match(rest, path[path.endIndex...])
    }
    guard let first = path.first, component(head[...], first[...]) else { return false }
    return match(pattern.dropFirst(), path.dropFirst())
  }

  /// `*` within one component.
  private static func component(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
    guard let head = pattern.first else { return name.isEmpty }
    if head == UInt8(ascii: "*") {
      let rest = pattern.dropFirst()
      for start in name.indices where component(rest, name[start...]) { return true }
      return component(rest, name[name.endIndex...])
    }
    guard let first = name.first, first == head else { return false }
    return component(pattern.dropFirst(), name.dropFirst())
  }
}

extension ContainerImage {
  /// The files in an image that the collectors read: CA stores and their configuration, OS and package databases
  /// (to tell the ca-certificates version), Python's certifi and virtualenv markers, Java's cacerts, proxy and
  /// package-manager settings. Add a pattern here when a collector starts reading a new file.
  public static let trustRelevantPatterns: [PathPattern] = [
    // CA stores and their sources (Debian/Ubuntu, Alpine, RHEL/Fedora, SUSE, OpenSSL's own directory).
    "/etc/ssl/**", "/etc/pki/**", "/etc/ca-certificates/**", "/etc/ca-certificates.conf",
    "/usr/share/ca-certificates/**", "/usr/local/share/ca-certificates/**", "/usr/share/pki/**",
    "/usr/lib/ssl/**", "/usr/local/ssl/**", "/var/lib/ca-certificates/**",
    // OS identity and package databases.
    "/etc/os-release", "/usr/lib/os-release", "/etc/alpine-release", "/etc/debian_version", "/etc/redhat-release",
    "/var/lib/dpkg/status", "/var/lib/dpkg/status.d/**", "/lib/apk/db/installed", "/usr/lib/apk/db/installed",
    // The version string inside libcrypto, for images whose package database is not read (rpm).
    "/usr/lib64/libcrypto.so.*", "/lib64/libcrypto.so.*", "/usr/lib/*/libcrypto.so.*", "/lib/*/libcrypto.so.*",
    // Python: certifi bundles, installed distributions, virtualenvs, pip settings.
    "**/certifi/cacert.pem", "**/site-packages/**/METADATA", "**/dist-packages/**/METADATA", "**/pyvenv.cfg",
    // Distribution packages (Debian's python3-*) install egg-info folders and files; Debian patches certifi's core.py.
    "**/site-packages/*.egg-info", "**/site-packages/*.egg-info/PKG-INFO", "**/site-packages/*.egg/EGG-INFO/PKG-INFO",
    "**/dist-packages/*.egg-info", "**/dist-packages/*.egg-info/PKG-INFO", "**/dist-packages/*.egg/EGG-INFO/PKG-INFO",
    "**/certifi/core.py",
    "/etc/pip.conf", "**/pip/pip.conf", "**/.pip/pip.conf", "**/pip.conf",
    // uv's settings: uv.toml (system, user, project) and a project's [tool.uv].
    "**/uv.toml", "**/pyproject.toml",
    // Java and Node trust settings.
    "**/lib/security/cacerts", "**/lib/security/java.security", "**/conf/security/java.security",
    "/etc/npmrc", "/usr/etc/npmrc", "**/.npmrc",
    // System-wide environment and tool settings that can set proxies or CA files.
    "/etc/environment", "/etc/wgetrc", "/etc/curlrc", "/etc/gitconfig", "/etc/profile.d/**",
    // Users' settings of the clients whose configuration is read (`TrustConfiguration.files`).
    "**/.gitconfig", "**/.config/git/config", "**/.aws/config", "**/.curlrc", "**/.config/curlrc",
    // Who the config's `User` is, to read files as that user (`ImageUser`).
    "/etc/passwd", "/etc/group",
  ].map(PathPattern.init)

  /// `trustRelevantPatterns` by their literal last component (`cacert.pem`, `pip.conf`), and the others: a member
  /// is matched only against the patterns its name can end, since every member of every layer is asked.
  private static let patternIndex: (byLast: [[UInt8]: [PathPattern]], others: [PathPattern]) = {
    var byLast: [[UInt8]: [PathPattern]] = [:]
    var others: [PathPattern] = []
    for pattern in trustRelevantPatterns {
      if let last = pattern.literalLast { byLast[last, default: []].append(pattern) } else { others.append(pattern) }
    }
    return (byLast, others)
  }()

  /// The default `wanted` predicate of `open`: whether a path matches `trustRelevantPatterns`.
  public static func isTrustRelevant(_ path: String) -> Bool {
    let parts = PathPattern.split(path)
    if let last = parts.last, let candidates = patternIndex.byLast[last],
      candidates.contains(where: { $0.matches(components: parts) })
    {
      return true
    }
    return patternIndex.others.contains { $0.matches(components: parts) }
  }
}

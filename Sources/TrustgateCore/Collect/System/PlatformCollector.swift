/// `/etc/os-release` and the installed CA package (dpkg status, apk installed database).
public struct PlatformCollector {
  public init() {}

  public func collect(_ context: CollectionContext) -> PlatformInfo {
    var info = PlatformInfo()
    for path in ["/etc/os-release", "/usr/lib/os-release"] {
      guard let bytes = try? context.fs.read(path, limit: 1 << 20) else { continue }
      // os-release(5): every field is optional, and an empty value is the same as none.
      let fields = Self.osRelease(String(decoding: bytes, as: UTF8.self)).filter { !$0.value.isEmpty }
      info.osID = fields["ID"]
      info.osVersionID = fields["VERSION_ID"]
      info.prettyName = fields["PRETTY_NAME"]
      break
    }
    if let bytes = try? context.fs.read("/var/lib/dpkg/status"),
      let stanza = Self.stanza(of: "ca-certificates", in: bytes)
    {
      info.caPackage = Self.dpkgPackage("ca-certificates", in: stanza)
    }
    if info.caPackage == nil, let bytes = try? context.fs.read("/lib/apk/db/installed") {
      let text = String(decoding: bytes, as: UTF8.self)
      info.caPackage =
        Self.apkPackage("ca-certificates-bundle", in: text) ?? Self.apkPackage("ca-certificates", in: text)
    }
    return info
  }

  /// KEY=VALUE lines, values optionally quoted (os-release(5)).
  static func osRelease(_ text: String) -> [String: String] {
    var fields: [String: String] = [:]
    for line in text.split(whereSeparator: \.isNewline) {
      guard !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") else { continue }
      var value = line[line.index(after: eq)...]
      if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
        value = value.dropFirst().dropLast()
      }
      fields[String(line[..<eq])] = value.replacingBackslashEscapes()
    }
    return fields
  }

  /// The text of the stanza that starts with `Package: NAME` (dpkg status files are large; scan bytes, decode one).
  static func stanza(of name: String, in bytes: [UInt8]) -> String? {
    let needle = Array("Package: \(name)\n".utf8)
    var i = 0
    let count = bytes.count
    while i + needle.count <= count {
      if (i == 0 || bytes[i - 1] == 0x0A) && bytes[i] == 0x50 {
        var j = 0
        while j < needle.count && bytes[i + j] == needle[j] { j += 1 }
        if j == needle.count {
          var end = i + needle.count
          while end < count && !(bytes[end] == 0x0A && end + 1 < count && bytes[end + 1] == 0x0A) { end += 1 }
          return String(decoding: bytes[i..<min(end, count)], as: UTF8.self)
        }
      }
      while i < count && bytes[i] != 0x0A { i += 1 }
      i += 1
    }
    return nil
  }

  /// The stanza of an installed package in dpkg's status file.
  static func dpkgPackage(_ name: String, in text: String) -> InstalledPackage? {
    for stanza in text.split(separator: "\n\n", omittingEmptySubsequences: true) {
      var package: Substring?
      var version: Substring?
      var installed = false
      for line in stanza.split(separator: "\n") {
        if line.hasPrefix("Package: ") { package = line.dropFirst(9) }
        if line.hasPrefix("Version: ") { version = line.dropFirst(9) }
        if line.hasPrefix("Status: ") { installed = line.hasSuffix(" installed") }
      }
      if package == Substring(name), installed, let version {
        return InstalledPackage(manager: "dpkg", name: name, version: String(version))
      }
    }
    return nil
  }

  /// A record of apk's installed database (`P:` name, `V:` version, records separated by blank lines).
  static func apkPackage(_ name: String, in text: String) -> InstalledPackage? {
    for record in text.split(separator: "\n\n", omittingEmptySubsequences: true) {
      var package: Substring?
      var version: Substring?
      for line in record.split(separator: "\n") {
        if line.hasPrefix("P:") { package = line.dropFirst(2) }
        if line.hasPrefix("V:") { version = line.dropFirst(2) }
      }
      if package == Substring(name), let version {
        return InstalledPackage(manager: "apk", name: name, version: String(version))
      }
    }
    return nil
  }
}

extension Substring {
  func replacingBackslashEscapes() -> String {
    guard contains("\\") else { return String(self) }
    var out = ""
    var escaped = false
    for c in self {
      if escaped {
        out.append(c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else {
        out.append(c)
      }
    }
    return out
  }
}

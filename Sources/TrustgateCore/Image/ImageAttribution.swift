/// Adds to findings on an image which layer introduced or removed the file they are about.
public enum ImageAttribution {
  public static func annotate(_ findings: [Finding], image: ContainerImage) -> [Finding] {
    findings.map { finding in
      guard let path = finding.location?.path, path.hasPrefix("/") else { return finding }
      var finding = finding
      if let layer = image.provenance[path] {
        finding.message += " [added by layer \(layer.index + 1) \(short(layer.digest))\(layer.createdBy.map { ": \(trimmed($0))" } ?? "")]"
      } else if let layer = image.removals[path] {
        finding.message += " [removed by layer \(layer.index + 1) \(short(layer.digest))\(layer.createdBy.map { ": \(trimmed($0))" } ?? "")]"
      }
      return finding
    }
  }

  static func short(_ digest: String) -> String {
    let hex = digest.split(separator: ":").last.map(String.init) ?? digest
    return "sha256:" + hex.prefix(12)
  }

  static func trimmed(_ command: String) -> String {
    var text = command
    for prefix in ["/bin/sh -c #(nop) ", "/bin/sh -c "] where text.hasPrefix(prefix) { text = String(text.dropFirst(prefix.count)) }
    return text.count > 120 ? String(text.prefix(117)) + "…" : text
  }
}

import Foundation

/// Rows of a tab-separated fixture table (first line = header), as dictionaries keyed by column name.
enum TSV {
  static func rows(_ relative: String) throws -> [[String: String]] {
    let lines = try Fixtures.text(relative).split(separator: "\n", omittingEmptySubsequences: true)
    guard let header = lines.first else { return [] }
    let columns = header.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    return lines.dropFirst().map { line in
      let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      var row: [String: String] = [:]
      for (i, column) in columns.enumerated() { row[column] = i < cells.count ? cells[i] : "" }
      return row
    }
  }
}

/// A scratch directory removed when the test ends.
final class TemporaryDirectory {
  let path: String

  init() throws {
    let base = FileManager.default.temporaryDirectory.path + "/trustgate-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    // Resolve /tmp links so host paths compare exactly.
    path = URL(fileURLWithPath: base).resolvingSymlinksInPath().path
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  func write(_ relative: String, _ bytes: [UInt8]) throws {
    let full = path + "/" + relative
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: full))
  }

  func write(_ relative: String, _ text: String) throws { try write(relative, Array(text.utf8)) }

  func mkdir(_ relative: String) throws {
    try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
  }

  func link(_ relative: String, to target: String) throws {
    let full = path + "/" + relative
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
  }

  /// Copies a host tree into `relative`, keeping symbolic links as links (never following them).
  func copyTree(from source: String, to relative: String) throws {
    let fm = FileManager.default
    try mkdir(relative)
    for name in try fm.contentsOfDirectory(atPath: source) {
      let from = source + "/" + name
      let to = relative + "/" + name
      let type = try fm.attributesOfItem(atPath: from)[.type] as? FileAttributeType
      switch type {
      case .typeSymbolicLink?: try link(to, to: try fm.destinationOfSymbolicLink(atPath: from))
      case .typeDirectory?: try copyTree(from: from, to: to)
      default: try write(to, Array(try Data(contentsOf: URL(fileURLWithPath: from))))
      }
    }
  }
}

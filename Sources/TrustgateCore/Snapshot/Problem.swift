/// Bad input met while collecting: where it is, what is wrong, and what to do about it.
///
/// Collectors never stop at the first error; they record a `Problem` and carry on.
public struct Problem: Codable, Sendable, Hashable, Comparable {
  public var area: Area
  public var path: String?
  public var line: Int?
  public var message: String
  public var fix: String
  /// True when the file (or folder) could not be read at all, so the gate cannot see what it holds: a dangling link,
  /// a FIFO, a folder or an unreadable file with a lockfile's name, a folder the walk could not enter. nil otherwise
  /// (absent from JSON, so older snapshots read the same).
  public var unreadable: Bool?

  public init(
    area: Area, path: String? = nil, line: Int? = nil, message: String, fix: String, unreadable: Bool? = nil
  ) {
    self.area = area
    self.path = path
    self.line = line
    self.message = message
    self.fix = fix
    self.unreadable = unreadable == true ? true : nil
  }

  public static func < (lhs: Problem, rhs: Problem) -> Bool {
    (lhs.area.rawValue, lhs.path ?? "", lhs.line ?? 0, lhs.message)
      < (rhs.area.rawValue, rhs.path ?? "", rhs.line ?? 0, rhs.message)
  }
}

extension Problem {
  /// A file that is there but could not be read (its mode, another owner): the message `FileError` gives then.
  var isUnreadableFile: Bool { message.hasPrefix(FileError.unreadableWords) }
  /// A file over the read limit, not read (`73400320 bytes, more than the 67108864 bytes trustgate reads …`).
  var isTooLargeFile: Bool {
    message.contains(" bytes, \(FileError.tooLargeWords) ") && message.hasSuffix("; not read")
  }

  /// More problems of one kind in one folder than this are reported as one.
  public static let aggregationThreshold = 3

  /// Problems of one kind (same area, folder, message and fix) folded into one, at the folder, when there are more
  /// than `aggregationThreshold` of them: "/etc/ssl/certs: 100000 entries: a link loop (first: a, b, c, …)". 100,000
  /// bad links make a few lines of output, not megabytes. The result is sorted.
  public static func aggregated(_ problems: [Problem]) -> [Problem] {
    struct Kind: Hashable {
      var area: Area
      var folder: String
      var message: String
      var fix: String
      var unreadable: Bool?
    }
    var groups: [Kind: [Problem]] = [:]
    for problem in problems {
      let folder = problem.path.map { path in
        path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
      } ?? ""
      let kind = Kind(
        area: problem.area, folder: folder, message: problem.message, fix: problem.fix, unreadable: problem.unreadable)
      groups[kind, default: []].append(problem)
    }
    var result: [Problem] = []
    for (kind, members) in groups {
      let unique = Array(Set(members)).sorted()
      guard unique.count > aggregationThreshold else {
        result += unique
        continue
      }
      let samePath = unique.allSatisfy { $0.path == unique[0].path }
      let first = unique.prefix(aggregationThreshold).map { problem in
        samePath
          ? problem.line.map { "line \($0)" } ?? ""
          : (problem.path.map { String(fileName(of: $0)) } ?? "") + (problem.line.map { ":\($0)" } ?? "")
      }
      result.append(
        Problem(
          area: kind.area, path: samePath ? unique[0].path : kind.folder.isEmpty ? nil : kind.folder,
          line: samePath ? unique[0].line : nil,
          message: "\(unique.count) entries: \(kind.message) (first: \(first.joined(separator: ", ")), …)",
          fix: kind.fix, unreadable: kind.unreadable))
    }
    return result.sorted()
  }
}

/// The parts of a trust setup that trustgate inspects; each collector fills one.
public enum Area: String, Codable, Sendable, CaseIterable, Comparable {
  case platform, stores, openssl, environment, proxy, python, lockfiles, clock

  public static func < (lhs: Area, rhs: Area) -> Bool { lhs.rawValue < rhs.rawValue }
}

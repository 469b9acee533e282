/// What a reader found in one file: pins, other files it names (`-r`, `-c`), and entries it could not read.
public struct LockfileReading: Sendable, Equatable {
  public var pins: [Pin] = []
  /// Files this one includes (`-r base.txt`, `-c constraints.txt`), as written, relative to its folder.
  public var references: [Include] = []
  /// Entries that could not be read; the rest of the file still counts.
  public var issues: [LockfileIssue] = []
  /// pip's `--trusted-host` on an option line of a requirements file, with the line: pip installing from the file
  /// accepts any certificate from these hosts.
  public var trustedHosts: [TrustedHost] = []

  public struct TrustedHost: Sendable, Equatable {
    public var host: String
    public var line: Int
  }

  /// A file included by a `-r`/`-c` line, as written, and that line.
  public struct Include: Sendable, Equatable {
    public var file: String
    public var line: Int
  }

  public init(pins: [Pin] = [], references: [Include] = [], issues: [LockfileIssue] = []) {
    self.pins = pins
    self.references = references
    self.issues = issues
  }
}

/// An entry (or a whole file) a reader could not make sense of.
public struct LockfileIssue: Sendable, Equatable {
  public var line: Int?
  public var message: String
  public var fix: String

  public init(line: Int?, message: String, fix: String) {
    self.line = line
    self.message = message
    self.fix = fix
  }
}

/// One reader per lockfile format. The walker asks `wants` (by name, cheap) and hands matching files to `read`.
///
/// `read` never throws: a file that does not parse at all is one issue naming the line where parsing stopped.
public protocol LockfileReader: Sendable {
  static var format: LockfileFormat { get }
  /// Whether this reader handles the file with this repository-relative path (decided from the name only).
  static func wants(_ path: String) -> Bool
  /// Reads the file's text. Invalid UTF-8 has already been reported and replaced by the caller.
  static func read(_ text: String) -> LockfileReading
  /// Reads the file's bytes, valid UTF-8 (the caller checked), without making a string of the whole file first; the
  /// same reading as `read(_:)` of their text. Readers that work on bytes implement it; the others get the default.
  static func read(utf8 bytes: UnsafeBufferPointer<UInt8>) -> LockfileReading
  /// The file's bytes as UTF-8 as its tool decodes them, when that is not the bytes themselves (pip honours
  /// byte-order marks); nil for the bytes as they are.
  static func transcoded(_ bytes: [UInt8]) -> [UInt8]?
}

extension LockfileReader {
  public static func transcoded(_ bytes: [UInt8]) -> [UInt8]? { nil }

  public static func read(utf8 bytes: UnsafeBufferPointer<UInt8>) -> LockfileReading {
    read(String(decoding: bytes, as: UTF8.self))
  }
}

/// Reads `poetry.lock`: one pin per `[[package]]` table; the group is its first `groups` entry (Poetry ≥ 2)
/// or its `category` (Poetry < 1.5).
public enum PoetryLockReader: LockfileReader {
  public static let format = LockfileFormat.poetry

  public static func wants(_ path: String) -> Bool { fileName(of: path) == "poetry.lock" }

  public static func read(_ text: String) -> LockfileReading {
    var text = text
    return text.withUTF8 { read(utf8: $0) }
  }

  public static func read(utf8 bytes: UnsafeBufferPointer<UInt8>) -> LockfileReading {
    TOMLLockfile.readPackages(
      utf8: bytes, file: "poetry.lock", arrayName: "package", regenerate: "`poetry lock`",
      group: TOMLLockfile.firstGroup)
  }
}

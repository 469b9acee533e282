/// Reads `uv.lock`: one pin per `[[package]]` table, at the line of its `name` key.
public enum UvLockReader: LockfileReader {
  public static let format = LockfileFormat.uv

  public static func wants(_ path: String) -> Bool { fileName(of: path) == "uv.lock" }

  public static func read(_ text: String) -> LockfileReading {
    var text = text
    return text.withUTF8 { read(utf8: $0) }
  }

  public static func read(utf8 bytes: UnsafeBufferPointer<UInt8>) -> LockfileReading {
    TOMLLockfile.readPackages(utf8: bytes, file: "uv.lock", arrayName: "package", regenerate: "`uv lock`")
  }
}

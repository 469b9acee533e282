/// Reads `pdm.lock`: one pin per `[[package]]` table; the group is the first of its `groups`.
public enum PdmLockReader: LockfileReader {
  public static let format = LockfileFormat.pdm

  public static func wants(_ path: String) -> Bool { fileName(of: path) == "pdm.lock" }

  public static func read(_ text: String) -> LockfileReading {
    var text = text
    return text.withUTF8 { read(utf8: $0) }
  }

  public static func read(utf8 bytes: UnsafeBufferPointer<UInt8>) -> LockfileReading {
    TOMLLockfile.readPackages(
      utf8: bytes, file: "pdm.lock", arrayName: "package", regenerate: "`pdm lock`", group: TOMLLockfile.firstGroup)
  }
}

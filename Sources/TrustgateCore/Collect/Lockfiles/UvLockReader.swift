/// Reads `uv.lock`: one pin per `[[package]]` table, at the line of its `name` key.
public enum UvLockReader: LockfileReader {
  public static let format = LockfileFormat.uv

  public static func wants(_ path: String) -> Bool { fileName(of: path) == "uv.lock" }

  public static func read(_ text: String) -> LockfileReading {
    TOMLLockfile.readPackages(text, file: "uv.lock", arrayName: "package", regenerate: "`uv lock`")
  }
}

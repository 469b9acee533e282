/// Reads `poetry.lock`: one pin per `[[package]]` table; the group is its first `groups` entry (Poetry ≥ 2)
/// or its `category` (Poetry < 1.5).
public enum PoetryLockReader: LockfileReader {
  public static let format = LockfileFormat.poetry

  public static func wants(_ path: String) -> Bool { fileName(of: path) == "poetry.lock" }

  public static func read(_ text: String) -> LockfileReading {
    TOMLLockfile.readPackages(
      text, file: "poetry.lock", arrayName: "package", regenerate: "`poetry lock`", group: TOMLLockfile.firstGroup)
  }
}

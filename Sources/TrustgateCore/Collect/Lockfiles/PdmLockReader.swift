/// Reads `pdm.lock`: one pin per `[[package]]` table; the group is the first of its `groups`.
public enum PdmLockReader: LockfileReader {
  public static let format = LockfileFormat.pdm

  public static func wants(_ path: String) -> Bool { fileName(of: path) == "pdm.lock" }

  public static func read(_ text: String) -> LockfileReading {
    TOMLLockfile.readPackages(
      text, file: "pdm.lock", arrayName: "package", regenerate: "`pdm lock`", group: TOMLLockfile.firstGroup)
  }
}

/// Reads PEP 751 lockfiles (`pylock.toml`, `pylock.<name>.toml`): one pin per `[[packages]]` table.
public enum PylockReader: LockfileReader {
  public static let format = LockfileFormat.pylock

  public static func wants(_ path: String) -> Bool {
    let name = fileName(of: path)
    if name == "pylock.toml" { return true }
    // PEP 751: `pylock.<name>.toml` where <name> is non-empty and has no dot.
    guard name.hasPrefix("pylock."), name.hasSuffix(".toml") else { return false }
    let middle = name.dropFirst("pylock.".count).dropLast(".toml".count)
    return !middle.isEmpty && !middle.utf8.contains(UInt8(ascii: "."))
  }

  public static func read(_ text: String) -> LockfileReading {
    var text = text
    return text.withUTF8 { read(utf8: $0) }
  }

  public static func read(utf8 bytes: UnsafeBufferPointer<UInt8>) -> LockfileReading {
    TOMLLockfile.readPackages(
      utf8: bytes, file: "pylock.toml", arrayName: "packages",
      regenerate: "the tool that wrote it (`uv export`, `pip lock`)")
  }
}

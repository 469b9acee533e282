/// The catalogue of lockfile readers: the walker offers each file to the first reader that wants it.
public enum LockfileReaders {
  /// Every reader, one per `LockfileFormat`.
  public static let all: [any LockfileReader.Type] = [
    RequirementsReader.self, PoetryLockReader.self, UvLockReader.self, PipfileLockReader.self, PdmLockReader.self,
    PylockReader.self, PyprojectReader.self,
  ]

  /// The reader for the file at this repository-relative path, decided from its name; nil when none wants it.
  public static func reader(for path: String) -> (any LockfileReader.Type)? {
    all.first { $0.wants(path) }
  }

  /// The reader for one format.
  public static func reader(for format: LockfileFormat) -> any LockfileReader.Type {
    switch format {
    case .requirements: RequirementsReader.self
    case .poetry: PoetryLockReader.self
    case .uv: UvLockReader.self
    case .pipfile: PipfileLockReader.self
    case .pdm: PdmLockReader.self
    case .pylock: PylockReader.self
    case .pyproject: PyprojectReader.self
    }
  }
}

/// The last `/`-separated component of a path.
func fileName(of path: String) -> Substring {
  guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return Substring(path) }
  return path[path.utf8.index(after: slash)...]
}

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Paths of the committed fixtures in `Tests/Fixtures/`, made by the scripts in `scripts/fixtures/`.
enum Fixtures {
  static let root: String = {
    // Tests/TrustgateCoreTests/Support/Fixtures.swift → Tests/Fixtures
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Fixtures").path
  }()

  static func path(_ relative: String) -> String { root + "/" + relative }

  static func text(_ relative: String) throws -> String {
    try String(contentsOfFile: path(relative), encoding: .utf8)
  }

  static func data(_ relative: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path(relative)))
  }
}

/// Machine-wide turns for building one heavy fixture: `scripts/run-tests.sh` runs the suite in several processes,
/// and two of them may need the same venv or root before it exists. Each builder checks for a finished fixture
/// inside its turn, so the second process finds the first one's work instead of building it again over it.
enum FixtureLock {
  static var cacheFolder: String {
    let environment = ProcessInfo.processInfo.environment
    return environment["TRUSTGATE_FIXTURE_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/trustgate-fixtures"
  }

  /// Runs `body` holding an exclusive `flock` on `<cache>/.lock-<name>`; without a lock file, runs it anyway.
  static func hold<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
    let folder = cacheFolder
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let descriptor = open(folder + "/.lock-" + name, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return try body() }
    defer { close(descriptor) }
    while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
    return try body()
  }
}

import Foundation

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

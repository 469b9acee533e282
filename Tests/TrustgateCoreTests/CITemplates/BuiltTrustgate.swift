import Foundation
import XCTest

/// The trustgate executable `swift build` made, and a way to run shell scripts against it. The tests that use it
/// check what users run (examples, CI templates, the pre-commit hook), so they go through the real binary.
enum BuiltTrustgate {
  /// The package root: Tests/TrustgateCoreTests/CITemplates/BuiltTrustgate.swift → ../../..
  static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// `TRUSTGATE_BIN` when set, else the binary next to the test bundle (`swift test` builds every product), else
  /// `.build/debug/trustgate`.
  static func path() throws -> String {
    let fm = FileManager.default
    if let given = ProcessInfo.processInfo.environment["TRUSTGATE_BIN"], !given.isEmpty { return given }
    let nextToBundle = Bundle.main.bundleURL.appendingPathComponent("trustgate").path
    var candidates = [nextToBundle, packageRoot + "/.build/debug/trustgate"]
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      candidates.insert(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("trustgate").path, at: 0)
    }
    guard let found = candidates.first(where: { fm.isExecutableFile(atPath: $0) }) else {
      throw XCTSkip("no built trustgate at \(candidates.joined(separator: ", ")); run `swift build` first")
    }
    return found
  }

  struct Result {
    var status: Int32
    var output: String
  }

  /// Runs `/bin/bash -c script` (or a script file) with extra environment, stdout and stderr merged.
  static func shell(_ arguments: [String], environment extra: [String: String] = [:], in directory: String? = nil)
    throws -> Result
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    // A CI runner's own variables must not leak into what the scripts see (annotations, PR targets).
    for key in environment.keys
    where ["GITHUB_", "GITLAB_", "CI_", "TF_BUILD", "SYSTEM_", "BUILD_", "JENKINS_", "CIRCLE", "BITBUCKET_"]
      .contains(where: key.hasPrefix)
    {
      environment[key] = nil
    }
    environment["CI"] = nil
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
  }
}

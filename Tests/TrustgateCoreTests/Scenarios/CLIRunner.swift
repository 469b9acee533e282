import Foundation
import XCTest

/// Runs the real `trustgate` executable built by SwiftPM.
///
/// `swift build --build-tests` builds every target of the package, the `trustgate` executable product included, into
/// the same folder as the test bundle; `swift test` alone builds it too (it builds all targets before testing). The
/// binary is looked up next to the test bundle first, then in `.build/debug` relative to this file; a missing
/// binary fails the test with the command to run.
enum CLI {
  static let packageRoot: String = {
    // Tests/TrustgateCoreTests/Scenarios/CLIRunner.swift → package root
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
  }()

  static let binary: String? = {
    var candidates: [String] = []
    // The test bundle lives in the products folder (…/debug/trustgatePackageTests.xctest on Linux).
    let bundle = Bundle.main.bundleURL.path
    candidates.append(URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("trustgate").path)
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      candidates.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent().appendingPathComponent("trustgate").path)
    }
    candidates.append(packageRoot + "/.build/debug/trustgate")
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }()

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
    var all: String { stdout + stderr }
  }

  /// Runs `trustgate arguments…` in `directory` with a minimal, CI-free environment (so no CI variable switches
  /// annotations or pull-request baselines on) plus `environment`.
  static func run(
    _ arguments: [String], in directory: String, environment: [String: String] = [:],
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> Result {
    guard let binary else {
      XCTFail("the trustgate executable is not built; run `swift build --build-tests` first", file: file, line: line)
      throw CocoaError(.executableNotLoadable)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = [
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory, "NO_COLOR": "1",
      "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LANG": "C.UTF-8",
    ]
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("tg-out-\(UUID().uuidString)").path
    let errPath = outPath + ".err"
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    defer {
      try? FileManager.default.removeItem(atPath: outPath)
      try? FileManager.default.removeItem(atPath: errPath)
    }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return Result(
      status: process.terminationStatus, stdout: try String(contentsOfFile: outPath, encoding: .utf8),
      stderr: try String(contentsOfFile: errPath, encoding: .utf8))
  }
}

/// Reads a report file as JSON.
func jsonFile(_ path: String) throws -> Any {
  try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
}

func textFile(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

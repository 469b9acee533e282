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
    // One runner for every CLI test: bounded, so no input can hang the suite.
    let outcome = try BoundedRun.run([binary] + arguments, in: directory, environment: environment, seconds: 600)
    XCTAssertFalse(outcome.timedOut, "trustgate \(arguments) ran for more than 600 s", file: file, line: line)
    return Result(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
  }
}

/// Reads a report file as JSON.
func jsonFile(_ path: String) throws -> Any {
  try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
}

func textFile(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

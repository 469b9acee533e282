import Foundation
import XCTest

@testable import TrustgateCore

/// Runs the built `trustgate` like `CLI.run`, but stops it after `seconds`: a hostile input must never hang the test
/// run, and a test states how long the command may take.
enum BoundedRun {
  struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
    var seconds: Double
    var timedOut: Bool
    var all: String { stdout + stderr }
  }

  static func trustgate(
    _ arguments: [String], in directory: String, environment: [String: String] = [:], seconds: Double,
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> Outcome {
    guard let binary = CLI.binary else {
      XCTFail("the trustgate executable is not built; run `swift build --build-tests` first", file: file, line: line)
      throw CocoaError(.executableNotLoadable)
    }
    return try run([binary] + arguments, in: directory, environment: environment, seconds: seconds)
  }

  /// An `environment` value that removes the variable (a NUL cannot be in a real one).
  static let unset = "\u{0}"

  static func run(
    _ command: [String], in directory: String, environment: [String: String] = [:], seconds: Double
  ) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = [
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory, "NO_COLOR": "1",
      "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LANG": "C.UTF-8",
    ]
    for (key, value) in environment { env[key] = value == unset ? nil : value }
    process.environment = env
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("tg-bounded-\(UUID().uuidString)").path
    FileManager.default.createFile(atPath: base + ".out", contents: nil)
    FileManager.default.createFile(atPath: base + ".err", contents: nil)
    defer {
      try? FileManager.default.removeItem(atPath: base + ".out")
      try? FileManager.default.removeItem(atPath: base + ".err")
    }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    let start = Date()
    try process.run()
    var timedOut = false
    while process.isRunning {
      if Date().timeIntervalSince(start) > seconds {
        timedOut = true
        process.terminate()
        Thread.sleep(forTimeInterval: 0.5)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        break
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
    process.waitUntilExit()
    let elapsed = Date().timeIntervalSince(start)
    try out.close()
    try err.close()
    return Outcome(
      status: process.terminationStatus,
      stdout: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: base + ".out"))) ?? Data(), as: UTF8.self),
      stderr: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: base + ".err"))) ?? Data(), as: UTF8.self),
      seconds: elapsed, timedOut: timedOut)
  }
}

/// Fixtures too large to commit, built once per machine by a committed script into
/// `${TRUSTGATE_FIXTURE_CACHE:-$HOME/.cache/trustgate-fixtures}/<name>-<hash of the script>`, rebuilt when the script
/// changes.
enum CachedFixture {
  static func folder(name: String, script relative: String, file: StaticString = #filePath, line: UInt = #line) throws
    -> String
  {
    let script = CLI.packageRoot + "/" + relative
    let bytes = try Data(contentsOf: URL(fileURLWithPath: script))
    let hash = SHA256Digest.of(Array(bytes)).dropFirst("sha256:".count).prefix(16)
    let env = ProcessInfo.processInfo.environment
    let home = env["HOME"] ?? NSTemporaryDirectory()
    let cache = env["TRUSTGATE_FIXTURE_CACHE"] ?? (home + "/.cache/trustgate-fixtures")
    let folder = "\(cache)/\(name)-\(hash)"
    return try FixtureLock.hold(name) { try build(script: script, into: folder, name: name) }
  }

  private static func build(script: String, into folder: String, name: String) throws -> String {
    if FileManager.default.fileExists(atPath: folder + "/.complete") { return folder }
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    guard let python = realPython() else { throw XCTSkip("no python3 here to build \(name)") }
    let outcome = try BoundedRun.run([python, script, folder], in: folder, seconds: 1200)
    guard outcome.status == 0, !outcome.timedOut else {
      throw XCTSkip("cannot build \(name) here: \(outcome.stderr.suffix(500))")
    }
    FileManager.default.createFile(atPath: folder + "/.complete", contents: Data())
    return folder
  }

  /// A real interpreter, never a pyenv shim: the system one, else what `python3` says `sys.executable` is.
  static func realPython() -> String? {
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") { return "/usr/bin/python3" }
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
      let candidate = "\(directory)/python3"
      guard FileManager.default.isExecutableFile(atPath: candidate),
        let outcome = try? BoundedRun.run(
          [candidate, "-c", "import sys; print(sys.executable)"], in: NSTemporaryDirectory(), seconds: 30),
        outcome.status == 0
      else { continue }
      return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return nil
  }
}

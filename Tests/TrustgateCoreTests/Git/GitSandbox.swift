import Foundation
import XCTest

/// A throwaway directory where tests build real repositories with the `git` CLI. Commits are deterministic: the
/// identity and dates come from the environment, and no user or system config is read.
final class GitSandbox {
  let root: String
  private var clock = 1_700_000_000

  init() throws {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("trustgate-git-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    // Resolve /tmp-style symlinks so paths compare equal to what git and libgit2 print.
    root = base.resolvingSymlinksInPath().path
  }

  deinit {
    try? FileManager.default.removeItem(atPath: root)
  }

  func path(_ relative: String) -> String { root + "/" + relative }

  /// Runs git in `directory` (relative to the sandbox) and returns its standard output, trimmed of the final newline.
  @discardableResult
  func git(_ arguments: [String], in directory: String, file: StaticString = #filePath, line: UInt = #line) throws
    -> String
  {
    var text = String(decoding: try gitOutput(arguments, in: directory, file: file, line: line), as: UTF8.self)
    if text.hasSuffix("\n") { text.removeLast() }
    return text
  }

  /// Runs git and returns its standard output as bytes, unchanged.
  func gitOutput(_ arguments: [String], in directory: String, file: StaticString = #filePath, line: UInt = #line)
    throws -> [UInt8]
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git"] + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: path(directory))
    let date = "@\(clock) +0000"
    process.environment = [
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
      "HOME": root,
      "GIT_CONFIG_NOSYSTEM": "1",
      "GIT_CONFIG_GLOBAL": "/dev/null",
      "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.com",
      "GIT_COMMITTER_NAME": "Test Committer", "GIT_COMMITTER_EMAIL": "committer@example.com",
      "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
      "GIT_ALLOW_PROTOCOL": "file",
    ]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let message = String(decoding: errorData, as: UTF8.self)
      XCTFail("git \(arguments.joined(separator: " ")) failed: \(message)", file: file, line: line)
      throw CocoaError(.executableLoad)
    }
    return Array(data)
  }

  func write(_ relative: String, _ contents: String) throws {
    let url = URL(fileURLWithPath: path(relative))
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try contents.write(to: url, atomically: true, encoding: .utf8)
  }

  func makeDirectory(_ relative: String) throws {
    try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
  }

  /// Stages everything and commits it with the next deterministic date.
  func commitAll(_ message: String, in directory: String) throws {
    clock += 3600
    try git(["add", "-A"], in: directory)
    try git(["commit", "-q", "-m", message], in: directory)
  }
}

import Foundation
import XCTest

/// Real Debian root filesystems made by `debootstrap --variant=minbase` through scripts/fixtures/make-debian-roots.sh,
/// built once per machine into the fixture cache (outside the repository) and reused by every test run.
enum DebianRoots {
  /// A built root: its folder, and the root's own tools' answers (oracle.tsv).
  struct Built {
    var folder: String
    var rootfs: String { folder + "/rootfs" }
    var oracle: [String: String]
  }

  /// The bookworm image-promotion case made by scripts/fixtures/make-debian-images.sh.
  struct Images {
    var folder: String
    var production: String { folder + "/prod.tar" }
    var candidate: String { folder + "/cand.tar" }
  }

  private static let lock = NSLock()
  nonisolated(unsafe) private static var built: [String: Result<Built, Error>] = [:]
  nonisolated(unsafe) private static var images: Result<Images, Error>?

  /// The bookworm images, built now if this machine has none yet; skips like `root`.
  static func bookwormImages(file: StaticString = #filePath, line: UInt = #line) throws -> Images {
    lock.lock()
    defer { lock.unlock() }
    if images == nil {
      images = Result {
        guard getuid() == 0 else {
          throw Unavailable(description: "debootstrap needs root; run the tests as root to include the Debian images")
        }
        let result = try FixtureLock.hold("debian-images") {
          try Command.run("/bin/bash", [CLI.packageRoot + "/scripts/fixtures/make-debian-images.sh"])
        }
        let folder = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        guard result.status == 0, FileManager.default.fileExists(atPath: folder + "/cand.tar") else {
          let tail = result.stderr.split(separator: "\n").suffix(6).joined(separator: " | ")
          throw Unavailable(description: "make-debian-images.sh failed: \(tail)")
        }
        return Images(folder: folder)
      }
    }
    switch images {
    case .success(let images)?: return images
    case .failure(let error)?: throw XCTSkip("no Debian images here: \(error)", file: file, line: line)
    case nil: throw XCTSkip("no Debian images here", file: file, line: line)
    }
  }

  struct Unavailable: Error, CustomStringConvertible {
    var description: String
  }

  /// The root for `suite`, built now if this machine has none yet; skips the test (with the script's reason) when it
  /// cannot be built here: not root, no debootstrap, no mirror, an archive key this keyring lacks.
  static func root(_ suite: String, file: StaticString = #filePath, line: UInt = #line) throws -> Built {
    lock.lock()
    defer { lock.unlock() }
    if built[suite] == nil { built[suite] = Result { try build(suite) } }
    switch built[suite] {
    case .success(let root)?: return root
    case .failure(let error)?: throw XCTSkip("no Debian \(suite) root here: \(error)", file: file, line: line)
    case nil: throw XCTSkip("no Debian \(suite) root here", file: file, line: line)
    }
  }

  private static func build(_ suite: String) throws -> Built {
    guard getuid() == 0 else {
      throw Unavailable(description: "debootstrap needs root; run the tests as root to include the Debian roots")
    }
    let script = CLI.packageRoot + "/scripts/fixtures/make-debian-roots.sh"
    let result = try Command.run("/bin/bash", [script, suite])
    guard result.status == 0 else {
      let tail = result.stderr.split(separator: "\n").suffix(6).joined(separator: " | ")
      throw Unavailable(description: "make-debian-roots.sh \(suite) failed: \(tail)")
    }
    guard let line = result.stdout.split(separator: "\n").first(where: { $0.hasPrefix(suite + "\t") }) else {
      throw Unavailable(description: "make-debian-roots.sh \(suite) printed no folder: \(result.stdout)")
    }
    let folder = String(line.dropFirst(suite.count + 1))
    let text = try String(contentsOfFile: folder + "/oracle.tsv", encoding: .utf8)
    var oracle: [String: String] = [:]
    for row in text.split(separator: "\n") {
      let fields = row.split(separator: "\t", maxSplits: 1)
      if fields.count == 2 { oracle[String(fields[0])] = String(fields[1]) }
    }
    return Built(folder: folder, oracle: oracle)
  }
}

/// Runs a program with the test process's own environment (HOME included, so the fixture cache is the machine's).
enum Command {
  struct Output {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static func run(_ executable: String, _ arguments: [String]) throws -> Output {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes while the program runs: a full pipe would block it.
    nonisolated(unsafe) var errorData = Data()
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      errorData = err.fileHandleForReading.readDataToEndOfFile()
      done.signal()
    }
    let outputData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    done.wait()
    return Output(
      status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
      stderr: String(decoding: errorData, as: UTF8.self))
  }
}

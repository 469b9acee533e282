import Foundation
import XCTest
import Yams

#if canImport(Glibc)
  import Glibc
#endif

/// The action as `uses:` downloads it: a `git archive` export of this repository (committed files plus the working
/// tree's changes to tracked files; no `.build`, no `Package.resolved`), whose `prepare` and `build` steps ran the way
/// the runner runs them. Made once per test process and shared by the action's tests.
///
/// The export lives at a stable folder under the fixture cache (one per checkout), refreshed file by file from a fresh
/// export on every run: files the archive does not hold are deleted (so `Package.resolved` from an earlier build is
/// gone again), unchanged files keep their times, and `.build` stays, as `actions/cache` restores it. The release
/// build is therefore incremental after the first run (minutes once per machine and source change).
struct ActionExport: Sendable {
  /// The exported package (the `package` output of `prepare`).
  var package: String
  /// A copy of the binary the build step made, taken under the lock (another checkout may rebuild the export).
  var binary: String
  /// What `prepare` and `build` wrote to `$GITHUB_OUTPUT`.
  var prepared: [String: String]
  var built: [String: String]
  /// Files the fresh export held, relative to the package.
  var exportedFiles: Set<String>

  var actionPath: String { package + "/action" }

  static let shared: Result<ActionExport, any Error> = Result { try make() }

  static func get() throws -> ActionExport {
    switch shared {
    case .success(let export): return export
    case .failure(let error as XCTSkip): throw error
    case .failure(let error): throw error
    }
  }

  /// One export per machine (like every heavy fixture), so a fresh clone reuses the dependencies already built there;
  /// checkouts take turns under a lock, each run rebuilding only what its sources changed. Links are resolved: the
  /// build records absolute paths.
  static var cacheFolder: String {
    let environment = ProcessInfo.processInfo.environment
    let base =
      environment["TRUSTGATE_FIXTURE_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/trustgate-fixtures"
    let folder = base + "/action-export"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
  }

  static func make() throws -> ActionExport {
    let fm = FileManager.default
    let folder = cacheFolder
    try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let lock = open(folder + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard lock >= 0 else { throw XCTSkip("cannot open \(folder)/lock") }
    defer { close(lock) }
    flock(lock, LOCK_EX)

    // A fresh export: what GitHub serves for `uses: owner/trustgate@ref` is `git archive` of that commit.
    let fresh = folder + "/fresh"
    try? fm.removeItem(atPath: fresh)
    try fm.createDirectory(atPath: fresh, withIntermediateDirectories: true)
    let export = try BuiltTrustgate.shell(
      [
        "-c",
        """
        set -euo pipefail
        tree="$(git stash create 2>/dev/null || true)"
        git archive --format=tar "${tree:-HEAD}" | tar -x -C '\(fresh)'
        """,
      ], in: BuiltTrustgate.packageRoot)
    guard export.status == 0 else { throw XCTSkip("git archive failed (not a git checkout?):\n\(export.output)") }
    let exported = try files(under: fresh)
    let package = folder + "/trustgate"
    try synchronise(from: fresh, to: package, files: exported)
    try? fm.removeItem(atPath: fresh)

    // The runner: a workspace, an output file per step, swift and pkg-config from this machine.
    let runnerFolder = folder + "/runner"
    try? fm.removeItem(atPath: runnerFolder)
    try fm.createDirectory(atPath: runnerFolder + "/workspace", withIntermediateDirectories: true)
    var runner = [
      "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": runnerFolder + "/workspace", "RUNNER_OS": "Linux",
      "RUNNER_ARCH": "X64", "RUNNER_TEMP": runnerFolder,
    ]
    runner["GITHUB_OUTPUT"] = runnerFolder + "/prepare-output"
    let prepare = try ActionSteps(actionPath: package + "/action").run(
      step: "prepare", context: ["github.action_path": package + "/action"], runner: runner,
      in: runnerFolder + "/workspace")
    guard prepare.status == 0 else {
      XCTFail("the prepare step failed in a git archive export:\n\(prepare.output)")
      throw ActionStepFailure(step: "prepare", output: prepare.output)
    }
    let prepared = try ActionSteps.outputValues(runner["GITHUB_OUTPUT"] ?? "")
    runner["GITHUB_OUTPUT"] = runnerFolder + "/build-output"
    let build = try ActionSteps(actionPath: package + "/action").run(
      step: "build", context: ["steps.prepare.outputs.package": prepared["package"] ?? package], runner: runner,
      in: runnerFolder + "/workspace")
    guard build.status == 0 else {
      XCTFail("the build step failed in a git archive export:\n\(build.output)")
      throw ActionStepFailure(step: "build", output: build.output)
    }
    let built = try ActionSteps.outputValues(runner["GITHUB_OUTPUT"] ?? "")
    // A link to this build's binary, kept per process; those of processes that ended are removed.
    let binaries = folder + "/binaries"
    try fm.createDirectory(atPath: binaries, withIntermediateDirectories: true)
    for name in (try? fm.contentsOfDirectory(atPath: binaries)) ?? [] {
      if let pid = Int32(name), pid != getpid(), kill(pid, 0) != 0 { try? fm.removeItem(atPath: binaries + "/" + name) }
    }
    let copy = binaries + "/\(getpid())"
    try? fm.removeItem(atPath: copy)
    try fm.createDirectory(atPath: copy, withIntermediateDirectories: true)
    try fm.linkItem(atPath: built["path"] ?? "", toPath: copy + "/trustgate")
    return ActionExport(
      package: package, binary: copy + "/trustgate", prepared: prepared, built: built, exportedFiles: exported)
  }

  /// Regular files and links under `root`, relative to it, `.build` left out.
  static func files(under root: String) throws -> Set<String> {
    var found = Set<String>()
    guard let walker = FileManager.default.enumerator(atPath: root) else { return found }
    while let relative = walker.nextObject() as? String {
      if relative == ".build" || relative.hasPrefix(".build/") {
        walker.skipDescendants()
        continue
      }
      let attributes = try FileManager.default.attributesOfItem(atPath: root + "/" + relative)
      if attributes[.type] as? FileAttributeType != .typeDirectory { found.insert(relative) }
    }
    return found
  }

  /// Makes `target` hold exactly `files` from `source` (plus its own `.build`), rewriting only files whose bytes
  /// differ, so a build there stays incremental.
  static func synchronise(from source: String, to target: String, files: Set<String>) throws {
    let fm = FileManager.default
    try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
    for stale in try self.files(under: target).subtracting(files) { try fm.removeItem(atPath: target + "/" + stale) }
    for relative in files.sorted() {
      let from = source + "/" + relative
      let to = target + "/" + relative
      let link = try? fm.destinationOfSymbolicLink(atPath: from)
      if let link {
        if (try? fm.destinationOfSymbolicLink(atPath: to)) == link { continue }
      } else if let old = fm.contents(atPath: to), let new = fm.contents(atPath: from), old == new,
        (try? fm.destinationOfSymbolicLink(atPath: to)) == nil
      {
        continue
      }
      try? fm.removeItem(atPath: to)
      try fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try fm.copyItem(atPath: from, toPath: to)
    }
  }
}

struct ActionStepFailure: Error, CustomStringConvertible {
  var step: String
  var output: String
  var description: String { "the action's \(step) step failed:\n\(output)" }
}

/// Runs the action's `run:` steps as GitHub's runner does: `env:` values with `${{ … }}` substituted (inputs from
/// their defaults unless given), the script under `bash --noprofile --norc -eo pipefail`.
struct ActionSteps {
  var actionPath: String

  func action() throws -> [String: Any] {
    let text = try String(contentsOfFile: actionPath + "/action.yml", encoding: .utf8)
    return try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
  }

  func steps() throws -> [[String: Any]] {
    try XCTUnwrap((try action()["runs"] as? [String: Any])?["steps"] as? [[String: Any]])
  }

  func run(
    step id: String, context: [String: String], inputs: [String: String] = [:], runner: [String: String],
    in directory: String
  ) throws -> BuiltTrustgate.Result {
    let step = try XCTUnwrap(try steps().first { $0["id"] as? String == id }, "step \(id)")
    let declared = try XCTUnwrap(try action()["inputs"] as? [String: [String: Any]])
    var values = context
    for (name, input) in declared { values["inputs." + name] = inputs[name] ?? (input["default"] as? String ?? "") }
    var environment = runner
    for (key, value) in step["env"] as? [String: Any] ?? [:] {
      environment[key] = try Self.substitute(String(describing: value), values)
    }
    let script = FileManager.default.temporaryDirectory.path + "/trustgate-action-step-\(UUID().uuidString).sh"
    try (step["run"] as? String ?? "").write(toFile: script, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: script) }
    return try BuiltTrustgate.shell(
      ["--noprofile", "--norc", "-eo", "pipefail", script], environment: environment, in: directory)
  }

  static func substitute(_ text: String, _ values: [String: String]) throws -> String {
    let expression = try NSRegularExpression(pattern: #"\$\{\{\s*([^}]+?)\s*\}\}"#)
    var result = text
    for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
      guard let whole = Range(match.range, in: text), let name = Range(match.range(at: 1), in: text) else { continue }
      let key = String(text[name])
      let value = try XCTUnwrap(values[key], "no value for ${{ \(key) }}")
      result.replaceSubrange(whole, with: value)
    }
    return result
  }

  static func outputValues(_ path: String) throws -> [String: String] {
    var values: [String: String] = [:]
    for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      values[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    return values
  }
}

import ArgumentParser
import FoundationEssentials
import TrustgateCore

struct Baseline: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "baseline",
    abstract: "Record the current snapshot as the baseline that `check` compares with.",
    discussion: """
      Writes the snapshot without the clock section (the only host-dependent part), so the file is stable and \
      meant to be committed. Re-record it whenever a change to the trust setup is intended.
      """)

  @OptionGroup var target: TargetOptions

  @Option(help: ArgumentHelp("Where to write it, relative to the repository.", valueName: "file"))
  var output: String = BaselineLoader.defaultBaselinePath

  func run() throws {
    let (_, snapshot, _, workspace) = try target.inspect(includeClock: false)
    let root: String
    do { root = try workspace.repositoryRoot() } catch { throw fail(error) }
    let path = output.hasPrefix("/") ? output : root + "/" + output
    let folder = String(path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
    do {
      if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
      try Data(SnapshotCoding.encode(snapshot).utf8).write(to: URL(fileURLWithPath: path))
    } catch {
      throw fail(InputError("cannot write \(output): \(error.localizedDescription); choose a writable --output"))
    }
    let written: InertText =
      "trustgate: baseline written to \(path: output) (\(snapshot.certificates.count) certificates, "
      + "\(snapshot.lockfiles.count) lockfiles, \(snapshot.problems.count) problems)"
    print(written)
  }
}

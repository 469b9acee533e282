import ArgumentParser
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
    do { print(try target.workspace.recordBaseline(output: output)) } catch { throw fail(error) }
  }
}

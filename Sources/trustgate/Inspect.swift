import ArgumentParser
import TrustgateCore

struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Print the trust snapshot of this machine, an unpacked root filesystem or a container image.",
    discussion: """
      Reads the OS CA stores, OpenSSL's defaults, trust environment variables, proxy variables, Python \
      environments (certifi, installed client libraries), the repository's lockfiles and the clock. Problems found \
      are listed with their file and a fix; inspect itself always exits 0 unless the command line is wrong.
      """)

  @OptionGroup var target: TargetOptions

  @Option(help: "Output format: text (a summary) or json (the snapshot, schema trustgate.snapshot/1).")
  var format: OutputFormat = .text

  func run() throws {
    let snapshot: Snapshot
    do { snapshot = try target.workspace.snapshot() } catch { throw fail(error) }
    switch format {
    case .text: print(SnapshotText.render(snapshot), terminator: "")
    case .json: print(SnapshotCoding.encode(snapshot), terminator: "")
    }
  }
}

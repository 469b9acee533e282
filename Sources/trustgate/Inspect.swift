import ArgumentParser
import TrustgateCore

struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the trust snapshot of this machine, or of an unpacked root filesystem.",
    discussion: """
      Reads the OS CA stores, OpenSSL's defaults, trust environment variables, proxy variables, Python \
      environments (certifi, installed client libraries), the repository's lockfiles and the clock. Problems found \
      are listed with their file and a fix; inspect itself always exits 0 unless the command line is wrong.
      """)

  @OptionGroup var target: TargetOptions

  @Option(help: "Output format: text (a summary) or json (the snapshot, schema trustgate.snapshot/1).")
  var format: OutputFormat = .text

  func run() throws {
    let request: InspectRequest
    do { request = try target.workspace.request(now: ClockCollector.currentTime()) } catch { throw fail(error) }
    let snapshot = Inspector.inspect(request)
    switch format {
    case .text: print(SnapshotText.render(snapshot), terminator: "")
    case .json: print(SnapshotCoding.encode(snapshot), terminator: "")
    }
  }
}

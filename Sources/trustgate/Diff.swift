import ArgumentParser
import TrustgateCore

struct Diff: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Compare two snapshots (e.g. a candidate image's against production's) and run the rules.",
    discussion: "A is the baseline, B the candidate. Both are files written by `trustgate inspect --format json` or `trustgate baseline`.")

  @Argument(help: ArgumentHelp("The baseline snapshot.", valueName: "a.json")) var baseline: String
  @Argument(help: ArgumentHelp("The candidate snapshot.", valueName: "b.json")) var candidate: String
  @OptionGroup var output: ReportOptions

  @Option(help: ArgumentHelp("Policy file for severities, ignores and required roots.", valueName: "file"))
  var policy: String?

  func validate() throws { _ = try output.parsedReports() }

  func run() throws {
    let outcome: CheckOutcome
    do {
      outcome = try DiffFlow.run(
        baseline: baseline, candidate: candidate, policyFile: policy, failOn: output.failOn,
        delivery: try output.delivery())
    } catch let error as InputError { throw fail(error) }
    print(outcome.standardOutput, terminator: "")
    if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
  }
}

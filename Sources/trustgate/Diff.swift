import ArgumentParser
import FoundationEssentials
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

  func run() throws {
    let cwd = FileManager.default.currentDirectoryPath
    let loader = BaselineLoader(repositoryRoot: cwd, environment: [:])
    var policyValue = Policy()
    do {
      if let policy { policyValue = try Workspace(root: nil, repository: nil, envFile: nil, policyFile: policy, processEnvironment: [:], currentDirectory: cwd).policy() }
    } catch { throw fail(error) }
    if let failOn = output.failOn { policyValue.failOn = failOn }
    let a: Snapshot
    let b: Snapshot
    do {
      a = try loader.readSnapshot(baseline)
      b = try loader.readSnapshot(candidate)
    } catch { throw fail(error) }
    let now = b.clock?.now ?? isoTimestamp(epochSeconds: ClockCollector.currentTime())
    let (evaluation, changes) = Gate.evaluate(current: b, baseline: a, baselineLabel: "snapshot \(baseline)", policy: policyValue, now: now)
    if output.reports.isEmpty {
      print(ChangeListText.render(changes, from: baseline, to: candidate), terminator: "")
    }
    let status = try output.deliver(evaluation, repositoryRoot: cwd)
    if status != 0 { throw ExitCode(status) }
  }
}

import ArgumentParser
import FoundationEssentials
import TrustgateCore

#if canImport(Glibc)
  import Glibc
#endif

extension AnnotationTarget: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}
extension HookStage: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

/// Report and exit-code options shared by `check` and `diff`.
struct ReportOptions: ParsableArguments {
  @Option(
    name: .customLong("report"),
    help: ArgumentHelp(
      "Write a report: FORMAT=PATH, repeatable; PATH - is standard output. Formats: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")).",
      valueName: "format=path"))
  var reports: [String] = []

  @Option(help: "CI annotations on standard output: auto detects the CI from its variables.")
  var annotations: AnnotationTarget = .auto

  @Option(help: ArgumentHelp("Lowest severity that fails the build (default: the policy's fail-on, else error).", valueName: "severity"))
  var failOn: Severity?

  @Option(
    help: ArgumentHelp(
      "The report printed on standard output. A format other than text leaves out the automatic annotations.",
      valueName: "format"))
  var format: ReportFormat = .text

  @Flag(name: [.customShort("q"), .long], help: "Print only errors and the verdict line (report files are still written).")
  var quiet = false

  func parsedReports() throws -> [ReportRequest] {
    var parsed: [ReportRequest] = []
    for text in reports {
      do { parsed.append(try ReportRequest(parsing: text)) } catch { throw ValidationError(error.description) }
    }
    return parsed
  }

  func delivery() throws -> ReportDelivery {
    let environment = ProcessInfo.processInfo.environment
    return ReportDelivery(
      reports: try parsedReports(), annotations: annotations, format: format, quiet: quiet,
      colour: isatty(1) == 1 && environment["NO_COLOR"] == nil, environment: environment,
      currentDirectory: FileManager.default.currentDirectoryPath)
  }
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Fail the build on trust regressions.",
    discussion: """
      Inspects this machine (or --root / --image), compares it with a baseline and runs the rule pack.

      Baseline, in order: --baseline FILE (a recorded snapshot), --baseline-ref REF (the repository's lockfiles at \
      a git ref, read through libgit2), --staged (the index against HEAD, for pre-commit), --baseline-image (another \
      image), --hook STAGE (what a pre-commit hook compares at that stage: pre-commit the index against HEAD; \
      pre-push the pushed range PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, both read from git; manual the working tree \
      against @{upstream}). With none of them: .trustgate/baseline.json when present; else, in a pull/merge \
      request, its target branch; else HEAD against the working tree. Rules that need no baseline always run.

      Exit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 usage, configuration, input or \
      output error.
      """)

  @OptionGroup var target: TargetOptions
  @OptionGroup var output: ReportOptions

  @Option(help: ArgumentHelp("Compare with this recorded snapshot (from `trustgate baseline`).", valueName: "file"))
  var baseline: String?

  @Option(help: ArgumentHelp("Compare with the repository's lockfiles at this git ref (e.g. origin/main).", valueName: "ref"))
  var baselineRef: String?

  @Flag(help: "Compare the staged lockfiles (git index) with HEAD, for pre-commit hooks.")
  var staged = false

  @Option(help: ArgumentHelp("Compare with another image (production), read like --image.", valueName: "path"))
  var baselineImage: String?

  @Option(help: ArgumentHelp("Compare what a pre-commit hook at this stage guards: pre-commit, pre-push or manual.", valueName: "stage"))
  var hook: HookStage?

  func validate() throws {
    let chosen = [baseline != nil, baselineRef != nil, staged, baselineImage != nil, hook != nil].filter { $0 }.count
    if chosen > 1 {
      throw ValidationError("give at most one of --baseline, --baseline-ref, --staged, --baseline-image and --hook")
    }
    if baselineImage != nil && target.image == nil && target.root == nil {
      throw ValidationError("--baseline-image compares two images: give the candidate with --image")
    }
    _ = try output.parsedReports()
  }

  var baselineChoice: BaselineChoice {
    if let baseline { return .recorded(baseline) }
    if let baselineRef { return .gitRef(baselineRef) }
    if staged { return .staged }
    if let baselineImage { return .image(baselineImage) }
    if let hook { return .hook(hook) }
    return .automatic
  }

  func run() throws {
    let request = CheckRequest(
      workspace: target.workspace, baseline: baselineChoice, failOn: output.failOn, delivery: try output.delivery())
    let outcome: CheckOutcome
    do { outcome = try CheckFlow.run(request) } catch { throw fail(error) }
    print(outcome.standardOutput, terminator: "")
    if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
  }
}

import ArgumentParser
import FoundationEssentials
import TrustgateCore

#if canImport(Glibc)
  import Glibc
#endif

enum AnnotationTarget: String, ExpressibleByArgument, CaseIterable {
  case auto, github, gitlab, azure, none
}

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

  func parsedReports() throws -> [ReportRequest] {
    var parsed: [ReportRequest] = []
    for text in reports {
      do { parsed.append(try ReportRequest(parsing: text)) } catch { throw ValidationError(error.description) }
    }
    return parsed
  }

  /// Writes every report, the annotations and the step summary, prints the summary, returns the exit code.
  func deliver(_ evaluation: Evaluation, repositoryRoot: String, context: ReportContext? = nil) throws -> Int32 {
    let env = ProcessInfo.processInfo.environment
    for request in try parsedReports() {
      let context = context ?? ReportContext(repositoryRoot: repositoryRoot)
      let text = request.format.reporter(colour: false, context: context).render(evaluation)
      switch request.destination {
      case .standardOutput: print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
      case .file(let path):
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        do {
          let folder = String(full.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
          if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
          if request.format.appends {
            try append(text, to: full)
          } else {
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
          }
        } catch {
          throw fail(InputError("cannot write the \(request.format.rawValue) report to \(path): \(error.localizedDescription)"))
        }
      }
    }
    let provider = CIProvider.detect(env: env)
    let annotationFormat: ReportFormat?
    switch annotations {
    case .auto: annotationFormat = provider.annotationFormat
    case .github: annotationFormat = .github
    case .gitlab: annotationFormat = nil  // GitLab shows code quality reports, written with --report gitlab=PATH
    case .azure: annotationFormat = .azure
    case .none: annotationFormat = nil
    }
    if let annotationFormat {
      let text = annotationFormat.reporter(colour: false).render(evaluation)
      if !text.isEmpty { print(text, terminator: text.hasSuffix("\n") ? "" : "\n") }
      if annotationFormat == .github, let summary = env["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
        try? append(GitHubReporter().stepSummary(evaluation), to: summary)
      }
    }
    if !reports.contains(where: { $0.hasSuffix("=-") }) {
      print(TextReporter(colour: isatty(1) == 1 && env["NO_COLOR"] == nil).render(evaluation), terminator: "")
    }
    return evaluation.exitStatus
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
      image). With none of them: .trustgate/baseline.json when present; else, in a pull/merge request, its target \
      branch; else HEAD against the working tree. Rules that need no baseline always run.

      Exit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 usage, configuration or input \
      error.
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

  func validate() throws {
    let chosen = [baseline != nil, baselineRef != nil, staged, baselineImage != nil].filter { $0 }.count
    if chosen > 1 { throw ValidationError("give at most one of --baseline, --baseline-ref, --staged and --baseline-image") }
    if baselineImage != nil && target.image == nil && target.root == nil {
      throw ValidationError("--baseline-image compares two images: give the candidate with --image")
    }
    _ = try output.parsedReports()
  }

  /// Findings about a variable set in `--env-file` point at its line there.
  static func locate(_ findings: [Finding], in locations: [String: Location]) -> [Finding] {
    guard !locations.isEmpty else { return findings }
    return findings.map { finding in
      guard finding.location == nil, finding.area == .environment || finding.area == .proxy,
        let location = locations[finding.subject]
      else { return finding }
      var located = finding
      located.location = location
      return located
    }
  }

  func run() throws {
    let workspace = target.workspace
    var policy: Policy
    let root: String
    do {
      policy = try workspace.policy()
      root = try workspace.repositoryRoot()
    } catch { throw fail(error) }
    if let failOn = output.failOn { policy.failOn = failOn }
    // The baseline (a recorded file, or lockfiles read from git) does not depend on the current snapshot: read it on
    // another core while the collectors run.
    let source: BaselineSource
    if let baseline {
      // Relative to where the command runs, like every other path argument; else to the repository.
      let fromHere = workspace.absolute(baseline)
      source = .file(baseline.hasPrefix("/") || !HostFileSystem().isFile(fromHere) ? baseline : fromHere)
    }
    else if let baselineRef { source = .gitRef(baselineRef) }
    else if staged { source = .staged }
    else { source = baselineImage == nil ? .automatic : .none }
    let loader = BaselineLoader(
      repositoryRoot: root, environment: ProcessInfo.processInfo.environment, excluded: policy.exclude,
      policyBaseline: policy.baseline)
    let prepared = PendingValue<Result<PreparedBaseline, InputError>> {
      do throws(InputError) { return .success(try loader.prepare(source)) } catch { return .failure(error) }
    }
    var stopwatch = Stopwatch(enabled: ProcessInfo.processInfo.environment["TRUSTGATE_PROFILE"] != nil)
    let (request, image): (InspectRequest, ContainerImage?)
    do { (request, image) = try target.request(policy: policy) } catch { throw fail(error) }
    var current = Inspector.inspect(request)
    stopwatch.lap("check: inspect")
    var baselineSnapshot: Snapshot?
    var label = "none"
    if let baselineImage {
      var other = target
      other.image = baselineImage
      other.root = nil
      baselineSnapshot = try other.inspect(policy: policy).snapshot
      label = "image \(baselineImage)"
    } else {
      guard let outcome = prepared.wait() else { throw fail(InputError("the baseline could not be read")) }
      let ready: PreparedBaseline
      do { ready = try outcome.get() } catch { throw fail(error) }
      let applied = BaselineLoader.apply(ready, to: current)
      baselineSnapshot = applied.baseline
      label = applied.label
      current = applied.current
      // A baseline rebuilt from git lockfiles verifies with the baseline's client versions, in this run.
      switch ready {
      case .lockfiles: baselineSnapshot = baselineSnapshot.map { Verdicts.recomputed($0, request: request) }
      case .staged:
        baselineSnapshot = baselineSnapshot.map { Verdicts.recomputed($0, request: request) }
        current = Verdicts.recomputed(current, request: request)
      case .none, .snapshot: break
      }
    }
    stopwatch.lap("check: baseline")
    let now = current.clock?.now ?? isoTimestamp(epochSeconds: ClockCollector.currentTime())
    defer { stopwatch.lap("check: reports") }
    defer { stopwatch.lap("check: gate") }
    var (evaluation, _) = Gate.evaluate(current: current, baseline: baselineSnapshot, baselineLabel: label, policy: policy, now: now)
    if let image { evaluation.findings = ImageAttribution.annotate(evaluation.findings, image: image) }
    evaluation.findings = Self.locate(evaluation.findings, in: (try? workspace.environmentLocations()) ?? [:])
    let context = ReportContext.gather(
      workspace: workspace, repositoryRoot: root, policy: policy, baselineFile: baseline, snapshot: current,
      evaluation: evaluation)
    let status = try output.deliver(evaluation, repositoryRoot: root, context: context)
    if status != 0 { throw ExitCode(status) }
  }
}

extension Severity: ExpressibleByArgument {}

/// Appends text to a file, creating it if needed (GitHub's step summary, the github-summary report).
func append(_ text: String, to path: String) throws {
  let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
  guard fd >= 0 else { throw InputError("cannot open \(path) for appending: \(String(cString: strerror(errno)))") }
  defer { close(fd) }
  let bytes = Array(text.utf8)
  var done = 0
  while done < bytes.count {
    let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    if n <= 0 { throw InputError("cannot write \(path): \(String(cString: strerror(errno)))") }
    done += n
  }
}

/// What `trustgate check` compares the current snapshot with, as the command line chose it.
public enum BaselineChoice: Sendable, Equatable {
  /// `--baseline FILE`: a recorded snapshot, relative to where the command runs, else to the repository.
  case recorded(String)
  /// `--baseline-ref REF`: the repository's lockfiles at a git ref.
  case gitRef(String)
  /// `--staged`: the index against HEAD.
  case staged
  /// `--baseline-image PATH`: another image (production), inspected like `--image`.
  case image(String)
  /// `--hook STAGE`: what a pre-commit hook at that stage compares (see `HookStage`).
  case hook(HookStage)
  /// None of them: `.trustgate/baseline.json`, else the pull request's target, else HEAD.
  case automatic
}

/// The pre-commit stage a hook runs at. pre-commit does not tell a hook its stage (it sets `PRE_COMMIT_FROM_REF`
/// and `PRE_COMMIT_TO_REF` only when it has a range: pre-push, `run --from-ref/--to-ref`), so each stage has its own
/// hook id in `.pre-commit-hooks.yaml`, whose entry names the stage.
public enum HookStage: String, Sendable, CaseIterable {
  /// Before a commit: the staged lockfiles (index) against HEAD.
  case preCommit = "pre-commit"
  /// Before a push: the pushed commits, `PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF`, both read from git.
  case prePush = "pre-push"
  /// By hand (`pre-commit run --hook-stage manual`): the working tree against the upstream branch.
  case manual

  /// The baseline for this stage given the variables pre-commit set (source: pre-commit 4.x
  /// `pre_commit/commands/run.py` and `hook_impl.py`: FROM/TO refs for a push whose remote has commits; for a push of
  /// a history the remote has none of, no refs but `PRE_COMMIT_LOCAL_BRANCH`/`PRE_COMMIT_REMOTE_BRANCH`).
  public func baselineSource(environment: [String: String]) -> BaselineSource {
    let from = environment["PRE_COMMIT_FROM_REF"] ?? ""
    let to = environment["PRE_COMMIT_TO_REF"] ?? ""
    // A range given by pre-commit wins at any stage: a hook whose `stages:` a user changed still compares the push.
    if !from.isEmpty && !to.isEmpty { return .gitRange(from: from, to: to) }
    switch self {
    case .preCommit: return .staged
    case .prePush:
      // Nothing of this history is on the remote yet: every lockfile pushed is new.
      if let local = environment["PRE_COMMIT_LOCAL_BRANCH"], !local.isEmpty {
        return .gitRange(from: nil, to: local)
      }
      return .gitRange(from: Self.upstream, to: "HEAD")
    case .manual: return .gitRef(Self.upstream)
    }
  }

  /// The current branch's upstream, as git and libgit2 spell it.
  public static let upstream = "@{upstream}"
}

/// Everything `trustgate check` needs: where to look (the workspace), what to compare with, and how to deliver.
public struct CheckRequest {
  public var workspace: Workspace
  public var baseline: BaselineChoice
  /// `--fail-on`, overriding the policy's.
  public var failOn: Severity?
  public var delivery: ReportDelivery

  public init(workspace: Workspace, baseline: BaselineChoice, failOn: Severity?, delivery: ReportDelivery) {
    self.workspace = workspace
    self.baseline = baseline
    self.failOn = failOn
    self.delivery = delivery
  }
}

/// What a check produced: the evaluation, the changes it judged, what goes to standard output, and the exit status.
public struct CheckOutcome: Sendable {
  public var evaluation: Evaluation
  public var changes: [Change]
  public var standardOutput: String
  public var exitStatus: Int32 { evaluation.exitStatus }
}

/// The `check` flow: choose the baseline, collect (the baseline read on another core meanwhile), diff and judge,
/// point findings at their source (image layer, `--env-file` line), deliver the reports.
public enum CheckFlow {
  public static func run(_ request: CheckRequest) throws(InputError) -> CheckOutcome {
    let workspace = request.workspace
    var policy = try workspace.policy()
    let root = try workspace.repositoryRoot()
    if let failOn = request.failOn { policy.failOn = failOn }
    let environment = workspace.processEnvironment
    let loader = BaselineLoader(
      repositoryRoot: root, environment: environment, excluded: policy.exclude, policyBaseline: policy.baseline)
    // The baseline (a recorded file, or lockfiles read from git) does not depend on the current snapshot: read it on
    // another core while the collectors run.
    let source = baselineSource(request.baseline, workspace: workspace, environment: environment)
    let prepared = PendingValue<Result<PreparedBaseline, InputError>> {
      do throws(InputError) { return .success(try loader.prepare(source)) } catch { return .failure(error) }
    }
    var stopwatch = Stopwatch(enabled: environment["TRUSTGATE_PROFILE"] != nil)
    let (inspection, image) = try workspace.request(
      policy: policy, now: ClockCollector.currentTime(), includeClock: true)
    var current = Inspector.inspect(inspection)
    stopwatch.lap("check: inspect")
    var baseline: Snapshot?
    var label = "none"
    if case .image(let other) = request.baseline {
      var production = workspace
      production.image = other
      production.root = nil
      let (otherRequest, _) = try production.request(
        policy: policy, now: ClockCollector.currentTime(), includeClock: true)
      baseline = Inspector.inspect(otherRequest)
      label = "image \(other)"
    } else {
      guard let outcome = prepared.wait() else { throw InputError("the baseline could not be read") }
      let ready = try outcome.get()
      let applied = BaselineLoader.apply(
        ready, to: current, configuration: inspection.configurations.configuration(current, request: inspection))
      baseline = applied.baseline
      label = applied.label
      current = applied.current
      // A baseline rebuilt from git lockfiles is verified with the baseline's client versions, in this run.
      switch ready {
      case .lockfiles: baseline = baseline.map { Verdicts.recomputed($0, request: inspection) }
      case .staged:
        baseline = baseline.map { Verdicts.recomputed($0, request: inspection) }
        current = Verdicts.recomputed(current, request: inspection)
      default: break
      }
    }
    stopwatch.lap("check: baseline")
    let now = current.clock?.now ?? isoTimestamp(epochSeconds: ClockCollector.currentTime())
    var (evaluation, changes) = Gate.evaluate(
      current: current, baseline: baseline, baselineLabel: label, policy: policy, now: now)
    if let image { evaluation.findings = ImageAttribution.annotate(evaluation.findings, image: image) }
    evaluation.findings = locate(evaluation.findings, in: try workspace.environmentLocations())
    stopwatch.lap("check: gate")
    var baselineFile: String?
    if case .recorded(let file) = request.baseline { baselineFile = file }
    let context = ReportContext.gather(
      workspace: workspace, repositoryRoot: root, policy: policy, baselineFile: baselineFile, snapshot: current,
      evaluation: evaluation)
    let output = try request.delivery.deliver(evaluation, context: context)
    stopwatch.lap("check: reports")
    return CheckOutcome(evaluation: evaluation, changes: changes, standardOutput: output)
  }

  /// The loader's source for a command-line choice.
  static func baselineSource(
    _ choice: BaselineChoice, workspace: Workspace, environment: [String: String]
  ) -> BaselineSource {
    switch choice {
    case .recorded(let path):
      // Relative to where the command runs, like every other path argument, when anything is there (a FIFO is
      // then refused by name); else to the repository.
      let fromHere = workspace.absolute(path)
      return .file(path.hasPrefix("/") || HostFileSystem().linkKind(fromHere) == nil ? path : fromHere)
    case .gitRef(let ref): return .gitRef(ref)
    case .staged: return .staged
    case .image: return .none
    case .hook(let stage): return stage.baselineSource(environment: environment)
    case .automatic: return .automatic
    }
  }

  /// Findings about a variable set in `--env-file` point at its line there.
  public static func locate(_ findings: [Finding], in locations: [String: Location]) -> [Finding] {
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
}

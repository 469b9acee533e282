/// What to inspect: a file tree, the environment it runs with, and the repository whose lockfiles count.
public struct InspectRequest: Sendable {
  public var fs: any FileSystemView
  public var env: [String: String]
  public var target: Target
  /// The repository as a tree of its own (paths in snapshots are relative to it), or nil outside a repository.
  public var repository: (any FileSystemView)?
  /// The repository's location inside `fs` when it is part of it (the live host), for finding `.venv`.
  public var repositoryPathInView: String?
  /// Seconds since the epoch at collection.
  public var now: Int64
  public var headCommitTime: Int64?
  /// Whether to record the clock section (baselines leave it out).
  public var includeClock = true

  public init(
    fs: any FileSystemView, env: [String: String], target: Target, repository: (any FileSystemView)?,
    repositoryPathInView: String?, now: Int64, headCommitTime: Int64? = nil
  ) {
    self.fs = fs
    self.env = env
    self.target = target
    self.repository = repository
    self.repositoryPathInView = repositoryPathInView
    self.now = now
    self.headCommitTime = headCommitTime
  }
}

/// Runs every collector over one tree and assembles the snapshot.
public enum Inspector {
  public static func inspect(_ request: InspectRequest) -> Snapshot {
    let context = CollectionContext(fs: request.fs, now: isoTimestamp(epochSeconds: request.now))
    var snapshot = Snapshot(target: request.target)
    snapshot.platform = PlatformCollector().collect(context)
    let stores = StoresCollector().collect(context)
    snapshot.stores = stores.stores
    snapshot.openssl = OpenSSLCollector().collect(context)
    snapshot.environment = EnvironmentCollector(env: request.env).collect(context)
    snapshot.proxy = ProxyCollector(env: request.env).collect(context)
    if request.includeClock {
      snapshot.clock = ClockCollector().collect(now: request.now, headCommitTime: request.headCommitTime)
      if let clock = snapshot.clock, let head = clock.headCommitTime, clock.now < head {
        context.report(
          Problem(
            area: .clock, message: "the clock (\(clock.now)) is earlier than the HEAD commit (\(head))",
            fix: "Fix the system time (enable NTP); certificates look not-yet-valid to a clock in the past."))
      }
      if snapshot.clock?.sync == .unsynchronised {
        context.report(
          Problem(
            area: .clock, message: "the kernel reports the clock as not synchronised (NTP)",
            fix: "Enable time synchronisation (systemd-timesyncd, chrony) on the runner."))
      }
    }
    snapshot.certificates = context.certificates
    snapshot.problems = context.problems
    snapshot.normalise()
    return snapshot
  }
}

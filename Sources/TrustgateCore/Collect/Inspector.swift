#if canImport(Glibc)
  import Glibc
#endif

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
  /// Where HEAD's commit time comes from when `headCommitTime` is nil (read beside the collectors).
  public var head: HeadCommitSource?
  /// Whether to record the clock section (baselines leave it out).
  public var includeClock = true
  /// Repository-relative paths the lockfile walk leaves out (the policy's `exclude`).
  public var excluded: [String] = []
  /// Oddities met while reading an image (members escaping the root, …), recorded as platform problems.
  public var imageWarnings: [String] = []
  /// The policy's endpoints and required roots to verify for every client (private anchors are always verified).
  public var verification: VerificationTargets?
  /// CA files this run has read and indexed for verification (shared by the request's copies).
  public var caFiles = RunCAFiles()
  /// The certificate files the collection read, kept for the verdicts of this run (`RunFileBytes`).
  public var fileBytes = RunFileBytes()
  /// The clients' configuration files as read in this run (the effective trust and the verdicts both need them).
  public var configurations = RunConfigurations()
  /// The live host's OS bundle certificates, parsed while the arguments were; nil for other trees.
  public var early: EarlyReading?
  /// The folder the clients run in, which a relative path in a variable is resolved against: the current folder
  /// on the host, an image's `WorkingDir` (`/` without one), `/` for `--root`.
  public var workingDirectory = "/"

  /// `env` with the relative paths of its CA and configuration variables made absolute against
  /// `workingDirectory`: what the clients open. The snapshot records the values as set.
  public var pathEnvironment: [String: String] {
    TrustVariables.resolvingRelativePaths(env, in: workingDirectory)
  }

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
    // The process's own environment: with --root, `request.env` is the image's.
    var stopwatch = Stopwatch(enabled: getenv("TRUSTGATE_PROFILE") != nil)
    stopwatch.sayStartUp()
    // The collection wants both cores: whatever the early thread has not parsed yet, the collectors parse.
    request.early?.stop()
    defer { stopwatch.lap("rest") }
    let pending = readHead(request)
    let prepared = CAFiles.prepare(request)
    request.configurations.node.begin(request.fs, env: request.pathEnvironment)
    var (snapshot, effectiveTrust, lockfileSwitches) = collect(
      request, fs: request.fs, repository: request.repository, stopwatch: &stopwatch)
    addClock(&snapshot, request, pending: pending)
    stopwatch.lap("clock")
    snapshot.verdicts = Verdicts.compute(snapshot, request: request, prepared: prepared)
    stopwatch.lap("verdicts")
    let (trust, switches, unread) = effectiveTrust.wait() ?? ([], [], [:])
    snapshot.effectiveTrust = trust.sorted()
    if !unread.isEmpty { snapshot.problems = Array(Set(snapshot.problems + unreadProblems(unread, request))).sorted() }
    // A requirements file's switches are where the repository has them already (its relative paths).
    let all = presented(switches, request) + lockfileSwitches
    snapshot.configSwitches = all.isEmpty ? nil : all.sorted()
    stopwatch.lap("effective trust")
    return snapshot
  }

  /// Client configuration files that are there but could not be read: the gate cannot see what they set (TG002).
  private static func unreadProblems(_ unread: [String: String], _ request: InspectRequest) -> [Problem] {
    let presenter = PathPresenter(repository: request.repositoryPathInView, fs: request.fs)
    return unread.map { path, why in
      let shown = presenter.present(path)
      return Problem(
        area: .environment, path: shown,
        message: "a client's configuration file that cannot be read (\(why)): the gate cannot see what it sets",
        fix: "Make \(shown) a readable regular file of the client's settings (under 1 MiB), or remove it.",
        unreadable: true)
    }
  }

  /// Configuration switches with their paths as the snapshot writes paths: repository-relative inside the repository.
  private static func presented(_ switches: [ConfigSwitch], _ request: InspectRequest) -> [ConfigSwitch] {
    let presenter = PathPresenter(repository: request.repositoryPathInView, fs: request.fs)
    return switches.map { found in
      var shown = found
      if found.variable == nil { shown.path = presenter.present(found.path) }
      return shown
    }
  }

  /// HEAD's commit time, read beside the collectors.
  private static func readHead(_ request: InspectRequest) -> PendingValue<Int64?>? {
    guard request.includeClock, request.headCommitTime == nil, let source = request.head else { return nil }
    return PendingValue { source.commitTime() }
  }

  /// Everything but the clock section and the effective trust, which is resolved on another core meanwhile (from
  /// the snapshot as collected, before it is sorted).
  private static func collect(
    _ request: InspectRequest, fs: any FileSystemView, repository: (any FileSystemView)?, stopwatch: inout Stopwatch
  ) -> (Snapshot, PendingValue<([ClientTrust], [ConfigSwitch], [String: String])>, lockfileSwitches: [ConfigSwitch]) {
    let context = CollectionContext(
      fs: fs, now: isoTimestamp(epochSeconds: request.now), early: request.early,
      keeping: request.fileBytes)
    var snapshot = Snapshot(target: request.target)
    // Python environments are independent of the OS stores; read them on another core meanwhile. The OS bundles they
    // are compared with are the bundle files that exist, which is what the store collector will list.
    let osBundles = StoreLocations.bundles.map(\.path).filter { fs.linkKind($0) != nil }
    let python = PendingValue { [env = request.env, repository = request.repositoryPathInView] in
      PythonCollector(env: env, repository: repository).collect(context, osBundles: osBundles)
    }
    // The repository's lockfiles depend on nothing else either: a third task, which the cores share.
    let lockfiles = repository.map { repository in
      PendingValue { [excluded = request.excluded] in
        LockfileCollector(excluded: excluded).collectNotingMissing(repository)
      }
    }
    // So does the platform (os-release, the package databases: dpkg's status file is large).
    let platform = PendingValue { PlatformCollector().collect(context) }
    let stores = StoresCollector().collect(context)
    snapshot.stores = stores.stores
    stopwatch.lap("stores")
    snapshot.openssl = OpenSSLCollector(otherTree: request.target.kind != .host).collect(context)
    stopwatch.lap("openssl")
    snapshot.environment = EnvironmentCollector(env: request.env, workingDirectory: request.workingDirectory)
      .collect(context)
    snapshot.proxy = ProxyCollector(env: request.env).collect(context)
    stopwatch.lap("env+proxy")
    snapshot.platform = platform.wait() ?? PlatformInfo()
    snapshot.python = python.wait() ?? PythonInfo()
    PythonHTTPSVerify.judge(&snapshot.environment, python: snapshot.python, fs: fs)
    stopwatch.lap("python")
    var lockfileSwitches: [ConfigSwitch] = []
    if let lockfiles = lockfiles?.wait() {
      snapshot.lockfiles = lockfiles.lockfiles
      for problem in lockfiles.problems { context.report(problem) }
      lockfileSwitches = lockfiles.switches
    }
    stopwatch.lap("lockfiles")
    for warning in request.imageWarnings {
      context.report(
        Problem(area: .platform, message: warning, fix: "Rebuild the image with a tool that writes clean layers."))
    }
    snapshot.certificates = context.certificates
    snapshot.problems = context.problems
    markSameSources(&snapshot)
    // Programs are not looked for: a curl or git line on every host would change every recorded baseline. Nothing
    // after this reads the effective trust until it is waited for: the clock and the verdicts go on meanwhile.
    let effectiveTrust = PendingValue { [snapshot, request] in
      let configuration = request.configurations.configuration(snapshot, request: request)
      return (
        EffectiveTrust.resolve(snapshot, configuration: configuration), configuration.switches, configuration.unread
      )
    }
    snapshot.normalise()
    return (snapshot, effectiveTrust, lockfileSwitches)
  }

  /// The clock section and its problems: the time, the kernel's NTP state, HEAD's commit time (given, being read by
  /// `pending`, or read now).
  private static func addClock(_ snapshot: inout Snapshot, _ request: InspectRequest, pending: PendingValue<Int64?>?) {
    guard request.includeClock else { return }
    let head = request.headCommitTime ?? (pending.map { $0.wait() ?? nil } ?? request.head?.commitTime())
    let clock = ClockCollector().collect(now: request.now, headCommitTime: head)
    snapshot.clock = clock
    var problems: [Problem] = []
    if let head = clock.headCommitTime, clock.now < head {
      problems.append(
        Problem(
          area: .clock,
          message: "the clock (\(clock.now)) is earlier than the HEAD commit (\(head))",
          fix:
            "Fix the system time (enable NTP); certificates look not-yet-valid to a clock in the past."
        ))
    }
    if clock.sync == .unsynchronised {
      problems.append(
        Problem(
          area: .clock, message: "the kernel reports the clock as not synchronised (NTP)",
          fix: "Enable time synchronisation (systemd-timesyncd, chrony) on the runner."))
    }
    if !problems.isEmpty { snapshot.problems = Array(Set(snapshot.problems + problems)).sorted() }
  }

  /// Notes, for each trust variable, which other sources hold exactly the same certificates.
  static func markSameSources(_ snapshot: inout Snapshot) {
    var sources: [(String, Set<String>)] = snapshot.stores.filter { $0.kind == .bundle && $0.linksTo == nil }
      .map { ("store:\($0.path)", $0.certificates.distinct) }
    if let certifi = PythonSelection.primary(snapshot.python.environments)?.certifi, !certifi.isOSBundle {
      sources.append(("certifi:\(certifi.path)", certifi.certificates.distinct))
    }
    for index in snapshot.environment.indices {
      guard let set = snapshot.environment[index].target?.certificates, set.count > 0 else { continue }
      let mine = set.distinct
      let same = sources.filter { $0.1 == mine }.map(\.0)
      if !same.isEmpty { snapshot.environment[index].target?.sameAs = same.sorted() }
    }
  }
}

/// Stage timings on standard error when TRUSTGATE_PROFILE is set; for finding slow collectors.
public struct Stopwatch {
  let enabled: Bool
  var last = Stopwatch.now()
  var lastCPU = Stopwatch.cpu()

  public init(enabled: Bool) { self.enabled = enabled }

  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
  }

  /// Milliseconds of CPU the process used so far (every thread, user and system).
  static func cpu() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let seconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000
    return seconds + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000
  }

  /// Resident set size from /proc/self/statm, KiB.
  static func residentKiB() -> Int {
    guard let bytes = try? HostFileSystem().rawReadPrefix("/proc/self/statm", count: 4096) else { return 0 }
    let fields = String(decoding: bytes, as: UTF8.self).split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024 : 0
  }

  public mutating func lap(_ name: String) {
    guard enabled else { return }
    let t = Stopwatch.now()
    let cpu = Stopwatch.cpu()
    Stopwatch.say(
      "\(name) \(Int((t - last) * 1000)) µs, CPU \(Int((cpu - lastCPU) * 1000)) µs, RSS \(Stopwatch.residentKiB()) KiB")
    last = t
    lastCPU = cpu
  }

  /// What the process used before this stopwatch started: loading, start-up and argument parsing, on one thread.
  public func sayStartUp() {
    guard enabled else { return }
    Stopwatch.say("before collection: CPU \(Int(lastCPU * 1000)) µs, RSS \(Stopwatch.residentKiB()) KiB")
  }

  /// A line on standard error, for profiling.
  static func say(_ text: String) {
    let line = "trustgate: \(text)\n"
    _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
  }
}

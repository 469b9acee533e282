/// The `inspect` and `baseline` flows: the policy's exclusions applied, the snapshot collected, the baseline written.
extension Workspace {
  /// The snapshot of what this workspace names (host, `--root` or `--image`), with the policy's exclusions.
  public func snapshot(includeClock: Bool = true) throws(InputError) -> Snapshot {
    let policy = try self.policy()
    let (request, _) = try self.request(
      policy: policy, now: ClockCollector.currentTime(), includeClock: includeClock)
    return Inspector.inspect(request)
  }

  /// Records the snapshot without its clock section (the only host-dependent part) at `output`, relative to the
  /// repository unless absolute, and returns the sentence to print.
  public func recordBaseline(output: String) throws(InputError) -> String {
    let snapshot = try self.snapshot(includeClock: false)
    let root = try repositoryRoot()
    let path = output.hasPrefix("/") ? output : root + "/" + output
    do {
      try FileAppender.create(path, with: SnapshotCoding.encode(snapshot), appending: false, below: [root])
    } catch {
      throw InputError("cannot write \(output): \(error.description); choose a writable --output")
    }
    let written: InertText =
      "trustgate: baseline written to \(path: output) (\(snapshot.certificates.count) certificates, "
      + "\(snapshot.lockfiles.count) lockfiles, \(snapshot.problems.count) problems)"
    return written.description
  }
}

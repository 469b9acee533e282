import Dispatch
import Glibc
import Synchronization

/// Work a command starts before its arguments are parsed, on the core that start-up leaves idle (loading, argument
/// parsing and the policy take ~11 ms on one thread): the certificates of the live host's OS bundle parsed into the
/// run's parse cache, a few at a time, until the collection starts (`stop()`), which takes the core back.
///
/// Only parse results by DER digest come from here (what `CertificateCache` always keeps within a run): the collectors
/// still read every file and decode and digest every block themselves; a certificate parsed early is one they need not
/// parse again. Used by one run only (a command's process).
public final class EarlyReading: Sendable {
  /// The run's parse cache (`CollectionContext`), seeded with the bundle's certificates.
  let certificates = CertificateCache()
  private let stopped = Atomic<Bool>(false)
  private let done = DispatchGroup()

  /// Starts parsing the first OS bundle of this host on another thread.
  public init() {
    done.enter()
    // A thread of its own, started on the idle CPU: a new thread that shares this one's CPU slows the argument
    // parsing (measured: 7.5 ms instead of 4.3 ms for the same CPU time).
    startThreadElsewhere { [self] _ in
      defer { done.leave() }
      warmUpWorkers()
      let host = HostFileSystem()
      guard let bundle = StoreLocations.bundles.map(\.path).first(where: { host.isFile($0) }),
        let bytes = try? host.read(bundle, limit: CAFiles.speculativeLimit)
      else { return }
      for chunk in Self.chunks(bytes, certificates: 8) {
        guard !stopped.load(ordering: .relaxed) else { return }
        _ = CertificateFile.read(Array(chunk), cache: certificates)
      }
    }
  }

  /// Has GCD start its worker threads now, from this thread's CPU. Started later by the collection's first tasks, they
  /// would start on the CPU of the thread that queues those tasks and slow it down until the scheduler moves them.
  /// Each block sleeps a little so that one worker cannot run them all.
  private func warmUpWorkers() {
    for _ in 0..<min(activeProcessorCount(), 4) { DispatchQueue.global().async { usleep(300) } }
  }

  /// Stops the early work (between two chunks): the collection starts and wants both cores.
  public func stop() { stopped.store(true, ordering: .relaxed) }

  /// Waits until the early thread has stopped or finished.
  func wait() { done.wait() }

  /// The text cut after every `count`-th `-----END ` line: each piece holds whole PEM blocks.
  static func chunks(_ bytes: [UInt8], certificates count: Int) -> [ArraySlice<UInt8>] {
    let marker = Array("-----END ".utf8)
    var pieces: [ArraySlice<UInt8>] = []
    var start = 0
    var ends = 0
    var from = 0
    while let found = firstOccurrence(of: marker, in: bytes, from: from) {
      // Just after the end of that line.
      from = (firstOccurrence(of: [UInt8(ascii: "\n")], in: bytes, from: found + marker.count) ?? bytes.count - 1) + 1
      ends += 1
      if ends % count == 0 {
        pieces.append(bytes[start..<from])
        start = from
      }
    }
    if start < bytes.count { pieces.append(bytes[start...]) }
    return pieces
  }
}

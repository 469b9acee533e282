import Dispatch
import Synchronization

/// Work a command starts before its arguments are parsed, on the core that start-up leaves idle (loading, argument
/// parsing and the policy take ~11 ms on one thread): the live host's OS bundle read and its certificates parsed, then
/// indexed for verification when a CA variable or an admin anchor suggests a verification will run.
///
/// Nothing here is trusted as a reading of the file. It is a memo of what some bytes parse to: the collectors and
/// `CAFiles.prepare` read the file themselves, as always, and take the early result only for byte-identical contents;
/// any other bytes are parsed as if nothing had been read early. Used by one run only (a command's process).
public final class EarlyReading: Sendable {
  /// Certificates parsed by DER digest: the run's parse cache (`CollectionContext`), seeded with the bundle's.
  let certificates = CertificateCache()
  /// The bundle's path with its links resolved, as the host view resolves it.
  let path: String?
  private let reading = Slot<(bytes: [UInt8], reading: CertificateFileReading)>()
  private let caFile = Slot<CAFile>()

  /// Starts reading the first OS bundle of this host on another thread. `environment`: the process's, whose CA
  /// variables decide whether the bundle is worth indexing for verification too.
  public init(environment: [String: String]) {
    let host = HostFileSystem()
    let bundle = StoreLocations.bundles.lazy.map(\.path).compactMap { try? host.resolveExisting($0) }.first {
      if case .file = host.rawKind($0) { return true }
      return false
    }
    path = bundle
    let variables = TrustVariables.all.filter { $0.role == .caFile || $0.role == .caFileOrDirectory }
      .compactMap { environment[$0.name] }.filter { $0.hasPrefix("/") }
    let anchors = StoreLocations.anchors.map(\.path).filter { !$0.hasPrefix("/usr/share/") }
    DispatchQueue.global().async { [certificates, reading, caFile] in
      guard let bundle, let bytes = try? host.rawRead(bundle, limit: CAFiles.speculativeLimit) else {
        reading.fill(nil)
        caFile.fill(nil)
        return
      }
      reading.fill((bytes, CertificateFile.read(bytes, cache: certificates)))
      // The index only serves a verification, which a CA variable naming a file or an admin anchor announces.
      let verifies =
        variables.contains { host.isFile($0) }
        || anchors.contains { !((try? host.rawList($0)) ?? []).isEmpty }
      caFile.fill(verifies ? CAFile(bytes) : nil)
    }
  }

  /// What `bytes` parse to when they are the bundle read early, byte for byte; nil otherwise.
  func reading(of resolvedPath: String, bytes: [UInt8]) -> CertificateFileReading? {
    guard resolvedPath == path, let early = reading.wait(), early.bytes == bytes else { return nil }
    return early.reading
  }

  /// The bundle's CA index when `bytes` are the bundle read early, byte for byte; nil otherwise.
  func caFile(of resolvedPath: String, bytes: [UInt8]) -> CAFile? {
    guard resolvedPath == path, reading.wait()?.bytes == bytes, let file = caFile.wait() else { return nil }
    return file.pem == bytes ? file : nil
  }

  /// A value filled once by the early thread and waited for by readers.
  private final class Slot<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let group = DispatchGroup()

    init() { group.enter() }

    func fill(_ made: Value?) {
      value.withLock { $0 = made }
      group.leave()
    }

    func wait() -> Value? {
      group.wait()
      return value.withLock { $0 }
    }
  }
}

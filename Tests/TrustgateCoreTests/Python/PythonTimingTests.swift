import Foundation
import XCTest

@testable import TrustgateCore

/// Reads a real installation when `TRUSTGATE_TIMING_PREFIX` names one (e.g. a pyenv version); skipped otherwise.
/// Run in release: `TRUSTGATE_TIMING_PREFIX=... swift test -c release -Xswiftc -enable-testing --filter PythonTiming`.
final class PythonTimingTests: XCTestCase {
  func testReadingARealSitePackagesIsFast() throws {
    guard let prefix = ProcessInfo.processInfo.environment["TRUSTGATE_TIMING_PREFIX"] else {
      throw XCTSkip("set TRUSTGATE_TIMING_PREFIX to time a real installation")
    }
    // Runs 2 and 3 reuse the context, whose certificate cache leaves only discovery and metadata to time.
    let context = CollectionContext(fs: HostFileSystem(), now: "2025-01-01T00:00:00Z")
    for run in 1...3 {
      let start = DispatchTime.now().uptimeNanoseconds
      let info = PythonCollector(env: ["VIRTUAL_ENV": prefix], repository: nil).collect(context, osBundles: [])
      let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
      let first = try XCTUnwrap(info.environments.first { $0.path == prefix })
      let total = info.environments.map(\.distributions.count).reduce(0, +)
      print(
        "run \(run): \(first.distributions.count) distributions in \(prefix), \(total) in",
        "\(info.environments.count) environments, certifi \(first.certifi?.certificates.count ?? 0) certificates:",
        "\(milliseconds) ms")
    }
  }
}

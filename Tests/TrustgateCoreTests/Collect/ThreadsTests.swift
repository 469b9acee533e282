import CLinux
import Dispatch
import Foundation
import Synchronization
import XCTest

@testable import TrustgateCore

/// `startThreadElsewhere`: the early thread starts on the idle CPU instead of sharing its creator's (see the shim).
final class ThreadsTests: XCTestCase {
  /// With more than one CPU allowed, the thread starts on another CPU than its creator's; once started it may run on
  /// every CPU its creator may (no thread stays pinned). With one CPU, it starts there and nothing is avoided.
  func testANewThreadStartsOnAnotherCPUAndIsNotLeftPinned() {
    let creator = tg_affinity_bits()
    for _ in 0..<20 {
      let seen = Mutex<(cpu: Int32, bits: UInt64)?>(nil)
      let done = DispatchSemaphore(value: 0)
      let avoided = startThreadElsewhere { cpu in
        seen.withLock { $0 = (cpu, tg_affinity_bits()) }
        done.signal()
      }
      XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
      guard let (cpu, bits) = seen.withLock({ $0 }) else { return XCTFail("the body did not run") }
      XCTAssertEqual(bits, creator, "the thread's CPUs after it started")
      if creator.nonzeroBitCount > 1 {
        let avoided = try? XCTUnwrap(avoided)
        XCTAssertNotEqual(cpu, avoided, "started on its creator's CPU")
        XCTAssertTrue(cpu >= 0 && cpu < 64 && creator & (1 << UInt64(cpu)) != 0, "started on CPU \(cpu)")
      } else {
        XCTAssertNil(avoided)
      }
    }
  }

  /// A creator pinned to one CPU (`taskset -c 0`) starts threads on that CPU: there is no other to go to.
  func testACreatorWithOneCPUStartsThreadsThere() throws {
    let creator = tg_affinity_bits()
    guard creator.nonzeroBitCount > 1 else { throw XCTSkip("one CPU only: the first test covers it") }
    let result = Mutex<(avoided: Int32?, cpu: Int32, bits: UInt64)?>(nil)
    let finished = DispatchSemaphore(value: 0)
    let pinned = Thread {
      defer { finished.signal() }
      var one = cpu_set_t()
      let first = UInt64(creator.trailingZeroBitCount)
      withUnsafeMutableBytes(of: &one) { $0[Int(first / 8)] = 1 << UInt8(first % 8) }
      XCTAssertEqual(sched_setaffinity(0, MemoryLayout<cpu_set_t>.size, &one), 0)
      let started = DispatchSemaphore(value: 0)
      let seen = Mutex<(Int32, UInt64)>((-2, 0))
      let avoided = startThreadElsewhere { cpu in
        seen.withLock { $0 = (cpu, tg_affinity_bits()) }
        started.signal()
      }
      guard started.wait(timeout: .now() + 10) == .success else { return }
      let (cpu, bits) = seen.withLock { $0 }
      result.withLock { $0 = (avoided, cpu, bits) }
    }
    pinned.start()
    XCTAssertEqual(finished.wait(timeout: .now() + 20), .success)
    let (avoided, cpu, bits) = try XCTUnwrap(result.withLock { $0 })
    XCTAssertNil(avoided)
    XCTAssertEqual(cpu, Int32(creator.trailingZeroBitCount))
    XCTAssertEqual(bits, 1 << UInt64(creator.trailingZeroBitCount))
  }
}

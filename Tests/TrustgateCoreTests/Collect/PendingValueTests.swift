import Dispatch
import Foundation
import Synchronization
import XCTest

@testable import TrustgateCore

/// `PendingValue` runs its work once, on a worker or on the thread that waits, whichever gets there first.
final class PendingValueTests: XCTestCase {
  /// With its queue stopped (the cores busy with other tasks), `wait()` computes the value itself instead of waiting
  /// for a worker; once the queue runs again the queued copy of the work does nothing.
  func testWaitRunsWorkStillInTheQueue() {
    let queue = DispatchQueue(label: "stopped")
    queue.suspend()
    let runs = Atomic<Int>(0)
    let pending = PendingValue(on: queue) {
      runs.add(1, ordering: .relaxed)
      return 42
    }
    let answered = expectation(description: "wait() answers while the queue is stopped")
    let waiter = Thread {
      XCTAssertEqual(pending.wait(), 42)
      answered.fulfill()
    }
    waiter.start()
    wait(for: [answered], timeout: 10)
    queue.resume()
    queue.sync {}
    XCTAssertEqual(runs.load(ordering: .relaxed), 1)
    XCTAssertEqual(pending.wait(), 42)
  }

  /// Many threads waiting at once, while a worker may also start it: the work runs exactly once and everyone gets
  /// its value.
  func testWorkRunsOnceWhateverWaits() {
    for round in 0..<200 {
      let runs = Atomic<Int>(0)
      let pending = PendingValue {
        runs.add(1, ordering: .relaxed)
        return round
      }
      let values = Mutex<[Int?]>([])
      DispatchQueue.concurrentPerform(iterations: 4) { _ in
        let value = pending.wait()
        values.withLock { $0.append(value) }
      }
      XCTAssertEqual(runs.load(ordering: .relaxed), 1, "round \(round)")
      XCTAssertEqual(values.withLock { $0 }, Array(repeating: round, count: 4), "round \(round)")
    }
  }
}

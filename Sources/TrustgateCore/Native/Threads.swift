import CLinux
import Dispatch

/// Runs `body` on a new thread that starts on another CPU than the caller's (`tg_start_thread_elsewhere`), so that the
/// two do not share the caller's CPU until the scheduler's next balance; then it may run on every CPU the caller may.
/// `body` gets the CPU the thread started on. Returns the CPU avoided (the caller's), or nil when the thread may start
/// anywhere: one CPU allowed, or no thread could be started (then `body` runs on GCD's pool, with -1).
@discardableResult
func startThreadElsewhere(_ body: @escaping @Sendable (_ startedOn: Int32) -> Void) -> Int32? {
  let box = Unmanaged.passRetained(ThreadBody(body))
  var avoided: Int32 = -1
  let started = tg_start_thread_elsewhere(
    { pointer, cpu in
      guard let pointer else { return }
      Unmanaged<ThreadBody>.fromOpaque(pointer).takeRetainedValue().body(cpu)
    }, box.toOpaque(), &avoided)
  guard started == 0 else {
    box.release()
    DispatchQueue.global().async { body(-1) }
    return nil
  }
  return avoided >= 0 ? avoided : nil
}

private final class ThreadBody: Sendable {
  let body: @Sendable (Int32) -> Void
  init(_ body: @escaping @Sendable (Int32) -> Void) { self.body = body }
}

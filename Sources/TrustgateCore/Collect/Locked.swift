#if canImport(Glibc)
  import Glibc
#endif

/// A value guarded by an adaptive pthread mutex, which spins briefly before it sleeps. Swift's `Mutex` on Linux is a
/// priority-inheritance futex that sends every contended acquisition through the kernel; the collectors' threads
/// share small, hot critical sections (the lstat memo, the certificate table), where that cost dominated.
final class Locked<Value: Sendable>: @unchecked Sendable {
  private var value: Value
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  init(_ value: Value) {
    self.value = value
    mutex = .allocate(capacity: 1)
    var attributes = pthread_mutexattr_t()
    pthread_mutexattr_init(&attributes)
    pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
    pthread_mutex_init(mutex, &attributes)
    pthread_mutexattr_destroy(&attributes)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value)
  }
}

/// Values of one run by key, each computed once: whichever thread asks first computes it, one asking for the same key
/// meanwhile waits for that value (a second computation would read the same files again). Never kept beyond the run.
final class OnceEach<Value: Sendable>: Sendable {
  private final class Slot: Sendable {
    let value = Locked<Value?>(nil)
  }
  private let slots = Locked<[String: Slot]>([:])

  /// The keys asked for so far.
  var keys: Set<String> { slots.withLock { Set($0.keys) } }

  func value(_ key: String, compute: () -> Value) -> Value {
    let slot = slots.withLock { slots in
      if let slot = slots[key] { return slot }
      let slot = Slot()
      slots[key] = slot
      return slot
    }
    return slot.value.withLock { value in
      if let value { return value }
      let computed = compute()
      value = computed
      return computed
    }
  }
}

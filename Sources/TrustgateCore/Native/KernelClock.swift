import CLinux

/// The kernel's view of clock synchronisation (adjtimex(2), read-only).
enum KernelClock {
  /// nil when the kernel does not say (sandboxed); else synchronised or not, and the estimated maximum error (µs).
  static func state() -> (synchronised: Bool, maxErrorMicroseconds: Int)? {
    var maxError = 0
    let result = tg_clock_synchronised(&maxError)
    guard result >= 0 else { return nil }
    return (result == 1, maxError)
  }
}

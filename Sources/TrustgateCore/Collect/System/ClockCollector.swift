#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The system time and the kernel's NTP state (adjtimex, read-only); unknown where a container hides it.
public struct ClockCollector {
  public init() {}

  public func collect(now: Int64, headCommitTime: Int64?) -> ClockInfo {
    var info = ClockInfo(now: isoTimestamp(epochSeconds: now), sync: .unknown)
    if let state = KernelClock.state() {
      info.sync = state.synchronised ? .synchronised : .unsynchronised
      info.maxErrorMicroseconds = state.maxErrorMicroseconds
    }
    info.headCommitTime = headCommitTime.map { isoTimestamp(epochSeconds: $0) }
    return info
  }

  /// Seconds since the epoch, now.
  public static func currentTime() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec)
  }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch (proleptic Gregorian, UTC).
public func isoTimestamp(epochSeconds: Int64) -> String {
  // Howard Hinnant's civil_from_days.
  let days = epochSeconds >= 0 ? epochSeconds / 86400 : (epochSeconds - 86399) / 86400
  let secondsOfDay = Int(epochSeconds - days * 86400)
  let z = days + 719468
  let era = (z >= 0 ? z : z - 146096) / 146097
  let doe = z - era * 146097
  let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
  let mp = (5 * doy + 2) / 153
  let day = Int(doy - (153 * mp + 2) / 5 + 1)
  let month = Int(mp < 10 ? mp + 3 : mp - 9)
  let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
  return isoTimestamp(
    year: year, month: month, day: day, hour: secondsOfDay / 3600, minute: (secondsOfDay / 60) % 60,
    second: secondsOfDay % 60)
}

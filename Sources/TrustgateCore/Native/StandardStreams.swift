import CLinux

#if canImport(Glibc)
  import Glibc
#endif

/// Standard input, output and error as the process got them, kept honest: a closed one is not taken over by a file
/// opened later, and what was printed is checked once at the end.
public enum StandardStreams {
  /// Fills any of descriptors 0-2 the caller closed (see `tg_reserve_standard_descriptors`).
  public static func reserveClosed() { tg_reserve_standard_descriptors() }

  /// nil when everything printed reached standard output; else why not, for the error line: "" when the reader
  /// went away (`| head`, ended quietly as SIGPIPE ends other tools), else the system's reason.
  public static func outputFailure() -> String? {
    let code = tg_standard_output_error()
    guard code != 0 else { return nil }
    if code == EPIPE { return "" }
    return code > 0 ? String(cString: strerror(code)) : "a write failed"
  }
}

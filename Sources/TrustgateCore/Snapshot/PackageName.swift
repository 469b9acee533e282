/// PEP 503 name normalisation: lowercase, and every run of `-`, `_` or `.` becomes one `-`.
///
/// `Foo.Bar_baz` and `foo-bar-baz` name the same distribution; snapshots and diffs only see the normal form.
public func normalizePackageName(_ name: some StringProtocol) -> String {
  // Most names are already normal (lowercase ASCII, single dashes): return them without rebuilding.
  var alreadyNormal = !name.isEmpty
  var previousDash = true
  for byte in name.utf8 {
    if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) {
      previousDash = false
    } else if byte == 0x2D && !previousDash {
      previousDash = true
    } else {
      alreadyNormal = false
      break
    }
  }
  if alreadyNormal && !previousDash { return String(name) }
  var out = ""
  out.reserveCapacity(name.utf8.count)
  var pendingSeparator = false
  for scalar in name.unicodeScalars {
    switch scalar {
    case "-", "_", ".":
      pendingSeparator = !out.isEmpty
    default:
      if pendingSeparator {
        out.append("-")
        pendingSeparator = false
      }
      if scalar.value >= 65 && scalar.value <= 90 {
        out.unicodeScalars.append(Unicode.Scalar(UInt8(scalar.value + 32)))
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out
}

/// PEP 503 name normalisation: lowercase, and every run of `-`, `_` or `.` becomes one `-`.
///
/// `Foo.Bar_baz` and `foo-bar-baz` name the same distribution; snapshots and diffs only see the normal form.
public func normalizePackageName(_ name: some StringProtocol) -> String {
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
        out.unicodeScalars.append(Unicode.Scalar(scalar.value + 32)!)
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out
}

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
  // By bytes: the separators are ASCII, so they never fall inside a multi-byte character.
  var out: [UInt8] = []
  out.reserveCapacity(name.utf8.count)
  var pendingSeparator = false
  for byte in name.utf8 {
    switch byte {
    case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
      pendingSeparator = !out.isEmpty
    default:
      if pendingSeparator {
        out.append(UInt8(ascii: "-"))
        pendingSeparator = false
      }
      out.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
    }
  }
  return String(decoding: out, as: UTF8.self)
}

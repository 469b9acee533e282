/// Replaces the listed characters by their escapes, scalar by scalar; the CI logging commands all escape this way.
func replacingScalars(_ text: String, _ replacements: [Unicode.Scalar: String]) -> String {
  var out = ""
  out.reserveCapacity(text.utf8.count)
  for scalar in text.unicodeScalars {
    if let replacement = replacements[scalar] { out += replacement } else { out.unicodeScalars.append(scalar) }
  }
  return out
}

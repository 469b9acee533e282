/// The list of changes `diff` prints before its report: one inert line per change (subjects and values come from
/// the compared snapshots).
public enum ChangeListText {
  public static func render(_ changes: [Change], from baseline: String, to candidate: String) -> String {
    var lines: [InertText] = ["\(changes.count) change(s) from \(path: baseline) to \(path: candidate):"]
    for change in changes {
      var line: InertText = "  \(change.kind.rawValue) \(change.subject)"
      if let source = change.source { line += " in \(source)" }
      if change.before != nil || change.after != nil {
        line += ": \(change.before ?? "—") → \(change.after ?? "—")"
      }
      if let location = change.location { line += " (\(InertText.location(location)))" }
      lines.append(line)
    }
    lines.append("")
    return InertText.document(lines)
  }
}

/// Shared work of the TOML lockfile readers: read `[[package]]` tables by line with `TOMLScanner`, in one pass.
enum TOMLLockfile {
  /// The scanner's syntax error as an issue; pins and issues at or after its line are dropped, since anything from
  /// there on may be misread.
  static func apply(
    invalid: (line: Int, reason: String)?, file: String, regenerate: String, to reading: inout LockfileReading
  ) {
    guard let (line, reason) = invalid else { return }
    reading.pins.removeAll { $0.line >= line }
    reading.issues.removeAll { ($0.line ?? 0) >= line }
    reading.issues.append(
      LockfileIssue(
        line: line, message: "\(file) is not valid TOML: line \(line): \(reason).",
        fix: "Fix line \(line) or regenerate the file with \(regenerate)."))
  }

  /// The keys of a `[[package]]` table that the readers use; the first of each counts.
  struct PackageFields {
    var name: ScannedValue?
    var version: ScannedValue?
    var groups: ScannedValue?
    var category: ScannedValue?

    /// Records the first value of a key this type holds; other keys are not read.
    mutating func set(_ key: String, _ value: ScannedValue) {
      switch key {
      case "name": if name == nil { name = value }
      case "version": if version == nil { version = value }
      case "groups": if groups == nil { groups = value }
      case "category": if category == nil { category = value }
      default: break
      }
    }

    static let kept = ["name", "version", "groups", "category"]
  }

  /// Reads the tables of the array `arrayName` (`package`, `packages`) into pins, one per table.
  ///
  /// - Parameter group: picks the pin's group from the table's own keys (`groups`, `category`).
  static func readPackages(
    utf8 bytes: UnsafeBufferPointer<UInt8>, file: String, arrayName: String, regenerate: String,
    group: (PackageFields) -> String? = { _ in nil }
  ) -> LockfileReading {
    var reading = LockfileReading()

    var inPackage = false
    var headerLine = 0
    var fields = PackageFields()
    func finish() {
      guard inPackage else { return }
      inPackage = false
      guard let name = fields.name?.string, isValidName(name) else {
        let line = fields.name?.line ?? headerLine
        reading.issues.append(
          LockfileIssue(
            line: line, message: "\(file): the [[\(arrayName)]] entry has no valid `name`.",
            fix: "Regenerate the file with \(regenerate)."))
        return
      }
      let line = fields.name?.line ?? headerLine
      let version = fields.version?.string
      reading.pins.append(Pin(name: name, version: version, line: line, group: group(fields)))
    }

    var inSubTable = false
    var invalid: (line: Int, reason: String)?
    // Only the entries' own `name`, `version`, `groups` and `category` are read; wheels and hashes are passed over.
    TOMLScanner.scan(utf8: bytes, keeping: PackageFields.kept) { event in
      switch event {
      case .invalid(let line, let reason):
        invalid = (line, reason)
        // An entry broken before its name is the syntax error's issue, not one of its own.
        if fields.name == nil { inPackage = false }
      case .header(let path, let isArray, let line):
        if path.count == 1 && path[0] == arrayName && isArray {
          finish()
          inPackage = true
          inSubTable = false
          headerLine = line
          fields = PackageFields()
        } else if path.count > 1 && path[0] == arrayName {
          // `[package.dependencies]`, `[[packages.wheels]]`: the entry goes on, but its keys are not the entry's.
          inSubTable = true
        } else {
          finish()
        }
      case .pair(let key, let value, _):
        if inPackage && !inSubTable && key.count == 1 { fields.set(key[0], value) }
      }
    }
    finish()

    apply(invalid: invalid, file: file, regenerate: regenerate, to: &reading)
    return reading
  }

  /// One group from a `groups = [...]` array or a `category = "..."` string.
  static func firstGroup(_ fields: PackageFields) -> String? {
    if let groups = fields.groups?.array, let first = groups.first?.string { return first }
    return fields.category?.string
  }
}

/// Whether `name` is a valid distribution name: ASCII letters and digits, with `.`, `_`, `-` inside.
func isValidName(_ name: some StringProtocol) -> Bool {
  var count = 0
  var last: UInt8 = 0
  for byte in name.utf8 {
    guard isAlphanumeric(byte) || (count > 0 && (byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
      || byte == UInt8(ascii: "-")))
    else { return false }
    count += 1
    last = byte
  }
  return count > 0 && isAlphanumeric(last)
}

@inline(__always) func isAlphanumeric(_ byte: UInt8) -> Bool {
  (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
}

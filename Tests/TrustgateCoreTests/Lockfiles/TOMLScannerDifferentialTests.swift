import Foundation
import XCTest

@testable import TrustgateCore

/// The scanner against Python's `tomllib` (an independent TOML parser) on lockfiles written by the real tools
/// (uv, Poetry, PDM, `uv export` for pylock, hand-kept pyproject files; see Tests/Fixtures/lockfiles/README.md):
/// every key and value the same, every value at the line it starts on, and the readers' skipping scan finding the
/// same packages `tomllib` does.
final class TOMLScannerDifferentialTests: XCTestCase {
  static let files = [
    "old/uv/uv.lock", "new/uv/uv.lock", "old/poetry/poetry.lock", "new/poetry/poetry.lock", "old/pdm/pdm.lock",
    "new/pdm/pdm.lock", "old/uv/pylock.toml", "new/uv/pylock.toml", "old/pyproject.toml", "new/pyproject.toml",
    "old/poetry/pyproject.toml", "new/poetry/pyproject.toml",
  ]

  /// A TOML document as a tree: what both parsers are compared on.
  indirect enum Tree: Equatable, CustomStringConvertible {
    case table([String: Tree])
    case array([Tree])
    case string(String)
    /// Numbers, booleans: as written (tomllib's side prints them the way lock tools write them).
    case scalar(String)

    var description: String {
      switch self {
      case .table(let pairs):
        "{" + pairs.keys.sorted().map { "\($0)=\(pairs[$0]?.description ?? "")" }.joined(separator: ", ") + "}"
      case .array(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
      case .string(let text): "\"\(text)\""
      case .scalar(let text): text
      }
    }
  }

  func testScannerReadsEveryKeyAndValueOfRealLockfilesAsTomllibDoes() throws {
    let python = try Self.tomllibPython()
    for name in Self.files {
      let text = try Fixtures.text("lockfiles/" + name)
      let scanned = try Self.scannedTree(text, name: name)
      let reference = try Self.tomllibTree(python: python, path: Fixtures.path("lockfiles/" + name))
      XCTAssertEqual(scanned, reference, name)
      if scanned != reference, case .table(let mine) = scanned, case .table(let theirs) = reference {
        for key in Set(mine.keys).union(theirs.keys).sorted() where mine[key] != theirs[key] {
          XCTFail("\(name): `\(key)` differs:\n  scanner: \(String(describing: mine[key]).prefix(600))\n"
            + "  tomllib: \(String(describing: theirs[key]).prefix(600))")
        }
      }
    }
  }

  /// Each value's line is where it starts: a string without escapes is found, quoted, on that line of the file.
  func testEveryValueIsAtTheLineItStartsOn() throws {
    for name in Self.files {
      let text = try Fixtures.text("lockfiles/" + name)
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      var checked = 0
      func check(_ value: ScannedValue) {
        switch value.kind {
        case .string(let string) where !string.contains("\n") && !string.contains("\\") && !string.contains("\""):
          let line = value.line >= 1 && value.line <= lines.count ? lines[value.line - 1] : ""
          XCTAssertTrue(
            line.contains("\"\(string)\"") || line.contains("'\(string)'"),
            "\(name): \"\(string.prefix(80))\" reported at line \(value.line): \(line.prefix(120))")
          checked += 1
        case .array(let items): items.forEach(check)
        case .table(let pairs): pairs.forEach { check($0.value) }
        default: break
        }
      }
      TOMLScanner.scan(text) { event in
        switch event {
        case .pair(let key, let value, let line):
          let written = line >= 1 && line <= lines.count ? lines[line - 1] : ""
          XCTAssertTrue(
            written.drop { $0 == " " }.hasPrefix(key[0]) || written.contains("\"\(key[0])\""),
            "\(name): key \(key) reported at line \(line): \(written.prefix(120))")
          check(value)
        case .header(let path, _, let line):
          let written = line >= 1 && line <= lines.count ? lines[line - 1] : ""
          XCTAssertTrue(written.hasPrefix("[") && written.contains(path[0]), "\(name): header \(path) at \(line)")
        case .invalid(let line, let reason):
          XCTFail("\(name): invalid at line \(line): \(reason)")
        }
      }
      XCTAssertGreaterThan(checked, 5, name)
    }
  }

  /// The readers scan with most values passed over unbuilt; what they find is every `[[package]]` (`[[packages]]`)
  /// entry tomllib finds, with its version and at the line of its `name`.
  func testSkippingScanFindsThePackagesTomllibFinds() throws {
    let python = try Self.tomllibPython()
    let readers: [(String, any LockfileReader.Type, String)] = [
      ("uv/uv.lock", UvLockReader.self, "package"), ("poetry/poetry.lock", PoetryLockReader.self, "package"),
      ("pdm/pdm.lock", PdmLockReader.self, "package"), ("uv/pylock.toml", PylockReader.self, "packages"),
    ]
    for side in ["old", "new"] {
      for (file, reader, array) in readers {
        let name = side + "/" + file
        let text = try Fixtures.text("lockfiles/" + name)
        let reference = try Self.tomllibTree(python: python, path: Fixtures.path("lockfiles/" + name))
        guard case .table(let document) = reference, case .array(let entries) = document[array]
        else { return XCTFail("\(name): tomllib found no [[\(array)]]") }
        let expected = entries.map { entry -> [String] in
          guard case .table(let fields) = entry, case .string(let package) = fields["name"] else { return [] }
          if case .string(let version) = fields["version"] { return [normalizePackageName(package), version] }
          return [normalizePackageName(package)]
        }
        let reading = reader.read(text)
        XCTAssertEqual(reading.issues.map(\.message), [], name)
        XCTAssertEqual(reading.pins.map { [$0.name] + ($0.version.map { [$0] } ?? []) }, expected, name)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for pin in reading.pins {
          XCTAssertTrue(lines[pin.line - 1].hasPrefix("name = "), "\(name): \(pin.name) at line \(pin.line)")
        }
        // The bytes path (what the walk uses) reads the same.
        var copy = text
        XCTAssertEqual(copy.withUTF8 { reader.read(utf8: $0) }, reading, name)
      }
    }
  }

  /// The in-place UTF-8 check accepts exactly what the standard library's validating initialiser accepts: random
  /// byte strings drawn from the bytes that matter (boundaries of every lead and continuation range), behind ASCII
  /// runs of every length around the eight-byte steps.
  func testUTF8CheckAgreesWithTheStandardLibrary() {
    let interesting: [UInt8] = [
      0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
      0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
    ]
    var generator = SystemRandomNumberGenerator()
    var invalid = 0
    for round in 0..<60_000 {
      var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: round % 19)
      for _ in 0..<(1 + round % 7) {
        bytes.append(interesting.randomElement(using: &generator) ?? 0)
      }
      bytes += [UInt8](repeating: UInt8(ascii: "z"), count: round % 11)
      let expected = String(validating: bytes, as: UTF8.self) != nil
      if !expected { invalid += 1 }
      XCTAssertEqual(bytes.withUnsafeBufferPointer { isValidUTF8($0) }, expected, "\(bytes)")
    }
    // Every scalar's encoding is valid, every surrogate's and overlong form is not.
    for value in [0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF, 0xD7FF, 0xE000] {
      let bytes = Array(String(Character(Unicode.Scalar(UInt32(value)) ?? "?")).utf8)
      XCTAssertTrue(bytes.withUnsafeBufferPointer { isValidUTF8($0) }, "U+\(String(value, radix: 16))")
    }
    for bytes: [UInt8] in [[0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF4, 0x90, 0x80, 0x80]] {
      XCTAssertFalse(bytes.withUnsafeBufferPointer { isValidUTF8($0) }, "\(bytes)")
    }
    XCTAssertGreaterThan(invalid, 1000)
  }

  // MARK: - Support

  /// The scanner's events (every value kept) as a tree.
  static func scannedTree(_ text: String, name: String) throws -> Tree {
    var root = Tree.table([:])
    var current: [String] = []
    var failure: String?
    TOMLScanner.scan(text) { event in
      switch event {
      case .header(let path, let isArray, _):
        insert(&root, path: path[...], value: .table([:]), appendsToArray: isArray)
        current = path
      case .pair(let key, let value, _):
        insert(&root, path: (current + key)[...], value: tree(value), appendsToArray: false)
      case .invalid(let line, let reason):
        failure = "\(name) line \(line): \(reason)"
      }
    }
    if let failure { throw XCTSkip("the scanner rejects a real file: \(failure)") }
    return root
  }

  static func tree(_ value: ScannedValue) -> Tree {
    switch value.kind {
    case .string(let text): .string(text)
    case .other(let text): .scalar(text)
    case .array(let items): .array(items.map(tree))
    case .table(let pairs):
      .table(Dictionary(pairs.map { ($0.key, tree($0.value)) }, uniquingKeysWith: { first, _ in first }))
    }
  }

  /// Sets `path` (through the last table of arrays of tables, as TOML headers do); a table already there is kept.
  static func insert(_ tree: inout Tree, path: ArraySlice<String>, value: Tree, appendsToArray: Bool) {
    guard let key = path.first else { return }
    switch tree {
    case .table(var pairs):
      if path.count == 1 {
        if appendsToArray {
          if case .array(let items) = pairs[key] {
            pairs[key] = .array(items + [value])
          } else {
            pairs[key] = .array([value])
          }
        } else if pairs[key] == nil {
          pairs[key] = value
        }
      } else {
        var child = pairs[key] ?? .table([:])
        insert(&child, path: path.dropFirst(), value: value, appendsToArray: appendsToArray)
        pairs[key] = child
      }
      tree = .table(pairs)
    case .array(var items):
      // `[package.dependencies]` after `[[package]]`: the last entry's.
      guard var last = items.popLast() else { return }
      insert(&last, path: path, value: value, appendsToArray: appendsToArray)
      tree = .array(items + [last])
    default:
      return
    }
  }

  /// tomllib's reading of the file, printed as JSON with strings and scalars told apart.
  static func tomllibTree(python: String, path: String) throws -> Tree {
    let script = """
      import datetime, json, sys, tomllib
      def conv(v):
          if isinstance(v, dict): return {k: conv(x) for k, x in v.items()}
          if isinstance(v, list): return [conv(x) for x in v]
          if isinstance(v, str): return {"$s": v}
          if isinstance(v, bool): return {"$o": "true" if v else "false"}
          if isinstance(v, int): return {"$o": str(v)}
          if isinstance(v, datetime.datetime) and v.utcoffset() == datetime.timedelta(0) and not v.microsecond:
              return {"$o": v.replace(tzinfo=None).isoformat() + "Z"}
          raise SystemExit("unexpected value %r" % (v,))
      with open(sys.argv[1], "rb") as f:
          print(json.dumps(conv(tomllib.load(f))))
      """
    let outcome = try ExternalTool.run([python, "-c", script, path])
    guard outcome.status == 0, let json = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as Any?
    else { throw XCTSkip("tomllib could not read \(path): \(outcome.output)") }
    return try convert(json)
  }

  static func convert(_ json: Any) throws -> Tree {
    if let items = json as? [Any] { return .array(try items.map(convert)) }
    guard let object = json as? [String: Any] else { throw XCTSkip("unexpected JSON from tomllib") }
    if let text = object["$s"] as? String { return .string(text) }
    if let text = object["$o"] as? String { return .scalar(text) }
    return .table(try object.mapValues(convert))
  }

  /// A real interpreter (not a pyenv shim) with `tomllib` (Python 3.11 or later).
  static func tomllibPython() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    let pyenvRoot = environment["PYENV_ROOT"] ?? (environment["HOME"] ?? "/root") + "/.pyenv"
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: pyenvRoot + "/versions")) ?? []
    var candidates = versions.filter { $0.hasPrefix("3.11") || $0.hasPrefix("3.12") || $0.hasPrefix("3.13") }
      .sorted().map { pyenvRoot + "/versions/" + $0 + "/bin/python3" }
    candidates.append("/usr/bin/python3")
    for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
      if let outcome = try? ExternalTool.run([candidate, "-c", "import tomllib"]), outcome.status == 0 {
        return candidate
      }
    }
    throw XCTSkip("no Python 3.11+ with tomllib here")
  }
}

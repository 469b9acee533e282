import XCTest

@testable import TrustgateCore

final class LockfileTOMLAndJSONTests: XCTestCase {
  func testTOMLSyntaxErrorIsOneIssueAtItsLineAndEarlierPinsCount() throws {
    let reading = UvLockReader.read(try Fixtures.text("lockfiles/edge/broken-syntax-uv.lock"))
    XCTAssertEqual(reading.issues.count, 1)
    XCTAssertEqual(reading.issues.first?.line, 40)
    XCTAssertEqual(reading.pins.map(\.line), [10, 27])
  }

  func testHeaderWithoutKeyIsAnIssueAtItsLine() throws {
    // Found by fuzz-lockfiles (now fuzz-parsers, FUZZ_TARGET=lockfiles) when TOMLKit still read these files.
    let text = try Fixtures.text("lockfiles/edge/fuzz-toml-bad-header.toml")
    for reader in [UvLockReader.self, PoetryLockReader.self, PyprojectReader.self] as [any LockfileReader.Type] {
      XCTAssertEqual(reader.read(text).issues.map(\.line), [1], "\(reader.format)")
    }
    XCTAssertEqual(PdmLockReader.read("[[package]]\nname = \"a\"\n[\n").issues.map(\.line), [3])
  }

  func testClosingBraceInAnArrayIsAnIssueAtItsLine() {
    // Found by fuzz-parsers (FUZZ_TARGET=lockfiles) when TOMLKit still read these files.
    let pyproject = "[project]\nname = \"x\"\ndependencies = [\n  \"httpx==0.28.1\",\n}\n"
    XCTAssertEqual(PyprojectReader.read(pyproject).issues.map(\.line), [5])
    let uv = "[[package]]\nname = \"a\"\nwheels = [{ url = \"u\" }, { x = [ } ] }]\n"
    XCTAssertEqual(UvLockReader.read(uv).issues.map(\.line), [3])
    XCTAssertEqual(UvLockReader.read(uv).pins.map(\.name), ["a"])
  }

  /// The scanner is the only TOML parser: what lock tools write reads without issue, and each syntax error is one
  /// issue at its line.
  func testScannerAcceptsTOMLAndNamesTheLineOfEachSyntaxError() {
    let valid = [
      "", "\n\n# only a comment\r\n", "a = 1\nb = -0\nc = +1_000\nd = true\ne = false # done",
      "a = \"x\\u00e9\\U0001F600\\t\\\"\"\nb = 'lit \\ eral'\nc = \"\"\nk-1_B = []",
      "a = [\n  1, # one\n  [2, 'x'],\n  { y = 1, z = { w = [] } },\n]\n",
      "[a.b]\nx = 1\n[a]\ny = 2\n[\"q k\".'r']\n",
      "[[p]]\nname = \"a\"\n[p.deps]\nx = 1\n[[p]]\nname = \"b\"\n[[p.wheels]]\n",
      "a.b = 1", "a = 1.5e+3", "a = 1979-05-27T07:32:00Z", "a = 1979-05-27 07:32:00", "a = 0x1F", "a = inf",
      "a = \"\"\"\nx\n\"\"\"", "\u{FEFF}a = 1", "\"a\\u0062\" = 1", "a = { b = 1 }\r\n",
    ]
    for text in valid {
      XCTAssertEqual(UvLockReader.read(text).issues.map(\.message), [], text)
    }
    let invalid: [(String, Int)] = [
      ("a = \"x", 1), ("a = 'x\ny'", 1), ("x = 1\na = 1 b = 2", 2), ("[[[x]]", 1), ("[ [x]]", 1), ("[x]]", 1),
      ("a = [1 2]", 1), ("a = [1,,2]", 1), ("a =", 1), ("= 1", 1), ("a = truex", 1), ("x = 1\n\n[a", 3),
      ("a = { b = 1", 1), ("a = [\n1,\n2", 3), ("a = { b = 1, , c = 2 }", 1), ("a = \"\"\"\nnever closed", 1),
    ]
    for (text, line) in invalid {
      let issues = UvLockReader.read(text).issues
      XCTAssertEqual(issues.map(\.line), [line], text)
      XCTAssertTrue(issues.first?.message.hasPrefix("uv.lock is not valid TOML: line \(line): ") == true, "\(issues)")
    }
  }

  /// Every prefix of real lockfiles (a download cut short) reads without a crash: pins up to the cut, and at most
  /// one syntax issue, inside the text.
  func testEveryTruncationOfARealLockfileIsReadWithoutACrash() throws {
    for (name, reader) in [("old/uv/uv.lock", UvLockReader.self), ("old/poetry/poetry.lock", PoetryLockReader.self),
      ("old/pipenv/Pipfile.lock", PipfileLockReader.self)] as [(String, any LockfileReader.Type)]
    {
      let bytes = Array(try Fixtures.text("lockfiles/" + name).utf8)
      let complete = reader.read(String(decoding: bytes, as: UTF8.self))
      XCTAssertEqual(complete.issues.map(\.message), [], name)
      for cut in stride(from: 0, to: bytes.count, by: 401) {
        let text = String(decoding: bytes[..<cut], as: UTF8.self)
        let reading = reader.read(text)
        let lines = text.utf8.filter { $0 == UInt8(ascii: "\n") }.count + 1
        XCTAssertLessThanOrEqual(reading.pins.count, complete.pins.count, "\(name) cut at \(cut)")
        XCTAssertTrue(reading.issues.allSatisfy { ($0.line ?? 1) <= lines }, "\(name) cut at \(cut): \(reading.issues)")
      }
    }
  }

  func testBrokenBigLockNamesItsLineAndKeepsTheEntriesBefore() {
    var text = ""
    for index in 0..<300 { text += "[[package]]\nname = \"p\(index)\"\nversion = \"1.0\"\n\n" }
    text += "[[package]]\nname = \"broken\nversion = \"1.0\"\n"
    let reading = UvLockReader.read(text)
    XCTAssertEqual(reading.pins.count, 300)
    XCTAssertEqual(reading.issues.map(\.line), [1202])
  }

  func testPackageWithoutNameIsAnIssueAndTheRestStillCount() {
    let text = """
      [[package]]
      name = "httpx"
      version = "0.28.1"

      [[package]]
      version = "1.0"

      [package.dependencies]
      name = "not-a-package"

      [[package]]
      name = "certifi"
      version = "2026.4.22"
      """
    let reading = PoetryLockReader.read(text)
    XCTAssertEqual(reading.pins, [Pin(name: "httpx", version: "0.28.1", line: 2), Pin(name: "certifi", version: "2026.4.22", line: 12)])
    XCTAssertEqual(reading.issues.map(\.line), [5])
  }

  func testMultilineStringsAndSubTablesAreNotEntries() {
    let text = """
      [[package]]
      name = "a"
      description = \"\"\"
      name = "evil"
      \"\"\"
      version = '1.0'

      [[package.wheels]]
      name = "b"
      """
    XCTAssertEqual(UvLockReader.read(text).pins, [Pin(name: "a", version: "1.0", line: 2)])
  }

  /// The readers match a bare key on its bytes: only the whole key counts (not a longer key, not a dotted one), and a
  /// quoted key or one spaced from its `=` is the same key.
  func testEntryKeysAreMatchedWholeWhetherBareQuotedOrSpaced() {
    let text = """
      [[package]]
      names = "not-this"
      name.first = "nor-this"
      "name" = "quoted"
      version	  = "1.0"

      [[package]]
      namespace = "x"
      name   =   "spaced"
      'version' = "2.0"
      versions = "3.0"

      [[package]]
      name . x = "dotted"
      name\r.y = "dotted after a carriage return"
      name = "last"
      version = "4.0"
      """
    XCTAssertEqual(
      UvLockReader.read(text).pins,
      [
        Pin(name: "quoted", version: "1.0", line: 4), Pin(name: "spaced", version: "2.0", line: 9),
        Pin(name: "last", version: "4.0", line: 16),
      ])
    XCTAssertEqual(UvLockReader.read(text).issues, [])
  }

  func testPylockReadsPackagesTables() {
    let text = "lock-version = \"1.0\"\n\n[[packages]]\nname = \"httpx\"\nversion = \"0.28.1\"\n"
    XCTAssertEqual(PylockReader.read(text).pins, [Pin(name: "httpx", version: "0.28.1", line: 4)])
  }

  func testTruncatedPipfileLockIsAnIssueAndFinishedEntriesCount() throws {
    let reading = PipfileLockReader.read(try Fixtures.text("lockfiles/edge/truncated-Pipfile.lock"))
    XCTAssertEqual(reading.issues.count, 1)
    XCTAssertEqual(reading.issues.first?.line, 249)
    XCTAssertEqual(reading.pins.count, 7)
    XCTAssertEqual(reading.pins.last, Pin(name: "httpcore", version: "1.0.9", line: 238, group: "default"))
    XCTAssertNil(reading.pins.first { $0.name == "httpx" })
  }

  /// One pass reads Pipfile.lock: escapes are decoded as JSON decodes them (the scanner used to keep `?` for `\u`,
  /// trusting a second parse, JSONDecoder, for the values), and wrong types are issues at their line.
  func testPipfileLockIsReadInOnePassWithEscapesAndTypes() {
    let text = "{\"default\": {\"httpx\": {\"version\": \"==0.28\\u002e1\"}},\n \"develop\": []}"
    let reading = PipfileLockReader.read(text)
    XCTAssertEqual(reading.pins, [Pin(name: "httpx", version: "0.28.1", line: 1, group: "default")])
    XCTAssertEqual(reading.issues.map(\.line), [2])
    XCTAssertTrue(reading.issues.first?.message.contains("`develop` is not an object") == true, "\(reading.issues)")
  }

  /// pipenv reads Pipfile.lock with Python's `json`, where a name given twice in an object is the last one given. A
  /// second `"httpx"` entry was kept beside the first, and an httpx 0.27 → 0.28 bump written as one passed the gate;
  /// a second `"default"` group replaces the first whole; a later `"version": null` clears the version. The real
  /// Python's `json.loads` reads each case; trustgate must find the same entries with the same versions, each at the
  /// line of the key that counts.
  func testPipfileLockNamesGivenTwiceAreReadAsPythonsJsonReadsThem() throws {
    guard let python = CachedFixture.realPython() ?? ClientVerificationTests.interpreter("3.11") else {
      throw XCTSkip("no Python here")
    }
    let cases = [
      "entry": "{\"default\": {\n\"httpx\": {\"version\": \"==0.27.2\"},\n\"httpx\": {\"version\": \"==0.28.1\"}\n}}",
      "escaped-name": "{\"default\": {\n\"httpx\": {\"version\": \"==0.27.2\"},\n\"\\u0068ttpx\": {\"version\": \"==0.28.1\"}}}",
      "group": "{\"default\": {\"httpx\": {\"version\": \"==0.27.2\"}, \"idna\": {}},\n\"default\": {\n\"httpx\": {}}}",
      "version-twice": "{\"develop\": {\"pytest\": {\"version\": \"==8.0.0\",\n\"version\": \"==8.3.4\"}}}",
      "version-null": "{\"default\": {\"httpx\": {\"version\": \"==0.27.2\", \"version\": null}}}",
      "back-and-forth": "{\"default\": {\"a\": {}, \"b\": {}, \"a\": {\"version\": \">=1\"}}, \"develop\": {}, \"default\": {\"c\": {}}}",
    ]
    let script = #"""
      import json, sys
      cases = json.loads(sys.argv[1])
      out = {}
      for name, text in cases.items():
          data = json.loads(text)
          found = []
          for group in ("default", "develop"):
              for entry, body in (data.get(group) or {}).items():
                  # The line of the key that counts: the last `"entry":` of the group that counts.
                  found.append([group, entry, body.get("version")])
          out[name] = sorted(found)
      print(json.dumps(out))
      """#
    let payload = String(decoding: try JSONSerialization.data(withJSONObject: cases), as: UTF8.self)
    let run = try BoundedRun.run([python, "-c", script, payload], in: NSTemporaryDirectory(), seconds: 60)
    XCTAssertEqual(run.status, 0, run.all)
    let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [[Any]]])
    XCTAssertEqual(expected.count, cases.count)
    for (name, text) in cases {
      let reading = PipfileLockReader.read(text)
      XCTAssertEqual(reading.issues, [], name)
      let mine = reading.pins.map { pin in
        "\(pin.group ?? "-") \(pin.name) \(pin.version.map { "==" + $0 } ?? pin.specifier ?? "nil")"
      }.sorted()
      let python = (expected[name] ?? []).map { "\($0[0]) \($0[1]) \($0[2] as? String ?? "nil")" }.sorted()
      XCTAssertEqual(mine, python, name)
    }
    // The pin that counts is at the line of the key that counts.
    XCTAssertEqual(PipfileLockReader.read(cases["entry"] ?? "").pins.map(\.line), [3])
  }

  func testPipfileLockWithWrongTypeIsAnIssue() {
    let reading = PipfileLockReader.read("{\"default\": {\"httpx\": {\"version\": 28}}, \"develop\": {}}")
    XCTAssertEqual(reading.issues.count, 1)
  }

  func testPyprojectBadRequirementIsAnIssueWithItsLine() {
    let text = """
      [project]
      name = "x"
      dependencies = [
        "httpx>=0.27,<0.29",
        "not valid!!",
        "certifi",
      ]

      [tool.poetry.group.test.dependencies]
      requests = { version = "^2.31", extras = ["socks"] }
      """
    let reading = PyprojectReader.read(text)
    XCTAssertEqual(
      reading.pins,
      [
        Pin(name: "httpx", specifier: ">=0.27,<0.29", line: 4), Pin(name: "certifi", line: 6),
        Pin(name: "requests", specifier: "^2.31", line: 10, group: "test"),
      ])
    XCTAssertEqual(reading.issues.map(\.line), [5])
  }
}

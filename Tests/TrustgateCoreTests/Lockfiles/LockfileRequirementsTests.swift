import XCTest

@testable import TrustgateCore

final class LockfileRequirementsTests: XCTestCase {
  private func pin(_ reading: LockfileReading, _ name: String) -> Pin? { reading.pins.first { $0.name == name } }

  func testEdgeFileReadsEveryShapePipAccepts() throws {
    let reading = RequirementsReader.read(try Fixtures.text("lockfiles/edge/requirements-edge.txt"))
    XCTAssertEqual(reading.references.map(\.file), ["base-requirements.txt", "more/requirements.txt", "constraints.txt"])
    XCTAssertEqual(pin(reading, "httpx"), Pin(name: "httpx", version: "0.28.1", line: 7))
    XCTAssertEqual(pin(reading, "requests"), Pin(name: "requests", version: "2.32.3", line: 10))
    XCTAssertEqual(pin(reading, "urllib3"), Pin(name: "urllib3", specifier: ">=2.4,<3", line: 11))
    XCTAssertEqual(pin(reading, "certifi"), Pin(name: "certifi", specifier: "===2026.4.22", line: 12))
    XCTAssertEqual(pin(reading, "idna"), Pin(name: "idna", specifier: "~=3.7", line: 13))
    XCTAssertEqual(pin(reading, "foo-bar-baz"), Pin(name: "foo-bar-baz", version: "1.0", line: 14))
    XCTAssertEqual(pin(reading, "h2"), Pin(name: "h2", line: 15))
    XCTAssertEqual(pin(reading, "httpcore"), Pin(name: "httpcore", line: 16))
    XCTAssertEqual(pin(reading, "sniffio"), Pin(name: "sniffio", line: 17))
    XCTAssertEqual(pin(reading, "anyio"), Pin(name: "anyio", line: 18))
    XCTAssertEqual(pin(reading, "h11"), Pin(name: "h11", version: "0.16.0", line: 22))
    XCTAssertEqual(pin(reading, "socksio"), Pin(name: "socksio", version: "1.0.0", line: 23))
    XCTAssertEqual(reading.pins.count, 12)
    XCTAssertEqual(reading.issues.map(\.line), [19, 20])
  }

  /// pip decodes a requirements file by its byte-order mark (`auto_decode`). Files written by Python's codecs in
  /// each encoding Windows tools produce (UTF-8 with a mark, UTF-16 LE from PowerShell 5's `pip freeze >`) and the
  /// odd ones pip also honours are read by the real pip's `parse_requirements` and by trustgate: the same pins at the
  /// same lines, and the lines pip cannot use are issues in trustgate.
  func testByteOrderMarksAreDecodedAsPipDecodesThem() throws {
    let pip = try compareWithPip(
      #"""
      import codecs
      text = ("requests==2.31.0\r\n# pinned by hand\r\nhttpx==0.27.2 \\\r\n    --hash=sha256:aa\r\n"
              "certifi==2026.4.22\r\n")
      cases = {
          "utf-8": text.encode("utf-8"),
          "utf-8-mark": text.encode("utf-8-sig"),
          "utf-8-two-marks": ("\ufeff" + text).encode("utf-8-sig"),
          "utf-16-le-mark": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
          "utf-16-le-two-marks": codecs.BOM_UTF16_LE + ("\ufeff" + text).encode("utf-16-le"),
          "utf-16-le-then-be-mark": codecs.BOM_UTF16_LE + codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
          "utf-16-be-mark": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
          "utf-16-be-two-marks": codecs.BOM_UTF16_BE + ("\ufeff" + text).encode("utf-16-be"),
          "utf-32-be-mark": codecs.BOM_UTF32_BE + text.encode("utf-32-be"),
      }
      cases = {name: (text, data) for name, data in cases.items()}
      """#)
    XCTAssertEqual(pip.count, 9)
    // The files pip reads whole give trustgate all three pins (not only the ones a mark left alone).
    XCTAssertEqual((pip["utf-16-le-mark"]?["pins"] as? [Any])?.count, 3)
  }

  /// pip splits a requirements file with Python's `splitlines()`, so a lone CR, VT, FF, 0x1C-0x1E, NEL, U+2028 or
  /// U+2029 ends a requirement as LF does: `requests==2.31.0<CR>httpx==0.28.1` is two pins for pip, and was one
  /// unreadable line here (an httpx bump hidden behind a CR). The real pip reads each file; trustgate must find the
  /// same pins, at the line git counts (LF) where pip's line starts.
  func testEveryLineBreakPipTakesEndsARequirement() throws {
    let pip = try compareWithPip(
      #"""
      texts = {"lone-cr": "requests==2.31.0\rhttpx==0.28.1\n"}
      for name, mark in [("vt", "\x0b"), ("ff", "\x0c"), ("fs", "\x1c"), ("gs", "\x1d"), ("rs", "\x1e"),
                         ("nel", "\x85"), ("ls", "\u2028"), ("ps", "\u2029"), ("cr", "\r")]:
          texts[name] = ("requests==2.31.0" + mark + "httpx==0.28.1 \\" + mark + "  --hash=sha256:aa\n"
                         + "# pinned" + mark + "certifi==2026.4.22\r\n==1.0" + mark + "idna==3.10\r\r\nh11==0.16.0")
      cases = {name: (text, text.encode("utf-8")) for name, text in texts.items()}
      """#)
    XCTAssertEqual(pip.count, 10)
    // The case that hid an upgrade: both pins, on git's line 1.
    XCTAssertEqual((pip["lone-cr"]?["pins"] as? [Any])?.count, 2)
  }

  /// Continuations and option lines as pip reads them. pip joins a line ending in `\` to the next with nothing
  /// between, backslashes stripped from both ends (a space was put there: `httpx==0.28.\` + `1` was one unreadable
  /// entry, and the bump hidden), and a comment line is never continued. An option line is split as `shlex.split`
  /// splits it and read by optparse: every option on it counts (`--index-url … -r common.txt` includes
  /// common.txt; only the first option was read), a long option by any unique prefix, and pip stops on what optparse
  /// refuses. `--trusted-host` there turns verification off for the host (kept for TG203); on a requirement's own
  /// line pip ignores it.
  func testOptionLinesAndContinuationsAreReadAsPipReadsThem() throws {
    let pip = try compareWithPip(
      #"""
      texts = {
          "joined-version": "requests==2.31.0\nhttpx==0.28.\\\n1\n",
          "joined-name": "requ\\\nests==2.31.0\n\\\\idna==3.10\\\\\n",
          "comment-not-continued": "# note \\\nhttpx==0.28.1\n",
          "comment-after-continuation": "requests==2.31.0 \\\n# pinned\nidna==3.10\n",
          "continued-comment": "requests==2.31.0 # pinned \\\nhttpx==0.28.1\nidna==3.10\n",
          "hosts": ("--trusted-host localhost\n--trusted-host=a.example --trusted-host b.example\n--t c.example\n"
                    "--trusted d.example\n-i https://x.example/simple --trusted-host 'e.example'\n"
                    "--pre --trusted-host f.example # mirror\n--trusted-host \\\n  g.example\nrequests==2.31.0\n"),
          "hosts-ignored": ("requests==2.31.0 --trusted-host a.example\n-- --trusted-host b.example\n"
                            "# --trusted-host c.example\n"),
          "includes": ("--index-url https://x.example/simple -r common.txt\n-rbase.txt\n-r a.txt -r b.txt\n"
                       "--no-index -c constraints.txt\n--requirement=\"with space.txt\"\n--req=short.txt\n"),
          "refused-unknown": "requests==2.31.0\n--not-an-option x\n",
          "refused-ambiguous": "--p\n",
          "refused-no-value": "--trusted-host\n",
          "refused-no-file": "-r\n",
          "refused-flag-value": "--pre=yes\n",
          "refused-quote": "--trusted-host 'a.example\n",
          "refused-short": "-x\n",
      }
      cases = {name: (text, text.encode("utf-8")) for name, text in texts.items()}
      """#)
    XCTAssertEqual(pip.count, 15)
    // The cells that hid a bump, and the one that turns verification off for seven hosts.
    XCTAssertEqual(pip["joined-version"]?["pins"] as? [[AnyHashable]], [["httpx", "0.28.1", 2], ["requests", "2.31.0", 1]])
    XCTAssertEqual((pip["hosts"]?["hosts"] as? [Any])?.count, 8)
    // `--req` is also the start of `--require-hashes`: pip refuses that line.
    XCTAssertEqual(
      pip["includes"]?["includes"] as? [String], ["common.txt", "base.txt", "a.txt", "constraints.txt", "with space.txt"])
    XCTAssertEqual(pip["includes"]?["bad"] as? [Int], [6])
    // An editable's line is a requirement for pip (`line.is_editable`): its other options do nothing.
    let editable = RequirementsReader.read("-e git+https://x.example/r.git#egg=r --trusted-host d.example\n")
    XCTAssertEqual(editable.pins.map(\.name), ["r"])
    XCTAssertEqual(editable.trustedHosts, [])
  }

  /// Has the real pip read each file that the Python code `cases` defines (`cases[name] = (text, bytes)`: the text pip
  /// decodes and the bytes written), and checks that trustgate finds the same pins and the same unreadable entries,
  /// each at git's line (LF-counted) where pip's line starts. Returns pip's reading by file name.
  func compareWithPip(
    _ cases: String, file: StaticString = #filePath, line: UInt = #line
  ) throws -> [String: [String: Any]] {
    // pip's own reading, line by line as `RequirementsFileParser._parse_file` does it (without opening includes):
    // `preprocess` (splitlines, join_lines, comments), then each line's parser; a requirement line's words are the
    // requirement, an option line gives trusted hosts and the first `-r`/`-c` file; a line pip refuses is bad.
    let script = #"""
      import json, sys
      from pip._internal.req.req_file import OptionParsingError, get_line_parser, preprocess
      from pip._internal.utils.encoding import auto_decode
      from pip._vendor.packaging.requirements import Requirement
      from pip._vendor.packaging.utils import canonicalize_name
      """# + "\n" + cases + "\n" + #"""
      out = {}
      parse = get_line_parser(None)
      for name, (text, data) in cases.items():
          path = f"{sys.argv[1]}/{name}.txt"
          open(path, "wb").write(data)
          # What pip reads: the bytes decoded as `get_file_content` decodes them.
          text = auto_decode(data)
          # pip's line k starts where the k-th of splitlines' pieces does; git counts the LFs before it.
          starts, offset = [], 0
          for piece in text.splitlines(keepends=True):
              starts.append(offset)
              offset += len(piece)
          def git_line(k):
              return 1 + text[:starts[k - 1]].count("\n")
          pins, bad, hosts, includes = [], [], [], []
          for number, content in preprocess(text):
              line = git_line(number)
              try:
                  words, opts = parse(content)
              except OptionParsingError:
                  bad.append(line)
                  continue
              if opts.editables:
                  continue
              if not words:
                  hosts += [[host, line] for host in opts.trusted_hosts or []]
                  first = (opts.requirements or opts.constraints or [None])[0]
                  if first is not None:
                      includes.append(first)
                  continue
              try:
                  requirement = Requirement(words)
              except Exception:
                  bad.append(line)
                  continue
              specifiers = list(requirement.specifier)
              exact = len(specifiers) == 1 and specifiers[0].operator == "=="
              pins.append([canonicalize_name(requirement.name), specifiers[0].version if exact else None, line])
          out[name] = {"pins": sorted(pins), "bad": sorted(bad), "hosts": hosts, "includes": includes}
      print(json.dumps(out))
      """#
    guard let python = Self.pythonWithPip() else { throw XCTSkip("no Python with pip here") }
    let scratch = try TemporaryDirectory()
    let run = try BoundedRun.run([python, "-c", script, scratch.path], in: scratch.path, seconds: 120)
    XCTAssertEqual(run.status, 0, run.all, file: file, line: line)
    let pip = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [String: Any]])
    for name in pip.keys.sorted() {
      let expected = pip[name] ?? [:]
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/\(name).txt")))
      let reading = LockfileCollector.parse(bytes, RequirementsReader.self)
      let pins: [String] = reading.pins.map { "\($0.name) \($0.version ?? "-") \($0.line ?? 0)" }.sorted()
      let listed = expected["pins"] as? [[Any]] ?? []
      let pipPins: [String] = listed.map { "\($0[0]) \($0[1] as? String ?? "-") \($0[2])" }.sorted()
      XCTAssertEqual(pins, pipPins, name, file: file, line: line)
      XCTAssertEqual(
        reading.issues.compactMap(\.line).sorted(), expected["bad"] as? [Int] ?? [], "\(name): \(reading.issues)",
        file: file, line: line)
      let hosts = reading.trustedHosts.map { "\($0.host) \($0.line)" }
      let pipHosts = (expected["hosts"] as? [[Any]] ?? []).map { "\($0[0]) \($0[1])" }
      XCTAssertEqual(hosts, pipHosts, "\(name): trusted hosts", file: file, line: line)
      XCTAssertEqual(reading.references.map(\.file), expected["includes"] as? [String] ?? [], "\(name): includes", file: file, line: line)
    }
    return pip
  }

  /// A real Python whose pip can be imported (the oracle of the tests above), nil when there is none.
  static func pythonWithPip() -> String? {
    var candidates: [String] = []
    if let system = CachedFixture.realPython() { candidates.append(system) }
    for minor in ["3.13", "3.12", "3.11"] {
      if let found = ClientVerificationTests.interpreter(minor) { candidates.append(found) }
    }
    return candidates.first { candidate in
      let probe = try? BoundedRun.run([candidate, "-c", "import pip._internal.req.req_file"], in: "/", seconds: 60)
      return probe?.status == 0
    }
  }

  func testContinuedEntryKeepsItsFirstLine() {
    let reading = RequirementsReader.read("# top\n\nhttpx==0.28.1 \\\n  --hash=sha256:aa \\\n  --hash=sha256:bb\nidna==3.10\n")
    XCTAssertEqual(reading.pins, [Pin(name: "httpx", version: "0.28.1", line: 3), Pin(name: "idna", version: "3.10", line: 6)])
  }

  func testMarkersAndExtrasDoNotChangeThePin() {
    let reading = RequirementsReader.read("httpx[http2,socks]==0.28.1; python_version < \"3.8\"\nrequests (>=2.31,<3)\n")
    XCTAssertEqual(reading.pins[0], Pin(name: "httpx", version: "0.28.1", line: 1))
    XCTAssertEqual(reading.pins[1], Pin(name: "requests", specifier: ">=2.31,<3", line: 2))
  }

  func testWildcardEqualityIsARange() {
    XCTAssertEqual(RequirementsReader.read("urllib3==1.26.*").pins, [Pin(name: "urllib3", specifier: "==1.26.*", line: 1)])
  }

  func testBrokenEntryIsAnIssueAndTheRestStillCount() {
    let reading = RequirementsReader.read("httpx==0.28.1\n==1.0\ncertifi>=\nrequests[security==2\nidna==3.10\n-r\n")
    XCTAssertEqual(reading.pins.map(\.name), ["httpx", "idna"])
    XCTAssertEqual(reading.issues.map(\.line), [2, 3, 4, 6])
  }

  func testOptionsWithAttachedArgumentsAreReferences() {
    let reading = RequirementsReader.read("-rbase.txt\n--constraint=c.txt\n-c   other.txt  # why\n--pre\n-i https://x.invalid\n")
    XCTAssertEqual(reading.references.map(\.file), ["base.txt", "c.txt", "other.txt"])
    XCTAssertEqual(reading.pins, [])
    XCTAssertEqual(reading.issues, [])
  }

  func testWindowsLineEndingsAreRead() {
    let reading = RequirementsReader.read("httpx==0.28.1 \\\r\n  --hash=sha256:aa\r\ncertifi==2026.4.22\r\n")
    XCTAssertEqual(reading.pins, [Pin(name: "httpx", version: "0.28.1", line: 1), Pin(name: "certifi", version: "2026.4.22", line: 3)])
  }

  func testTenThousandLineFileIsReadQuickly() {
    var text = ""
    for index in 0..<5_000 {
      text += "package-\(index)[extra]==1.\(index).0 ; python_version >= \"3.9\" \\\n    --hash=sha256:0123456789abcdef\n"
    }
    let start = ContinuousClock.now
    let reading = RequirementsReader.read(text)
    let elapsed = ContinuousClock.now - start
    XCTAssertEqual(reading.pins.count, 5_000)
    XCTAssertEqual(reading.pins.last?.line, 9_999)
    // Debug builds are ~10× slower than release; the release figure is in the helper's report.
    XCTAssertLessThan(elapsed, .seconds(2))
  }
}

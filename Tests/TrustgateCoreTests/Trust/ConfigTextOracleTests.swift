import Foundation
import XCTest

@testable import TrustgateCore

/// The two configuration-file readers against the programs whose files they read: `GitConfigText` against
/// `git config --list` of the real git, and `INIValues` against Python's own `configparser.RawConfigParser` (what pip
/// and botocore read their files with). Cases are generated from fragments that exercise each syntax rule (quotes,
/// escapes, comments after values, continued lines, CR LF, subsections, keys alone, lines either program refuses),
/// with a fixed seed so a failure repeats.
final class ConfigTextOracleTests: XCTestCase {
  /// A small seeded generator (SplitMix64), so the corpus is the same on every run.
  struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static let gitFragments = [
    "[http]", "[HTTP]", "  [http]  ", "[http \"https://a.example/\"]", "[http \"x\\\"y\"]", "[http \"x\\\\y\"]",
    "[http.Sub]", "[core]", "[http \"open", "[]", "\tsslVerify = false", "sslverify=off", "SSLVERIFY = \"fa\"lse",
    "sslVerify = false # until the CA is in", "sslVerify = false ; c", "sslVerify", "sslVerify =",
    "sslVerify = \"a # b\"", "sslVerify = a\\\n b", "sslVerify = a\\tb\\n", "sslVerify =   spaced   value  ",
    "sslCAInfo = ~/x.pem", "proxy-x = 1", "# comment", "; comment", "", "sslVerify = \"unterminated",
    "sslVerify = bad\\q", "9bad = 1", "key with space = 1", "sslVerify = 0x0", "sslVerify\t=\tyes",
    "sslVerify = \"\"", "a-b = \"q\\\"uote\"", "k = v # \"not a quote",
  ]

  func testGitConfigTextReadsWhatGitReads() throws {
    let git = try XCTUnwrap(Shell.which("git"), "git is needed")
    let scratch = try TemporaryDirectory()
    var random = Seeded(state: 2026)
    var compared = 0
    var refused = 0
    for index in 0..<300 {
      let count = Int.random(in: 1...7, using: &random)
      let lineEnd = Bool.random(using: &random) ? "\n" : "\r\n"
      var lines = ["[http]"]
      for _ in 0..<count { lines.append(Self.gitFragments.randomElement(using: &random)!) }
      let text = lines.joined(separator: lineEnd) + (Bool.random(using: &random) ? lineEnd : "")
      let file = scratch.path + "/config-\(index)"
      try Data(text.utf8).write(to: URL(fileURLWithPath: file))
      let result = try Shell.run(
        [git, "config", "--file", file, "--null", "--list"],
        environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path])
      let parsed = GitConfigText.parse(Array(text.utf8), path: file)
      if result.status != 0 {
        refused += 1
        let line = result.output.range(of: "bad config line ").map { result.output[$0.upperBound...] }
          .flatMap { Int($0.prefix { $0.isNumber }) }
        XCTAssertEqual(parsed.badLine, line, "git: \(result.output)\ntext: \(text.debugDescription)")
        continue
      }
      XCTAssertNil(parsed.badLine, "git read it: \(text.debugDescription)")
      // `--null`: `key\nvalue\0`, or `key\0` for a key alone.
      let fromGit = result.output.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
      let ours = Self.listed(parsed.entries)
      XCTAssertEqual(ours, fromGit, "text: \(text.debugDescription)")
      compared += 1
    }
    // The corpus exercises both: files git reads and files it refuses.
    XCTAssertGreaterThan(compared, 50)
    XCTAssertGreaterThan(refused, 20)
  }

  static let countFragments = [
    "1", "2", "0", "", " 1", "+1", "-0", "-1", "0x1", "1 ", "x", "01", "99999999999999999999",
  ]
  static let keyFragments = [
    "http.sslVerify", "HTTP.SSLVERIFY", "http.https://A.example/.sslVerify", "sslVerify", ".sslverify", "http.",
    "http..sslverify", "1http.x", "http.x.1key", "ht_tp.x", "http.ssl_verify", "http.a b.c", "http.a\nb.c", "",
    "http.x-y",
  ]
  static let parameterFragments = [
    "'http.sslverify'='false'", "'http.sslVerify=false'", "'http.sslverify'", "'http.sslverify'=",
    "'a.b'='it'\\''s'", "'a.b'='x'\\!'y'", "'a.b'='x'y", "'a.b'x", " 'a.b'='1'", "'a.b'='1'  ", "'a.b'='1''c.d'='2'",
    "'=1'", "' a.b = 1 '", "'a.b'='unterminated", "'a'='1'", "'http.x.y.z'='1'", "'A.B.C'='v'",
  ]

  /// `GitEnvironmentConfig` against the real git's `git config --list --show-scope` for generated GIT_CONFIG_COUNT
  /// pairs and GIT_CONFIG_PARAMETERS texts (counts, keys, quoting, both forms): the same entries in the same order,
  /// or git's own error where git stops.
  func testGitEnvironmentConfigReadsWhatGitReads() throws {
    let git = try XCTUnwrap(Shell.which("git"), "git is needed")
    let scratch = try TemporaryDirectory()
    var random = Seeded(state: 31)
    var compared = 0
    var refused = 0
    for _ in 0..<250 {
      var env: [String: String] = [:]
      if Bool.random(using: &random) {
        env["GIT_CONFIG_COUNT"] = Self.countFragments.randomElement(using: &random)!
        for index in 0..<Int.random(in: 0...2, using: &random) {
          env["GIT_CONFIG_KEY_\(index)"] = Self.keyFragments.randomElement(using: &random)!
          env["GIT_CONFIG_VALUE_\(index)"] = ["false", "", "0", "x y"].randomElement(using: &random)!
        }
      }
      if Bool.random(using: &random) {
        let words = (0..<Int.random(in: 1...2, using: &random)).map { _ in
          Self.parameterFragments.randomElement(using: &random)!
        }
        env["GIT_CONFIG_PARAMETERS"] = words.joined(separator: " ")
      }
      let result = try Shell.run(
        [git, "config", "--list", "--show-scope", "--null"],
        environment: env.merging(
          ["PATH": "/usr/bin:/bin", "HOME": scratch.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"]
        ) { $1 })
      let ours = GitEnvironmentConfig.entries(env)
      if result.status != 0 {
        refused += 1
        let error = result.output.components(separatedBy: "\nfatal: ").first ?? ""
        XCTAssertEqual(ours.failure, "\(error); \(GitEnvironmentConfig.fatal)", "env: \(env)\ngit: \(result.output)")
        continue
      }
      XCTAssertNil(ours.failure, "git read it: \(env)")
      // `--null --show-scope`: `command\0key\nvalue\0`, or `command\0key\0` for a key alone.
      let fields = result.output.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
      let fromGit = stride(from: 0, to: fields.count - 1, by: 2).filter { fields[$0] == "command" }.map {
        fields[$0 + 1]
      }
      let mine = Self.listed(ours.entries)
      XCTAssertEqual(mine, fromGit, "env: \(env)")
      compared += 1
    }
    XCTAssertGreaterThan(compared, 40)
    XCTAssertGreaterThan(refused, 40)
  }

  /// Entries as `git config --list --null` prints them: `name\nvalue`, or the name alone for a key alone.
  static func listed(_ entries: [GitConfigEntry]) -> [String] {
    entries.map { entry in
      let name = ([entry.section] + (entry.subsection.map { [$0] } ?? []) + [entry.key]).joined(separator: ".")
      return entry.value.map { name + "\n" + $0 } ?? name
    }
  }

  /// git's booleans as `git config --bool` reads them; a value git refuses is nil.
  func testGitBooleansAreGits() throws {
    let git = try XCTUnwrap(Shell.which("git"), "git is needed")
    let scratch = try TemporaryDirectory()
    let values = [
      "true", "FALSE", "Yes", "no", "on", "OFF", "", "0", "1", "00", "0x0", "0X10", "0k", "1m", "-1", "+0", "08",
      "2g", "maybe", "0x", "k", " 0", "tru", "1G", "0x7fffffff", "2147483648", "-0", "0 ", "1 k",
    ]
    for value in values {
      let file = scratch.path + "/bool"
      try Data("[http]\n\tsslVerify = \"\(value)\"\n".utf8).write(to: URL(fileURLWithPath: file))
      let result = try Shell.run(
        [git, "config", "--file", file, "--bool", "--get", "http.sslverify"],
        environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path])
      let answer = result.output.hasPrefix("true") ? true : result.output.hasPrefix("false") ? false : nil
      let fromGit: Bool? = result.status != 0 ? nil : answer
      XCTAssertEqual(GitConfigText.boolean(value), fromGit, "\(value.debugDescription): git says \(result.output)")
    }
    XCTAssertEqual(GitConfigText.boolean(nil), true, "a key alone is true")
  }

  static let iniFragments = [
    "[global]", "[install]", "[Global]", "[ global ]", "[global] # note", "[]", "trusted-host = a.example",
    "trusted-host: a.example", "TRUSTED-HOST=a.example", "trusted-host =", "    b.example", "\tc.example", "",
    "  # comment inside", "; comment", "trusted-host = a # not a comment", "cert = /x.pem", "no delimiter here",
    "= value", "  indented-key = 1", "timeout = 10",
  ]

  func testINIValuesReadWhatConfigparserReads() throws {
    guard let python = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    let scratch = try TemporaryDirectory()
    // One interpreter for the whole corpus: the value of trusted-host in [install] over [global], or the error.
    let script = """
      import configparser, json, sys
      out = []
      for path in sys.argv[1:]:
          parser = configparser.RawConfigParser()
          try:
              with open(path, encoding="utf-8") as f:
                  parser.read_file(f)
          except configparser.Error:
              out.append(None)
              continue
          value = None
          for section in ("global", "install"):
              if parser.has_option(section, "trusted-host"):
                  value = parser.get(section, "trusted-host")
          out.append(value if value is not None else "<unset>")
      print(json.dumps(out))
      """
    var random = Seeded(state: 1_2026)
    var texts: [String] = []
    var paths: [String] = []
    for index in 0..<800 {
      let count = Int.random(in: 1...6, using: &random)
      let lineEnd = ["\n", "\r\n", "\r"].randomElement(using: &random)!
      var lines = [Bool.random(using: &random) ? "[global]" : "[install]"]
      for _ in 0..<count { lines.append(Self.iniFragments.randomElement(using: &random)!) }
      let text = lines.joined(separator: lineEnd) + lineEnd
      let path = scratch.path + "/ini-\(index)"
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      texts.append(text)
      paths.append(path)
    }
    let result = try Shell.run([python, "-c", script] + paths, environment: ["PATH": "/usr/bin:/bin"])
    XCTAssertEqual(result.status, 0, result.output)
    let answers = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [Any])
    XCTAssertEqual(answers.count, texts.count)
    var values = 0
    var errors = 0
    for (text, answer) in zip(texts, answers) {
      let ours = INIValues.valueAndLine(
        in: Array(text.utf8), sections: ["global", "install"], name: "trusted-host", pipNames: false)
      switch answer {
      case is NSNull:
        errors += 1
        XCTAssertNil(ours, "configparser refuses: \(text.debugDescription)")
      case let value as String where value == "<unset>":
        XCTAssertNil(ours, "configparser: unset: \(text.debugDescription)")
      case let value as String:
        values += 1
        XCTAssertEqual(ours?.value, value, "text: \(text.debugDescription)")
      default:
        XCTFail("unexpected answer \(answer)")
      }
    }
    XCTAssertGreaterThan(values, 50)
    XCTAssertGreaterThan(errors, 20)
  }
}

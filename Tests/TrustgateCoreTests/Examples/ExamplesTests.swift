import Foundation
import XCTest

/// Runs every `examples/<name>/run.sh` with the built trustgate and checks the output against its `expected.txt`:
/// `exit N` (the exit status), `contains TEXT` and `absent TEXT` (fixed strings).
final class ExamplesTests: XCTestCase {
  static let examples = BuiltTrustgate.packageRoot + "/examples"

  struct Expectation {
    var exit: Int32?
    var contains: [String] = []
    var absent: [String] = []
  }

  static func expectation(_ path: String) throws -> Expectation {
    var result = Expectation()
    for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
      let (key, value) =
        line.firstIndex(of: " ").map { (line[..<$0], String(line[line.index(after: $0)...])) } ?? (line, "")
      switch key {
      case "exit": result.exit = Int32(value)
      case "contains": result.contains.append(value)
      case "absent": result.absent.append(value)
      default: XCTFail("\(path): unknown line '\(line)'; use exit, contains or absent")
      }
    }
    return result
  }

  func exampleNames() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: Self.examples).sorted()
      .filter { FileManager.default.fileExists(atPath: "\(Self.examples)/\($0)/run.sh") }
  }

  func testEveryExampleHasReadmeInputsAndExpectedOutput() throws {
    let names = try exampleNames()
    XCTAssertEqual(
      Set(names),
      [
        "certifi-root-removed", "corporate-root-lost", "httpx-0.28-upgrade", "image-promotion",
        "policy-required-root-and-ignore", "proxy-interception", "requests-ca-bundle-missing",
      ])
    for name in names {
      for file in ["README.md", "expected.txt"] {
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(Self.examples)/\(name)/\(file)"), "\(name)/\(file)")
      }
      let expectation = try Self.expectation("\(Self.examples)/\(name)/expected.txt")
      XCTAssertNotNil(expectation.exit, "\(name)/expected.txt names no exit status")
      XCTAssertFalse(expectation.contains.isEmpty, "\(name)/expected.txt names no output")
    }
  }

  func testEveryExampleProducesItsExpectedFindingsAndExitStatus() throws {
    let binary = try BuiltTrustgate.path()
    for name in try exampleNames() {
      let expectation = try Self.expectation("\(Self.examples)/\(name)/expected.txt")
      let run = try BuiltTrustgate.shell(["\(Self.examples)/\(name)/run.sh"], environment: ["TRUSTGATE": binary])
      XCTAssertEqual(run.status, expectation.exit, "\(name): exit status\n\(run.output)")
      for text in expectation.contains {
        XCTAssertTrue(run.output.contains(text), "\(name): expected output to contain '\(text)'\n\(run.output)")
      }
      for text in expectation.absent {
        XCTAssertFalse(run.output.contains(text), "\(name): expected output not to contain '\(text)'\n\(run.output)")
      }
    }
  }
}

/// `examples/README.md` runs an example as `TRUSTGATE=.build/debug/trustgate examples/…/run.sh`: a relative binary
/// path, while run.sh changes folder. lib.sh resolves it against the folder the example was started from.
final class ExamplesRelativeBinaryTests: XCTestCase {
  func testARelativeTrustgatePathWorksFromTheStartingFolder() throws {
    let binary = try BuiltTrustgate.path()
    let binaryURL = URL(fileURLWithPath: binary).resolvingSymlinksInPath()
    let folder = binaryURL.deletingLastPathComponent()
    let parent = folder.deletingLastPathComponent().path
    let relative = folder.lastPathComponent + "/" + binaryURL.lastPathComponent
    let example = ExamplesTests.examples + "/httpx-0.28-upgrade/run.sh"
    let run = try BuiltTrustgate.shell([example], environment: ["TRUSTGATE": relative], in: parent)
    XCTAssertNotEqual(run.status, 127, "the relative path was not found after run.sh changed folder\n\(run.output)")
    XCTAssertEqual(run.status, 1, run.output)
    XCTAssertTrue(run.output.contains("TG301"), run.output)
  }
}

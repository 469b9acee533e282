import Foundation
import XCTest

@testable import TrustgateCore

/// The project's Python: a venv in the repository, else the one VIRTUAL_ENV names, else the environment holding the
/// most trust-relevant distributions.
final class ProjectPythonTests: XCTestCase {
  private func environment(_ path: String, _ kind: PythonEnvironment.Kind, _ names: [String]) -> PythonEnvironment {
    var environment = PythonEnvironment(path: path, kind: kind)
    environment.distributions = names.map { Distribution(name: $0, version: "1.0", metadata: "\(path)/\($0)/METADATA") }
    return environment
  }

  func testEnvironmentWithTheClientsWinsOverAnEmptyLocalPrefix() {
    let chosen = PythonSelection.primary([
      environment("/usr", .system, ["requests", "httpx", "certifi", "urllib3", "pygments"]),
      environment("/usr/local", .local, []),
    ])
    XCTAssertEqual(chosen?.path, "/usr")
  }

  func testRepositoryVenvWinsEvenWithFewerClients() {
    let chosen = PythonSelection.primary([
      environment(".venv", .virtualenv, ["httpx"]),
      environment("/usr", .system, ["requests", "httpx", "certifi", "urllib3"]),
    ])
    XCTAssertEqual(chosen?.path, ".venv")
  }

  func testActiveVenvWinsOverOthersOutsideTheRepository() {
    var active = environment("/srv/z-active", .virtualenv, [])
    active.active = true
    let chosen = PythonSelection.primary([
      environment("/srv/a-other", .virtualenv, ["requests"]), active,
      environment("/usr", .system, ["requests", "httpx"]),
    ])
    XCTAssertEqual(chosen?.path, "/srv/z-active")
  }

  func testTiesKeepTheOldPreference() {
    let chosen = PythonSelection.primary([
      environment("/opt/a", .system, ["pip"]), environment("/opt/venv", .virtualenv, ["pip"]),
    ])
    XCTAssertEqual(chosen?.path, "/opt/venv")
  }

  func testEnvironmentsWithClientsListTheProjectsFirst() {
    let list = ProjectPython.withClients([
      environment("/a", .local, ["pip"]), environment("/b", .local, []),
      environment("/usr", .system, ["requests", "httpx"]),
    ])
    XCTAssertEqual(list.map(\.path), ["/usr", "/a"])
  }

  /// Two real virtual environments (python -m venv): the one VIRTUAL_ENV names is marked active and chosen, though
  /// the other sorts first.
  func testCollectorMarksTheVenvThatVirtualEnvNames() throws {
    let pythons = (try? FileManager.default.contentsOfDirectory(atPath: "/root/.pyenv/versions")) ?? []
    guard let version = pythons.sorted().last(where: { $0.hasPrefix("3.1") }) else {
      throw XCTSkip("no pyenv Python 3.1x here to make virtual environments with")
    }
    let python = "/root/.pyenv/versions/\(version)/bin/python3"
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("tg-venvs-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: work) }
    for name in ["a-other", "z-active"] {
      let made = try Command.run(python, ["-m", "venv", "--without-pip", work + "/" + name])
      XCTAssertEqual(made.status, 0, made.stderr)
    }
    let fs = HostFileSystem(root: work)
    let context = CollectionContext(fs: fs, now: "2026-11-30T00:00:00Z")
    let info = PythonCollector(env: ["VIRTUAL_ENV": "/z-active", "PATH": "/a-other/bin"], repository: nil)
      .collect(context, osBundles: [])
    XCTAssertEqual(Set(info.environments.filter { $0.kind == .virtualenv }.map(\.path)), ["/a-other", "/z-active"])
    XCTAssertEqual(info.environments.filter { $0.active == true }.map(\.path), ["/z-active"])
    XCTAssertEqual(info.environments.filter { $0.projectPython == true }.map(\.path), ["/z-active"])
    XCTAssertEqual(PythonSelection.primary(info.environments)?.path, "/z-active")
  }
}

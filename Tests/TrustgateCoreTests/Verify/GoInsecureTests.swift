import Foundation
import XCTest

@testable import TrustgateCore

/// go's GOINSECURE: module paths it lists are fetched with `InsecureSkipVerify` (cmd/go's web package), from the
/// variable or, when that is unset or empty, from go's env file (`go env -w`: $GOENV, else
/// $XDG_CONFIG_HOME/go/env or ~/.config/go/env). The oracle is the real go fetching a module path whose server,
/// `openssl s_server` on 127.0.0.2:443 (module paths have no port), holds a chain nobody trusts: past the handshake
/// with the setting, refused without. trustgate must report TG203 where go turns verification off (the variable, or
/// the env file at its line), and nothing for a list of blanks. Before, GOINSECURE was not read at all: a pass
/// while go fetched modules from any server that answered for the host.
final class GoInsecureTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!

  override func setUpWithError() throws {
    guard Shell.which("go") != nil else { throw XCTSkip("no go here") }
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    servers = LocalServers()
    // Port 443 needs root: elsewhere the real go cannot be run against a server.
    guard geteuid() == 0 else { throw XCTSkip("binding 127.0.0.2:443 needs root") }
    try servers.sServer(
      address: "127.0.0.2", port: 443, certificate: pki.file("leaf.pem"), key: pki.file("leaf.key"),
      chain: pki.file("inter.pem"), www: true)
  }

  override func tearDown() {
    servers?.stopAll()
  }

  /// What the real go does fetching `127.0.0.2/x` with `environment`.
  func go(_ environment: [String: String]) throws -> String {
    let go = try XCTUnwrap(Shell.which("go"))
    let result = try Shell.run(
      [go, "mod", "download", "-json", "127.0.0.2/x@v1.0.0"],
      environment: environment.merging([
        "PATH": "/usr/bin:/bin", "GOPATH": scratch.path + "/gopath", "GOMODCACHE": scratch.path + "/gopath/mod",
        "GOCACHE": scratch.path + "/gocache", "GOPROXY": "direct", "GOSUMDB": "off", "GOFLAGS": "",
      ]) { $1 })
    if result.output.contains("x509") || result.output.contains("certificate") { return "refused" }
    if result.output.contains("go-import") || result.output.contains("unrecognized import path") { return "accepted" }
    return result.output
  }

  /// Where trustgate's TG203 findings about go are (`path:line`, `-:0` for the variable).
  func found(_ environment: [String: String]) throws -> [String] {
    let report = scratch.path + "/findings-\(UUID().uuidString).json"
    let run = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path, environment: environment)
    XCTAssertNotEqual(run.status, 2, run.all)
    let object = try XCTUnwrap(try jsonFile(report) as? [String: Any], run.all)
    return (object["findings"] as? [[String: Any]] ?? []).filter {
      $0["ruleID"] as? String == "TG203" && ($0["subject"] as? String)?.contains("GOINSECURE") == true
    }.map { finding in
      let location = finding["location"] as? [String: Any]
      return "\(location?["path"] as? String ?? "-"):\(location?["line"] as? Int ?? 0)"
    }
  }

  func testGoInsecureIsReportedWhereGoReadsIt() throws {
    let home = scratch.path + "/home"
    try scratch.write("home/.keep", "")
    let plain = ["HOME": home]
    XCTAssertEqual(try go(plain), "refused")
    XCTAssertEqual(try found(plain), [])

    let variable = ["HOME": home, "GOINSECURE": "127.0.0.2"]
    XCTAssertEqual(try go(variable), "accepted")
    XCTAssertEqual(try found(variable), ["-:0"])

    let blanks = ["HOME": home, "GOINSECURE": " , "]
    XCTAssertEqual(try go(blanks), "refused")
    XCTAssertEqual(try found(blanks), [])

    // `go env -w GOINSECURE=…` writes the user's env file; go reads it when the variable is unset or empty.
    try scratch.write("home/.config/go/env", "GOPROXY=direct\nGOINSECURE=127.0.0.2\n")
    XCTAssertEqual(try go(plain), "accepted")
    XCTAssertEqual(try found(plain), [home + "/.config/go/env:2"])
    let emptyVariable = ["HOME": home, "GOINSECURE": ""]
    XCTAssertEqual(try go(emptyVariable), "accepted")
    XCTAssertEqual(try found(emptyVariable), [home + "/.config/go/env:2"])
    // A variable that is set beats the file: go no longer skips verification for 127.0.0.2, and the one finding is
    // the variable's (for the paths it lists), not the file's. GOENV=off reads no file.
    let overridden = ["HOME": home, "GOINSECURE": "other.example"]
    XCTAssertEqual(try go(overridden), "refused")
    XCTAssertEqual(try found(overridden), ["-:0"])
    let off = ["HOME": home, "GOENV": "off"]
    XCTAssertEqual(try go(off), "refused")
    XCTAssertEqual(try found(off), [])
    // GOENV names another file, XDG_CONFIG_HOME moves the default one.
    try scratch.write("ci-go.env", "GOINSECURE=127.0.0.2\n")
    let named = ["HOME": home, "GOENV": scratch.path + "/ci-go.env"]
    XCTAssertEqual(try go(named), "accepted")
    XCTAssertEqual(try found(named), [scratch.path + "/ci-go.env:1"])
    let moved = ["HOME": home, "XDG_CONFIG_HOME": scratch.path + "/xdg"]
    XCTAssertEqual(try go(moved), "refused")
    XCTAssertEqual(try found(moved), [])
  }
}

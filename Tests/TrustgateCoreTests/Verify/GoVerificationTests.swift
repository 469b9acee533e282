import Foundation
import XCTest

@testable import TrustgateCore

/// Go as a client, cell by cell against the real `go` command (`go mod download` through a GOPROXY on
/// `openssl s_server`): crypto/x509 reads SSL_CERT_FILE (else the first of its bundle files) and every file of each
/// SSL_CERT_DIR folder (else of its own folders), takes an empty variable as unset, and makes every certificate it
/// loaded a root, an intermediate too. trustgate's `verify` must say what go does in each cell. Before, Go was not a
/// client: nothing was said about `go mod download`, or the Go programs of a CI image (gh, terraform, kubectl).
final class GoVerificationTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!
  var port = 0
  var go = ""

  override func setUpWithError() throws {
    go = try XCTUnwrap(Shell.which("go"), "go is needed (Debian: golang-go; scripts/install-deps.sh --test)")
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    try scratch.write("module/go.mod", "module probe\n\ngo 1.19\n")
    // The root under a name that is no subject hash: OpenSSL's folder lookup cannot find it, Go reads every file.
    try scratch.write("plain/corporate-root.crt", try pki.bytes("root.pem"))
    try scratch.write("bom-root.pem", [0xEF, 0xBB, 0xBF] + (try pki.bytes("root.pem")))
    // Another root, then the root saved with a byte-order mark (`cat other.pem bom-root.pem`).
    try scratch.write("bom-middle.pem", (try pki.bytes("noku.pem")) + [0xEF, 0xBB, 0xBF] + (try pki.bytes("root.pem")))
    try scratch.write("other/other-root.pem", try pki.bytes("noku.pem"))
    // The root as OpenSSL's TRUSTED CERTIFICATE: OpenSSL loads it, Go reads only CERTIFICATE blocks.
    let trusted = try Shell.run(
      [try XCTUnwrap(Shell.which("openssl")), "x509", "-in", pki.file("root.pem"), "-addtrust", "serverAuth",
       "-trustout", "-out", scratch.path + "/trusted-root.pem"])
    XCTAssertEqual(trusted.status, 0, trusted.output)
    let trustedBytes = Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/trusted-root.pem")))
    try scratch.write("bigtrusted/zz-corporate.crt", trustedBytes)
    // Folders as large as Debian's /etc/ssl/certs (its roots, one file each), the root among them as a certificate,
    // or as a TRUSTED CERTIFICATE: the verifier reads such a folder on both cores.
    let mozilla = "/usr/share/ca-certificates/mozilla"
    let roots = try FileManager.default.contentsOfDirectory(atPath: mozilla).filter { $0.hasSuffix(".crt") }
    XCTAssertGreaterThan(roots.count, 100, "Debian's roots are needed (ca-certificates)")
    for name in roots {
      let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: mozilla + "/" + name)))
      for folder in ["big", "bigtrusted"] { try scratch.write("\(folder)/\(name)", bytes) }
    }
    try scratch.write("big/zz-corporate.crt", try pki.bytes("root.pem"))
    servers = LocalServers()
    port = try servers.serveChain(of: pki, www: true)
  }

  override func tearDown() {
    servers?.stopAll()
  }

  func realGo(_ environment: [String: String]) throws -> String {
    try Self.realGo(go, in: scratch.path, port: port, environment)
  }

  /// What the real go does: goes past the TLS handshake (the proxy's answer is no module), or refuses the certificate.
  /// `folder` holds the module (`module/go.mod`) and go's own folders.
  static func realGo(_ go: String, in folder: String, port: Int, _ environment: [String: String]) throws -> String {
    // Run in the module's folder (go 1.19 has no -C).
    let result = try Shell.run(
      ["/bin/sh", "-c", "cd \"$0\" && exec \"$1\" mod download -json example.com/probe@v1.0.0",
       folder + "/module", go],
      environment: environment.merging([
        "PATH": "/usr/bin:/bin", "HOME": folder, "GOPATH": folder + "/gopath",
        "GOCACHE": folder + "/gocache", "GOPROXY": "https://localhost:\(port)", "GOSUMDB": "off",
        "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local",
      ]) { $1 })
    if result.output.contains("certificate signed by unknown authority") { return "refused" }
    if result.output.contains("invalid response from proxy") || result.output.contains("not found") {
      return "accepted"
    }
    return result.output
  }

  /// trustgate's verdict for go on the server's chain, with the same variables.
  func verdict(_ environment: [String: String]) throws -> [String: Any] {
    let run = try CLI.run(
      ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
       "--format", "json"],
      in: scratch.path, environment: environment.merging(["GOPROXY": "https://localhost:\(port)"]) { $1 })
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    return try XCTUnwrap(items.first { $0["client"] as? String == "go" }, "no verdict for go: \(run.stdout)")
  }

  func testEachCellIsWhatTheRealGoDoes() throws {
    let plain = scratch.path + "/plain"
    let cells: [(name: String, env: [String: String], go: String)] = [
      ("the system's bundle and folders", [:], "refused"),
      ("SSL_CERT_FILE at the root", ["SSL_CERT_FILE": pki.file("root.pem")], "accepted"),
      // An OpenSSL client with the same loads (SSL_CERT_FILE alone, the folder missing) shares no store with go.
      (
        "SSL_CERT_FILE at the root as TRUSTED CERTIFICATE, SSL_CERT_DIR missing",
        ["SSL_CERT_FILE": scratch.path + "/trusted-root.pem", "SSL_CERT_DIR": scratch.path + "/gone"], "refused"
      ),
      // encoding/pem wants `-----BEGIN ` first on a line: a byte-order mark before it hides the block.
      (
        "SSL_CERT_FILE at the root after a byte-order mark", ["SSL_CERT_FILE": scratch.path + "/bom-root.pem"],
        "refused"
      ),
      (
        "SSL_CERT_FILE with the root after a byte-order mark, second",
        ["SSL_CERT_FILE": scratch.path + "/bom-middle.pem"], "refused"
      ),
      ("SSL_CERT_FILE at the intermediate: an anchor", ["SSL_CERT_FILE": pki.file("inter.pem")], "accepted"),
      ("SSL_CERT_DIR with the root under any name", ["SSL_CERT_DIR": plain], "accepted"),
      ("SSL_CERT_DIR, a list", ["SSL_CERT_DIR": scratch.path + "/gone:" + plain], "accepted"),
      ("SSL_CERT_DIR at another folder only", ["SSL_CERT_DIR": scratch.path + "/other"], "refused"),
      ("SSL_CERT_FILE missing: the folders still load", ["SSL_CERT_FILE": scratch.path + "/gone.pem"], "refused"),
      (
        "SSL_CERT_FILE missing, SSL_CERT_DIR with the root",
        ["SSL_CERT_FILE": scratch.path + "/gone.pem", "SSL_CERT_DIR": plain], "accepted"
      ),
      ("SSL_CERT_FILE empty is unset", ["SSL_CERT_FILE": "", "SSL_CERT_DIR": plain], "accepted"),
      ("SSL_CERT_FILE at a folder: nothing from it", ["SSL_CERT_FILE": plain], "refused"),
      ("SSL_CERT_DIR at a file: nothing from it", ["SSL_CERT_DIR": pki.file("root.pem")], "refused"),
      (
        "SSL_CERT_FILE and SSL_CERT_DIR: both load",
        ["SSL_CERT_FILE": scratch.path + "/other/other-root.pem", "SSL_CERT_DIR": plain], "accepted"
      ),
      ("a TRUSTED CERTIFICATE block is not read", ["SSL_CERT_FILE": scratch.path + "/trusted-root.pem"], "refused"),
      ("a folder of Debian's size, the root among its files", ["SSL_CERT_DIR": scratch.path + "/big"], "accepted"),
      (
        "a folder of Debian's size, the root as TRUSTED CERTIFICATE", ["SSL_CERT_DIR": scratch.path + "/bigtrusted"],
        "refused"
      ),
    ]
    for cell in cells {
      XCTAssertEqual(try realGo(cell.env), cell.go, cell.name)
      let ours = try verdict(cell.env)
      XCTAssertEqual(ours["verifies"] as? Bool, cell.go == "accepted", "\(cell.name): \(ours)")
    }
    // What it loaded, named after the variable that decides.
    let sources = try verdict(["SSL_CERT_FILE": pki.file("root.pem")])["sources"] as? [String] ?? []
    XCTAssertEqual(sources.first, "SSL_CERT_FILE \(pki.file("root.pem")) (1 certificate)")
  }
}

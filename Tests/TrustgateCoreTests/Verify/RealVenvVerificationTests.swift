import Foundation
import XCTest

@testable import TrustgateCore

/// Real venvs (`python3.X -m venv` + `pip install` from PyPI of httpx 0.28.1, requests 2.32.3, urllib3 2.5.0,
/// certifi, and requests' idna and charset-normalizer, so its requests runs) copied into a `--root`: the verdicts the
/// table and the verifier give for the cells of trust-regressions.md §10, and the store compared with `openssl verify`.
final class RealVenvVerificationTests: XCTestCase {
  static let script = #"""
    set -eu
    out="$1"; python="$2"; minor="$3"; shift 3
    rm -rf "$out.tmp" && mkdir -p "$out.tmp"
    "$python" -m venv --without-pip "$out.tmp/venv"
    "$python" -m pip install --quiet --disable-pip-version-check --no-deps --no-compile \
      --target "$out.tmp/venv/lib/python$minor/site-packages" "$@"
    mv "$out.tmp" "$out"
    """#

  static let clients = [
    "httpx==0.28.1", "requests==2.32.3", "urllib3==2.5.0", "certifi==2025.8.3", "idna==3.10",
    "charset-normalizer==3.4.0",
  ]

  /// The venv for one Python with `packages` (every dependency named: nothing else is installed), built once per
  /// machine into the fixture cache (rebuilt when the script or the list changes).
  static func venv(_ minor: String, packages: [String] = clients) throws -> String {
    guard let python = ClientVerificationTests.interpreter(minor) else { throw XCTSkip("no Python \(minor) here") }
    let cache =
      ProcessInfo.processInfo.environment["TRUSTGATE_FIXTURE_CACHE"]
      ?? NSHomeDirectory() + "/.cache/trustgate-fixtures"
    let hash = ContentDigest.hex(([script, minor] + packages).joined(separator: "\n")).prefix(16)
    let folder = "\(cache)/verify-venv-\(minor)-\(hash)"
    return try FixtureLock.hold("verify-venv-\(minor)") {
      if FileManager.default.fileExists(atPath: folder + "/venv/pyvenv.cfg") { return folder + "/venv" }
      try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
      let result = try Shell.run(["/bin/sh", "-c", script, "sh", folder, python, minor] + packages)
      guard result.status == 0 else { throw XCTSkip("could not build the venv for Python \(minor): \(result.output)") }
      return folder + "/venv"
    }
  }

  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var root: String { scratch.path + "/root" }

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    try scratch.write("root/certs/root.pem", try pki.bytes("root.pem"))
    try scratch.write("root/ca/noku.pem", try pki.bytes("noku.pem"))
    try scratch.write("root/ca/root.pem", try pki.bytes("root.pem"))
    let rehash = try Shell.run([try XCTUnwrap(Shell.which("openssl")), "rehash", root + "/certs"])
    XCTAssertEqual(rehash.status, 0, rehash.output)
  }

  func verdicts(_ minor: String, env: [String: String], chain: String = "chain.pem") throws -> [String: ClientVerdict] {
    let venv = try Self.venv(minor)
    if !FileManager.default.fileExists(atPath: root + "/venv") { try scratch.copyTree(from: venv, to: "root/venv") }
    var request = InspectRequest(
      fs: HostFileSystem(root: root), env: env.merging(["VIRTUAL_ENV": "/venv"]) { a, _ in a },
      target: Target(kind: .root), repository: nil, repositoryPathInView: nil, now: Int64(Date().timeIntervalSince1970))
    request.includeClock = false
    let parsed = try CertificateChain(pem: try pki.bytes(chain))
    let all = ChainCheck.run(request, chain: parsed, chainName: chain, host: HostIdentity("localhost"))
    return Dictionary(uniqueKeysWithValues: all.map { ($0.client, $0) })
  }

  /// A CA file the client's user may not read (a bundle copied with mode 600 into an image that runs as another
  /// user): Python raises PermissionError when the context loads it, not OpenSSL's "no certificate" of an empty file.
  /// trustgate runs as that user (setpriv), and the reason is compared with what real Python raises as that user.
  func testCAFileTheUserMayNotReadRaisesPythonsPermissionError() throws {
    guard geteuid() == 0, let setpriv = Shell.which("setpriv") else {
      throw XCTSkip("running as another user needs root and setpriv")
    }
    let python = "/usr/bin/python3"
    guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("no \(python) for the oracle") }
    _ = try verdicts("3.13", env: [:])
    try scratch.write("root/ca/denied.pem", try pki.bytes("root.pem"))
    try scratch.write("env", "SSL_CERT_FILE=/ca/denied.pem\nREQUESTS_CA_BUNDLE=/ca/denied.pem\nVIRTUAL_ENV=/venv\n")
    try scratch.write("chain.pem", try pki.bytes("chain.pem"))
    try FileManager.default.copyItem(atPath: try XCTUnwrap(CLI.binary), toPath: scratch.path + "/trustgate")
    for (path, mode) in [(scratch.path, 0o755), (root + "/ca", 0o755), (root + "/ca/denied.pem", 0o600)] {
      XCTAssertEqual(chmod(path, mode_t(mode)), 0, path)
    }
    let asUser = [setpriv, "--reuid=1001", "--regid=1001", "--clear-groups"]
    let oracle = try Shell.run(asUser + [
      python, "-c",
      "import ssl, sys\ntry: ssl.create_default_context(cafile=sys.argv[1])\n"
        + "except OSError as e: print(type(e).__name__ + ': ' + str(e))",
      root + "/ca/denied.pem",
    ])
    let raised = oracle.output.trimmingCharacters(in: .whitespacesAndNewlines)
    XCTAssertEqual(raised, "PermissionError: [Errno 13] Permission denied", oracle.output)
    let run = try Shell.run(asUser + [
      scratch.path + "/trustgate", "verify", "--chain", scratch.path + "/chain.pem", "--host", "localhost",
      "--root", root, "--env-file", scratch.path + "/env", "--format", "json",
    ])
    let items = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]], run.output)
    for client in ["httpx", "requests"] {
      let verdict = try XCTUnwrap(items.first { $0["client"] as? String == client }, "\(client): \(run.output)")
      XCTAssertEqual(verdict["verifies"] as? Bool, false, client)
      XCTAssertEqual(verdict["error"] as? String, raised, client)
    }
    // OpenSSL's default paths skip the file without an error, in real Python as in the verdict's sources.
    let defaults = try Shell.run(asUser + [
      python, "-c", "import os, sys, ssl\nos.environ['SSL_CERT_FILE'] = sys.argv[1]\n"
        + "ssl.create_default_context()\nprint('built')",
      root + "/ca/denied.pem",
    ])
    XCTAssertEqual(defaults.output.trimmingCharacters(in: .whitespacesAndNewlines), "built", defaults.output)
    let pythonSSL = try XCTUnwrap(items.first { $0["client"] as? String == "python-ssl" }, run.output)
    let skippedLine = "skipped: SSL_CERT_FILE /ca/denied.pem cannot be read (Permission denied)"
    XCTAssertTrue((pythonSSL["sources"] as? [String])?.contains(skippedLine) == true, "\(pythonSSL)")
    // The snapshot's effective trust says the same without reading the file again: httpx and requests broken by a
    // PermissionError (TG207 stays an error), python-ssl skipping it.
    let inspect = try Shell.run(asUser + [
      scratch.path + "/trustgate", "inspect", "--root", root, "--env-file", scratch.path + "/env", "--format", "json",
    ])
    let snapshot = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(inspect.output.utf8)) as? [String: Any], inspect.output)
    let trust = try XCTUnwrap(snapshot["effectiveTrust"] as? [[String: Any]], inspect.output)
    for client in ["httpx", "requests"] {
      let line = try XCTUnwrap(trust.first { $0["client"] as? String == client }, "\(trust)")
      XCTAssertEqual(line["status"] as? String, "broken", "\(line)")
      XCTAssertTrue((line["note"] as? String)?.contains("PermissionError") == true, "\(line)")
    }
    let skipping = try XCTUnwrap(trust.first { $0["client"] as? String == "python-ssl" }, "\(trust)")
    XCTAssertTrue(
      (skipping["note"] as? String)?.contains("cannot be read by the user the client runs as: skipped") == true,
      "\(skipping)")

    // certifi's own bundle unreadable, no variable set: requests loads it and raises the same PermissionError, and
    // `inspect` says the bundle cannot be read (it said "0 certificates").
    let certifi = "/venv/lib/python3.13/site-packages/certifi/cacert.pem"
    XCTAssertEqual(chmod(root + certifi, 0o600), 0)
    try scratch.write("env", "VIRTUAL_ENV=/venv\n")
    let text = try Shell.run(asUser + [
      scratch.path + "/trustgate", "inspect", "--root", root, "--env-file", scratch.path + "/env",
    ])
    XCTAssertTrue(text.output.contains("certifi bundle \(certifi): cannot be read"), text.output)
    let bare = try Shell.run(asUser + [
      scratch.path + "/trustgate", "verify", "--chain", scratch.path + "/chain.pem", "--host", "localhost",
      "--root", root, "--env-file", scratch.path + "/env", "--format", "json",
    ])
    let bareItems = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(bare.output.utf8)) as? [[String: Any]], bare.output)
    let requests = try XCTUnwrap(bareItems.first { $0["client"] as? String == "requests" }, bare.output)
    XCTAssertEqual(requests["error"] as? String, raised, "\(requests)")
    XCTAssertTrue(text.output.contains("PermissionError when the client loads it"), text.output)
  }

  /// TG201 (a trust variable naming a missing file) names the clients it breaks from their own reactions, not the
  /// table of every reader: with SSL_CERT_FILE missing beside a working SSL_CERT_DIR (§10, measured with the real
  /// clients: httpx 0.28.1 raises FileNotFoundError, urllib3 and urllib.request verify), httpx fails and urllib3 and
  /// python-ssl go on without it. A missing SSL_CERT_DIR beside a good SSL_CERT_FILE breaks none of the clients
  /// present (OpenSSL's lookup in a missing folder finds nothing and fails nothing; httpx reads the file): a
  /// warning. Before, both were errors saying every reader (Ruby, PHP and Go included) fails to verify.
  func testTrustVariableFindingNamesTheClientsItBreaks() throws {
    _ = try verdicts("3.13", env: [:])
    try scratch.write("repo/README.md", "no lockfiles\n")
    let cases: [(env: String, severity: String, says: [String], never: String)] = [
      ("SSL_CERT_FILE=/gone.pem\nSSL_CERT_DIR=/certs\n", "error",
        ["SSL_CERT_FILE points at /gone.pem, which does not exist: httpx fails to verify;", "python-ssl", "urllib3",
          "go on without it"], "Ruby"),
      ("SSL_CERT_FILE=/ca/root.pem\nSSL_CERT_DIR=/gone\n", "warning",
        ["SSL_CERT_DIR points at /gone, which does not exist:", "python-ssl", "go on without it"], "fail"),
    ]
    for (env, severity, says, never) in cases {
      try scratch.write("env", env + "VIRTUAL_ENV=/venv\n")
      let outcome = try CLI.run(
        ["check", "--root", root, "--repo", scratch.path + "/repo", "--env-file", scratch.path + "/env",
          "--annotations", "none", "--format", "json"], in: scratch.path)
      let report = try XCTUnwrap(
        JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], outcome.all)
      let findings = try XCTUnwrap(report["findings"] as? [[String: Any]], outcome.stdout)
      let tg201 = try XCTUnwrap(findings.first { $0["ruleID"] as? String == "TG201" }, "\(env): \(findings)")
      let message = try XCTUnwrap(tg201["message"] as? String)
      XCTAssertEqual(tg201["severity"] as? String, severity, message)
      for words in says { XCTAssertTrue(message.contains(words), "\(words) not in: \(message)") }
      XCTAssertFalse(message.contains(never), message)
    }
  }

  /// §10: a missing SSL_CERT_FILE next to a working SSL_CERT_DIR — urllib3 and urllib.request verify, httpx 0.28.1
  /// raises FileNotFoundError, requests uses certifi (which lacks the private root).
  func testMissingSSLCertFileOnPython313() throws {
    let v = try verdicts("3.13", env: ["SSL_CERT_FILE": "/gone.pem", "SSL_CERT_DIR": "/certs"])
    XCTAssertEqual(v["httpx"]?.version, "0.28.1")
    XCTAssertEqual(v["httpx"]?.verifies, false)
    XCTAssertEqual(v["httpx"]?.error, "FileNotFoundError: [Errno 2] No such file or directory")
    XCTAssertEqual(v["urllib3"]?.verifies, true, "\(String(describing: v["urllib3"]))")
    XCTAssertEqual(v["python-ssl"]?.verifies, true)
    XCTAssertEqual(v["requests"]?.verifies, false)
    XCTAssertEqual(v["requests"]?.error, "unable to get local issuer certificate")
    XCTAssertTrue(
      v["requests"]?.sources.first?.hasPrefix("certifi /venv/lib/python3.13/site-packages/certifi/cacert.pem") == true,
      "\(String(describing: v["requests"]?.sources))")
    let oracle = try OpenSSLOracle.verify(
      leaf: pki.file("leaf.pem"), untrusted: pki.file("inter.pem"), arguments: ["-x509_strict", "-partial_chain"],
      host: "localhost", environment: ["SSL_CERT_FILE": root + "/gone.pem", "SSL_CERT_DIR": root + "/certs"])
    XCTAssertEqual(v["urllib3"]?.verifies, oracle.verifies)
  }

  /// §10: SSL_CERT_FILE naming a folder — httpx 0.28.1 raises IsADirectoryError.
  func testSSLCertFileNamingAFolderOnPython313() throws {
    let v = try verdicts("3.13", env: ["SSL_CERT_FILE": "/certs"])
    XCTAssertEqual(v["httpx"]?.error, "IsADirectoryError: [Errno 21] Is a directory")
  }

  /// §10: a CA without keyUsage fails on 3.13 for httpx 0.28, urllib3 ≥ 2.4 (and requests on it) and urllib.request,
  /// and verifies on 3.12.
  func testRootWithoutKeyUsageFailsOn313AndVerifiesOn312() throws {
    let env = ["SSL_CERT_FILE": "/ca/noku.pem", "REQUESTS_CA_BUNDLE": "/ca/noku.pem"]
    let new = try verdicts("3.13", env: env, chain: "nokuleaf.pem")
    for client in ["httpx", "requests", "urllib3", "python-ssl"] {
      XCTAssertEqual(new[client]?.verifies, false, client)
      XCTAssertEqual(new[client]?.error, "CA cert does not include key usage extension", client)
      // urllib3 2 (requests on it) also matches names without the common name.
      let names = client == "requests" || client == "urllib3" ? ["no_common_name"] : []
      XCTAssertEqual(new[client]?.flags, ["x509_strict", "partial_chain"] + names, client)
    }
    try FileManager.default.removeItem(atPath: root + "/venv")
    let old = try verdicts("3.12", env: env, chain: "nokuleaf.pem")
    for client in ["httpx", "requests", "urllib3", "python-ssl"] {
      XCTAssertEqual(old[client]?.verifies, true, "\(client): \(String(describing: old[client]))")
    }
    let oracle = try OpenSSLOracle.verify(
      leaf: pki.file("nokuleaf.pem"), untrusted: nil,
      arguments: ["-no-CApath", "-CAfile", root + "/ca/noku.pem", "-x509_strict", "-partial_chain"], host: "localhost")
    XCTAssertEqual(new["httpx"]?.error, oracle.error)
  }

  /// REQUESTS_CA_BUNDLE naming a folder: requests looks roots up by hash there (ca_cert_dir); without `openssl
  /// rehash` it finds nothing.
  func testRequestsCABundleFolderNeedsHashLinks() throws {
    let hashed = try verdicts("3.13", env: ["REQUESTS_CA_BUNDLE": "/certs"])
    XCTAssertEqual(hashed["requests"]?.verifies, true, "\(String(describing: hashed["requests"]))")
    let plain = try verdicts("3.13", env: ["REQUESTS_CA_BUNDLE": "/ca"])
    XCTAssertEqual(plain["requests"]?.verifies, false)
    XCTAssertEqual(plain["requests"]?.error, "unable to get local issuer certificate")
  }
}

import Foundation
import XCTest

/// The conformance matrix: real clients from PyPI (httpx, requests, urllib3, urllib.request, pip, botocore, aiohttp,
/// truststore, shotgun-api3) and curl, openssl s_client, git and go, each run in every scenario against `openssl
/// s_server` serving a private PKI's chain (scripts/conformance/), and `trustgate verify` run in the very same
/// scenario. Every cell where the two disagree is a wrong verdict.
///
/// The venvs and the PKI are built once per machine into the fixture cache (build-fixtures.sh, ~1.5 min); the
/// matrix itself runs in about a minute. Without network (no PyPI) the test skips, saying why.
final class ConformanceMatrixTests: XCTestCase {
  struct Cell {
    var scenario, python, venv, client, version, verifies, error, reason, verifyCommand: String
    var name: String { "\(scenario) \(python == "-" ? "system" : "py\(python)-\(venv)") \(client) \(version)" }
  }

  struct Prediction {
    var verifies: String, error: String, status: String
  }

  struct Run {
    var cells: [Cell] = []
    var predicted: [String: Prediction] = [:]
    var binary: String?
    var skip: String?
    var failure: String?
  }

  nonisolated(unsafe) static var run: Run?

  static let script = BuiltTrustgate.packageRoot + "/scripts/conformance/run-matrix.sh"

  static func key(_ scenario: String, _ python: String, _ venv: String, _ client: String) -> String {
    [scenario, python, venv, client].joined(separator: "\t")
  }

  /// Runs the matrix once per test process: the real clients in every cell, then (when the binary is built) the
  /// cell's `trustgate verify` invocation in the same scenario (run-matrix.sh --trustgate, two at a time).
  static func matrix() throws -> Run {
    if run == nil {
      let out = FileManager.default.temporaryDirectory.appendingPathComponent("tg-conformance-\(UUID().uuidString)")
        .path
      var fresh = Run()
      fresh.binary = try? BuiltTrustgate.path()
      var arguments = [script, "--out", out]
      if let binary = fresh.binary { arguments += ["--trustgate", binary] }
      let result = try BuiltTrustgate.shell(arguments)
      if result.status == 3 {
        fresh.skip = "the conformance fixtures cannot be built here:\n\(result.output)"
      } else if result.status != 0 && result.status != 1 {
        fresh.failure = "run-matrix.sh exited \(result.status):\n\(result.output)"
      } else {
        fresh.cells = try readCells(out + "/real.tsv")
        if fresh.binary != nil {
          for row in try rows(out + "/predicted.tsv") where row.count >= 8 {
            fresh.predicted[key(row[0], row[1], row[2], row[3])] = Prediction(
              verifies: row[5], error: row[6], status: row[7])
          }
        }
      }
      run = fresh
    }
    guard let run else { return Run() }
    if let skip = run.skip { throw XCTSkip(skip) }
    if let failure = run.failure { XCTFail(failure) }
    return run
  }

  static func rows(_ path: String) throws -> [[String]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: true).map {
      $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
  }

  static func readCells(_ path: String) throws -> [Cell] {
    let lines = try rows(path)
    guard let header = lines.first else { return [] }
    let expected = ["scenario", "python", "venv", "client", "version", "verifies", "error", "reason", "verify_command"]
    guard header == expected else {
      XCTFail("\(path): header \(header), expected \(expected)")
      return []
    }
    return lines.dropFirst().compactMap { f in
      guard f.count == expected.count else { return nil }
      return Cell(
        scenario: f[0], python: f[1], venv: f[2], client: f[3], version: f[4], verifies: f[5], error: f[6],
        reason: f[7], verifyCommand: f[8])
    }
  }

  private func cell(_ cells: [Cell], _ scenario: String, _ python: String, _ venv: String, _ client: String)
    -> Cell?
  {
    cells.first { $0.scenario == scenario && $0.python == python && $0.venv == venv && $0.client == client }
  }

  /// The real column reproduces what was measured with real clients (trust-regressions.md §10 and issue 10), so a
  /// broken probe or scenario cannot pass for a client behaviour.
  func testRealClientsBehaveAsMeasured() throws {
    let cells = try Self.matrix().cells
    XCTAssertGreaterThan(cells.count, 300, "the matrix lost cells")
    let pythons = Set(cells.map(\.python)).subtracting(["-"])
    XCTAssertFalse(pythons.isEmpty)

    func expect(
      _ scenario: String, _ python: String, _ venv: String, _ client: String, verifies: Bool,
      reason: String? = nil, error: String? = nil, line: UInt = #line
    ) {
      guard python == "-" || pythons.contains(python) else { return }
      guard let found = cell(cells, scenario, python, venv, client) else {
        XCTFail("no cell \(scenario) \(python)-\(venv) \(client)", line: line)
        return
      }
      XCTAssertEqual(found.verifies, verifies ? "yes" : "no", "\(found.name): \(found.error)", line: line)
      if let reason { XCTAssertEqual(found.reason, reason, found.name, line: line) }
      if let error { XCTAssertTrue(found.error.contains(error), "\(found.name): \(found.error)", line: line) }
    }

    for python in pythons.sorted() {
      let clients = [
        "old": ["httpx", "requests", "urllib3", "pip"],
        "new": ["httpx", "requests", "urllib3", "python-ssl", "pip", "botocore", "aiohttp", "truststore",
          "shotgun-api3"],
      ]
      for (venv, names) in clients {
        for client in names {
          expect("every-var", python, venv, client, verifies: true)
          expect("none", python, venv, client, verifies: false, reason: "unable to get local issuer certificate")
        }
        // A missing SSL_CERT_FILE next to a working folder: OpenSSL skips the file and uses the folder.
        expect("missing-file+ssl-cert-dir", python, venv, "urllib3", verifies: true)
        expect("missing-file+os-store", python, venv, "urllib3", verifies: true)
        expect("pip-conf", python, venv, "pip", verifies: true)
        expect("pip-cert", python, venv, "pip", verifies: true)
      }
      expect("missing-file+ssl-cert-dir", python, "new", "python-ssl", verifies: true)
      expect("missing-file+os-store", python, "new", "python-ssl", verifies: true)
      // A folder without hash links: OpenSSL's lookup never opens it; a folder as SSL_CERT_FILE loads nothing.
      expect("ssl-cert-dir-no-hash", python, "new", "python-ssl", verifies: false)
      expect("ssl-cert-file-folder", python, "new", "python-ssl", verifies: false)
      // shotgun-api3 ignores SSL_CERT_FILE and REQUESTS_CA_BUNDLE, honours SHOTGUN_API_CACERTS.
      expect("ssl-cert-file", python, "new", "shotgun-api3", verifies: false)
      expect("requests-ca-bundle", python, "new", "shotgun-api3", verifies: false)
      expect("shotgun-cacerts", python, "new", "shotgun-api3", verifies: true)
      expect("missing-file+ssl-cert-dir", python, "new", "httpx", verifies: false, error: "FileNotFoundError")
      // httpx 0.27.2 skips the missing file and takes SSL_CERT_DIR; with the OS folder only, it falls to certifi.
      expect("missing-file+ssl-cert-dir", python, "old", "httpx", verifies: true)
      expect("missing-file+os-store", python, "old", "httpx", verifies: false)
      expect("missing-file+os-store", python, "new", "httpx", verifies: false, error: "FileNotFoundError")
      // pip >= 24.2 uses truststore (OpenSSL's default paths on Linux: the OS store, SSL_CERT_FILE); 23.2.1 not.
      expect("os-store", python, "new", "pip", verifies: true)
      expect("os-store", python, "old", "pip", verifies: false)
      expect("ssl-cert-file", python, "new", "pip", verifies: true)
      expect("ssl-cert-file", python, "old", "pip", verifies: false)
      expect("ssl-cert-file-folder", python, "new", "httpx", verifies: false, error: "IsADirectoryError")
    }
    // Python 3.13's strict flags, by client version; all verify on 3.12.
    let noKeyUsage = "CA cert does not include key usage extension"
    expect("every-var-noku", "3.13", "old", "httpx", verifies: true)
    expect("every-var-noku", "3.13", "new", "httpx", verifies: false, reason: noKeyUsage)
    expect("every-var-noku", "3.13", "old", "urllib3", verifies: true)
    expect("every-var-noku", "3.13", "new", "urllib3", verifies: false, reason: noKeyUsage)
    expect("every-var-noku", "3.13", "old", "requests", verifies: true)
    expect("every-var-noku", "3.13", "new", "requests", verifies: false, reason: noKeyUsage)
    expect("every-var-noku", "3.13", "new", "python-ssl", verifies: false, reason: noKeyUsage)
    for client in ["httpx", "requests", "urllib3", "python-ssl"] {
      expect("every-var-noku", "3.12", "new", client, verifies: true)
    }
    // curl 7.88 takes SSL_CERT_DIR and ignores SSL_CERT_FILE when both are set; a missing SSL_CERT_FILE alone is
    // exit 77, where OpenSSL itself (s_client) skips it and uses its default folder.
    expect("missing-file+ssl-cert-dir", "-", "-", "curl", verifies: true)
    expect("missing-file+os-store", "-", "-", "curl", verifies: false, error: "(77)")
    // Go (the go command): every file of SSL_CERT_DIR, hash names or not; the system folders when SSL_CERT_FILE is
    // missing; any certificate it loaded is an anchor; requests' variables are not its.
    expect("ssl-cert-dir-no-hash", "-", "-", "go", verifies: true)
    expect("missing-file+os-store", "-", "-", "go", verifies: true)
    expect("intermediate-only", "-", "-", "go", verifies: true)
    expect(
      "requests-ca-bundle", "-", "-", "go", verifies: false, error: "x509: certificate signed by unknown authority")
    // node with --use-openssl-ca (every scenario's NODE_OPTIONS): OpenSSL's default folder (/etc/ssl/certs, its own
    // OPENSSLDIR) by hash, SSL_CERT_FILE skipped when missing, no partial chain even from NODE_EXTRA_CA_CERTS.
    expect("os-store", "-", "-", "node", verifies: true)
    expect("missing-file+os-store", "-", "-", "node", verifies: true)
    expect("ssl-cert-dir-no-hash", "-", "-", "node", verifies: false)
    expect("intermediate-only", "-", "-", "node", verifies: false)
    expect("requests-ca-bundle", "-", "-", "node", verifies: false)
    expect("missing-file+ssl-cert-dir", "-", "-", "openssl", verifies: true)
    expect("missing-file+os-store", "-", "-", "openssl", verifies: true)
  }

  /// `trustgate verify`, run in the same scenario as the real client, says what the client did, in every cell.
  func testVerifyAgreesWithRealClientsInEveryCell() throws {
    let run = try Self.matrix()
    guard let binary = run.binary else {
      throw XCTSkip("no built trustgate; run `swift build` first")
    }
    var disagreements: [String] = []
    for cell in run.cells {
      let real = cell.verifies == "yes"
      let realText = real ? "verifies" : "fails (\(cell.error))"
      guard let predicted = run.predicted[Self.key(cell.scenario, cell.python, cell.venv, cell.client)],
        !predicted.verifies.isEmpty
      else {
        let why = run.predicted[Self.key(cell.scenario, cell.python, cell.venv, cell.client)]?.error ?? "no row"
        disagreements.append("\(cell.name): real \(realText); trustgate said nothing (\(why))")
        continue
      }
      if (predicted.verifies == "yes") != real {
        let said = predicted.verifies == "yes" ? "verifies" : "fails (\(predicted.error))"
        disagreements.append("\(cell.name): real \(realText); trustgate \(said)")
      } else if !real, !cell.reason.isEmpty, !predicted.error.lowercased().contains(cell.reason.lowercased()) {
        disagreements.append(
          "\(cell.name): both fail; real reason \"\(cell.reason)\", trustgate says \"\(predicted.error)\"")
      }
    }
    let agreeing = run.cells.count - disagreements.count
    XCTAssertTrue(
      disagreements.isEmpty,
      "\(agreeing) of \(run.cells.count) cells agree; \(disagreements.count) disagree (rerun a cell with "
        + "TRUSTGATE=\(binary) bash -c '<its verify_command in real.tsv>'):\n"
        + disagreements.joined(separator: "\n"))
  }
}

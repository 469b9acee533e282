import Foundation
import XCTest

@testable import TrustgateCore

/// Settings in the clients' own configuration files that turn verification off: git's `http.sslVerify = false`
/// and pip's `trusted-host`. The oracles are the real git and the real pip of a venv against `openssl s_server`
/// with a chain whose root nobody trusts: with the setting they go past the TLS handshake, without it they fail
/// verification. trustgate must report each setting that takes effect (TG203, at its file and line), and none that
/// a later file overrides. (Before, only the variables PIP_TRUSTED_HOST and GIT_SSL_NO_VERIFY were seen: a PASS
/// for a build whose clients verify nothing.)
final class ConfigSwitchTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!
  var port = 0

  override func setUpWithError() throws {
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    servers = LocalServers()
    port = try servers.serveChain(of: pki, www: true)
  }

  override func tearDown() {
    servers?.stopAll()
  }

  /// trustgate's TG203 findings with `environment`, run in the scratch folder.
  func switches(_ environment: [String: String], repo: String? = nil) throws -> [[String: Any]] {
    let report = scratch.path + "/findings-\(UUID().uuidString).json"
    let run = try CLI.run(
      ["check", "--repo", repo ?? scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path, environment: environment)
    XCTAssertNotEqual(run.status, 2, run.all)
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report)))
    let findings = (object as? [String: Any])?["findings"] as? [[String: Any]] ?? []
    return findings.filter { $0["ruleID"] as? String == "TG203" }
  }

  /// git's environment for a home folder: no system file, and (unlike the suite's default, which hides the user's
  /// files from every run) the global files read from `home`. trustgate runs with the same variables.
  func gitEnvironment(_ home: String, _ more: [String: String] = [:]) -> [String: String] {
    ["HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": BoundedRun.unset].merging(more) { $1 }
  }

  /// What git does with the configuration under `home`: verified (and then failed as no git server), or refused
  /// the certificate. `folder`: where git runs (a repository's own `.git/config` counts there).
  func git(home: String, port: Int? = nil, in folder: String? = nil, _ more: [String: String] = [:]) throws -> String {
    let git = try XCTUnwrap(Shell.which("git"))
    var arguments = [git]
    if let folder { arguments += ["-C", folder] }
    let environment = gitEnvironment(home, more).filter { $0.value != BoundedRun.unset }
    let result = try Shell.run(
      arguments + ["ls-remote", "https://127.0.0.1:\(port ?? self.port)/repo.git"],
      environment: environment.merging(["PATH": "/usr/bin:/bin", "GIT_TERMINAL_PROMPT": "0"]) { $1 })
    XCTAssertNotEqual(result.status, 0, result.output)
    // OpenSSL's libcurl says "SSL certificate problem", GnuTLS's (Debian's git) "server certificate verification
    // failed"; past the handshake, s_server's status page is no git repository.
    if result.output.contains("SSL certificate problem") || result.output.contains("certificate verification failed") {
      return "refused"
    }
    if result.output.contains("not valid") || result.output.contains("not found") { return "accepted" }
    return result.output
  }

  func testGitsSslVerifyFalseIsReportedWhereItTakesEffect() throws {
    // ~/.gitconfig turns verification off.
    let off = scratch.path + "/off"
    try scratch.write("off/.gitconfig", "[http]\n\tsslVerify = false\n")
    XCTAssertEqual(try git(home: off), "accepted")
    let found = try switches(gitEnvironment(off))
    XCTAssertEqual(found.count, 1, "\(found)")
    let location = try XCTUnwrap(found.first?["location"] as? [String: Any], "\(found)")
    XCTAssertEqual(location["path"] as? String, off + "/.gitconfig")
    XCTAssertEqual(location["line"] as? Int, 2)
    XCTAssertTrue((found.first?["message"] as? String)?.contains("for git for every host") == true, "\(found)")

    // The XDG file turns it off and ~/.gitconfig, read after it, on again: git verifies, nothing to report.
    let overridden = scratch.path + "/overridden"
    try scratch.write("overridden/.config/git/config", "[http]\n  sslverify = no\n")
    try scratch.write("overridden/.gitconfig", "[http]\n  sslVerify = true\n")
    XCTAssertEqual(try git(home: overridden), "refused")
    XCTAssertEqual(try switches(gitEnvironment(overridden)).count, 0)

    // The XDG file alone: off.
    let xdg = scratch.path + "/xdg"
    try scratch.write("xdg/.config/git/config", "# git\n[http]\n  sslverify = no\n")
    XCTAssertEqual(try git(home: xdg), "accepted")
    let fromXDG = try switches(gitEnvironment(xdg))
    XCTAssertEqual((fromXDG.first?["location"] as? [String: Any])?["line"] as? Int, 3, "\(fromXDG)")
  }

  /// `[http "https://127.0.0.1:PORT/"] sslVerify = false` turns verification off for that URL only: git goes past
  /// the handshake there and refuses a second server on another port. The finding says which URL.
  /// A setting that turns verification off for a host written with its credentials (`user:password@host`, a URL with
  /// them) is reported without the password, in every output: pip.conf's trusted-host, uv.toml's allow-insecure-host,
  /// GOINSECURE in go's env file and git's `http.<url>.sslVerify`. Before, the password was printed in each (the same
  /// values in environment variables were already redacted).
  func testCredentialsInAClientsSettingAreNeverPrinted() throws {
    let home = scratch.path + "/secret-home"
    try scratch.write("secret-home/pip.conf", "[global]\ntrusted-host = erin:Hunter2pw@pypi.example\n")
    try scratch.write("secret-home/go.env", "GOINSECURE=corp.example,https://u:G0secretpw@goi.example\n")
    try scratch.write(
      "secret-home/.gitconfig", "[http \"https://u:GitSecretpw@git.example/\"]\n\tsslVerify = false\n")
    try scratch.write("secret-repo/requirements.txt", "requests==2.32.3\n")
    try scratch.write(
      "secret-repo/uv.toml", "allow-insecure-host = [\"https://alice:UvSecretpw@idx.example\", \"bob:Uv2pw@h2:8443\"]\n"
    )
    let environment = gitEnvironment(
      home,
      [
        "PIP_CONFIG_FILE": home + "/pip.conf", "GOENV": home + "/go.env", "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": scratch.path + "/secret-summary.md",
      ])
    let formats = ["json", "sarif", "junit", "gitlab", "text"]
    var arguments = ["check", "--repo", scratch.path + "/secret-repo"]
    for format in formats { arguments += ["--report", "\(format)=\(scratch.path)/secret-report.\(format)"] }
    let run = try CLI.run(arguments, in: scratch.path + "/secret-repo", environment: environment)
    let inspect = try CLI.run(
      ["inspect", "--repo", scratch.path + "/secret-repo", "--format", "json"], in: scratch.path + "/secret-repo",
      environment: environment)
    // The same lists in the environment, without a scheme (which wins over go's env file): printed whole before.
    let inEnvironment = try CLI.run(
      ["check", "--repo", scratch.path + "/secret-repo", "--format", "json"], in: scratch.path + "/secret-repo",
      environment: gitEnvironment(
        home,
        [
          "PIP_TRUSTED_HOST": "ci:PipEnvpw@pypi.corp", "GOINSECURE": "ci:GoEnvpw@go.corp",
          "UV_INSECURE_HOST": "ci:UvEnvpw@uv.corp",
        ]))
    for shown in ["PIP_TRUSTED_HOST=***@pypi.corp", "GOINSECURE=***@go.corp", "UV_INSECURE_HOST=***@uv.corp"] {
      XCTAssertTrue(inEnvironment.stdout.contains(shown), "\(shown): \(inEnvironment.stdout)")
    }
    var outputs = [run.all, inspect.all, try textFile(scratch.path + "/secret-summary.md"), inEnvironment.all]
    for format in formats { outputs.append(try textFile("\(scratch.path)/secret-report.\(format)")) }
    for password in ["Hunter2pw", "G0secretpw", "GitSecretpw", "UvSecretpw", "Uv2pw", "PipEnvpw", "GoEnvpw", "UvEnvpw"] {
      for (index, output) in outputs.enumerated() {
        XCTAssertFalse(output.contains(password), "\(password) in output \(index): \(output.prefix(3000))")
      }
    }
    // The settings were reported (the assertions above looked at them), with the host kept.
    for shown in [
      "***@pypi.example", "https://***@goi.example", "https://***@git.example/", "https://***@idx.example",
      "***@h2:8443",
    ] {
      XCTAssertTrue(run.stdout.contains(shown), "\(shown): \(run.stdout)")
    }
  }

  /// Items of a list split at any whitespace, line ends too (pip's): a PIP_TRUSTED_HOST of two lines lost its first
  /// host to the second's redaction, and adding that host was no change to the gate.
  func testRedactionKeepsEveryItemOfAList() {
    let cases = [
      ("evil.example\nci:s3cret@files.corp.example", "evil.example\n***@files.corp.example"),
      ("a.example\r\nb.example, u:p@c.example", "a.example\r\nb.example, ***@c.example"),
      ("https://u:p@x.example/simple a.example", "https://***@x.example/simple a.example"),
    ]
    for (value, shown) in cases {
      XCTAssertEqual(ConfigSwitch.redactingCredentials(value), shown)
    }
  }

  func testGitsSslVerifyForOneURLIsReportedForThatURL() throws {
    let other = try servers.serveChain(of: pki, www: true)
    let home = scratch.path + "/url"
    try scratch.write("url/.gitconfig", "[http \"https://127.0.0.1:\(port)/\"]\n\tsslVerify = false\n")
    XCTAssertEqual(try git(home: home), "accepted")
    XCTAssertEqual(try git(home: home, port: other), "refused")
    let found = try switches(gitEnvironment(home))
    XCTAssertEqual(found.count, 1, "\(found)")
    let message = try XCTUnwrap(found.first?["message"] as? String)
    XCTAssertTrue(message.hasSuffix("for git for https://127.0.0.1:\(port)/"), message)
  }

  /// `[http "https://127.0.0.1:PORT/"] sslCAInfo = root.pem` gives git that root for that URL only: git verifies
  /// the server there and refuses the same chain on another port, where its default bundle applies. trustgate took
  /// the URL's CA for git's default and said git verifies the chain anywhere.
  func testGitsCAForOneURLIsNotItsDefault() throws {
    let other = try servers.serveChain(of: pki, www: true)
    let home = scratch.path + "/ca-url"
    try scratch.write(
      "ca-url/.gitconfig", "[http \"https://127.0.0.1:\(port)/\"]\n\tsslCAInfo = \(pki.file("root.pem"))\n")
    XCTAssertEqual(try git(home: home), "accepted")
    XCTAssertEqual(try git(home: home, port: other), "refused")
    let run = try CLI.run(
      [
        "verify", "--chain", pki.file("chain.pem"), "--host", "127.0.0.1", "--repo", scratch.path + "/repo",
        "--format", "json",
      ],
      in: scratch.path, environment: gitEnvironment(home))
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    let git = try XCTUnwrap(items.first { $0["client"] as? String == "git" }, run.stdout)
    XCTAssertEqual(git["verifies"] as? Bool, false, "\(git)")
  }

  /// What git does depends on the TLS library its libcurl is linked with: Debian's git (libcurl-gnutls) reads a CA
  /// file's CERTIFICATE blocks only (a TRUSTED CERTIFICATE root: refused), loads every file of GIT_SSL_CAPATH (one
  /// folder, hash names or not), stops on an `http.sslBackend` its libcurl has not ("Unsupported SSL backend"), and
  /// takes an empty GIT_SSL_CAINFO as its CA file (libcurl exit 77), not as unset. trustgate said git verifies in the
  /// first, third and fourth cells, and refused the second.
  func testGitIsJudgedAsItsTLSLibraryReads() throws {
    let library = TLSLibraries.read(HostFileSystem())["git"] ?? "OpenSSL"
    guard library == "GnuTLS" else { throw XCTSkip("this git's libcurl is \(library); the cells are GnuTLS's") }
    let home = scratch.path + "/tls-home"
    try scratch.write("tls-home/.gitconfig", "[http]\n\tsslCAInfo = \(pki.file("root.pem"))\n")
    try scratch.write("tls-plain/corporate-root.crt", try pki.bytes("root.pem"))
    let trusted = try Shell.run(
      [try XCTUnwrap(Shell.which("openssl")), "x509", "-in", pki.file("root.pem"), "-addtrust", "serverAuth",
       "-trustout", "-out", scratch.path + "/tls-trusted.pem"])
    XCTAssertEqual(trusted.status, 0, trusted.output)
    try scratch.write(
      "tls-backend/.gitconfig", "[http]\n\tsslBackend = openssl\n\tsslCAInfo = \(pki.file("root.pem"))\n")
    try scratch.write("tls-bom.pem", [0xEF, 0xBB, 0xBF] + (try pki.bytes("root.pem")))
    let renamed = try Shell.run(
      ["/bin/sed", "-e", "s/BEGIN CERTIFICATE/BEGIN X509 CERTIFICATE/", "-e", "s/END CERTIFICATE/END X509 CERTIFICATE/",
       pki.file("root.pem")])
    try scratch.write("tls-x509.pem", renamed.output)
    let bare = scratch.path + "/tls-bare"
    try FileManager.default.createDirectory(atPath: bare, withIntermediateDirectories: true)
    let cells: [(name: String, home: String, env: [String: String], git: String)] = [
      ("GIT_SSL_CAINFO at the root", bare, ["GIT_SSL_CAINFO": pki.file("root.pem")], "accepted"),
      ("GIT_SSL_CAINFO at the root as TRUSTED CERTIFICATE", bare, ["GIT_SSL_CAINFO": scratch.path + "/tls-trusted.pem"],
       "refused"),
      ("GIT_SSL_CAPATH, the root under any name", bare, ["GIT_SSL_CAPATH": scratch.path + "/tls-plain"], "accepted"),
      ("GIT_SSL_CAINFO after a byte-order mark", bare, ["GIT_SSL_CAINFO": scratch.path + "/tls-bom.pem"], "accepted"),
      ("GIT_SSL_CAINFO as X509 CERTIFICATE", bare, ["GIT_SSL_CAINFO": scratch.path + "/tls-x509.pem"], "accepted"),
      ("GIT_SSL_CAINFO empty beside http.sslCAInfo", home, ["GIT_SSL_CAINFO": ""], "problem"),
      ("http.sslBackend = openssl", scratch.path + "/tls-backend", [:], "backend"),
    ]
    for cell in cells {
      let environment = gitEnvironment(cell.home, cell.env)
      var real = try git(home: cell.home, cell.env)
      if real.contains("Problem with the SSL CA cert") { real = "problem" }
      if real.contains("Unsupported SSL backend 'openssl'") { real = "backend" }
      XCTAssertEqual(real, cell.git, cell.name)
      let run = try CLI.run(
        ["verify", "--chain", pki.file("chain.pem"), "--host", "127.0.0.1", "--repo", scratch.path + "/repo",
         "--format", "json"],
        in: scratch.path, environment: environment)
      let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
      let verdict = try XCTUnwrap(items.first { $0["client"] as? String == "git" }, run.stdout)
      XCTAssertEqual(verdict["verifies"] as? Bool, cell.git == "accepted", "\(cell.name): \(verdict)")
      let error = verdict["error"] as? String ?? ""
      if cell.git == "problem" { XCTAssertTrue(error.hasPrefix("Problem with the SSL CA cert"), error) }
      if cell.git == "backend" {
        XCTAssertEqual(error, "fatal: Unsupported SSL backend 'openssl'. Supported SSL backends:", "\(verdict)")
      }
    }
  }

  func testPipsTrustedHostIsReportedAtItsLine() throws {
    guard let python = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    let venv = scratch.path + "/venv"
    let made = try Shell.run([python, "-m", "venv", venv])
    XCTAssertEqual(made.status, 0, made.output)
    func pip(config: String) throws -> String {
      let result = try Shell.run(
        [
          venv + "/bin/python", "-m", "pip", "download", "--no-deps", "--retries", "0", "--timeout", "10",
          "--disable-pip-version-check", "--index-url", "https://localhost:\(port)/simple/", "-d",
          scratch.path + "/downloads", "nothing-here",
        ],
        environment: ["PIP_CONFIG_FILE": config, "HOME": scratch.path, "PATH": "/usr/bin:/bin"])
      if result.output.contains("CERTIFICATE_VERIFY_FAILED") { return "refused" }
      if result.output.contains("Could not find a version that satisfies") { return "accepted" }
      return result.output
    }
    // Windows line ends, as a pip.conf written on Windows has them: the line is still the second.
    try scratch.write("trusted.conf", "[global]\r\ntrusted-host = localhost\r\n")
    try scratch.write("plain.conf", "[global]\ntimeout = 10\n")
    XCTAssertEqual(try pip(config: scratch.path + "/trusted.conf"), "accepted")
    XCTAssertEqual(try pip(config: scratch.path + "/plain.conf"), "refused")

    let found = try switches(["PIP_CONFIG_FILE": scratch.path + "/trusted.conf", "VIRTUAL_ENV": venv])
    XCTAssertEqual(found.count, 1, "\(found)")
    let location = try XCTUnwrap(found.first?["location"] as? [String: Any], "\(found)")
    XCTAssertEqual(location["path"] as? String, scratch.path + "/trusted.conf")
    XCTAssertEqual(location["line"] as? Int, 2)
    XCTAssertTrue(
      (found.first?["message"] as? String)?.contains("trusted-host = localhost") == true, "\(found)")
    XCTAssertEqual(try switches(["PIP_CONFIG_FILE": scratch.path + "/plain.conf", "VIRTUAL_ENV": venv]).count, 0)
  }

  /// pip's `--trusted-host` in a requirements file: `pip install -r` (here `pip download -r`) takes it from an option
  /// line, also in a file the first includes, and ignores it on a requirement's own line. The real pip against
  /// `openssl s_server` decides each cell; trustgate must report TG203 at the file and line where pip honours it,
  /// and nothing where pip does not. (Before, no requirements file's option was read: a PASS while pip accepted any
  /// certificate from the host.)
  func testPipsTrustedHostInARequirementsFileIsReportedWherePipHonoursIt() throws {
    guard let python = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    let venv = scratch.path + "/venv"
    let made = try Shell.run([python, "-m", "venv", venv])
    XCTAssertEqual(made.status, 0, made.output)
    func cell(_ files: [String: String]) throws -> (pip: String, found: [String]) {
      let repo = scratch.path + "/req-" + UUID().uuidString
      for (name, text) in files { try scratch.write(String(repo.dropFirst(scratch.path.count + 1)) + "/" + name, text) }
      let result = try Shell.run(
        [
          venv + "/bin/python", "-m", "pip", "download", "--no-deps", "--retries", "0", "--timeout", "10",
          "--disable-pip-version-check", "--index-url", "https://localhost:\(port)/simple/", "-d",
          scratch.path + "/downloads", "-r", repo + "/requirements.txt",
        ],
        environment: ["PIP_CONFIG_FILE": "/dev/null", "HOME": scratch.path, "PATH": "/usr/bin:/bin"])
      let pip =
        result.output.contains("CERTIFICATE_VERIFY_FAILED")
        ? "refused" : result.output.contains("Could not find a version that satisfies") ? "accepted" : result.output
      let found = try switches(["PIP_CONFIG_FILE": "/dev/null", "VIRTUAL_ENV": venv], repo: repo).map { found in
        let location = found["location"] as? [String: Any]
        return "\(location?["path"] as? String ?? "-"):\(location?["line"] as? Int ?? 0)"
      }
      return (pip, found)
    }
    let optionLine = try cell(["requirements.txt": "# mirror\n--trusted-host localhost\nrequests==2.32.3\n"])
    XCTAssertEqual(optionLine.pip, "accepted")
    XCTAssertEqual(optionLine.found, ["requirements.txt:2"])
    let included = try cell([
      "requirements.txt": "--pre -r common.txt\n", "common.txt": "--pre --trusted-host=localhost\nrequests\n",
    ])
    XCTAssertEqual(included.pip, "accepted")
    XCTAssertEqual(included.found, ["common.txt:1"])
    let requirementLine = try cell(["requirements.txt": "requests==2.32.3 --trusted-host localhost\n"])
    XCTAssertEqual(requirementLine.pip, "refused")
    XCTAssertEqual(requirementLine.found, [])
    let plain = try cell(["requirements.txt": "requests==2.32.3\n"])
    XCTAssertEqual(plain.pip, "refused")
    XCTAssertEqual(plain.found, [])
  }

  /// PEP 493's `PYTHONHTTPSVERIFY=0`, judged by what the Pythons here do with it: Python 2.7 (its `ssl.py` reads the
  /// variable) goes past the handshake, upstream Python 3 (which never reads it) refuses. trustgate must fail the
  /// build (TG203 error) only where a Python found here reads it, and say that it does nothing elsewhere (a
  /// warning). Before, it was an error everywhere: a failed build whose clients all verify.
  func testPythonHTTPSVerifyIsAnErrorOnlyWhereAPythonReadsIt() throws {
    /// What the interpreter's standard library does with the variable (`urllib`, `urllib2` on Python 2).
    func real(_ python: String) throws -> String {
      let script = """
        try:
            from urllib.request import urlopen
        except ImportError:
            from urllib2 import urlopen
        try:
            urlopen("https://localhost:\(port)/x")
            print("accepted")
        except Exception as e:
            print("refused" if "CERTIFICATE_VERIFY_FAILED" in str(e) else "accepted")
        """
      let run = try Shell.run(
        [python, "-c", script], environment: ["PYTHONHTTPSVERIFY": "0", "PATH": "/usr/bin:/bin", "HOME": scratch.path])
      return run.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    /// The severities of trustgate's findings about the variable.
    func severities(_ environment: [String: String]) throws -> [String] {
      try switches(environment.merging(["PYTHONHTTPSVERIFY": "0"]) { $1 }).filter {
        $0["subject"] as? String == "PYTHONHTTPSVERIFY"
      }.compactMap { $0["severity"] as? String }
    }
    guard let python3 = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    let venv = scratch.path + "/venv"
    let made = try Shell.run([python3, "-m", "venv", venv])
    XCTAssertEqual(made.status, 0, made.output)
    XCTAssertEqual(try real(venv + "/bin/python"), "refused")
    XCTAssertEqual(try severities(["VIRTUAL_ENV": venv]), ["warning"])

    guard let python2 = ClientVerificationTests.interpreter("2.7") else { throw XCTSkip("no Python 2.7 here") }
    XCTAssertEqual(try real(python2), "accepted")
    // Its prefix found on PATH, as a job that runs it has it.
    let bin = (python2 as NSString).deletingLastPathComponent
    XCTAssertEqual(try severities(["VIRTUAL_ENV": venv, "PATH": bin + ":/usr/bin:/bin"]), ["error"])
  }

  /// Where each TG203 finding is (`path:line`) and for whom (the message's end), for one environment.
  func places(_ environment: [String: String], repo: String? = nil) throws -> [String] {
    try switches(environment, repo: repo).map { found in
      let location = found["location"] as? [String: Any]
      let message = found["message"] as? String ?? ""
      let scope = message.range(of: " for git ").map { String(message[$0.upperBound...]) } ?? message
      return "\(location?["path"] as? String ?? "-"):\(location?["line"] as? Int ?? 0) \(scope)"
    }.sorted()
  }

  /// git's own syntax and precedence, cell by cell against the real git: an inline comment after the value, a
  /// quoted value, a key alone (true), a URL's section winning over `[http]` for its URL whatever their order,
  /// the repository's own `.git/config`, an included file, and GIT_CONFIG_GLOBAL in place of ~/.gitconfig and the
  /// XDG file. Before,
  /// trustgate read values to the end of the line, took the last `sslVerify` of any section, and read neither
  /// the repository's file nor GIT_CONFIG_GLOBAL: no finding where git verifies nothing, and one where git verifies.
  func testGitsConfigurationIsReadAsGitReadsIt() throws {
    let url = "https://127.0.0.1:\(port)/"
    let other = try servers.serveChain(of: pki, www: true)
    func home(_ name: String, _ text: String) throws -> String {
      try scratch.write("\(name)/.gitconfig", text)
      return scratch.path + "/" + name
    }

    let comment = try home("comment", "[http]\n\tsslVerify = false # until the proxy's CA is installed\n")
    XCTAssertEqual(try git(home: comment), "accepted")
    XCTAssertEqual(try places(gitEnvironment(comment)), [comment + "/.gitconfig:2 for every host"])

    let quoted = try home("quoted", "[http]\n\tsslVerify = \"off\" ; CI only\n")
    XCTAssertEqual(try git(home: quoted), "accepted")
    XCTAssertEqual(try places(gitEnvironment(quoted)), [quoted + "/.gitconfig:2 for every host"])

    let alone = try home("alone", "[http]\n\tsslVerify = false\n[http]\n\tsslVerify\n")
    XCTAssertEqual(try git(home: alone), "refused")
    XCTAssertEqual(try places(gitEnvironment(alone)), [])

    // Off for every host, on again for the server's URL (the section before `[http]`): git refuses there and
    // goes through elsewhere.
    let except = try home("except", "[http \"\(url)\"]\n\tsslVerify = true\n[http]\n\tsslVerify = false\n")
    XCTAssertEqual(try git(home: except), "refused")
    XCTAssertEqual(try git(home: except, port: other), "accepted")
    XCTAssertEqual(try places(gitEnvironment(except)), [except + "/.gitconfig:4 for every host"])

    // Off for the URL, on for every host after it: still off for the URL.
    let urlFirst = try home("url-first", "[http \"\(url)\"]\n\tsslVerify = no\n[http]\n\tsslVerify = true\n")
    XCTAssertEqual(try git(home: urlFirst), "accepted")
    XCTAssertEqual(try git(home: urlFirst, port: other), "refused")
    XCTAssertEqual(try places(gitEnvironment(urlFirst)), [urlFirst + "/.gitconfig:2 for \(url)"])

    // The repository's own file, written by `git config` (no --global), as a CI script does.
    let repo = scratch.path + "/local-repo"
    let gitPath = try XCTUnwrap(Shell.which("git"))
    for arguments in [["init", "-q", repo], ["-C", repo, "config", "http.sslVerify", "false"]] {
      let result = try Shell.run([gitPath] + arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.path])
      XCTAssertEqual(result.status, 0, result.output)
    }
    let plain = try home("plain", "[user]\n\tname = ci\n")
    XCTAssertEqual(try git(home: plain, in: repo), "accepted")
    XCTAssertEqual(try git(home: plain), "refused")
    let local = try places(gitEnvironment(plain), repo: repo)
    XCTAssertEqual(local.count, 1, "\(local)")
    XCTAssertTrue(local.first?.hasPrefix(".git/config:") == true, "\(local)")

    // An include, relative to the including file's folder, read where it stands: the line after it wins.
    let included = try home("included", "[include]\n\tpath = ci/corp.gitconfig\n")
    try scratch.write("included/ci/corp.gitconfig", "# corporate proxy\n[http]\n\tsslVerify = false\n")
    XCTAssertEqual(try git(home: included), "accepted")
    XCTAssertEqual(try places(gitEnvironment(included)), [included + "/ci/corp.gitconfig:3 for every host"])
    let reverted = try home("reverted", "[include]\n\tpath = ci/corp.gitconfig\n[http]\n\tsslVerify = true\n")
    try scratch.write("reverted/ci/corp.gitconfig", "[http]\n\tsslVerify = false\n")
    XCTAssertEqual(try git(home: reverted), "refused")
    XCTAssertEqual(try places(gitEnvironment(reverted)), [])

    // GIT_CONFIG_GLOBAL names the user's file instead: ~/.gitconfig is not read, nor the XDG file.
    let hidden = try home("hidden", "[http]\n\tsslVerify = false\n")
    try scratch.write("hidden/.config/git/config", "[http]\n\tsslVerify = false\n")
    let null = ["GIT_CONFIG_GLOBAL": "/dev/null"]
    XCTAssertEqual(try git(home: hidden, null), "refused")
    XCTAssertEqual(try places(gitEnvironment(hidden, null)), [])
    try scratch.write("ci.gitconfig", "[http]\n  sslverify = 0\n")
    let named = ["GIT_CONFIG_GLOBAL": scratch.path + "/ci.gitconfig"]
    XCTAssertEqual(try git(home: plain, named), "accepted")
    XCTAssertEqual(try places(gitEnvironment(plain, named)), [scratch.path + "/ci.gitconfig:2 for every host"])
  }

  /// git's settings from the environment, cell by cell against the real git: GIT_CONFIG_COUNT with its
  /// GIT_CONFIG_KEY_<n>/GIT_CONFIG_VALUE_<n> pairs (a CI job's way to configure git without a file), read after the
  /// files; GIT_CONFIG_PARAMETERS (what `git -c` hands the commands it runs, a hook among them), read after those,
  /// in both its forms; a URL's setting; an absolute include. Before, none of them was read: a PASS while git
  /// verified nothing, and a finding for a file the environment overrides.
  func testGitsConfigurationFromTheEnvironmentIsReadAsGitReadsIt() throws {
    let url = "https://127.0.0.1:\(port)/"
    let other = try servers.serveChain(of: pki, www: true)
    try scratch.write("plain-env/.gitconfig", "[user]\n\tname = ci\n")
    let plain = scratch.path + "/plain-env"
    func pairs(_ settings: [(String, String)]) -> [String: String] {
      var variables = ["GIT_CONFIG_COUNT": String(settings.count)]
      for (index, (key, value)) in settings.enumerated() {
        variables["GIT_CONFIG_KEY_\(index)"] = key
        variables["GIT_CONFIG_VALUE_\(index)"] = value
      }
      return variables
    }

    let off = pairs([("http.sslVerify", "false")])
    XCTAssertEqual(try git(home: plain, off), "accepted")
    let found = try switches(gitEnvironment(plain, off))
    XCTAssertEqual(found.count, 1, "\(found)")
    XCTAssertNil(found.first?["location"], "\(found)")
    let message = try XCTUnwrap(found.first?["message"] as? String)
    XCTAssertTrue(message.contains("in the environment (GIT_CONFIG_KEY_0)"), message)
    XCTAssertTrue(message.hasSuffix("for git for every host"), message)

    // The environment is read after the files: on again over ~/.gitconfig's off.
    try scratch.write("off-env/.gitconfig", "[http]\n\tsslVerify = false\n")
    let fileOff = scratch.path + "/off-env"
    let on = pairs([("HTTP.SSLVERIFY", "true")])
    XCTAssertEqual(try git(home: fileOff, on), "refused")
    XCTAssertEqual(try places(gitEnvironment(fileOff, on)), [])

    // GIT_CONFIG_PARAMETERS after GIT_CONFIG_COUNT: `git -c http.sslVerify=true` wins.
    let both = off.merging(["GIT_CONFIG_PARAMETERS": "'http.sslverify'='true'"]) { $1 }
    XCTAssertEqual(try git(home: plain, both), "refused")
    XCTAssertEqual(try places(gitEnvironment(plain, both)), [])
    // Its old form, 'key=value', as git before 2.31 wrote it.
    let old = ["GIT_CONFIG_PARAMETERS": "'core.quotepath=off' 'http.sslVerify=false'"]
    XCTAssertEqual(try git(home: plain, old), "accepted")
    let oldFound = try switches(gitEnvironment(plain, old))
    XCTAssertTrue(
      (oldFound.first?["message"] as? String)?.contains("(GIT_CONFIG_PARAMETERS)") == true, "\(oldFound)")

    // For one URL (the subsection between the first and the last dot, its case kept).
    let forURL = pairs([("http.\(url).sslVerify", "0")])
    XCTAssertEqual(try git(home: plain, forURL), "accepted")
    XCTAssertEqual(try git(home: plain, port: other, forURL), "refused")
    XCTAssertEqual(try places(gitEnvironment(plain, forURL)), ["-:0 for \(url)"])

    // An absolute include named there is read like a file's.
    try scratch.write("ci/corp.gitconfig", "# proxy\n[http]\n\tsslVerify = no\n")
    let include = pairs([("include.path", scratch.path + "/ci/corp.gitconfig")])
    XCTAssertEqual(try git(home: plain, include), "accepted")
    XCTAssertEqual(try places(gitEnvironment(plain, include)), [scratch.path + "/ci/corp.gitconfig:3 for every host"])
  }

  /// What stops git before any request, from the environment or a file, against the real git: a GIT_CONFIG_COUNT
  /// whose pairs are missing, one that is no number, a key git refuses, GIT_CONFIG_PARAMETERS out of its quoting,
  /// a relative include there, and an `http.sslVerify` that is no boolean (even with a valid one after it). git
  /// says why and stops; trustgate must call git broken (TG207) with git's words. Before, each was passed over and
  /// git judged as verifying.
  func testGitStopsOnTheEnvironmentOrABooleanItCannotRead() throws {
    try scratch.write("stops/.gitconfig", "[user]\n\tname = ci\n")
    let plain = scratch.path + "/stops"
    try scratch.write("bad-bool/.gitconfig", "[http]\n\tsslVerify = flase\n[http]\n\tsslVerify = true\n")
    let cells: [(home: String, variables: [String: String], words: String)] = [
      (
        plain, ["GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "http.sslVerify", "GIT_CONFIG_VALUE_0": "false"],
        "error: missing config key GIT_CONFIG_KEY_1"
      ),
      (plain, ["GIT_CONFIG_COUNT": "0x1"], "error: bogus count in GIT_CONFIG_COUNT"),
      (plain, ["GIT_CONFIG_COUNT": "-1"], "error: too many entries in GIT_CONFIG_COUNT"),
      (
        plain, ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "sslVerify", "GIT_CONFIG_VALUE_0": "false"],
        "error: key does not contain a section: sslVerify"
      ),
      (
        plain, ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.ssl_verify", "GIT_CONFIG_VALUE_0": "false"],
        "error: invalid key: http.ssl_verify"
      ),
      (plain, ["GIT_CONFIG_PARAMETERS": "'http.sslverify'='false'x"], "error: bogus format in GIT_CONFIG_PARAMETERS"),
      (
        plain, ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "include.path", "GIT_CONFIG_VALUE_0": "ci.gitconfig"],
        "error: relative config includes must come from files"
      ),
      (
        plain, ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.sslVerify", "GIT_CONFIG_VALUE_0": "nope"],
        "fatal: bad boolean config value 'nope' for 'http.sslverify'"
      ),
      (scratch.path + "/bad-bool", [:], "fatal: bad boolean config value 'flase' for 'http.sslverify'"),
    ]
    let gitPath = try XCTUnwrap(Shell.which("git"))
    let report = scratch.path + "/stops.json"
    for cell in cells {
      let environment = gitEnvironment(cell.home, cell.variables).filter { $0.value != BoundedRun.unset }
      let result = try Shell.run(
        [gitPath, "ls-remote", "https://127.0.0.1:\(port)/repo.git"],
        environment: environment.merging(["PATH": "/usr/bin:/bin"]) { $1 })
      XCTAssertTrue(result.output.contains(cell.words), "\(cell.variables): \(result.output)")
      let run = try CLI.run(
        ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
        in: scratch.path, environment: gitEnvironment(cell.home, cell.variables))
      let object = try XCTUnwrap(try jsonFile(report) as? [String: Any], run.all)
      let broken = (object["findings"] as? [[String: Any]] ?? []).filter {
        $0["ruleID"] as? String == "TG207" && $0["subject"] as? String == "git"
      }
      let text = broken.first?["message"] as? String ?? ""
      XCTAssertTrue(text.contains(cell.words), "\(cell.variables): \(broken)")
    }
  }

  /// pip's files read as pip reads them, against the real pip: a host list on the lines under `trusted-host =`
  /// (the form pip's documentation and most proxies' guides show), the user's files passed over when
  /// PIP_CONFIG_FILE names a file that exists, no file at all with PIP_CONFIG_FILE=/dev/null, and a section name's
  /// case. Before, the first cell gave no finding (a PASS while pip trusts any certificate) and the others one
  /// for a setting pip never reads.
  func testPipsConfigurationIsReadAsPipReadsIt() throws {
    guard let python = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    let venv = scratch.path + "/venv"
    let made = try Shell.run([python, "-m", "venv", venv])
    XCTAssertEqual(made.status, 0, made.output)
    func pip(_ environment: [String: String]) throws -> String {
      let result = try Shell.run(
        [
          venv + "/bin/python", "-m", "pip", "download", "--no-deps", "--retries", "0", "--timeout", "10",
          "--disable-pip-version-check", "--index-url", "https://localhost:\(port)/simple/", "-d",
          scratch.path + "/downloads", "nothing-here",
        ],
        environment: environment.merging(["PATH": "/usr/bin:/bin"]) { $1 })
      if result.output.contains("CERTIFICATE_VERIFY_FAILED") { return "refused" }
      if result.output.contains("Could not find a version that satisfies") { return "accepted" }
      return result.output
    }
    func pipPlaces(_ environment: [String: String]) throws -> [String] {
      try switches(environment.merging(["VIRTUAL_ENV": venv]) { $1 }).map { found in
        let location = found["location"] as? [String: Any]
        return "\(location?["path"] as? String ?? "-"):\(location?["line"] as? Int ?? 0)"
      }
    }
    let home = scratch.path + "/pip-home"
    try scratch.write("pip-home/.config/pip/pip.conf", "[global]\ntimeout = 10\ntrusted-host =\n    localhost\n")
    let user = ["HOME": home, "PIP_CONFIG_FILE": BoundedRun.unset]
    XCTAssertEqual(try pip(user.filter { $0.value != BoundedRun.unset }), "accepted")
    XCTAssertEqual(try pipPlaces(user), [home + "/.config/pip/pip.conf:3"])

    try scratch.write("ci-pip.conf", "[global]\ntimeout = 10\n")
    try scratch.write("pip-home2/.config/pip/pip.conf", "[global]\ntrusted-host = localhost\n")
    let named = ["HOME": scratch.path + "/pip-home2", "PIP_CONFIG_FILE": scratch.path + "/ci-pip.conf"]
    XCTAssertEqual(try pip(named), "refused")
    XCTAssertEqual(try pipPlaces(named), [])

    // The environment's own file (`sys.prefix`) is read even then.
    try scratch.write("venv/pip.conf", "[global]\ntrusted-host = localhost\n")
    try scratch.write("empty-home/.keep", "")
    let site = ["HOME": scratch.path + "/empty-home", "PIP_CONFIG_FILE": scratch.path + "/ci-pip.conf"]
    XCTAssertEqual(try pip(site), "accepted")
    XCTAssertEqual(try pipPlaces(site), [venv + "/pip.conf:2"])
    let none = ["HOME": home, "PIP_CONFIG_FILE": "/dev/null"]
    XCTAssertEqual(try pip(none), "refused")
    XCTAssertEqual(try pipPlaces(none), [])

    try FileManager.default.removeItem(atPath: venv + "/pip.conf")
    try scratch.write("Global.conf", "[Global]\ntrusted-host = localhost\n")
    let capital = ["HOME": scratch.path + "/empty-home", "PIP_CONFIG_FILE": scratch.path + "/Global.conf"]
    XCTAssertEqual(try pip(capital), "refused")
    XCTAssertEqual(try pipPlaces(capital), [])

    // PIP_TRUSTED_HOST is a list pip splits at white space: blanks alone name no host (it was a TG203 on a build
    // whose pip verifies), a host among blanks is one.
    for (value, expected) in [("  \t", "refused"), (" localhost ", "accepted")] {
      let variable = ["HOME": scratch.path + "/empty-home", "PIP_CONFIG_FILE": "/dev/null", "PIP_TRUSTED_HOST": value]
      XCTAssertEqual(try pip(variable), expected, "[\(value)]")
      XCTAssertEqual(try pipPlaces(variable), expected == "accepted" ? ["-:0"] : [], "[\(value)]")
    }
  }

  /// What the real curl does with the `.curlrc` under `home`: verified (or went through unverified), or refused.
  func curl(_ environment: [String: String], port: Int? = nil) throws -> String {
    let curl = try XCTUnwrap(Shell.which("curl"))
    let result = try Shell.run(
      [curl, "-s", "-o", "/dev/null", "https://localhost:\(port ?? self.port)/"],
      environment: environment.merging(["PATH": "/usr/bin:/bin"]) { $1 })
    switch result.status {
    case 0: return "accepted"
    case 60: return "refused"
    default: return "curl exit \(result.status): \(result.output)"
    }
  }

  /// The curl tool's `.curlrc`, cell by cell against the real curl (7.88.1): `insecure` alone, `-k` in a group of
  /// short options, `-k` taken as `-o`'s argument, `no-insecure` after it, the first file that exists being the
  /// only one read ($CURL_HOME before ~), ~/.config/curlrc; and `cacert` there, which curl takes over
  /// CURL_CA_BUNDLE. Before, no `.curlrc` was read: a PASS while curl verifies nothing, and `verify` said curl
  /// refuses a chain it verifies.
  func testCurlsConfigFileIsReadAsCurlReadsIt() throws {
    func home(_ name: String, _ file: String, _ text: String) throws -> String {
      try scratch.write("\(name)/\(file)", text)
      return scratch.path + "/" + name
    }
    func cell(_ environment: [String: String]) throws -> (curl: String, found: [String]) {
      let found = try switches(environment).map { found -> String in
        let location = found["location"] as? [String: Any]
        return "\(location?["path"] as? String ?? "-"):\(location?["line"] as? Int ?? 0)"
      }
      return (try curl(environment), found)
    }
    let alone = try home("curl-alone", ".curlrc", "# CI proxy\ninsecure\n")
    XCTAssertEqual(try cell(["HOME": alone]).curl, "accepted")
    XCTAssertEqual(try cell(["HOME": alone]).found, [alone + "/.curlrc:2"])
    let grouped = try home("curl-grouped", ".curlrc", "-sk\n")
    XCTAssertEqual(try cell(["HOME": grouped]).curl, "accepted")
    XCTAssertEqual(try cell(["HOME": grouped]).found, [grouped + "/.curlrc:1"])
    let argument = try home("curl-argument", ".curlrc", "-ok /dev/null\n")
    XCTAssertEqual(try cell(["HOME": argument]).curl, "refused")
    XCTAssertEqual(try cell(["HOME": argument]).found, [])
    let undone = try home("curl-undone", ".curlrc", "insecure\nno-insecure\n")
    XCTAssertEqual(try cell(["HOME": undone]).curl, "refused")
    XCTAssertEqual(try cell(["HOME": undone]).found, [])
    try scratch.write("curl-first/home/.curlrc", "--insecure\n")
    try scratch.write("curl-first/curl-home/.curlrc", "silent\n")
    let first = ["HOME": scratch.path + "/curl-first/home", "CURL_HOME": scratch.path + "/curl-first/curl-home"]
    XCTAssertEqual(try cell(first).curl, "refused")
    XCTAssertEqual(try cell(first).found, [])
    let xdgDefault = try home("curl-config", ".config/curlrc", "insecure\n")
    XCTAssertEqual(try cell(["HOME": xdgDefault]).curl, "accepted")
    XCTAssertEqual(try cell(["HOME": xdgDefault]).found, [xdgDefault + "/.config/curlrc:1"])

    // cacert in the file: curl verifies with it and never looks at CURL_CA_BUNDLE.
    let cacert = try home("curl-cacert", ".curlrc", "cacert = \"\(pki.file("root.pem"))\"\n")
    let environment = ["HOME": cacert, "CURL_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"]
    XCTAssertEqual(try curl(environment), "accepted")
    let without = ["HOME": alone + "-none", "CURL_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"]
    XCTAssertEqual(try curl(without), "refused")
    let run = try CLI.run(
      [
        "verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
        "--format", "json",
      ],
      in: scratch.path, environment: environment)
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    let verdict = try XCTUnwrap(items.first { $0["client"] as? String == "curl" }, run.stdout)
    XCTAssertEqual(verdict["verifies"] as? Bool, true, "\(verdict)")
  }

  /// A configuration file the client cannot parse stops it before any request: git says "fatal: bad config line N
  /// in file F", pip "Configuration file could not be loaded". The real git and pip decide; trustgate must call the
  /// client broken (TG207) naming the file and line, and `verify` must say it fails with git's own words. Before,
  /// the file was read as far as it went and the client was judged as if it ran.
  func testAConfigurationFileTheClientCannotParseStopsIt() throws {
    try scratch.write("broken-git/.gitconfig", "[http]\n\tsslVerify = \"false\n")
    let home = scratch.path + "/broken-git"
    let git = try XCTUnwrap(Shell.which("git"))
    let result = try Shell.run(
      [git, "ls-remote", "https://127.0.0.1:\(port)/repo.git"],
      environment: gitEnvironment(home).filter { $0.value != BoundedRun.unset }.merging(["PATH": "/usr/bin:/bin"]) {
        $1
      })
    XCTAssertTrue(result.output.contains("fatal: bad config line 2 in file \(home)/.gitconfig"), result.output)
    let report = scratch.path + "/broken.json"
    let run = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path, environment: gitEnvironment(home))
    let object = try XCTUnwrap(try jsonFile(report) as? [String: Any], run.all)
    let broken = (object["findings"] as? [[String: Any]] ?? []).filter { $0["ruleID"] as? String == "TG207" }
    let message = try XCTUnwrap(broken.first { $0["subject"] as? String == "git" }?["message"] as? String, "\(broken)")
    XCTAssertTrue(message.contains("fatal: bad config line 2 in file \(home)/.gitconfig"), message)
    let verify = try CLI.run(
      [
        "verify", "--chain", pki.file("chain.pem"), "--host", "127.0.0.1", "--repo", scratch.path + "/repo",
        "--format", "json",
      ],
      in: scratch.path, environment: gitEnvironment(home))
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [[String: Any]])
    let verdict = try XCTUnwrap(items.first { $0["client"] as? String == "git" }, verify.stdout)
    XCTAssertEqual(verdict["error"] as? String, "fatal: bad config line 2 in file \(home)/.gitconfig")

    // A file that includes itself: git stops past 10 includes.
    try scratch.write("looping/.gitconfig", "[include]\n\tpath = .gitconfig\n")
    let looping = scratch.path + "/looping"
    let loop = try Shell.run(
      [git, "ls-remote", "https://127.0.0.1:\(port)/repo.git"],
      environment: gitEnvironment(looping).filter { $0.value != BoundedRun.unset }.merging(["PATH": "/usr/bin:/bin"]) {
        $1
      })
    XCTAssertTrue(loop.output.contains("fatal: exceeded maximum include depth (10)"), loop.output)
    let loopRun = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path, environment: gitEnvironment(looping))
    let loopObject = try XCTUnwrap(try jsonFile(report) as? [String: Any], loopRun.all)
    let loopBroken = (loopObject["findings"] as? [[String: Any]] ?? []).filter { $0["ruleID"] as? String == "TG207" }
    let loopMessage = try XCTUnwrap(
      loopBroken.first { $0["subject"] as? String == "git" }?["message"] as? String, "\(loopBroken)")
    XCTAssertTrue(loopMessage.contains("fatal: exceeded maximum include depth (10)"), loopMessage)

    guard let python = ClientVerificationTests.interpreter("3.11") else { throw XCTSkip("no Python 3.11 here") }
    let venv = scratch.path + "/venv"
    let made = try Shell.run([python, "-m", "venv", venv])
    XCTAssertEqual(made.status, 0, made.output)
    try scratch.write("dup.conf", "[global]\ntimeout = 10\ntimeout = 20\n")
    let pip = try Shell.run(
      [venv + "/bin/python", "-m", "pip", "download", "--no-deps", "-d", scratch.path + "/downloads", "nothing-here"],
      environment: ["PIP_CONFIG_FILE": scratch.path + "/dup.conf", "HOME": scratch.path, "PATH": "/usr/bin:/bin"])
    XCTAssertTrue(pip.output.contains("Configuration file could not be loaded"), pip.output)
    XCTAssertTrue(pip.output.contains("line  3"), pip.output)
    let pipRun = try CLI.run(
      ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
      in: scratch.path, environment: ["PIP_CONFIG_FILE": scratch.path + "/dup.conf", "VIRTUAL_ENV": venv])
    let pipObject = try XCTUnwrap(try jsonFile(report) as? [String: Any], pipRun.all)
    let pipBroken = (pipObject["findings"] as? [[String: Any]] ?? []).filter { $0["ruleID"] as? String == "TG207" }
    let pipMessage = try XCTUnwrap(
      pipBroken.first { ($0["subject"] as? String) == "pip" }?["message"] as? String, "\(pipBroken)")
    XCTAssertTrue(pipMessage.contains("\(scratch.path)/dup.conf, line 3"), pipMessage)
  }

  /// npm's `strict-ssl = false` in its files, cell by cell against the real npm (10.8.2) from a project's subfolder:
  /// the project's `.npmrc` (beside package.json), with a comment after the value, only the word `false` (`FALSE`
  /// and `0` leave verification on), only before any `[section]`, the user's file overridden by the project's, the
  /// file NPM_CONFIG_USERCONFIG names, and NPM_CONFIG_STRICT_SSL beating the files. Before, no .npmrc was read: a
  /// PASS while npm verifies nothing.
  func testNpmsStrictSSLIsReadWhereNpmReadsIt() throws {
    guard let npm = Shell.which("npm") else { throw XCTSkip("no npm here") }
    try scratch.write("web/package.json", "{\"name\": \"web\", \"version\": \"1.0.0\"}\n")
    try scratch.write("web/src/.keep", "")
    let project = scratch.path + "/web"
    func cell(_ npmrc: String?, user: String? = nil, _ more: [String: String] = [:]) throws -> (String, [String]) {
      let home = scratch.path + "/npm-home-\(UUID().uuidString)"
      try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
      if let user { try Data(user.utf8).write(to: URL(fileURLWithPath: home + "/.npmrc")) }
      try? FileManager.default.removeItem(atPath: project + "/.npmrc")
      if let npmrc { try Data(npmrc.utf8).write(to: URL(fileURLWithPath: project + "/.npmrc")) }
      let environment = ["HOME": home].merging(more) { $1 }
      let process = Process()
      process.executableURL = URL(fileURLWithPath: npm)
      process.arguments = [
        "view", "nothing-here", "--registry", "https://localhost:\(port)/", "--fetch-retries", "0", "--prefer-online",
      ]
      process.currentDirectoryURL = URL(fileURLWithPath: project + "/src")
      process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = pipe
      try process.run()
      let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      let real =
        output.contains("invalid json")
        ? "accepted"
        : output.contains("UNABLE_TO_GET_ISSUER") || output.contains("SELF_SIGNED") ? "refused" : output
      let report = scratch.path + "/npm-\(UUID().uuidString).json"
      let run = try CLI.run(
        ["check", "--repo", scratch.path + "/repo", "--annotations", "none", "--report", "json=" + report],
        in: project + "/src", environment: environment)
      let object = try XCTUnwrap(try jsonFile(report) as? [String: Any], run.all)
      let found = (object["findings"] as? [[String: Any]] ?? []).filter {
        $0["ruleID"] as? String == "TG203" && ($0["subject"] as? String)?.lowercased().hasPrefix("npm") == true
      }.map { found -> String in
        let location = found["location"] as? [String: Any]
        return "\(location?["path"] as? String ?? "-"):\(location?["line"] as? Int ?? 0)"
      }
      return (real, found)
    }
    XCTAssertEqual(try cell(nil).0, "refused")
    let plain = try cell("registry=https://example.invalid/\nstrict-ssl=false\n")
    XCTAssertEqual(plain.0, "accepted")
    XCTAssertEqual(plain.1, [project + "/.npmrc:2"])
    // npm's `ini` ends a line at a lone CR too: the switch after one is npm's, at git's line 1.
    let afterCR = try cell("fund=false\rstrict-ssl=false\n")
    XCTAssertEqual(afterCR.0, "accepted")
    XCTAssertEqual(afterCR.1, [project + "/.npmrc:1"])
    let commented = try cell("strict-ssl = false ; until the proxy CA is in\n")
    XCTAssertEqual(commented.0, "accepted")
    XCTAssertEqual(commented.1, [project + "/.npmrc:1"])
    for text in ["strict-ssl=FALSE\n", "strict-ssl=0\n", "[section]\nstrict-ssl=false\n"] {
      let (real, found) = try cell(text)
      XCTAssertEqual(real, "refused", text)
      XCTAssertEqual(found, [], text)
    }
    let overridden = try cell("strict-ssl=true\n", user: "strict-ssl=false\n")
    XCTAssertEqual(overridden.0, "refused")
    XCTAssertEqual(overridden.1, [])
    try scratch.write("ci.npmrc", "strict-ssl=false\n")
    let named = try cell(nil, ["NPM_CONFIG_USERCONFIG": scratch.path + "/ci.npmrc"])
    XCTAssertEqual(named.0, "accepted")
    XCTAssertEqual(named.1, [scratch.path + "/ci.npmrc:1"])
    let variable = try cell("strict-ssl=false\n", ["NPM_CONFIG_STRICT_SSL": "true"])
    XCTAssertEqual(variable.0, "refused")
    XCTAssertEqual(variable.1, [])
    // The variable as npm reads it: trimmed, and only the word `false` is false. "FALSE" was a TG203 (a failed build
    // whose npm verifies), " false" none (a pass while npm verifies nothing), and an empty variable hid the file's.
    for (value, expected) in [("FALSE", "refused"), ("0", "refused"), (" false\t", "accepted"), ("false", "accepted")] {
      let (real, found) = try cell(nil, ["NPM_CONFIG_STRICT_SSL": value])
      XCTAssertEqual(real, expected, "[\(value)]")
      XCTAssertEqual(found, expected == "accepted" ? ["-:0"] : [], "[\(value)]")
    }
    let empty = try cell("strict-ssl=false\n", ["npm_config_strict_ssl": ""])
    XCTAssertEqual(empty.0, "accepted")
    XCTAssertEqual(empty.1, [project + "/.npmrc:1"])
  }
}

import Foundation
import XCTest

/// Env files, version numbers and secrets through the real `trustgate` binary: hostile or unusual values give
/// exit 2 at their line, a correct judgement, or a redacted echo, in every output.
final class InputBoundsCLITests: XCTestCase {
  /// A self-signed localhost certificate made by openssl in the scenario's sandbox, as a chain for `verify`.
  func selfSignedChain(_ scenario: Scenario) throws -> String {
    let chain = scenario.sandbox.path("chain.pem")
    let made = try Shell.run(
      ["/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", scenario.sandbox.path("chain.key"), "-subj", "/CN=localhost", "-addext",
       "subjectAltName=DNS:localhost", "-days", "30", "-out", chain])
    XCTAssertEqual(made.status, 0, made.output)
    return chain
  }

  /// A NUL inside an env-file value was accepted, and a path checked only up to the NUL; now exit 2 at its line.
  func testNULInEnvFileValueIsExitTwoAtItsLine() throws {
    let scenario = try Scenario()
    let envFile = scenario.sandbox.path("env/nul.env")
    try FileManager.default.createDirectory(
      atPath: scenario.sandbox.path("env"), withIntermediateDirectories: true)
    let bytes = Array("# trust\nLANG=C\nSSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\u{0}/tmp/evil.pem\n".utf8)
    FileManager.default.createFile(atPath: envFile, contents: Data(bytes))
    for command in [["inspect"], ["check", "--annotations", "none"]] {
      let outcome = try BoundedRun.trustgate(
        command + ["--repo", scenario.repo, "--root", Scenario.healthyRoot, "--env-file", envFile],
        in: scenario.sandbox.root, seconds: 60)
      XCTAssertEqual(outcome.status, 2, "\(command): \(outcome.all)")
      XCTAssertTrue(outcome.stderr.contains("\(envFile):3: holds a NUL byte"), outcome.stderr)
    }
  }

  /// libgit2 reads git's configuration files to the end when it opens a repository: a FIFO at ~/.gitconfig (or at
  /// the XDG file, which another user can plant in a shared HOME) hung every `--baseline-ref` run. Now exit 2 naming
  /// the file, within seconds; ~/.gitconfig linked to /dev/null (an empty configuration) still works.
  func testAFIFOAtGitsConfigurationIsExitTwoNamingIt() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\n")
    try scenario.commitAll("baseline")
    let arguments = ["check", "--annotations", "none", "--repo", scenario.repo, "--root", Scenario.healthyRoot]
    for (name, file) in [("home", ".gitconfig"), ("xdg", ".config/git/config")] {
      let home = scenario.sandbox.path(name)
      try FileManager.default.createDirectory(
        atPath: home + "/" + (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      XCTAssertEqual(mkfifo(home + "/" + file, 0o644), 0, home + "/" + file)
      let outcome = try BoundedRun.trustgate(
        arguments + ["--baseline-ref", "HEAD"], in: scenario.sandbox.root, environment: ["HOME": home], seconds: 20)
      XCTAssertFalse(outcome.timedOut, "\(file): \(outcome.all)")
      XCTAssertEqual(outcome.status, 2, "\(file): \(outcome.all)")
      XCTAssertTrue(
        outcome.stderr.contains("\(home)/\(file) is a FIFO (named pipe), not a file"), outcome.stderr)
    }
    // A FIFO the repository's own configuration includes hung libgit2 the same way (and `check` with it).
    let included = scenario.sandbox.path("included-fifo")
    XCTAssertEqual(mkfifo(included, 0o644), 0)
    let config = scenario.repo + "/.git/config"
    let original = try String(contentsOfFile: config, encoding: .utf8)
    try (original + "[include]\n\tpath = \(included)\n").write(toFile: config, atomically: true, encoding: .utf8)
    for extra in [["--baseline-ref", "HEAD"], []] {
      let outcome = try BoundedRun.trustgate(arguments + extra, in: scenario.sandbox.root, seconds: 20)
      XCTAssertFalse(outcome.timedOut, "include \(extra): \(outcome.all)")
      XCTAssertEqual(outcome.status, 2, "include \(extra): \(outcome.all)")
      XCTAssertTrue(outcome.stderr.contains("\(included) is a FIFO (named pipe), not a file"), outcome.stderr)
    }
    try original.write(toFile: config, atomically: true, encoding: .utf8)
    let null = scenario.sandbox.path("null-home")
    try FileManager.default.createDirectory(atPath: null, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: null + "/.gitconfig", withDestinationPath: "/dev/null")
    let outcome = try BoundedRun.trustgate(
      arguments + ["--baseline-ref", "HEAD"], in: scenario.sandbox.root, environment: ["HOME": null], seconds: 60)
    XCTAssertEqual(outcome.status, 0, outcome.all)
  }

  /// A FIFO at a path trustgate writes (a `--report` file, `baseline --output`, `$GITHUB_STEP_SUMMARY`) hung the run
  /// waiting for a reader. Now a report or baseline there is exit 2 naming it, within seconds; the step summary, which
  /// only repeats the log, is said not written and the verdict stands.
  func testAFIFOWhereAReportIsWrittenIsRefusedNotWaitedOn() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\n")
    try scenario.commitAll("pins")
    let fifo = scenario.sandbox.path("fifo")
    XCTAssertEqual(mkfifo(fifo, 0o644), 0)
    let target = ["--repo", scenario.repo, "--root", Scenario.healthyRoot]
    for arguments in [
      ["check", "--annotations", "none", "--report", "text=" + fifo] + target,
      ["check", "--annotations", "none", "--report", "github-summary=" + fifo] + target,
      ["baseline", "--output", fifo] + target,
    ] {
      let outcome = try BoundedRun.trustgate(arguments, in: scenario.sandbox.root, seconds: 20)
      XCTAssertFalse(outcome.timedOut, "\(arguments): \(outcome.all)")
      XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.all)")
      XCTAssertTrue(outcome.stderr.contains("\(fifo): it is a FIFO (named pipe) nobody reads"), outcome.stderr)
    }
    let summary = try BoundedRun.trustgate(
      ["check"] + target, in: scenario.sandbox.root,
      environment: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": fifo], seconds: 20)
    XCTAssertFalse(summary.timedOut, summary.all)
    XCTAssertEqual(summary.status, 0, summary.all)
    XCTAssertTrue(summary.stdout.contains("the step summary was not written"), summary.stdout)
    // /dev/null and a pipe something reads (the process's own standard output) are still written.
    let null = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--report", "json=/dev/null"] + target, in: scenario.sandbox.root, seconds: 60)
    XCTAssertEqual(null.status, 0, null.all)
    let piped = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--quiet", "--report", "json=/dev/stdout"] + target,
      in: scenario.sandbox.root, seconds: 60)
    XCTAssertEqual(piped.status, 0, piped.all)
    XCTAssertTrue(piped.stdout.contains("\"findings\""), piped.stdout)
  }

  /// A pull request that commits a report's path (`reports/trustgate-junit.xml`, what the CI templates write) as a link
  /// to a file outside the checkout had that file truncated and replaced by the report, whose text it partly chooses;
  /// a committed `reports -> elsewhere` folder had the reports made there, and a committed baseline path as a link
  /// had `baseline` write through it. Each is now exit 2 naming the link, and nothing outside is touched.
  func testAReportOrBaselineIsNeverWrittenThroughACommittedLink() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\n")
    try scenario.sandbox.write("victim.txt", "precious\n")
    try scenario.sandbox.makeDirectory("elsewhere")
    try scenario.sandbox.makeDirectory("repo/reports")
    XCTAssertEqual(symlink(scenario.sandbox.path("victim.txt"), scenario.repo + "/reports/trustgate-junit.xml"), 0)
    XCTAssertEqual(symlink(scenario.sandbox.path("elsewhere"), scenario.repo + "/out"), 0)
    XCTAssertEqual(symlink(scenario.sandbox.path("created.json"), scenario.repo + "/baseline.json"), 0)
    try scenario.commitAll("an innocent pull request")
    let target = ["--repo", scenario.repo, "--root", Scenario.healthyRoot]
    for (arguments, link) in [
      (["check", "--annotations", "none", "--report", "junit=reports/trustgate-junit.xml"] + target,
        "reports/trustgate-junit.xml"),
      (["check", "--annotations", "none", "--report", "sarif=out/sub/trustgate.sarif"] + target, "/out"),
      (["check", "--annotations", "none", "--report", "text=" + scenario.repo + "/out/t.txt"] + target, "/out"),
      (["baseline", "--output", "baseline.json"] + target, "baseline.json"),
    ] {
      let outcome = try BoundedRun.trustgate(arguments, in: scenario.repo, seconds: 60)
      XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.all)")
      XCTAssertTrue(outcome.stderr.contains(link) && outcome.stderr.contains("symbolic link"), outcome.stderr)
    }
    XCTAssertEqual(try String(contentsOfFile: scenario.sandbox.path("victim.txt"), encoding: .utf8), "precious\n")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scenario.sandbox.path("elsewhere")), [])
    XCTAssertFalse(FileManager.default.fileExists(atPath: scenario.sandbox.path("created.json")))
    // From a subfolder, an absolute path into the repository through the committed link is refused too.
    try FileManager.default.createDirectory(atPath: scenario.repo + "/sub", withIntermediateDirectories: true)
    let fromSub = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--report", "junit=" + scenario.repo + "/out/j.xml"] + target,
      in: scenario.repo + "/sub", seconds: 60)
    XCTAssertEqual(fromSub.status, 2, fromSub.all)
    // Links that are not the checkout's are followed: one above it (`../up`), and the system's (/dev/stdout) from a
    // working folder of `/`.
    XCTAssertEqual(symlink(scenario.sandbox.path("elsewhere"), scenario.sandbox.path("up")), 0)
    let above = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--report", "junit=../up/above.xml"] + target, in: scenario.repo, seconds: 60)
    XCTAssertEqual(above.status, 0, above.all)
    XCTAssertTrue(FileManager.default.fileExists(atPath: scenario.sandbox.path("elsewhere/above.xml")))
    let fromRoot = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--quiet", "--report", "json=/dev/stdout"] + target, in: "/", seconds: 60)
    XCTAssertEqual(fromRoot.status, 0, fromRoot.all)
    XCTAssertTrue(fromRoot.stdout.contains("\"findings\""), fromRoot.all)
    // A folder that is not there yet is made; a regular file is replaced.
    let fine = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--report", "junit=new/folder/junit.xml"] + target, in: scenario.repo,
      seconds: 60)
    XCTAssertEqual(fine.status, 0, fine.all)
    XCTAssertTrue(FileManager.default.fileExists(atPath: scenario.repo + "/new/folder/junit.xml"))
  }

  /// CA files under a root the gate cannot read were passed over: a FIFO under a hash link's name in /etc/ssl/certs
  /// (on which OpenSSL's folder lookup blocks), a FIFO, an over-64-MiB file and a dangling link in
  /// /usr/local/share/ca-certificates. `check` said PASS; the readable control gave TG104. Each is now TG002, an
  /// error naming the entry.
  func testACAFileTheGateCannotReadIsAnError() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\n")
    try scenario.commitAll("pins")
    let root = scenario.sandbox.path("ca-root")
    try FileManager.default.copyItem(atPath: Scenario.healthyRoot, toPath: root)
    let anchors = root + "/usr/local/share/ca-certificates"
    try FileManager.default.createDirectory(atPath: anchors, withIntermediateDirectories: true)
    XCTAssertEqual(mkfifo(root + "/etc/ssl/certs/12345678.0", 0o644), 0)
    XCTAssertEqual(mkfifo(anchors + "/corp.crt", 0o644), 0)
    XCTAssertEqual(symlink("/nonexistent/corp.pem", anchors + "/gone.crt"), 0)
    // Sparse: 70 MB that take no disk (`truncate`, a real tool's way to make one).
    let sparse = try Shell.run(["/usr/bin/truncate", "-s", "70000000", anchors + "/huge.crt"])
    XCTAssertEqual(sparse.status, 0, sparse.output)
    let outcome = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--format", "json", "--repo", scenario.repo, "--root", root],
      in: scenario.repo, seconds: 60)
    XCTAssertFalse(outcome.timedOut, outcome.all)
    XCTAssertEqual(outcome.status, 1, outcome.all)
    let messages = try jsonFindings(outcome.stdout, rule: "TG002")
      .filter { $0["severity"] as? String == "error" }.compactMap { $0["message"] as? String }
    for expected in [
      "/etc/ssl/certs/12345678.0: a FIFO (named pipe) where a regular file is expected",
      "/usr/local/share/ca-certificates/corp.crt: a FIFO (named pipe) where a regular file is expected",
      "/usr/local/share/ca-certificates/gone.crt: dangling link: the certificate it names is gone",
      "/usr/local/share/ca-certificates/huge.crt: 70000000 bytes, more than the 67108864 bytes",
    ] {
      XCTAssertTrue(messages.contains { $0.hasPrefix(expected) }, "\(expected): \(messages)")
    }
    XCTAssertEqual(messages.count, 4, "\(messages)")
  }

  /// REQUESTS_CA_BUNDLE at a 70 MB file (sparse): trustgate reads no file over 64 MiB, so what requests and pip
  /// would trust is unknown. TG201 said it "cannot be read" with a chmod fix, and the verdicts a PermissionError or
  /// OpenSSL's "no certificate or crl found": three wrong reasons. Now each says the file is too large to judge,
  /// and the gate still fails.
  func testACABundleTooLargeToReadIsSaidToBeSo() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.32.3\n")
    let huge = scenario.sandbox.path("huge.pem")
    let sparse = try Shell.run(["/usr/bin/truncate", "-s", "70000000", huge])
    XCTAssertEqual(sparse.status, 0, sparse.output)
    let environment = ["REQUESTS_CA_BUNDLE": huge]
    let outcome = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--format", "json", "--repo", scenario.repo],
      in: scenario.repo, environment: environment, seconds: 60)
    XCTAssertEqual(outcome.status, 1, outcome.all)
    let tg201 = try jsonFindings(outcome.stdout, rule: "TG201")
    XCTAssertEqual(tg201.count, 1, outcome.stdout)
    let message = try XCTUnwrap(tg201.first?["message"] as? String)
    XCTAssertTrue(message.contains("which is over 64 MiB, more than trustgate reads"), message)
    XCTAssertTrue(message.contains("cannot be judged"), message)
    XCTAssertEqual(tg201.first?["severity"] as? String, "error")
    XCTAssertFalse(outcome.stdout.contains("chmod"), outcome.stdout)
    XCTAssertFalse(outcome.stdout.contains("PermissionError"), outcome.stdout)
    let chain = try selfSignedChain(scenario)
    let verify = try BoundedRun.trustgate(
      ["verify", "--chain", chain, "--host", "localhost", "--repo", scenario.repo, "--format", "json"],
      in: scenario.repo, environment: environment, seconds: 60)
    let items = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [[String: Any]], verify.all)
    let requests = try XCTUnwrap(items.first { $0["client"] as? String == "requests" }, verify.stdout)
    XCTAssertEqual(requests["verifies"] as? Bool, false, "\(requests)")
    let error = requests["error"] as? String ?? ""
    XCTAssertTrue(error.contains("is over 64 MiB, more than trustgate reads"), error)
  }

  /// REQUESTS_CA_BUNDLE at a FIFO: it exists, so the real requests opens it and blocks (killed here after 8 s: a
  /// CI job would hang until its timeout). trustgate gave requests' "invalid path" message, the one for a path that
  /// does not exist; now TG201, the effective trust and the verdict say the client blocks, without reading the FIFO.
  func testACABundleThatIsAFIFOIsSaidToBlockTheClient() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.32.3\n")
    let fifo = scenario.sandbox.path("bundle.pem")
    XCTAssertEqual(mkfifo(fifo, 0o644), 0)
    let venv = try RealVenvVerificationTests.venv("3.11")
    let real = try BoundedRun.run(
      [venv + "/bin/python", "-c",
       "import requests, socket\nlistener = socket.create_server(('127.0.0.1', 0))\n"
         + "requests.get('https://127.0.0.1:%d/' % listener.getsockname()[1], timeout=3)"],
      in: scenario.sandbox.root, environment: ["REQUESTS_CA_BUNDLE": fifo], seconds: 8)
    XCTAssertTrue(real.timedOut, "the real requests did not block on the FIFO: \(real.all)")
    let outcome = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--format", "json", "--repo", scenario.repo],
      in: scenario.repo, environment: ["REQUESTS_CA_BUNDLE": fifo], seconds: 60)
    XCTAssertFalse(outcome.timedOut, outcome.all)
    XCTAssertEqual(outcome.status, 1, outcome.all)
    let tg201 = try jsonFindings(outcome.stdout, rule: "TG201").compactMap { $0["message"] as? String }
    XCTAssertTrue(tg201.contains { $0.contains("a FIFO (named pipe) its readers block on") }, "\(tg201)")
    let tg207 = try jsonFindings(outcome.stdout, rule: "TG207").compactMap { $0["message"] as? String }
    XCTAssertFalse(tg207.contains { $0.contains("invalid path") }, "\(tg207)")
    XCTAssertTrue(
      tg207.contains {
        $0.hasPrefix("requests ")
          && $0.contains("REQUESTS_CA_BUNDLE \(fifo) is a FIFO (named pipe): the client opens it")
      },
      "\(tg207)")
    let chain = try selfSignedChain(scenario)
    let verify = try BoundedRun.trustgate(
      ["verify", "--chain", chain, "--host", "localhost", "--repo", scenario.repo, "--format", "json"],
      in: scenario.repo, environment: ["REQUESTS_CA_BUNDLE": fifo], seconds: 60)
    XCTAssertFalse(verify.timedOut, verify.all)
    let items = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [[String: Any]], verify.all)
    let requests = try XCTUnwrap(items.first { $0["client"] as? String == "requests" }, verify.stdout)
    XCTAssertEqual(requests["verifies"] as? Bool, false, "\(requests)")
    let error = requests["error"] as? String ?? ""
    XCTAssertTrue(error.contains("is a FIFO (named pipe): the client opens it and blocks"), error)
    // SSL_CERT_DIR at a FIFO: OpenSSL 3's default paths open it as a store URI, and Python blocks
    // (`ssl.create_default_context()`); trustgate said python-ssl goes on without it, and passed.
    let stdlib = try BoundedRun.run(
      [venv + "/bin/python", "-c", "import ssl\nssl.create_default_context()"], in: scenario.sandbox.root,
      environment: ["SSL_CERT_DIR": fifo], seconds: 8)
    XCTAssertTrue(stdlib.timedOut, "the real Python did not block on the FIFO: \(stdlib.all)")
    let folder = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--format", "json", "--repo", scenario.repo],
      in: scenario.repo, environment: ["SSL_CERT_DIR": fifo], seconds: 60)
    XCTAssertEqual(folder.status, 1, folder.all)
    let blocked = try jsonFindings(folder.stdout, rule: "TG207").compactMap { $0["message"] as? String }
    XCTAssertTrue(
      blocked.contains { $0.hasPrefix("python-ssl") && $0.contains("SSL_CERT_DIR \(fifo) is a FIFO (named pipe)") },
      "\(blocked)")
    // /dev/null (a device that reads as empty) is no FIFO: OpenSSL's default paths skip it and go on to the folder.
    let null = try BoundedRun.trustgate(
      ["verify", "--chain", chain, "--host", "localhost", "--repo", scenario.repo, "--format", "json"],
      in: scenario.repo, environment: ["SSL_CERT_FILE": "/dev/null"], seconds: 60)
    let nullItems = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(null.stdout.utf8)) as? [[String: Any]], null.all)
    let curl = try XCTUnwrap(nullItems.first { $0["client"] as? String == "openssl" }, null.stdout)
    XCTAssertFalse((curl["error"] as? String ?? "").contains("blocks"), "\(curl)")
  }

  /// pip.conf's `cert` at a FIFO (pip opens it and blocks, as requests does with REQUESTS_CA_BUNDLE above), at a
  /// file over 64 MiB, or at nothing (pip: "Could not find a suitable TLS CA certificate bundle, invalid path"):
  /// pip's trust was "unknown" in each, and `check` passed where no private root made TG801 fail. Each is now TG207.
  func testACAFileNamedByPipConfIsJudgedAsPipFindsIt() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.32.3\n")
    let fifo = scenario.sandbox.path("fifo.pem")
    XCTAssertEqual(mkfifo(fifo, 0o644), 0)
    let big = scenario.sandbox.path("big.pem")
    XCTAssertEqual(try Shell.run(["/usr/bin/truncate", "-s", "70000000", big]).status, 0)
    let cells = [
      (fifo, "pip.conf cert \(fifo) is a FIFO (named pipe): the client opens it and blocks"),
      (big, "pip.conf cert \(big) is over 64 MiB, more than trustgate reads: the roots in it cannot be judged"),
      (scenario.sandbox.path("gone.pem"), "Could not find a suitable TLS CA certificate bundle, invalid path"),
    ]
    for (path, expected) in cells {
      try scenario.sandbox.write("pip.conf", "[global]\ncert = \(path)\n")
      let outcome = try BoundedRun.trustgate(
        ["check", "--annotations", "none", "--format", "json", "--repo", scenario.repo], in: scenario.repo,
        environment: ["PIP_CONFIG_FILE": scenario.sandbox.path("pip.conf")], seconds: 60)
      XCTAssertFalse(outcome.timedOut, outcome.all)
      XCTAssertEqual(outcome.status, 1, outcome.all)
      let pip = try jsonFindings(outcome.stdout, rule: "TG207").compactMap { $0["message"] as? String }
        .filter { $0.hasPrefix("pip ") }
      XCTAssertTrue(pip.contains { $0.contains(expected) }, "\(path): \(pip)")
    }
  }

  /// `check --baseline NAME` reads a relative NAME in the working folder when it is a regular file there, else in the
  /// repository: a FIFO named from the working folder was looked for in the repository ("no such file"), and a name
  /// in neither did not say where it was looked for.
  func testARelativeBaselineIsLookedForInTheWorkingFolderFirst() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.32.3\n")
    XCTAssertEqual(mkfifo(scenario.sandbox.path("here.json"), 0o644), 0)
    let fifo = try BoundedRun.trustgate(
      ["check", "--repo", scenario.repo, "--baseline", "here.json"], in: scenario.sandbox.root, seconds: 60)
    XCTAssertFalse(fifo.timedOut, fifo.all)
    XCTAssertEqual(fifo.status, 2, fifo.all)
    XCTAssertTrue(fifo.stderr.contains("here.json: a FIFO (named pipe) where a regular file is expected"), fifo.stderr)
    let gone = try BoundedRun.trustgate(
      ["check", "--repo", scenario.repo, "--baseline", "gone.json"], in: scenario.sandbox.root, seconds: 60)
    XCTAssertEqual(gone.status, 2, gone.all)
    XCTAssertTrue(
      gone.stderr.contains("baseline gone.json: no such file or directory (in neither the working folder nor the "
        + "repository, \(scenario.repo))"), gone.stderr)
  }

  /// `verify`'s text put a path's line end and carriage return into its output raw: a folder named
  /// `n<LF>ok    curl<CR>ok    git` made lines that pass for verdicts of clients that refuse the chain. Each value is
  /// now escaped in its line.
  func testVerifyTextKeepsALineEndOfAPathInItsLine() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.32.3\n")
    let folder = scenario.sandbox.path("n\nok    curl\rok    git")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let chain = try selfSignedChain(scenario)
    let verify = try BoundedRun.trustgate(
      ["verify", "--chain", chain, "--host", "localhost", "--repo", scenario.repo],
      in: scenario.repo, environment: ["SSL_CERT_FILE": folder + "/bundle.pem", "CURL_CA_BUNDLE": folder + "/b.pem"],
      seconds: 60)
    XCTAssertEqual(verify.status, 1, verify.all)
    let lines = verify.stdout.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" }
    XCTAssertFalse(lines.contains { $0.hasPrefix("ok ") }, verify.stdout)
    XCTAssertTrue(verify.stdout.contains("n\\nok    curl\\rok    git"), verify.stdout)
  }

  /// Something at `.trustgate/baseline.json` that cannot be read (a FIFO, a dangling link, a folder) was taken as no
  /// baseline: `check` fell back to git's lockfiles and passed; a link to a file outside the repository was read, which
  /// the policy's `baseline:` refuses. Each is now exit 2 naming the path; with nothing there, git's lockfiles are
  /// still the baseline.
  func testARecordedBaselineThatCannotBeReadIsAnError() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\n")
    try scenario.commitAll("pins")
    try scenario.sandbox.write("outside.json", "{}\n")
    let path = scenario.repo + "/.trustgate/baseline.json"
    try FileManager.default.createDirectory(atPath: scenario.repo + "/.trustgate", withIntermediateDirectories: true)
    let cases: [(String, () -> Void, String)] = [
      ("FIFO", { _ = mkfifo(path, 0o644) }, "a FIFO (named pipe)"),
      ("dangling", { _ = symlink("nowhere.json", path) }, "which does not exist"),
      ("folder", { _ = mkdir(path, 0o755) }, "is a directory"),
      ("outside", { _ = symlink(scenario.sandbox.path("outside.json"), path) }, "leads out of the repository"),
    ]
    let arguments = ["check", "--annotations", "none", "--repo", scenario.repo, "--root", Scenario.healthyRoot]
    for (name, make, expected) in cases {
      try? FileManager.default.removeItem(atPath: path)
      make()
      let outcome = try BoundedRun.trustgate(arguments, in: scenario.repo, seconds: 60)
      XCTAssertFalse(outcome.timedOut, "\(name): \(outcome.all)")
      XCTAssertEqual(outcome.status, 2, "\(name): \(outcome.all)")
      XCTAssertTrue(
        outcome.stderr.contains(".trustgate/baseline.json") && outcome.stderr.contains(expected),
        "\(name): \(outcome.stderr)")
    }
    try FileManager.default.removeItem(atPath: path)
    let none = try BoundedRun.trustgate(arguments, in: scenario.repo, seconds: 60)
    XCTAssertEqual(none.status, 0, none.all)
    XCTAssertTrue(none.stdout.contains("baseline: git ref HEAD"), none.stdout)
  }

  /// A git ref whose tree nests one folder 20,000 deep (1.3 MB of objects, `git fast-import`): the walk of that tree
  /// built each level's path from the root, quadratic in time and memory (this debug build: over 60 s, stopped). The
  /// walk at a ref now stops where the working tree's does (64 levels) and says so: a TG002 warning at the baseline.
  func testADeepTreeAtARefIsWalkedAsDeepAsTheWorkingTree() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "httpx==0.27.2\n")
    try scenario.commitAll("pins")
    let script = """
      set -eu
      cd "$1"
      deep=$(printf 'd/%.0s' $(seq 20000))
      {
        printf 'commit refs/heads/deep\\ncommitter a <a@b> 0 +0000\\ndata 4\\ndeep\\n'
        printf 'M 100644 inline %srequirements.txt\\ndata 14\\nhttpx==0.27.2\\n\\n' "$deep"
      } | git fast-import --quiet
      """
    let made = try Shell.run(["/bin/bash", "-c", script, "sh", scenario.repo])
    XCTAssertEqual(made.status, 0, made.output)
    let outcome = try BoundedRun.trustgate(
      ["check", "--annotations", "none", "--format", "json", "--baseline-ref", "deep", "--repo", scenario.repo,
       "--root", Scenario.healthyRoot],
      in: scenario.repo, seconds: 20)
    XCTAssertFalse(outcome.timedOut, "check --baseline-ref of a 20,000-deep tree ran past 20 s")
    let deep = try jsonFindings(outcome.stdout, rule: "TG002").filter {
      ($0["message"] as? String)?.contains("folder more than 64 levels deep") == true
    }
    XCTAssertEqual(deep.count, 1, outcome.stdout)
    XCTAssertEqual(deep.first?["severity"] as? String, "warning")
  }

  /// A client's configuration file that is there but cannot be read was passed over in silence: a FIFO at
  /// PIP_CONFIG_FILE (on which the real pip hangs) or UV_CONFIG_FILE, a `.mvn/jvm.config` over 1 MiB (which Maven
  /// reads whole, and whose `-Djavax.net.ssl.trustStore` then went unseen). Each is now TG002, an error naming the
  /// file; a missing one, which the clients pass over too, is not.
  func testAClientConfigurationFileThatCannotBeReadIsAnError() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\n")
    try scenario.commitAll("pins")
    let fifo = scenario.sandbox.path("settings-fifo")
    XCTAssertEqual(mkfifo(fifo, 0o644), 0)
    func tg002(_ environment: [String: String]) throws -> [String] {
      let outcome = try BoundedRun.trustgate(
        ["check", "--annotations", "none", "--format", "json", "--repo", scenario.repo], in: scenario.repo,
        environment: environment, seconds: 60)
      XCTAssertFalse(outcome.timedOut, outcome.all)
      return try jsonFindings(outcome.stdout, rule: "TG002")
        .filter { $0["severity"] as? String == "error" }.compactMap { $0["message"] as? String }
    }
    for variable in ["PIP_CONFIG_FILE", "UV_CONFIG_FILE"] {
      let found = try tg002([variable: fifo])
      XCTAssertEqual(found.count, 1, "\(variable): \(found)")
      XCTAssertTrue(found.first?.contains("\(fifo): a client's configuration file that cannot be read") == true)
    }
    XCTAssertEqual(try tg002(["PIP_CONFIG_FILE": scenario.sandbox.path("no-such.conf")]), [])
    // A FIFO at .curlrc: the real curl opens it and hangs (killed here); it was passed over as if missing.
    let curlHome = scenario.sandbox.path("curl-home")
    try FileManager.default.createDirectory(atPath: curlHome, withIntermediateDirectories: true)
    XCTAssertEqual(mkfifo(curlHome + "/.curlrc", 0o644), 0)
    let curl = try BoundedRun.run(
      ["/usr/bin/curl", "-sS", "-o", "/dev/null", "http://127.0.0.1:9/"], in: scenario.sandbox.root,
      environment: ["CURL_HOME": curlHome], seconds: 5)
    XCTAssertTrue(curl.timedOut, "the real curl did not block on the FIFO: \(curl.all)")
    let curlrc = try tg002(["CURL_HOME": curlHome])
    XCTAssertEqual(curlrc.count, 1, "\(curlrc)")
    XCTAssertTrue(
      curlrc.first?.contains(curlHome + "/.curlrc: a client's configuration file that cannot be read") == true,
      "\(curlrc)")
    var big = String(repeating: "-Dpad=" + String(repeating: "A", count: 1000) + "\n", count: 1100)
    big += "-Djavax.net.ssl.trustStore=/tmp/elsewhere.jks\n"
    try scenario.write(".mvn/jvm.config", big)
    let found = try tg002([:])
    XCTAssertEqual(found.count, 1, "\(found)")
    XCTAssertTrue(found.first?.contains(".mvn/jvm.config") == true, "\(found)")
    XCTAssertTrue(found.first?.contains("bytes, more than the 1048576 bytes") == true, "\(found)")
  }

  /// A 5,000-character path in a trust variable was echoed whole inside sentences (the problem, the trust note, the
  /// TG201/TG202/TG801 messages: lines of 2,000 characters and more). Each echo is now cut at about 200 characters.
  func testALongVariableValueIsEchoedCut() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\n")
    try scenario.commitAll("pins")
    let long = "/tmp/" + String(repeating: "a", count: 5_000) + ".pem"
    for command in [["inspect"], ["check", "--annotations", "none"]] {
      let outcome = try BoundedRun.trustgate(
        command + ["--repo", scenario.repo], in: scenario.repo,
        environment: ["NODE_EXTRA_CA_CERTS": long, "SSL_CERT_FILE": long], seconds: 60)
      XCTAssertLessThan(outcome.status, 2, outcome.all)
      XCTAssertTrue(outcome.stdout.contains("aaaa…"), "\(command): the value was echoed, cut")
      for line in outcome.stdout.split(separator: "\n") {
        XCTAssertLessThan(line.count, 700, "\(command): \(line.prefix(300))")
      }
    }
  }

  /// `requests==2.18446744073709551647` wrapped to 2.31 and hid the 2.31 → 2.32 crossing; `2.9223372036854775808`
  /// wrapped negative and 2.33.0 → it was called a downgrade crossing 2.32. Release numbers compare as digit strings.
  func testHugeReleaseNumbersCompareAsDigitStrings() throws {
    let scenario = try Scenario()
    try scenario.write("requirements.txt", "requests==2.31.0\n")
    try scenario.commitAll("baseline")
    try scenario.write("requirements.txt", "requests==2.18446744073709551647\n")
    try scenario.commitAll("candidate")
    _ = try scenario.check(["--baseline-ref", "HEAD~1"])
    let crossing = try scenario.reports.jsonFindings().filter { ($0["ruleID"] as? String) == "TG301" }
    let messages = crossing.compactMap { $0["message"] as? String }
    // requests' boundaries are 2.28.0, 2.32.0 and 2.32.5: the last two lie between 2.31.0 and 2.18446744073709551647.
    let crossed = messages.filter { $0.contains("crosses 2.32.0:") || $0.contains("crosses 2.32.5:") }
    XCTAssertEqual(crossed.count, 2, "\(messages)")
    let upgrade = "requests upgraded 2.31.0 → 2.18446744073709551647"
    XCTAssertTrue(messages.allSatisfy { $0.hasPrefix(upgrade) }, "\(messages)")

    try scenario.write("requirements.txt", "requests==2.33.0\n")
    try scenario.commitAll("baseline 2")
    try scenario.write("requirements.txt", "requests==2.9223372036854775808\n")
    try scenario.commitAll("candidate 2")
    _ = try scenario.check(["--baseline-ref", "HEAD~1"])
    let findings = try scenario.reports.jsonFindings()
    XCTAssertEqual(findings.filter { ($0["ruleID"] as? String) == "TG301" }.count, 0, "\(findings)")
    XCTAssertFalse(try textFile(scenario.reports.json).contains("downgraded"))
  }

  /// An all-digit proxy password with no host, a password where the port goes, and URL credentials in
  /// `REQUESTS_CA_BUNDLE` reach no output of `inspect` (text, json) or `check` (text on stdout, every report, GitHub
  /// and Azure annotations).
  func testSecretsReachNoOutput() throws {
    let secrets = ["123456", "654321", "s3cr3tpw"]
    let scenario = try Scenario()
    let envFile = try scenario.envFile([
      "HTTPS_PROXY": "http://user:123456@",
      "HTTP_PROXY": "http://user:654321",
      "REQUESTS_CA_BUNDLE": "https://user:s3cr3tpw@host.example/ca.pem",
    ])
    var outputs: [String: String] = [:]
    for format in ["text", "json"] {
      let outcome = try BoundedRun.trustgate(
        [
          "inspect", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--env-file", envFile, "--format", format,
        ],
        in: scenario.sandbox.root, seconds: 60)
      XCTAssertEqual(outcome.status, 0, outcome.all)
      outputs["inspect \(format)"] = outcome.all
    }
    let json = outputs["inspect json"] ?? ""
    XCTAssertTrue(json.contains("https://***@host.example/ca.pem"), json)
    for (annotations, variables) in [("github", ["GITHUB_ACTIONS": "true"]), ("azure", ["TF_BUILD": "True"])] {
      for path in scenario.reports.paths { try? FileManager.default.removeItem(atPath: path) }
      let text = scenario.sandbox.path("reports/report.txt")
      let summary = scenario.sandbox.path("reports/summary.md")
      try? FileManager.default.removeItem(atPath: summary)
      let outcome = try BoundedRun.trustgate(
        [
          "check", "--repo", scenario.repo, "--root", Scenario.healthyRoot, "--env-file", envFile,
          "--annotations", annotations, "--report", "text=\(text)", "--report", "github-summary=\(summary)",
        ]
          + scenario.reports.arguments,
        in: scenario.sandbox.root, environment: variables, seconds: 60)
      XCTAssertNotEqual(outcome.status, 2, outcome.all)
      outputs["check \(annotations)"] = outcome.all
      for path in scenario.reports.paths + [text, summary] {
        outputs["\(annotations) \(path)"] = try textFile(path)
      }
    }
    XCTAssertEqual(outputs.count, 2 + 2 * 9)
    for (name, output) in outputs {
      XCTAssertFalse(output.isEmpty, name)
      for secret in secrets { XCTAssertFalse(output.contains(secret), "\(name) echoes \(secret):\n\(output)") }
    }
  }
}

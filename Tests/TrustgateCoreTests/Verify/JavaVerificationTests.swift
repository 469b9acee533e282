import Foundation
import XCTest

@testable import TrustgateCore

/// Java as a client, cell by cell against the real JVM (`HttpsURLConnection` from a one-class probe, the default SSL
/// context Maven and Gradle use) on `openssl s_server`: the store is `javax.net.ssl.trustStore` (set through
/// JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS or _JAVA_OPTIONS, the last one winning) when it is a file, else `jssecacerts`
/// under `java.home` (only while the property is unset), else `cacerts` there; JKS or PKCS #12 (only entries with
/// Oracle's trustedKeyUsage attribute; encrypted safes need the password); a store Java cannot load stops every
/// handshake. SSL_CERT_FILE and the OS bundle are never read. Before, Java was not a client: "PKIX path building
/// failed" in Maven or Gradle had no verdict at all.
final class JavaVerificationTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!
  var port = 0
  var java = ""
  var keytool = ""

  override func setUpWithError() throws {
    java = try XCTUnwrap(Self.realJava, "a JDK is needed (Debian: openjdk-17-jdk-headless)")
    let bin = (java as NSString).deletingLastPathComponent
    keytool = bin + "/keytool"
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    try scratch.write("repo/requirements.txt", "requests==2.32.3\n")
    try scratch.write("probe/Probe.java", Self.probe)
    let javac = try Shell.run([bin + "/javac", "-d", scratch.path + "/probe", scratch.path + "/probe/Probe.java"])
    XCTAssertEqual(javac.status, 0, javac.output)
    // Stores made by keytool (JKS, and PKCS #12 whose certificates keytool encrypts) and by openssl (PKCS #12
    // without Oracle's attribute), with the root, with the intermediate alone, and with another root.
    try keyStore("root.jks", type: "JKS", certificate: pki.file("root.pem"))
    try keyStore("root.p12", type: "PKCS12", certificate: pki.file("root.pem"))
    try keyStore("passwordless.p12", type: "PKCS12", certificate: pki.file("root.pem"), passwordless: true)
    try keyStore("inter.jks", type: "JKS", certificate: pki.file("inter.pem"))
    try keyStore("other.jks", type: "JKS", certificate: pki.file("noku.pem"))
    let exported = try Shell.run(
      [try XCTUnwrap(Shell.which("openssl")), "pkcs12", "-export", "-nokeys", "-in", pki.file("root.pem"),
       "-out", scratch.path + "/openssl-root.p12", "-passout", "pass:changeit"])
    XCTAssertEqual(exported.status, 0, exported.output)
    // The server's own key and certificate as a key entry (Java trusts a key entry's first certificate), in
    // PKCS #12 from openssl and in JKS from keytool.
    let keyEntry = try Shell.run(
      [try XCTUnwrap(Shell.which("openssl")), "pkcs12", "-export", "-inkey", pki.file("leaf.key"), "-in",
       pki.file("leaf.pem"), "-name", "server", "-out", scratch.path + "/server-key.p12", "-passout", "pass:changeit"])
    XCTAssertEqual(keyEntry.status, 0, keyEntry.output)
    let converted = try Shell.run(
      [keytool, "-importkeystore", "-noprompt", "-srckeystore", scratch.path + "/server-key.p12", "-srcstoretype",
       "PKCS12", "-srcstorepass", "changeit", "-destkeystore", scratch.path + "/server-key.jks", "-deststoretype",
       "JKS", "-deststorepass", "changeit"])
    XCTAssertEqual(converted.status, 0, converted.output)
    try FileManager.default.createDirectory(atPath: scratch.path + "/a-folder", withIntermediateDirectories: true)
    servers = LocalServers()
    port = try servers.serveChain(of: pki, www: true)
  }

  override func tearDown() {
    servers?.stopAll()
  }

  /// The JDK `java` on PATH leads to (Debian's alternatives link), its real path.
  static var realJava: String? {
    Shell.which("java").map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
  }

  static let probe = """
    import java.net.URL;
    import javax.net.ssl.HttpsURLConnection;

    public class Probe {
      public static void main(String[] args) {
        try {
          HttpsURLConnection connection = (HttpsURLConnection) new URL(args[0]).openConnection();
          connection.setConnectTimeout(10000);
          connection.setReadTimeout(10000);
          connection.getResponseCode();
          System.out.println("accepted");
        } catch (Throwable error) {
          Throwable cause = error;
          while (cause.getCause() != null) cause = cause.getCause();
          System.out.println("refused: " + cause);
        }
      }
    }
    """

  /// `passwordless`: as the JDK's own cacerts is written since JDK 18 (no certificate encryption, no MAC).
  func keyStore(_ name: String, type: String, certificate: String, passwordless: Bool = false) throws {
    let flags = passwordless
      ? ["-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE", "-J-Dkeystore.pkcs12.macAlgorithm=NONE"] : []
    let made = try Shell.run(
      [keytool] + flags + ["-importcert", "-noprompt", "-alias", "corporate", "-file", certificate, "-keystore",
       scratch.path + "/" + name, "-storetype", type, "-storepass", "changeit"])
    XCTAssertEqual(made.status, 0, made.output)
  }

  /// A JDK whose `java.home` is a folder of the scratch: hard links to the installed JDK's files in folders of its
  /// own, so its `lib/security` can hold the cells' `cacerts` and `jssecacerts` without touching the installed one.
  func privateJDK(cacerts: String?, jssecacerts: String?) throws -> String {
    let installed = ((java as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
    let home = scratch.path + "/jdk-\(UUID().uuidString.prefix(8))"
    let copied = try Shell.run(["/bin/cp", "-al", installed, home])
    guard copied.status == 0 else { throw XCTSkip("cannot link the JDK into the scratch folder: \(copied.output)") }
    let security = home + "/lib/security/"
    try? FileManager.default.removeItem(atPath: security + "cacerts")
    if let cacerts {
      try FileManager.default.copyItem(atPath: scratch.path + "/" + cacerts, toPath: security + "cacerts")
    }
    if let jssecacerts {
      try FileManager.default.copyItem(atPath: scratch.path + "/" + jssecacerts, toPath: security + "jssecacerts")
    }
    return home
  }

  /// What the real JVM does; `home` runs that JDK's `java` (as Maven does with JAVA_HOME).
  func realJava(_ environment: [String: String], home: String? = nil) throws -> String {
    let program = home.map { $0 + "/bin/java" } ?? java
    let result = try Shell.run(
      [program, "-cp", scratch.path + "/probe", "Probe", "https://localhost:\(port)/"],
      environment: environment.merging(["PATH": "/usr/bin:/bin", "HOME": scratch.path]) { $1 })
    let answer = result.output.split(separator: "\n").last { $0 == "accepted" || $0.hasPrefix("refused") }
    return answer.map(String.init) ?? result.output
  }

  /// trustgate's verdict for java on the server's chain, with the same variables.
  func verdict(_ environment: [String: String]) throws -> [String: Any] {
    let run = try CLI.run(
      ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/repo",
       "--format", "json"],
      in: scratch.path, environment: environment)
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    return try XCTUnwrap(items.first { $0["client"] as? String == "java" }, "no verdict for java: \(run.stdout)")
  }

  func bytes(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/" + name)))
  }

  func options(_ store: String, password: String? = nil) -> String {
    "-Djavax.net.ssl.trustStore=" + (store.hasPrefix("/") ? store : scratch.path + "/" + store)
      + (password.map { " -Djavax.net.ssl.trustStorePassword=" + $0 } ?? "")
  }

  func testEachCellIsWhatTheRealJavaDoes() throws {
    let cells: [(name: String, env: [String: String], accepted: Bool)] = [
      ("the JDK's cacerts (Debian's, from the OS roots)", [:], false),
      ("SSL_CERT_FILE at the root: Java never reads it", ["SSL_CERT_FILE": pki.file("root.pem")], false),
      ("a JKS store with the root", ["JAVA_TOOL_OPTIONS": options("root.jks")], true),
      ("a JKS store and its password", ["JAVA_TOOL_OPTIONS": options("root.jks", password: "changeit")], true),
      ("a JKS store and a wrong password", ["JAVA_TOOL_OPTIONS": options("root.jks", password: "wrong")], false),
      ("keytool's PKCS #12 without its password", ["JAVA_TOOL_OPTIONS": options("root.p12")], false),
      ("keytool's PKCS #12 and its password", ["JAVA_TOOL_OPTIONS": options("root.p12", password: "changeit")], true),
      ("a passwordless PKCS #12 (as the JDK's own cacerts)", ["JAVA_TOOL_OPTIONS": options("passwordless.p12")], true),
      ("keytool's PKCS #12, a wrong password", ["JAVA_TOOL_OPTIONS": options("root.p12", password: "nope")], false),
      (
        "openssl's PKCS #12: no trustedKeyUsage, no trusted entry",
        ["JAVA_TOOL_OPTIONS": options("openssl-root.p12", password: "changeit")], false
      ),
      ("a PEM file as the store", ["JAVA_TOOL_OPTIONS": options(pki.file("root.pem"))], false),
      ("a store that is missing: cacerts", ["JAVA_TOOL_OPTIONS": options("gone.jks")], false),
      ("a folder as the store: cacerts", ["JAVA_TOOL_OPTIONS": options("a-folder")], false),
      ("the intermediate alone is an anchor", ["JAVA_TOOL_OPTIONS": options("inter.jks")], true),
      (
        "a key entry's own certificate (PKCS #12 and its password)",
        ["JAVA_TOOL_OPTIONS": options("server-key.p12", password: "changeit")], true
      ),
      ("a key entry's own certificate (JKS)", ["JAVA_TOOL_OPTIONS": options("server-key.jks")], true),
      ("a PKCS #12 key entry without its password", ["JAVA_TOOL_OPTIONS": options("server-key.p12")], false),
      ("another root only", ["JAVA_TOOL_OPTIONS": options("other.jks")], false),
      ("JDK_JAVA_OPTIONS", ["JDK_JAVA_OPTIONS": options("root.jks")], true),
      (
        "JDK_JAVA_OPTIONS beats JAVA_TOOL_OPTIONS",
        ["JAVA_TOOL_OPTIONS": options("other.jks"), "JDK_JAVA_OPTIONS": options("root.jks")], true
      ),
      (
        "_JAVA_OPTIONS beats both",
        ["JAVA_TOOL_OPTIONS": options("root.jks"), "_JAVA_OPTIONS": options("other.jks")], false
      ),
      ("an unmatched quote stops the JVM", ["JAVA_TOOL_OPTIONS": options("root.jks") + " '-Dx=a"], false),
      ("an unmatched quote in JDK_JAVA_OPTIONS", ["JDK_JAVA_OPTIONS": options("root.jks") + " \"-Dx"], false),
      ("a no-break space is no separator", ["JAVA_TOOL_OPTIONS": options("root.jks") + "\u{a0}-Dy=1"], false),
      (
        "a quoted value with a space",
        ["JAVA_TOOL_OPTIONS": "-Xss1m '-Djavax.net.ssl.trustStore=\(scratch.path)/root.jks'"], true
      ),
    ]
    // Other JDKs installed here (this machine's Eclipse Temurin 25) must do the same in every cell.
    let others = ["/usr/lib/jvm/temurin-25-jdk-amd64"].filter {
      FileManager.default.isExecutableFile(atPath: $0 + "/bin/java")
    }
    for cell in cells {
      let real = try realJava(cell.env)
      XCTAssertEqual(real == "accepted", cell.accepted, "\(cell.name): the real java said \(real)")
      for home in others {
        let other = try realJava(cell.env, home: home)
        XCTAssertEqual(other == "accepted", cell.accepted, "\(cell.name): \(home)'s java said \(other)")
      }
      let ours = try verdict(cell.env)
      XCTAssertEqual(ours["verifies"] as? Bool, cell.accepted, "\(cell.name): \(ours)")
    }
    // What it loaded, and what it says of a store Java cannot load.
    let sources = try verdict(["JAVA_TOOL_OPTIONS": options("root.jks")])["sources"] as? [String] ?? []
    XCTAssertEqual(
      sources.first, "javax.net.ssl.trustStore \(scratch.path)/root.jks (JKS keystore: 1 trusted certificate)")
    let refused = try verdict(["JAVA_TOOL_OPTIONS": options("root.jks", password: "wrong")])
    XCTAssertTrue(
      "\(refused)".contains("Keystore was tampered with, or password was incorrect"), "\(refused)")
    let stopped = try verdict(["_JAVA_OPTIONS": "'-Dx"])
    XCTAssertEqual(
      stopped["error"] as? String, "Unmatched quote in _JAVA_OPTIONS; Error: Could not create the Java Virtual Machine.")
  }

  /// The defaults under `java.home`: cacerts, and jssecacerts before it while no trustStore is named.
  func testTheJDKsOwnStoresAsTheRealJavaReadsThem() throws {
    let cells: [(name: String, cacerts: String?, jssecacerts: String?, env: [String: String], accepted: Bool)] = [
      ("cacerts with the root", "root.jks", nil, [:], true),
      ("cacerts as PKCS #12 without a password", "root.p12", nil, [:], false),
      ("jssecacerts before cacerts", "other.jks", "root.jks", [:], true),
      ("jssecacerts wins over cacerts", "root.jks", "other.jks", [:], false),
      ("a missing trustStore goes to cacerts", "root.jks", nil, ["JAVA_TOOL_OPTIONS": options("gone.jks")], true),
      (
        "a missing trustStore skips jssecacerts", "other.jks", "root.jks",
        ["JAVA_TOOL_OPTIONS": options("gone.jks")], false
      ),
      ("no cacerts at all: no anchor", nil, nil, [:], false),
      ("trustStore=NONE: no anchor", "root.jks", nil, ["JAVA_TOOL_OPTIONS": "-Djavax.net.ssl.trustStore=NONE"], false),
    ]
    for cell in cells {
      let home = try privateJDK(cacerts: cell.cacerts, jssecacerts: cell.jssecacerts)
      let real = try realJava(cell.env, home: home)
      XCTAssertEqual(real == "accepted", cell.accepted, "\(cell.name): the real java said \(real)")
      let ours = try verdict(cell.env.merging(["JAVA_HOME": home]) { $1 })
      XCTAssertEqual(ours["verifies"] as? Bool, cell.accepted, "\(cell.name): \(ours)")
    }
  }

  /// Without any verification target, `check` judges the store Java would load from the configuration alone: a store
  /// Java refuses or one with no entry it trusts is TG207 with the reason, a working one is not; the password given
  /// to Java is never printed.
  func testCheckNamesAStoreJavaCannotUse() throws {
    let secret = "S3cret-Keystore-Pass"
    // A sparse 17 MiB file: more than trustgate reads of a keystore, and said so (never passed over).
    let huge = try Shell.run(["/usr/bin/truncate", "-s", "17M", scratch.path + "/huge.jks"])
    XCTAssertEqual(huge.status, 0, huge.output)
    let cells: [(name: String, options: String, broken: String?)] = [
      ("a store of 17 MiB", options("huge.jks"), "more than the 16 MiB trustgate reads of a keystore"),
      ("a JKS store with the root", options("root.jks", password: "changeit"), nil),
      ("a wrong password", options("root.jks", password: secret), "Keystore was tampered with"),
      ("a PEM file", options(pki.file("root.pem")), "neither a JKS nor a PKCS #12 keystore"),
      ("openssl's PKCS #12", options("openssl-root.p12", password: "changeit"), "holds no entry Java trusts"),
      ("keytool's PKCS #12 without its password", options("root.p12"), "holds no entry Java trusts"),
    ]
    for cell in cells {
      for command in [["check", "--format", "json"], ["inspect"]] {
        let run = try CLI.run(
          command + ["--repo", scratch.path + "/repo"], in: scratch.path,
          environment: ["JAVA_TOOL_OPTIONS": cell.options])
        XCTAssertFalse(run.all.contains(secret), "\(cell.name): the password was printed: \(run.all)")
        guard command[0] == "check" else {
          let line = run.stdout.split(separator: "\n").first { $0.hasPrefix("trust") && $0.contains(" java → ") }
          XCTAssertEqual(line?.contains("[broken]"), cell.broken != nil, "\(cell.name): \(run.stdout)")
          continue
        }
        let report = try XCTUnwrap(
          JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.all)
        let findings = (report["findings"] as? [[String: Any]] ?? []).filter {
          $0["ruleID"] as? String == "TG207" && ($0["message"] as? String ?? "").hasPrefix("java ")
        }
        if let broken = cell.broken {
          XCTAssertEqual(findings.count, 1, "\(cell.name): \(run.stdout)")
          XCTAssertTrue((findings.first?["message"] as? String ?? "").contains(broken), "\(cell.name): \(findings)")
        } else {
          XCTAssertEqual(findings.count, 0, "\(cell.name): \(findings)")
        }
      }
    }
  }

  /// A tree's JDK (`--root`), found where its links lead inside the tree: Debian's `/usr/bin/java` through
  /// `/etc/alternatives`, its cacerts a link to `/etc/ssl/certs/java/cacerts`; and a Temurin image's
  /// `/opt/java/openjdk`, its own PKCS #12 cacerts.
  func testATreesJDKIsFoundThroughItsLinks() throws {
    let debian = scratch.path + "/debian"
    try scratch.write("debian/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "")
    try scratch.write("debian/etc/ssl/certs/java/cacerts", try bytes("root.jks"))
    let links = [
      ("usr/bin/java", "/etc/alternatives/java"),
      ("etc/alternatives/java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"),
      ("usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts", "/etc/ssl/certs/java/cacerts"),
    ]
    for (link, target) in links {
      let path = debian + "/" + link
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }
    try scratch.write("temurin/opt/java/openjdk/bin/java", "")
    try scratch.write("temurin/opt/java/openjdk/lib/security/cacerts", try bytes("passwordless.p12"))
    let expected = [
      "debian": "java → cacerts /usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts (1 roots)",
      "temurin": "java → cacerts /opt/java/openjdk/lib/security/cacerts (1 roots)",
    ]
    for (tree, line) in expected {
      let run = try CLI.run(
        ["inspect", "--root", scratch.path + "/" + tree, "--repo", scratch.path + "/repo"], in: scratch.path,
        environment: [:])
      let trust = run.stdout.split(separator: "\n").first { $0.hasPrefix("trust") && $0.contains(" java → ") }
      XCTAssertTrue(trust?.contains(line) == true, "\(tree): \(run.all)")
    }
  }

  /// The story behind most "PKIX path building failed" in CI: a corporate root installed with update-ca-certificates,
  /// which a JDK's own cacerts never gets (a Temurin image has no ca-certificates-java). Without a baseline that is
  /// TG802 naming java and the keytool way out, not TG801; with the root in cacerts, java is not named.
  func testAPrivateRootMissingFromTheJDKsCacertsIsNamed() throws {
    for (tree, cacerts, missed) in [("missing", "other.jks", true), ("imported", "root.jks", false)] {
      try scratch.write("\(tree)/etc/ssl/certs/ca-certificates.crt", try pki.bytes("root.pem"))
      try scratch.write("\(tree)/usr/local/share/ca-certificates/corp.crt", try pki.bytes("root.pem"))
      try scratch.write("\(tree)/opt/java/openjdk/bin/java", "")
      try scratch.write("\(tree)/opt/java/openjdk/lib/security/cacerts", try bytes(cacerts))
      let run = try CLI.run(
        ["check", "--root", scratch.path + "/" + tree, "--repo", scratch.path + "/repo", "--format", "json"],
        in: scratch.path, environment: [:])
      let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.all)
      let findings = report["findings"] as? [[String: Any]] ?? []
      let warnings = findings.filter { $0["ruleID"] as? String == "TG802" }.compactMap { $0["message"] as? String }
      let errors = findings.filter { $0["ruleID"] as? String == "TG801" }.compactMap { $0["message"] as? String }
      XCTAssertEqual(
        warnings.contains { $0.contains("java reads the JDK's cacerts (/opt/java/openjdk/lib/security/cacerts)") },
        missed, "\(tree): \(warnings)")
      XCTAssertFalse(errors.contains { $0.hasPrefix("java ") }, "\(tree): a warning, not an error: \(errors)")
    }
  }

  /// A PKCS #12 store whose certificates' key derivation asks for more iterations than Java allows (5,000,000): Java
  /// refuses it, and trustgate says so without deriving anything.
  func testAStoreAskingMoreWorkThanJavaAllowsIsRefusedUnread() throws {
    let made = try Shell.run(
      [try XCTUnwrap(Shell.which("openssl")), "pkcs12", "-export", "-nokeys", "-in", pki.file("root.pem"), "-out",
       scratch.path + "/costly.p12", "-passout", "pass:changeit", "-iter", "5000001", "-nomaciter"])
    XCTAssertEqual(made.status, 0, made.output)
    let environment = ["JAVA_TOOL_OPTIONS": options("costly.p12", password: "changeit")]
    XCTAssertNotEqual(try realJava(environment), "accepted")
    let started = Date()
    let reading = JavaKeyStore.read(try bytes("costly.p12"), password: "changeit")
    XCTAssertLessThan(Date().timeIntervalSince(started), 0.5)
    XCTAssertEqual(reading, .failure("java.io.IOException: an iteration count above Java's limit of 5,000,000"))
    XCTAssertEqual(try verdict(environment)["verifies"] as? Bool, false)
  }

  /// The regression a JDK upgrade brings: a new cacerts without the corporate root that the old one held. Against a
  /// baseline where java verified it, that is TG801 and the gate fails.
  func testACacertsThatLosesThePrivateRootFailsTheGate() throws {
    try scratch.write("jdk/etc/ssl/certs/ca-certificates.crt", try pki.bytes("root.pem"))
    try scratch.write("jdk/usr/local/share/ca-certificates/corp.crt", try pki.bytes("root.pem"))
    try scratch.write("jdk/opt/java/openjdk/bin/java", "")
    try scratch.write("jdk/opt/java/openjdk/lib/security/cacerts", try bytes("root.jks"))
    let tree = ["--root", scratch.path + "/jdk", "--repo", scratch.path + "/repo"]
    let recorded = try CLI.run(
      ["baseline"] + tree + ["--output", scratch.path + "/baseline.json"], in: scratch.path, environment: [:])
    XCTAssertEqual(recorded.status, 0, recorded.all)
    let check = ["check"] + tree + ["--baseline", scratch.path + "/baseline.json", "--format", "json"]
    let same = try CLI.run(check, in: scratch.path, environment: [:])
    XCTAssertEqual(same.status, 0, same.all)
    // The upgrade: the JDK's new cacerts holds two other roots.
    for (alias, root) in [("one", "noku.pem"), ("two", "weak.pem")] {
      let made = try Shell.run(
        [keytool, "-importcert", "-noprompt", "-alias", alias, "-file", pki.file(root), "-keystore",
         scratch.path + "/jdk/opt/java/openjdk/lib/security/cacerts.new", "-storetype", "JKS", "-storepass", "changeit"])
      XCTAssertEqual(made.status, 0, made.output)
    }
    try FileManager.default.removeItem(atPath: scratch.path + "/jdk/opt/java/openjdk/lib/security/cacerts")
    try FileManager.default.moveItem(
      atPath: scratch.path + "/jdk/opt/java/openjdk/lib/security/cacerts.new",
      toPath: scratch.path + "/jdk/opt/java/openjdk/lib/security/cacerts")
    let upgraded = try CLI.run(check, in: scratch.path, environment: [:])
    XCTAssertEqual(upgraded.status, 1, upgraded.all)
    let report = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(upgraded.stdout.utf8)) as? [String: Any], upgraded.all)
    let errors = (report["findings"] as? [[String: Any]] ?? []).filter { $0["ruleID"] as? String == "TG801" }
      .compactMap { $0["message"] as? String }
    // The cause named is the keystore it loads, which the snapshots do not record.
    let cacerts = "cacerts /opt/java/openjdk/lib/security/cacerts"
    let expected =
      "java no longer verifies private anchor trustgate test root (sha256:\(try fingerprint("root.pem").prefix(16))…): "
    XCTAssertTrue(
      errors.contains {
        $0.hasPrefix(expected) && $0.contains("; it did at the baseline; caused by: java loaded \(cacerts) "
          + "(JKS keystore: 1 trusted certificate), now \(cacerts) (JKS keystore: 2 trusted certificates)")
      }, "\(errors)")
  }

  /// The SHA-256 of a PKI file's certificate, as trustgate names roots.
  func fingerprint(_ name: String) throws -> String {
    let result = try Shell.run(
      [try XCTUnwrap(Shell.which("openssl")), "x509", "-in", pki.file(name), "-noout", "-fingerprint", "-sha256"])
    return String(result.output.split(separator: "=").last ?? "").replacing(":", with: "").lowercased()
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func testKeyStoreReaderReadsWhatJavaTrusts() throws {
    let jks = try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/root.jks"))
    let converted = try Shell.run(
      [try XCTUnwrap(Shell.which("openssl")), "x509", "-in", pki.file("root.pem"), "-outform", "DER", "-out",
       scratch.path + "/root.der"])
    XCTAssertEqual(converted.status, 0, converted.output)
    let root = try bytes("root.der")
    guard case .certificates(let certificates, "JKS") = JavaKeyStore.read(Array(jks), password: nil) else {
      return XCTFail("root.jks did not read")
    }
    XCTAssertEqual(certificates, [root])
    XCTAssertEqual(JavaKeyStore.read(Array(jks), password: "changeit"), .certificates([root], format: "JKS"))
    guard case .failure = JavaKeyStore.read(Array(jks), password: "wrong") else { return XCTFail("wrong password") }
    // Every truncation of a store is refused, never read as fewer entries.
    for length in stride(from: 0, to: jks.count - 20, by: 7) {
      guard case .failure = JavaKeyStore.read(Array(jks.prefix(length)), password: nil) else {
        return XCTFail("a JKS store cut at \(length) bytes was read")
      }
    }
    let p12 = Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/root.p12")))
    XCTAssertEqual(JavaKeyStore.read(p12, password: nil), .certificates([], format: "PKCS #12"))
    XCTAssertEqual(JavaKeyStore.read(p12, password: "changeit"), .certificates([root], format: "PKCS #12"))
    let openssl = Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/openssl-root.p12")))
    XCTAssertEqual(JavaKeyStore.read(openssl, password: "changeit"), .certificates([], format: "PKCS #12"))
  }
}

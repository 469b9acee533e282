import Foundation
import XCTest

@testable import TrustgateCore

/// Maven as a client, cell by cell against the real `mvn` (Debian's Maven 3.8.7) resolving a plugin through a
/// mirror on `openssl s_server`: the JVM's trust store as Java's row reads it, plus what the `mvn` script adds
/// (`.mvn/jvm.config` and MAVEN_OPTS on the JVM's command line, split by the shell with no quoting), Maven's own
/// `-D` arguments (`.mvn/maven.config`, MAVEN_CONFIG), which win over every JVM option, and Wagon's
/// `maven.wagon.http.ssl.insecure=true`, which turns verification off. Before, a trust store set for Maven alone, the
/// way most Maven CI jobs set it, was not seen.
final class MavenVerificationTests: XCTestCase {
  var pki: VerifyPKI!
  var scratch: TemporaryDirectory!
  var servers: LocalServers!
  var port = 0
  var mvn = ""

  override func setUpWithError() throws {
    mvn = try XCTUnwrap(Shell.which("mvn"), "Maven is needed (Debian: maven; scripts/install-deps.sh --test)")
    let java = try XCTUnwrap(JavaVerificationTests.realJava, "a JDK is needed")
    let keytool = (java as NSString).deletingLastPathComponent + "/keytool"
    pki = try VerifyPKI()
    scratch = try TemporaryDirectory()
    try scratch.write("project/requirements.txt", "requests==2.32.3\n")
    for (name, root, type) in [("root.jks", "root.pem", "JKS"), ("other.jks", "noku.pem", "JKS"),
      ("root.p12", "root.pem", "PKCS12")]
    {
      let made = try Shell.run(
        [keytool, "-importcert", "-noprompt", "-alias", "corporate", "-file", pki.file(root), "-keystore",
         scratch.path + "/" + name, "-storetype", type, "-storepass", "changeit"])
      XCTAssertEqual(made.status, 0, made.output)
    }
    servers = LocalServers()
    port = try servers.serveChain(of: pki, www: true)
    // Every repository through the server: the plugin's POM is the first thing Maven fetches over TLS.
    try scratch.write(
      "settings.xml",
      "<settings><mirrors><mirror><id>probe</id><mirrorOf>*</mirrorOf><url>https://localhost:\(port)/</url>"
        + "</mirror></mirrors></settings>\n")
  }

  override func tearDown() {
    servers?.stopAll()
  }

  func store(_ name: String) -> String { "-Djavax.net.ssl.trustStore=" + scratch.path + "/" + name }

  /// What the real Maven does: past the TLS handshake (the server's page is no POM), or refused.
  func realMaven(_ environment: [String: String], files: [String: String]) throws -> String {
    try? FileManager.default.removeItem(atPath: scratch.path + "/project/.mvn")
    for (name, text) in files { try scratch.write("project/.mvn/" + name, text) }
    try? FileManager.default.removeItem(atPath: scratch.path + "/m2")
    let result = try Shell.run(
      ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", scratch.path + "/project", mvn, "-B", "-q", "-s",
       scratch.path + "/settings.xml", "-Dmaven.repo.local=" + scratch.path + "/m2", "org.example:probe-plugin:1.0:go"],
      environment: environment.merging(["PATH": "/usr/bin:/bin", "HOME": scratch.path]) { $1 })
    if result.output.contains("PKIX path building failed") { return "refused" }
    if result.output.contains("modelVersion' is missing") { return "accepted" }
    return result.output
  }

  /// trustgate's verdict for maven on the server's chain, with the same variables and project.
  func verdict(_ environment: [String: String]) throws -> [String: Any] {
    let run = try CLI.run(
      ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/project",
       "--format", "json"],
      in: scratch.path + "/project", environment: environment)
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    return try XCTUnwrap(items.first { $0["client"] as? String == "maven" }, "no verdict for maven: \(run.stdout)")
  }

  func testEachCellIsWhatTheRealMavenDoes() throws {
    let cells: [(name: String, env: [String: String], files: [String: String], accepted: Bool)] = [
      ("the JDK's cacerts", [:], [:], false),
      ("SSL_CERT_FILE: never read", ["SSL_CERT_FILE": pki.file("root.pem")], [:], false),
      ("MAVEN_OPTS", ["MAVEN_OPTS": store("root.jks")], [:], true),
      ("JAVA_TOOL_OPTIONS reaches Maven's JVM too", ["JAVA_TOOL_OPTIONS": store("root.jks")], [:], true),
      (".mvn/jvm.config", [:], ["jvm.config": "-Xmx512m\n" + store("root.jks") + "\n"], true),
      (".mvn/maven.config", [:], ["maven.config": store("root.jks") + "\n"], true),
      (
        ".mvn/maven.config wins over _JAVA_OPTIONS", ["_JAVA_OPTIONS": store("gone.jks")],
        ["maven.config": store("root.jks")], true
      ),
      (
        "MAVEN_OPTS wins over JDK_JAVA_OPTIONS",
        ["JDK_JAVA_OPTIONS": store("other.jks"), "MAVEN_OPTS": store("root.jks")], [:], true
      ),
      (
        "_JAVA_OPTIONS wins over MAVEN_OPTS", ["MAVEN_OPTS": store("root.jks"), "_JAVA_OPTIONS": store("other.jks")],
        [:], false
      ),
      ("quotes in MAVEN_OPTS stay: no Maven at all", ["MAVEN_OPTS": "'" + store("root.jks") + "'"], [:], false),
      ("Wagon's insecure switch", ["MAVEN_OPTS": "-Dmaven.wagon.http.ssl.insecure=true"], [:], true),
      ("Wagon's switch at false", ["MAVEN_OPTS": "-Dmaven.wagon.http.ssl.insecure=false"], [:], false),
    ]
    for cell in cells {
      let real = try realMaven(cell.env, files: cell.files)
      XCTAssertEqual(real == "accepted", cell.accepted, "\(cell.name): the real mvn said \(real)")
      let ours = try verdict(cell.env)
      XCTAssertEqual(ours["verifies"] as? Bool, cell.accepted, "\(cell.name): \(ours)")
    }
    // What it says where Maven never starts, and where verification is off.
    try? FileManager.default.removeItem(atPath: scratch.path + "/project/.mvn")
    // JAVA_HOME at a folder with no JDK: the `mvn` script stops before any JVM starts, whatever the store would be
    // (before, trustgate went on with the `java` PATH finds and said maven verifies).
    let noJDK = ["JAVA_HOME": scratch.path + "/no-jdk", "MAVEN_OPTS": store("root.jks")]
    let stopped = try realMaven(noJDK, files: [:])
    XCTAssertTrue(stopped.contains("The JAVA_HOME environment variable is not defined correctly"), stopped)
    let noJDKVerdict = try verdict(noJDK)
    XCTAssertEqual(noJDKVerdict["verifies"] as? Bool, false, "\(noJDKVerdict)")
    XCTAssertEqual(
      noJDKVerdict["error"] as? String,
      "The JAVA_HOME environment variable is not defined correctly, this environment variable is needed to run this "
        + "program.")
    let quoted = try verdict(["MAVEN_OPTS": "-Xmx1g '" + store("root.jks") + "'"])
    XCTAssertEqual(
      quoted["error"] as? String, "Error: Could not find or load main class (word 2 of MAVEN_OPTS, which is no option)")
    // A value split off its option is such a word, and never shown.
    let split = try verdict(["MAVEN_OPTS": "-Dhttps.proxyPassword= S3cretProxyPass"])
    XCTAssertFalse("\(split)".contains("S3cretProxyPass"), "\(split)")
    XCTAssertEqual(
      split["error"] as? String, "Error: Could not find or load main class (word 2 of MAVEN_OPTS, which is no option)")
    let off = try verdict(["MAVEN_OPTS": "-Dmaven.wagon.http.ssl.insecure=true"])
    XCTAssertTrue("\(off)".contains("maven.wagon.http.ssl.insecure = true in the environment (MAVEN_OPTS)"), "\(off)")
    // One keystore, read by java without a password (its certificates are encrypted: no anchor) and by Maven with
    // the one MAVEN_OPTS gives: two stores in one run, each as its client reads it.
    let shared = ["JAVA_TOOL_OPTIONS": store("root.p12"), "MAVEN_OPTS": "-Djavax.net.ssl.trustStorePassword=changeit"]
    XCTAssertEqual(try realMaven(shared, files: [:]), "accepted")
    let run = try CLI.run(
      ["verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--repo", scratch.path + "/project",
       "--format", "json"],
      in: scratch.path + "/project", environment: shared)
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], run.all)
    let verdicts = Dictionary(
      items.compactMap { item in (item["client"] as? String).map { ($0, item["verifies"] as? Bool) } },
      uniquingKeysWith: { first, _ in first })
    XCTAssertEqual(verdicts["java"], false, run.stdout)
    XCTAssertEqual(verdicts["maven"], true, run.stdout)
  }
}

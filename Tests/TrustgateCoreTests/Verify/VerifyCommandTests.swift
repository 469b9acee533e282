import Foundation
import XCTest

/// `trustgate verify --chain` as a user runs it: JSON per client, exit 0/1, and exit 2 for bad input.
final class VerifyCommandTests: XCTestCase {
  func testJSONVerdictsAndExitStatusFollowTheStore() throws {
    let pki = try VerifyPKI()
    let scratch = try TemporaryDirectory()
    try scratch.write("root/certs/root.pem", try pki.bytes("root.pem"))
    let rehash = try Shell.run([try XCTUnwrap(Shell.which("openssl")), "rehash", scratch.path + "/root/certs"])
    XCTAssertEqual(rehash.status, 0, rehash.output)
    try scratch.write("env", "SSL_CERT_DIR=/certs\n")
    let arguments = [
      "verify", "--chain", pki.file("chain.pem"), "--host", "localhost", "--root", scratch.path + "/root",
      "--env-file", scratch.path + "/env", "--format", "json",
    ]
    let good = try CLI.run(arguments, in: scratch.path)
    XCTAssertEqual(good.status, 0, good.all)
    let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(good.stdout.utf8)) as? [[String: Any]])
    let openssl = try XCTUnwrap(items.first { $0["client"] as? String == "openssl" })
    XCTAssertEqual(openssl["verifies"] as? Bool, true)
    XCTAssertTrue(openssl["error"] is NSNull)
    XCTAssertEqual((openssl["sources"] as? [String])?.first, "SSL_CERT_DIR /certs (hashed folder: <subject-hash>.N)")

    let wrongHost = try CLI.run(arguments.map { $0 == "localhost" ? "example.com" : $0 }, in: scratch.path)
    XCTAssertEqual(wrongHost.status, 1, wrongHost.all)
    XCTAssertTrue(wrongHost.stdout.contains("\"hostname mismatch\""), wrongHost.stdout)
  }

  func testBadChainFilesAndHostsExit2NamingWhatToGive() throws {
    let pki = try VerifyPKI()
    let scratch = try TemporaryDirectory()
    try scratch.write("empty.pem", "")
    try scratch.write("key.pem", try pki.bytes("leaf.key") + pki.bytes("leaf.pem"))
    for (file, words) in [("empty.pem", "holds no certificate"), ("key.pem", "holds a private key")] {
      let result = try CLI.run(["verify", "--chain", scratch.path + "/" + file], in: scratch.path)
      XCTAssertEqual(result.status, 2, result.all)
      XCTAssertTrue(result.stderr.contains(scratch.path + "/" + file), result.stderr)
      XCTAssertTrue(result.stderr.contains(words), result.stderr)
      XCTAssertTrue(result.stderr.contains("leaf certificate first"), result.stderr)
    }
    let host = try CLI.run(["verify", "--chain", pki.file("chain.pem"), "--host", "no such host"], in: scratch.path)
    XCTAssertEqual(host.status, 2, host.all)
    XCTAssertTrue(host.stderr.contains("--host no such host: neither a DNS name nor an IP address"), host.stderr)
    let missing = try CLI.run(["verify", "--chain", scratch.path + "/absent.pem"], in: scratch.path)
    XCTAssertEqual(missing.status, 2, missing.all)
    XCTAssertTrue(missing.stderr.contains("absent.pem"), missing.stderr)
  }
}

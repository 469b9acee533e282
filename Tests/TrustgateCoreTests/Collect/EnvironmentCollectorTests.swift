import Foundation
import XCTest

@testable import TrustgateCore

/// Trust variables pointed at pki/ fixtures placed in a memory tree; counts come from pki/expected.tsv.
final class EnvironmentCollectorTests: XCTestCase {
  static let now = "2025-06-01T00:00:00Z"

  private func tree() throws -> MemoryFileSystem {
    var fs = MemoryFileSystem(label: "test")
    for file in ["bundle.pem", "expired-root.pem", "empty.pem", "garbage.bin", "root-rsa.pem", "root-ec.pem"] {
      fs.set("/certs/" + file, .file(Array(try Fixtures.data("pki/" + file))))
    }
    fs.set("/certs/link.pem", .symlink("bundle.pem"))
    fs.set("/certs/dangling.pem", .symlink("/certs/gone.pem"))
    fs.set("/certs/loop.pem", .symlink("loop.pem"))
    fs.set("/hashed/7a03af3a.0", .symlink("/certs/root-rsa.pem"))
    fs.set("/hashed/07b5f5c5.0", .symlink("/certs/root-ec.pem"))
    return fs
  }

  private func collect(_ env: [String: String]) throws -> (variables: [EnvVariable], problems: [Problem]) {
    let context = CollectionContext(fs: try tree(), now: Self.now)
    let variables = EnvironmentCollector(env: env).collect(context)
    return (variables, context.problems)
  }

  private func count(_ file: String) throws -> Int { try TSV.rows("pki/expected.tsv").filter { $0["file"] == file }.count }

  func testSetVariableReadsItsBundleAndUnsetOnesAreNotListed() throws {
    let (variables, problems) = try collect(["SSL_CERT_FILE": "/certs/link.pem", "HOME": "/root"])
    XCTAssertEqual(variables.map(\.name), ["SSL_CERT_FILE"])
    let target = try XCTUnwrap(variables.first?.target)
    XCTAssertEqual(target.state, .file)
    XCTAssertEqual(target.resolvedPath, "/certs/bundle.pem")
    XCTAssertEqual(target.certificates?.count, try count("bundle.pem"))
    let rows = try TSV.rows("pki/expected.tsv").filter { $0["file"] == "bundle.pem" }
    XCTAssertEqual(target.certificates?.expired, rows.filter { $0["not_after"]! < Self.now }.count)
    XCTAssertEqual(problems, [])
    XCTAssertEqual(try collect([:]).variables, [])
  }

  func testEmptyVariableIsListedAndReported() throws {
    let (variables, problems) = try collect(["CURL_CA_BUNDLE": ""])
    XCTAssertEqual(variables.first?.value, "")
    XCTAssertNil(variables.first?.target)
    XCTAssertEqual(problems.count, 1)
    XCTAssertTrue(problems[0].message.contains("CURL_CA_BUNDLE is set but empty"), problems[0].message)
  }

  func testMissingDanglingAndLoopingTargets() throws {
    let (variables, problems) = try collect([
      "SSL_CERT_FILE": "/certs/nope.pem", "REQUESTS_CA_BUNDLE": "/certs/dangling.pem", "AWS_CA_BUNDLE": "/certs/loop.pem",
    ])
    let states = Dictionary(uniqueKeysWithValues: variables.map { ($0.name, $0.target?.state) })
    XCTAssertEqual(states["SSL_CERT_FILE"], .missing)
    XCTAssertEqual(states["REQUESTS_CA_BUNDLE"], .danglingLink)
    XCTAssertEqual(states["AWS_CA_BUNDLE"], .linkLoop, "a loop is nothing to a client (os.path.exists), not a file it may not read")
    XCTAssertEqual(Set(problems.compactMap(\.path)), ["/certs/nope.pem", "/certs/dangling.pem", "/certs/loop.pem"])
    XCTAssertTrue(problems.contains { $0.message.contains("/certs/gone.pem") }, "\(problems)")
  }

  func testDirectoryForAFileVariableAndFileForADirectoryVariable() throws {
    let (variables, problems) = try collect(["SSL_CERT_FILE": "/hashed", "SSL_CERT_DIR": "/certs/root-rsa.pem"])
    let file = try XCTUnwrap(variables.first { $0.name == "SSL_CERT_FILE" }?.target)
    XCTAssertEqual(file.state, .directory)
    XCTAssertEqual(file.certificates?.count, 2)
    let dir = try XCTUnwrap(variables.first { $0.name == "SSL_CERT_DIR" }?.target)
    XCTAssertEqual(dir.state, .file)
    XCTAssertTrue(problems.contains { $0.path == "/hashed" && $0.message.contains("names a directory") }, "\(problems)")
    XCTAssertTrue(problems.contains { $0.path == "/certs/root-rsa.pem" && $0.message.contains("names a file") })
  }

  func testCertDirListUsesTheFirstDirectory() throws {
    let (variables, problems) = try collect(["SSL_CERT_DIR": "/hashed:/elsewhere"])
    XCTAssertEqual(variables.first?.target?.state, .directory)
    XCTAssertEqual(variables.first?.target?.certificates?.count, 2)
    XCTAssertEqual(problems, [])
  }

  func testFileWithoutCertificatesAndAllExpiredFile() throws {
    let (variables, problems) = try collect([
      "SSL_CERT_FILE": "/certs/empty.pem", "CURL_CA_BUNDLE": "/certs/garbage.bin", "NODE_EXTRA_CA_CERTS": "/certs/expired-root.pem",
    ])
    XCTAssertEqual(variables.count, 3)
    for path in ["/certs/empty.pem", "/certs/garbage.bin"] {
      XCTAssertTrue(problems.contains { $0.path == path && $0.message.contains("no certificates") }, "\(path): \(problems)")
    }
    let expired = try XCTUnwrap(variables.first { $0.name == "NODE_EXTRA_CA_CERTS" }?.target?.certificates)
    XCTAssertEqual(expired.count, try count("expired-root.pem"))
    XCTAssertEqual(expired.expired, expired.count)
    XCTAssertTrue(problems.contains { $0.path == "/certs/expired-root.pem" && $0.message.contains("expired") })
  }

  func testSwitchesThatTurnVerificationOff() throws {
    let (variables, problems) = try collect(["NODE_TLS_REJECT_UNAUTHORIZED": "0", "GIT_SSL_NO_VERIFY": ""])
    XCTAssertEqual(variables.map(\.disablesVerification), [true, true])
    XCTAssertEqual(problems.count, 2)
    XCTAssertTrue(problems.allSatisfy { $0.area == .environment && $0.message.contains("turns TLS verification off") })
    XCTAssertTrue(problems.contains { $0.message.hasPrefix("NODE_TLS_REJECT_UNAUTHORIZED=0") })

    let on = try collect(["NODE_TLS_REJECT_UNAUTHORIZED": "1", "PYTHONHTTPSVERIFY": "1"])
    XCTAssertEqual(on.variables.map(\.disablesVerification), [false, false])
    XCTAssertEqual(on.problems, [])
  }

  /// URL credentials in a CA variable are redacted at collection: in the value, the problem and its fix.
  func testURLCredentialsInACAVariableAreRedacted() throws {
    let (variables, problems) = try collect([
      "REQUESTS_CA_BUNDLE": "https://user:s3cr3t@host.example/ca.pem", "SSL_CERT_FILE": "ftp://a:b@c@host/x",
    ])
    XCTAssertEqual(
      Set(variables.map(\.value)), ["https://***@host.example/ca.pem", "ftp://***@host/x"])
    for problem in problems {
      XCTAssertFalse(problem.message.contains("s3cr3t") || problem.fix.contains("s3cr3t"), problem.message)
      XCTAssertFalse(problem.message.contains("a:b") || (problem.path ?? "").contains("s3cr3t"), problem.message)
    }
    XCTAssertFalse(problems.isEmpty)
    // Paths and values without a scheme are left as they are.
    XCTAssertEqual(EnvironmentCollector.redactingURLCredentials("/etc/ssl/user@x:y.pem"), "/etc/ssl/user@x:y.pem")
  }

  /// PYTHONHTTPSVERIFY's judgement reads only standard-library folders (`pythonX.Y`), and a bounded number of them
  /// whatever a tree holds: a folder of 100 versions is read 16 deep, so a reader past them is not reached.
  func testPythonHTTPSVerifyReadsABoundedSetOfStandardLibraries() {
    let marker = Array("_https_verify_envvar = 'PYTHONHTTPSVERIFY'\n".utf8)
    var fs = MemoryFileSystem(label: "test")
    fs.set("/usr/lib/python3.11/ssl.py", .file(Array("import _ssl\n".utf8)))
    fs.set("/usr/lib/python-tools/ssl.py", .file(marker))
    XCTAssertEqual(PythonHTTPSVerify.read(PythonInfo(), fs: fs).reads, false)
    fs.set("/usr/local/lib/python2.7/ssl.py", .file(marker))
    XCTAssertEqual(PythonHTTPSVerify.read(PythonInfo(), fs: fs).files, ["/usr/local/lib/python2.7/ssl.py"])
    XCTAssertNil(PythonHTTPSVerify.read(PythonInfo(), fs: MemoryFileSystem(label: "empty")).reads)
    var many = MemoryFileSystem(label: "many")
    for minor in 0..<100 { many.set("/usr/lib/python3.\(minor)/ssl.py", .file(minor == 99 ? marker : [0x23])) }
    let read = PythonHTTPSVerify.read(PythonInfo(), fs: many)
    XCTAssertEqual(read.reads, false)
    XCTAssertEqual(PythonHTTPSVerify.maximumVersions, 16)
  }
}

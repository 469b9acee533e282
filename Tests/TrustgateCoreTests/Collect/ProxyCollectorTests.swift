import Foundation
import XCTest

@testable import TrustgateCore

final class ProxyCollectorTests: XCTestCase {
  private func collect(_ env: [String: String]) -> (settings: ProxySettings, problems: [Problem]) {
    let context = CollectionContext(fs: MemoryFileSystem(label: "test"), now: "2025-06-01T00:00:00Z")
    let settings = ProxyCollector(env: env).collect(context)
    return (settings, context.problems)
  }

  func testCredentialsAppearNowhereInTheSnapshot() throws {
    let secrets = ["s3cr3t-Pa55", "w#rd", "alice-the-user", "bob:"]
    let env = [
      "HTTPS_PROXY": "http://alice-the-user:s3cr3t-Pa55@proxy.corp.example:3128",
      // Unencoded `@`, `/`, `#`, `?` in a password, as people paste them.
      "http_proxy": "http://bob:p@ss/w#rd?x@proxy.corp.example:8080",
      "ALL_PROXY": "socks5h://alice-the-user:s3cr3t-Pa55@[2001:db8::1]:1080/",
    ]
    let request = InspectRequest(
      fs: MemoryFileSystem(label: "test"), env: env, target: Target(kind: .root), repository: nil,
      repositoryPathInView: nil, now: 1_750_000_000)
    let json = SnapshotCoding.encode(Inspector.inspect(request))
    for secret in secrets { XCTAssertFalse(json.contains(secret), "\(secret) leaked:\n\(json)") }
    let (settings, _) = collect(env)
    let https = try XCTUnwrap(settings.variables.first { $0.name == "HTTPS_PROXY" })
    XCTAssertEqual(https.value, "http://***@proxy.corp.example:3128")
    XCTAssertTrue(https.hasCredentials)
    XCTAssertEqual(https.host, "proxy.corp.example")
    XCTAssertEqual(https.port, 3128)
    XCTAssertNil(https.malformed)
    let http = try XCTUnwrap(settings.variables.first { $0.name == "http_proxy" })
    XCTAssertEqual(http.value, "http://***@proxy.corp.example:8080")
    XCTAssertEqual(http.host, "proxy.corp.example")
    XCTAssertEqual(http.port, 8080)
  }

  func testUpperAndLowerCaseThatDisagreeAreReported() {
    let differ = collect(["https_proxy": "http://a.example:3128", "HTTPS_PROXY": "http://b.example:3128"])
    XCTAssertEqual(differ.problems.count, 1)
    XCTAssertTrue(differ.problems[0].message.contains("https_proxy and HTTPS_PROXY disagree"), differ.problems[0].message)
    let same = collect(["https_proxy": "http://a.example:3128", "HTTPS_PROXY": "http://a.example:3128"])
    XCTAssertEqual(same.problems, [])
    XCTAssertEqual(Set(same.settings.variables.map(\.name)), ["HTTPS_PROXY", "https_proxy"])
  }

  func testMalformedValues() {
    let cases: [(String, String)] = [
      ("http://proxy.example:99999", "the port is not a number between 1 and 65535"),
      ("http://proxy.example:abc", "the port is not a number"),
      ("http://proxy.example:0", "the port is not a number between 1 and 65535"),
      ("ftp://proxy.example:21", "unknown scheme 'ftp'"),
      ("", "the value is empty"),
      ("http://", "no host"),
      ("http://:3128", "no host"),
    ]
    for (value, why) in cases {
      let variable = ProxyCollector.parse(name: "HTTP_PROXY", value: value)
      XCTAssertTrue(variable.malformed?.contains(why) ?? false, "\(value): \(String(describing: variable.malformed))")
      let (_, problems) = collect(["HTTP_PROXY": value])
      XCTAssertEqual(problems.count, 1, value)
    }
  }

  /// An all-digit password with no host, with or without the `@`: never echoed (`http://user:123456` was, as the
  /// "port '123456'" of a malformed URL).
  func testAllDigitPasswordWithNoHostIsNotEchoed() {
    for value in ["http://user:123456@", "http://user:123456", "user:123456@", "http://user:123456@:99"] {
      let variable = ProxyCollector.parse(name: "HTTPS_PROXY", value: value)
      XCTAssertNotNil(variable.malformed, value)
      XCTAssertFalse(variable.value.contains("123456"), variable.value)
      let (settings, problems) = collect(["HTTPS_PROXY": value])
      XCTAssertFalse(SnapshotCoding.encode(settings).contains("123456"), value)
      XCTAssertFalse(problems.contains { $0.message.contains("123456") || $0.fix.contains("123456") }, value)
    }
  }

  /// A token in a proxy URL's query or fragment (`?access_token=…`) was shown whole; a proxy has no use for either.
  func testATokenInAProxyURLsQueryIsNotEchoed() {
    for (value, shown) in [
      ("http://proxy.corp:3128/?access_token=Tok3nS3cret", "http://proxy.corp:3128/?***"),
      ("http://proxy.corp:3128#Tok3nS3cret", "http://proxy.corp:3128#***"),
      ("http://proxy.corp:3128/path", "http://proxy.corp:3128/path"),
      ("http://proxy.corp:3128/?", "http://proxy.corp:3128/?"),
    ] {
      let variable = ProxyCollector.parse(name: "HTTPS_PROXY", value: value)
      XCTAssertEqual(variable.value, shown)
      XCTAssertEqual(variable.host, "proxy.corp")
      let (settings, problems) = collect(["HTTPS_PROXY": value])
      XCTAssertFalse(SnapshotCoding.encode(settings).contains("Tok3nS3cret"), value)
      XCTAssertFalse(problems.contains { $0.message.contains("Tok3nS3cret") }, value)
    }
  }

  /// A user:password with no host reads as host:port; the would-be port is never echoed.
  func testPasswordInThePortPlaceIsNotEchoed() {
    let variable = ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://alice:Sup3rS3cret")
    XCTAssertNotNil(variable.malformed)
    XCTAssertFalse(variable.value.contains("Sup3rS3cret"), variable.value)
    XCTAssertFalse(variable.malformed?.contains("Sup3rS3cret") ?? true)
    let (settings, problems) = collect(["HTTPS_PROXY": "http://alice:Sup3rS3cret"])
    XCTAssertFalse(SnapshotCoding.encode(settings).contains("Sup3rS3cret"))
    XCTAssertFalse(problems.contains { $0.message.contains("Sup3rS3cret") })
  }

  func testIPv6HostsAndValuesWithoutScheme() {
    let v6 = ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://[2001:db8::1]:3128")
    XCTAssertEqual(v6.host, "2001:db8::1")
    XCTAssertEqual(v6.port, 3128)
    XCTAssertNil(v6.malformed)
    let v6NoPort = ProxyCollector.parse(name: "HTTPS_PROXY", value: "http://[::1]")
    XCTAssertEqual(v6NoPort.host, "::1")
    XCTAssertNil(v6NoPort.port)
    XCTAssertNil(v6NoPort.malformed)
    let bare = ProxyCollector.parse(name: "HTTPS_PROXY", value: "proxy.example:3128")
    XCTAssertNil(bare.scheme)
    XCTAssertEqual(bare.host, "proxy.example")
    XCTAssertEqual(bare.port, 3128)
    XCTAssertNil(bare.malformed)
    let bareWithUser = ProxyCollector.parse(name: "HTTPS_PROXY", value: "user:pw@proxy.example:3128")
    XCTAssertEqual(bareWithUser.value, "***@proxy.example:3128")
    XCTAssertEqual(bareWithUser.host, "proxy.example")
    let upperScheme = ProxyCollector.parse(name: "HTTPS_PROXY", value: "HTTP://Proxy.example:3128")
    XCTAssertEqual(upperScheme.scheme, "http")
    XCTAssertNil(upperScheme.malformed)
  }

  func testNoProxyIsKeptAsIs() {
    let (settings, problems) = collect(["NO_PROXY": "localhost,.corp.example,10.0.0.0/8", "no_proxy": "localhost"])
    XCTAssertEqual(settings.variables.first { $0.name == "NO_PROXY" }?.value, "localhost,.corp.example,10.0.0.0/8")
    XCTAssertNil(settings.variables.first { $0.name == "NO_PROXY" }?.malformed)
    XCTAssertEqual(problems.count, 1)
    XCTAssertTrue(problems[0].message.contains("no_proxy and NO_PROXY disagree"))
  }
}

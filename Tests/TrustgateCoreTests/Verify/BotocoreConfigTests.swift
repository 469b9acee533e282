import Foundation
import XCTest

@testable import TrustgateCore

/// botocore's `ca_bundle` setting, read by trustgate and by the real botocore (`Session().get_config_variable`, the
/// value botocore verifies with) from the same home folder and variables: one config file (AWS_CONFIG_FILE in place
/// of ~/.aws/config, not as well), and the profile's section (`[profile NAME]` for AWS_PROFILE or
/// AWS_DEFAULT_PROFILE, `[default]` otherwise). Before, trustgate read both files and `[default]` alone: a CA botocore
/// never loads, in both directions.
final class BotocoreConfigTests: XCTestCase {
  static let packages = [
    "botocore==1.44.8", "jmespath==1.0.1", "python-dateutil==2.9.0.post0", "six==1.17.0", "urllib3==2.5.0",
  ]

  func testCABundleIsTheOneBotocoreReads() throws {
    let venv = try RealVenvVerificationTests.venv("3.11", packages: Self.packages)
    let scratch = try TemporaryDirectory()
    try scratch.write("home/.aws/config", "[default]\nregion = eu-west-1\nca_bundle = /etc/corp/default.pem\n")
    try scratch.write(
      "ci.config", "[default]\nca_bundle = /etc/corp/ci-default.pem\n[profile ci]\nca_bundle = /etc/corp/ci.pem\n"
        + "[profile bare]\nregion = eu-west-1\n")
    try scratch.write("plain.config", "[default]\nregion = eu-west-1\n")
    let home = scratch.path + "/home"
    let cells: [[String: String]] = [
      [:],
      ["AWS_CONFIG_FILE": scratch.path + "/plain.config"],
      ["AWS_CONFIG_FILE": scratch.path + "/ci.config"],
      ["AWS_CONFIG_FILE": scratch.path + "/ci.config", "AWS_PROFILE": "ci"],
      ["AWS_CONFIG_FILE": scratch.path + "/ci.config", "AWS_PROFILE": "bare"],
      ["AWS_CONFIG_FILE": scratch.path + "/ci.config", "AWS_DEFAULT_PROFILE": "ci"],
      ["AWS_CONFIG_FILE": scratch.path + "/ci.config", "AWS_DEFAULT_PROFILE": "bare", "AWS_PROFILE": "ci"],
      ["AWS_PROFILE": "ci"],
    ]
    let script = "import botocore.session; print(botocore.session.Session().get_config_variable('ca_bundle'))"
    var distinct = Set<String>()
    for cell in cells {
      let env = cell.merging(["HOME": home]) { $1 }
      let result = try Shell.run([venv + "/bin/python", "-c", script], environment: env)
      // A profile the file does not have stops botocore before any request: no CA file is loaded.
      let missing = result.output.contains("ProfileNotFound")
      XCTAssertTrue(result.status == 0 || missing, result.output)
      let botocore = missing ? "None" : result.output.trimmingCharacters(in: .whitespacesAndNewlines)
      let ours = TrustConfiguration.read(HostFileSystem(root: "/"), env: env, prefix: nil).values["aws ca_bundle"]
      XCTAssertEqual(ours ?? "None", botocore, "\(cell)")
      distinct.insert(botocore)
    }
    // The cells tell the settings apart: each of the four answers comes up.
    XCTAssertEqual(
      distinct, ["None", "/etc/corp/default.pem", "/etc/corp/ci-default.pem", "/etc/corp/ci.pem"])
  }
}

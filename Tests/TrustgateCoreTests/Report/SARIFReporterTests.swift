import Foundation
import XCTest

@testable import TrustgateCore

final class SARIFReporterTests: XCTestCase {
  /// Validates against the OASIS schema (Draft 4) and checks GitHub's stricter ingestion rules; prints `OK`.
  private static let validator = """
    import json, sys
    try:
        import jsonschema
    except ImportError:
        print('MISSING: python3 module jsonschema is required (pip install jsonschema)'); sys.exit(3)
    schema = json.load(open(sys.argv[1]))
    log = json.load(open(sys.argv[2]))
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=str)
    for e in errors: print('SCHEMA', list(e.absolute_path), e.message)
    problems = []
    if not log.get('$schema'): problems.append('no $schema')
    for run in log['runs']:
        rules = run['tool']['driver']['rules']
        if len(run.get('results', [])) > 25000: problems.append('too many results')
        for rule in rules:
            for key in ('shortDescription', 'fullDescription', 'help'):
                text = rule.get(key, {}).get('text', '')
                if not text: problems.append(rule['id'] + ' empty ' + key)
                if key != 'help' and len(text) > 1024: problems.append(rule['id'] + ' long ' + key)
            if len(rule.get('name', '')) > 255: problems.append(rule['id'] + ' long name')
        for result in run.get('results', []):
            if rules[result['ruleIndex']]['id'] != result['ruleId']: problems.append('ruleIndex mismatch')
            if not result['message']['text']: problems.append('empty message')
            if not result.get('partialFingerprints'): problems.append('no partialFingerprints')
            if not result.get('locations'): problems.append('no location: ' + result['ruleId'])
            for loc in result.get('locations', []) + result.get('relatedLocations', []):
                if 'physicalLocation' not in loc:
                    if not loc.get('logicalLocations'): problems.append('empty location')
                    continue
                artifact = loc['physicalLocation']['artifactLocation']
                uri = artifact['uri']
                if uri.startswith('/') or '://' in uri: problems.append('absolute uri ' + uri)
                base = artifact.get('uriBaseId')
                if base and base not in run.get('originalUriBaseIds', {}): problems.append('undefined base ' + base)
    for p in problems: print('GITHUB', p)
    print('OK' if not errors and not problems else 'INVALID')
    """

  private func validate(_ sarif: String) throws -> String {
    let path = try ExternalTool.temporaryFile(sarif, suffix: ".sarif")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let outcome = try ExternalTool.run(
      ["python3", "-", Fixtures.path("schemas/sarif-schema-2.1.0.json"), path], input: Self.validator)
    if outcome.status == 3 { XCTFail(outcome.output) }
    return outcome.output
  }

  func testLogIsValidSARIFAndMeetsGitHubIngestionRules() throws {
    for reporter in [SARIFReporter(), SARIFReporter(unlocatedPath: ".trustgate.yml", version: "1.2.3")] {
      for evaluation in [ReportSamples.evaluation, ReportSamples.empty] {
        let sarif = reporter.render(evaluation)
        XCTAssertEqual(try validate(sarif), "OK\n", sarif)
      }
    }
  }

  func testResultsCarryRuleLevelLocationAndStableFingerprint() throws {
    let text = SARIFReporter().render(ReportSamples.evaluation)
    let log = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    XCTAssertEqual(log["version"] as? String, "2.1.0")
    let run = try XCTUnwrap((log["runs"] as? [[String: Any]])?.first)
    let driver = try XCTUnwrap((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
    let rules = try XCTUnwrap(driver["rules"] as? [[String: Any]])
    XCTAssertEqual(rules.map { $0["id"] as? String ?? "" }, ["TG101", "TG203", "TG301", "TG401"])
    XCTAssertEqual(rules[1]["name"] as? String, "CertifiUpdateRemovedTrustedRoots")
    XCTAssertEqual(rules[1]["helpUri"] as? String, "https://github.com/certifi/python-certifi/issues/234")
    XCTAssertEqual((rules[3]["defaultConfiguration"] as? [String: Any])?["level"] as? String, "note")

    let results = try XCTUnwrap(run["results"] as? [[String: Any]])
    XCTAssertEqual(results.map { $0["level"] as? String ?? "" }, ["error", "error", "warning", "warning", "note"])
    // No file: a logical location (what the finding is about), no physical one without a policy file or a root.
    let unlocated = try XCTUnwrap((results[0]["locations"] as? [[String: Any]])?.first)
    XCTAssertNil(unlocated["physicalLocation"])
    let logical = try XCTUnwrap((unlocated["logicalLocations"] as? [[String: Any]])?.first)
    XCTAssertEqual(logical["fullyQualifiedName"] as? String, "environment/SSL_CERT_FILE")
    XCTAssertEqual(logical["kind"] as? String, "variable")
    let certifi = results[1]
    XCTAssertEqual(certifi["ruleIndex"] as? Int, 1)
    let physical = try XCTUnwrap(
      (certifi["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
    XCTAssertEqual((physical["artifactLocation"] as? [String: Any])?["uri"] as? String, "requirements.txt")
    XCTAssertEqual((physical["region"] as? [String: Any])?["startLine"] as? Int, 12)
    let docker = try XCTUnwrap(
      (results[2]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
    XCTAssertNil(docker["region"], "no line, no region")
    XCTAssertEqual((docker["artifactLocation"] as? [String: Any])?["uri"] as? String, "docker/a,b:c%25.Dockerfile")
    XCTAssertEqual(
      (certifi["partialFingerprints"] as? [String: String])?["trustgateFinding/v1"],
      "6281147fd0f3c34ade5abde45d09e2b8ba433af840567b8b6ec46d534d61ae23")
    XCTAssertEqual(text, SARIFReporter().render(ReportSamples.evaluation))
  }

  func testUnlocatedFindingsAnchorAtTheGivenPath() throws {
    let text = SARIFReporter(unlocatedPath: ".trustgate.yml").render(ReportSamples.evaluation)
    XCTAssertTrue(text.contains("\"uri\": \".trustgate.yml\""))
  }

  func testResultsAreCappedAtGitHubsLimitMostSevereFirst() throws {
    let findings =
      ReportSamples.many(3, .error, rule: "TG203")
      + (0..<SARIFReporter.maximumResults).map { index in
        Finding(ruleID: "TG401", severity: .note, area: .clock, subject: "n\(index)", message: "m", fix: "")
      }
    let evaluation = Evaluation(
      rules: ReportSamples.rules, findings: findings, passed: [], failOn: .error, baseline: "none")
    let text = SARIFReporter().render(evaluation)
    let log = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let run = try XCTUnwrap((log["runs"] as? [[String: Any]])?.first)
    let results = try XCTUnwrap(run["results"] as? [[String: Any]])
    XCTAssertEqual(results.count, SARIFReporter.maximumResults)
    XCTAssertEqual(results.prefix(3).map { $0["level"] as? String ?? "" }, ["error", "error", "error"])
    XCTAssertEqual((run["properties"] as? [String: Any])?["omittedResults"] as? Int, 3)
  }
}

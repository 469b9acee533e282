import XCTest

/// Runs `scripts/test-pre-commit.sh`: the real pre-commit (installed from PyPI into a throwaway venv) refuses a
/// commit that upgrades httpx in uv.lock with TG301 and lets harmless commits through; at pre-push it refuses such a
/// commit made with --no-verify, at the manual stage it compares with @{upstream}. Skipped only when pre-commit
/// cannot be installed (PyPI unreachable: the script exits 77). `TRUSTGATE_TRY_REPO=1` also builds the hook through
/// `language: swift` with `pre-commit try-repo` (a release build: minutes).
final class PreCommitHookTests: XCTestCase {
  func testPreCommitRefusesTheHttpxUpgradeAndPassesHarmlessCommits() throws {
    let binary = try BuiltTrustgate.path()
    let run = try BuiltTrustgate.shell([BuiltTrustgate.packageRoot + "/scripts/test-pre-commit.sh", binary])
    if run.status == 77 { throw XCTSkip("pre-commit could not be installed from PyPI:\n\(run.output)") }
    XCTAssertEqual(run.status, 0, run.output)
    XCTAssertTrue(run.output.contains("ok: the commit upgrading httpx was refused with TG301"), run.output)
    XCTAssertTrue(run.output.contains("ok: a harmless commit passed"), run.output)
    // pre-push compares the pushed range, not the index with HEAD (equal at push time).
    XCTAssertTrue(
      run.output.contains("ok: the push of an httpx upgrade committed with --no-verify was refused with TG301"),
      run.output)
    XCTAssertTrue(run.output.contains("ok: the manual stage compared with @{upstream} and found TG301"), run.output)
    XCTAssertTrue(run.output.contains("ok: a harmless push passed"), run.output)
  }
}

import ArgumentParser
import Foundation
import TrustgateCore

@main
struct Trustgate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trustgate",
    abstract: "Catch TLS trust regressions in CI before they become CERTIFICATE_VERIFY_FAILED in production.",
    discussion: """
      trustgate reads a machine's (or an unpacked image's) whole TLS trust setup — OS CA stores, OpenSSL defaults, \
      trust environment variables, proxies, Python's certifi and client libraries, the repository's lockfiles and \
      the clock — into one snapshot, compares it with a baseline and fails the build on trust regressions.

      Exit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 usage, configuration or input \
      error.

      Cache: what CA files, Python metadata, baseline lockfiles (by git blob id) and HEAD's commit time parse to is \
      kept in $TRUSTGATE_CACHE_DIR, else $XDG_CACHE_HOME/trustgate, else ~/.cache/trustgate, keyed by content (SHA-256 \
      or git object id); a file unchanged since (same inode, size and times, settled for two seconds) is not read \
      again. The last few whole snapshots are kept too, each with every answer the kernel gave while collecting it \
      (an lstat per file, folder and link met): the same request with every answer unchanged reuses the snapshot \
      (the clock is always read afresh); TRUSTGATE_PROFILE=1 says why one was not reused. Another trustgate build \
      starts afresh. TRUSTGATE_CACHE=off turns both caches off.
      """,
    version: "0.1.0",
    // Every command sets `commandName`: deriving it from the type name (`String(describing:)`) costs a reflection
    // pass on every start-up.
    subcommands: [Check.self, Inspect.self, Baseline.self, Diff.self, Rules.self, Explain.self]
  )

  /// Like ArgumentParser's `main`, but a usage error exits 2 (what CI tools expect), not EX_USAGE (64).
  static func main() {
    do {
      var command = try parseAsRoot()
      // Whatever the outcome, keep what this run parsed (a no-op when it only used the cache).
      defer { processCache?.save() }
      try command.run()
    } catch {
      // Messages echo the command line: written as inert lines (no escape sequences, no CI commands).
      let code = exitCode(for: error)
      if code == .success { exit(withError: error) }
      let message = fullMessage(for: error)
      var stderr = StandardError()
      if !message.isEmpty { print(InertText.block(message), terminator: "", to: &stderr) }
      Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
    }
  }
}

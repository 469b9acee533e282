import ArgumentParser
import TrustgateCore
#if canImport(Glibc)
  import Glibc
#endif

@main
struct Trustgate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trustgate",
    abstract: "Catch TLS trust regressions in CI before they become CERTIFICATE_VERIFY_FAILED in production.",
    discussion: """
      trustgate reads a machine's (or an unpacked image's) whole TLS trust setup — OS CA stores, OpenSSL defaults,
      trust environment variables, proxies, Python's certifi and client libraries, the repository's lockfiles and
      the clock — into one snapshot, compares it with a baseline and fails the build on trust regressions.

      Exit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 usage, configuration or input
      error.
      """,
    version: "0.1.0",
    subcommands: [Check.self, Inspect.self, Baseline.self, Diff.self, Rules.self, Explain.self]
  )

  /// ArgumentParser exits 64 (EX_USAGE) on a wrong command line; trustgate promises 2 for usage errors, so CI can
  /// tell "findings" (1) from "the gate did not run" (2) with one rule.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      if exitCode(for: error) == .validationFailure {
        var stderr = StandardError()
        print(fullMessage(for: error), to: &stderr)
        fflush(nil)
        Glibc.exit(2)
      }
      exit(withError: error)
    }
  }
}

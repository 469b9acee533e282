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

      Exit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 usage, configuration, input or \
      output error (an unknown option too; output that cannot be written, such as to a full disk).

      Shell completion: `trustgate --generate-completion-script bash` (or zsh, fish) prints a completion script; \
      e.g. `trustgate --generate-completion-script bash > /etc/bash_completion.d/trustgate`, or for zsh write it \
      as `_trustgate` into a folder on $fpath.

      Nothing is kept between runs: every run reads every file it judges, so a PASS is about the environment as it \
      is now. TRUSTGATE_PROFILE=1 prints each stage's time on standard error.
      """,
    version: "0.1.0",
    // Every command sets `commandName`: deriving it from the type name (`String(describing:)`) costs a reflection
    // pass on every start-up.
    subcommands: [Check.self, Inspect.self, Baseline.self, Diff.self, Rules.self, Explain.self, Verify.self]
  )

  @Flag(name: .customShort("V"), help: "Show the version.")
  var showVersion = false

  func run() throws {
    if showVersion {
      print(Self.configuration.version)
      return
    }
    throw CleanExit.helpRequest(self)
  }

  /// Whether `check`'s arguments, not yet parsed, choose a baseline read from git: `--baseline-ref`, `--staged`,
  /// `--hook`, or none of them (the automatic choice, git unless a recorded baseline is found). A wrong guess costs
  /// only a library loaded on an idle core.
  static func readsGit(_ arguments: ArraySlice<String>) -> Bool {
    let options = Set(arguments.map { String($0.split(separator: "=", maxSplits: 1).first ?? "") })
    return !options.isDisjoint(with: ["--baseline-ref", "--staged", "--hook"])
      || options.isDisjoint(with: ["--baseline", "--baseline-image", "--help", "-h"])
  }

  /// The host's OS bundle certificates, parsed on the other core while the arguments are (see `EarlyReading`).
  nonisolated(unsafe) static var early: EarlyReading?

  /// Like ArgumentParser's `main`, but a usage error exits 2 (what CI tools expect), not EX_USAGE (64).
  static func main() {
    StandardStreams.reserveClosed()
    OpenSSLLibrary.initialiseWithoutExitHandler()
    let arguments = CommandLine.arguments.dropFirst()
    // Only for commands that inspect this host: --root and --image name other trees.
    if let command = arguments.first, ["inspect", "check", "baseline"].contains(command),
      !arguments.contains(where: { ["--root", "--image"].contains($0.split(separator: "=").first.map(String.init)) })
    {
      early = EarlyReading()
    }
    if arguments.first == "check", readsGit(arguments) { GitRepository.loadLibraryInBackground() }
    do {
      var command = try parseAsRoot()
      try command.run()
      if let failure = standardOutputFailure() { finish(failure, code: 2) }
    } catch {
      // Messages echo the command line: written as inert lines (no escape sequences, no CI commands).
      let code = exitCode(for: error)
      if code == .success {
        // Help and version, printed as ArgumentParser's `exit(withError:)` prints them, then checked like any output.
        print(fullMessage(for: error))
        if let failure = standardOutputFailure() { finish(failure, code: 2) }
        Foundation.exit(0)
      }
      let message = fullMessage(for: error)
      // A failing run whose report was lost: its error, then why nothing (or part) was shown.
      if let failure = standardOutputFailure() {
        finish([message, failure].filter { !$0.isEmpty }.joined(separator: "\n"), code: 2)
      }
      finish(message, code: code == .validationFailure ? 2 : code.rawValue)
    }
  }

  static func finish(_ message: String, code: Int32) -> Never {
    var stderr = StandardError()
    if !message.isEmpty { print(InertText.block(message), terminator: "", to: &stderr) }
    Foundation.exit(code)
  }

  /// Why what the command printed did not all reach standard output, if it did not: a report or baseline lost to a
  /// full disk or a closed descriptor must not end as a silent exit 0 (`exit` flushes the buffer but ignores its
  /// errors). A reader that went away ends the run without a message, but not with 0.
  static func standardOutputFailure() -> String? {
    guard let why = StandardStreams.outputFailure() else { return nil }
    if why.isEmpty { return "" }
    return "trustgate: error: cannot write standard output: \(why); what was printed is incomplete"
  }
}

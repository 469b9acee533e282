import ArgumentParser
#if canImport(Glibc)
  import Glibc
#endif
import FoundationEssentials
import TrustgateCore

/// Where to look: shared by inspect, baseline and check.
struct TargetOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Inspect an unpacked root filesystem instead of this machine.", valueName: "dir"))
  var root: String?

  @Option(help: ArgumentHelp("The repository whose lockfiles count (default: the git work tree here).", valueName: "dir"))
  var repo: String?

  @Option(help: ArgumentHelp("Inspect a container image: a `docker save` tar, or an OCI layout (folder or tar).", valueName: "path"))
  var image: String?

  @Option(
    help: ArgumentHelp(
      "Read --image (and --baseline-image) as this user instead of the image's User, as `docker run --user` or "
        + "Kubernetes `runAsUser` start it: NAME, UID, NAME:GROUP or UID:GID, looked up in the image's /etc/passwd "
        + "and /etc/group.",
      valueName: "user"))
  var imageUser: String?

  @Option(
    help: ArgumentHelp(
      "Environment variables for --root or --image, as KEY=VALUE lines. A relative CA path in any variable is "
        + "opened from the folder the clients run in: the image's WorkingDir, / under --root, here on this machine.",
      valueName: "file"))
  var envFile: String?

  @Option(help: ArgumentHelp("Policy file (default: .trustgate.yml in the repository, when present).", valueName: "file"))
  var policy: String?

  var workspace: Workspace {
    var workspace = Workspace(
      root: root, repository: repo, envFile: envFile, image: image, policyFile: policy,
      processEnvironment: ProcessInfo.processInfo.environment, currentDirectory: FileManager.default.currentDirectoryPath)
    workspace.imageUser = imageUser
    workspace.early = Trustgate.early
    return workspace
  }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

/// Prints an input error the way CI logs show it and exits 2. The message echoes user input: inert lines only.
func fail(_ error: some Error) -> ExitCode {
  var stderr = StandardError()
  print(InertText("trustgate: error: \(error)", limit: InertText.sentenceLimit), to: &stderr)
  return ExitCode(2)
}

struct StandardError: TextOutputStream {
  mutating func write(_ string: String) {
    _ = string.withCString { Glibc.write(2, $0, strlen($0)) }
  }
}

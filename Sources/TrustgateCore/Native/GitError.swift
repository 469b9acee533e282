/// Why a git operation failed. Descriptions name the path or revision, what is wrong, and what to do about it;
/// `library` carries libgit2's own message.
public enum GitError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Neither the path nor any directory above it is inside a git repository.
  case notARepository(String)
  /// The repository is owned by another user and git's `safe.directory` check refused it.
  case untrustedOwner(String)
  /// The revision does not name a commit in this repository; `shallow` tells whether history was cut off.
  case refNotFound(String, shallow: Bool)
  /// The revision names an object that is not a commit (a blob or a tree).
  case notACommit(String)
  /// The text is not a full 40-digit object id.
  case invalidObjectId(String)
  /// A blob is bigger than the caller allows.
  case tooLarge(oid: String, size: Int, limit: Int)
  /// libgit2 (this soname) could not be loaded.
  case libraryMissing(String)
  /// Any other libgit2 failure, with libgit2's message and what trustgate was doing.
  case library(String, operation: String)

  public var description: String {
    switch self {
    case .notARepository(let path):
      return "\(path): not inside a git repository (nor any parent directory); pass the repository with --repo"
    case .untrustedOwner(let path):
      return "\(path): the repository is owned by another user, so git refuses it; if you trust it, run "
        + "`git config --global --add safe.directory \(path)`"
    case .refNotFound(let revision, let shallow):
      return Self.missingRevisionAdvice(revision, shallow: shallow)
    case .notACommit(let revision):
      return "\(revision): names a git object that is not a commit; give a branch, tag, or commit id"
    case .invalidObjectId(let text):
      return "\(text): not a git object id (expected 40 hexadecimal digits)"
    case .tooLarge(let oid, let size, let limit):
      return "git blob \(oid): \(size) bytes, more than the \(limit) bytes trustgate reads"
    case .libraryMissing(let soname):
      return "libgit2 (\(soname)) is not installed, so git refs cannot be read; install it (`apt-get install libgit2-1.5` or "
        + "libgit2-dev) or give a recorded baseline with --baseline"
    case .library(let message, let operation):
      return "git: \(operation) failed: \(message)"
    }
  }

  /// Says how to make a missing revision available, without guessing another one in its place.
  static func missingRevisionAdvice(_ revision: String, shallow: Bool) -> String {
    let what =
      shallow
      ? "\(revision): not found in this shallow clone (its history was cut off when it was cloned)"
      : "\(revision): no such branch, tag, or commit in this repository"
    let fetch: String
    if revision.contains("~") || revision.contains("^") || revision.contains("@{") {
      fetch =
        shallow
        ? "fetch more history with `git fetch --deepen=50 origin` (or `git fetch --unshallow origin`)"
        : "check the revision with `git log --oneline -5`"
    } else if revision.hasPrefix("origin/") {
      let branch = String(revision.dropFirst("origin/".count))
      fetch = "fetch it with `git fetch --depth=1 origin \(branch):refs/remotes/origin/\(branch)`"
    } else if revision.hasPrefix("refs/remotes/origin/") {
      let branch = String(revision.dropFirst("refs/remotes/origin/".count))
      fetch = "fetch it with `git fetch --depth=1 origin \(branch):\(revision)`"
    } else if Self.looksLikeObjectId(revision) {
      fetch = "fetch it with `git fetch --depth=1 origin \(revision)`"
    } else {
      fetch = "fetch it with `git fetch --depth=1 origin \(revision):\(revision)`"
    }
    let checkout = "in GitHub Actions, `fetch-depth: 0` on actions/checkout fetches all branches and history"
    return "\(what); \(fetch); \(checkout)"
  }

  static func looksLikeObjectId(_ text: String) -> Bool {
    (4...40).contains(text.utf8.count)
      && text.utf8.allSatisfy { byte in
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
      }
  }
}

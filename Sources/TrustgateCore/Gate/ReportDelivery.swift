#if canImport(Glibc)
  import Glibc
#endif

/// Where CI annotations go on standard output: `auto` detects the CI from its variables.
public enum AnnotationTarget: String, Sendable, CaseIterable {
  case auto, github, gitlab, azure, none
}

/// How an evaluation is delivered: report files, CI annotations, the GitHub step summary and the standard-output
/// report (`--format`, the text summary by default; `--quiet` keeps only its verdict line).
public struct ReportDelivery: Sendable {
  public var reports: [ReportRequest]
  public var annotations: AnnotationTarget
  /// The report printed on standard output after the annotations.
  public var format: ReportFormat
  public var quiet: Bool
  public var colour: Bool
  public var environment: [String: String]
  /// Relative report paths are taken from here.
  public var currentDirectory: String

  public init(
    reports: [ReportRequest] = [], annotations: AnnotationTarget = .auto, format: ReportFormat = .text,
    quiet: Bool = false, colour: Bool = false, environment: [String: String] = [:], currentDirectory: String
  ) {
    self.reports = reports
    self.annotations = annotations
    self.format = format
    self.quiet = quiet
    self.colour = colour
    self.environment = environment
    self.currentDirectory = currentDirectory
  }

  /// The annotation format written to standard output, if any. A machine-readable `--format` keeps standard output
  /// parseable: annotations then come only when asked for by name.
  public var annotationFormat: ReportFormat? {
    switch annotations {
    case .auto: return format == .text ? CIProvider.detect(env: environment).annotationFormat : nil
    case .github: return .github
    case .gitlab: return nil  // GitLab shows code quality reports, written with --report gitlab=PATH
    case .azure: return .azure
    case .none: return nil
    }
  }

  /// Writes every report file and the step summary; returns what goes to standard output.
  public func deliver(_ evaluation: Evaluation, context: ReportContext? = nil) throws(InputError) -> String {
    let context = context ?? ReportContext(repositoryRoot: currentDirectory)
    var output = ""
    func emit(_ text: String) {
      guard !text.isEmpty else { return }
      output += text.hasSuffix("\n") ? text : text + "\n"
    }
    for request in reports {
      let text = request.format.reporter(colour: false, context: context).render(evaluation)
      switch request.destination {
      case .standardOutput: emit(text)
      case .file(let path): try write(text, to: path, format: request.format, repositoryRoot: context.repositoryRoot)
      }
    }
    if let annotationFormat {
      emit(annotationFormat.reporter(colour: false, context: context).render(evaluation))
      if annotationFormat == .github, let summary = environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
        // The summary repeats what the log holds, so a file the runner did not provide (a container started without
        // the runner's mount, a full disk) does not change the verdict; but it is said, in the log, not skipped.
        do throws(InputError) { try FileAppender.append(GitHubReporter().stepSummary(evaluation), to: summary) } catch {
          let note: InertText =
            "trustgate: the step summary was not written ($GITHUB_STEP_SUMMARY: \(error.description)); every finding "
            + "is in this log."
          emit(note.description)
        }
      }
    }
    // `--report FORMAT=-` already chose what standard output holds.
    guard !reports.contains(where: { $0.destination == .standardOutput }) else { return output }
    if quiet {
      emit(evaluation.verdictSentence)
    } else {
      emit(format.reporter(colour: colour && format == .text, context: context).render(evaluation))
    }
    return output
  }

  func write(_ text: String, to path: String, format: ReportFormat, repositoryRoot: String? = nil) throws(InputError) {
    let full = path.hasPrefix("/") ? path : currentDirectory + "/" + path
    do {
      try FileAppender.create(
        full, with: text, appending: format.appends, below: [currentDirectory] + (repositoryRoot.map { [$0] } ?? []))
    } catch {
      throw InputError("cannot write the \(format.rawValue) report to \(path): \(error.description)")
    }
  }
}

/// Writes report files with plain system calls (no Foundation in the library).
enum FileAppender {
  /// Writes a report or baseline file, making its folders: `full` must not go through a symbolic link below `base`
  /// (the folder a relative path is taken from, a checkout whose files anyone who opens a pull request chooses).
  /// A committed `reports -> ~/.ssh` or `reports/junit.xml -> ~/.bashrc` would otherwise have the file written
  /// wherever the link points.
  static func create(_ full: String, with text: String, appending: Bool, below bases: [String]) throws(InputError) {
    for base in bases { try refuseLinks(full, below: base) }
    let folder = String(full.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
    if !folder.isEmpty { try makeFolders(folder) }
    if appending { try append(text, to: full) } else { try replace(full, with: text) }
  }

  /// Throws when a component of `full` below `base` is a symbolic link (the rest, not there yet, is made as folders).
  /// `..` is taken as written (`../reports` leaves the folder); the system's own paths (`/dev/stdout`,
  /// `/proc/self/fd/1`) and a base of `/` (no checkout) are not looked at.
  static func refuseLinks(_ full: String, below base: String) throws(InputError) {
    var parts: [Substring] = []
    for part in full.split(separator: "/") where part != "." {
      if part == ".." { _ = parts.popLast() } else { parts.append(part) }
    }
    let normal = "/" + parts.joined(separator: "/")
    let base = base.hasSuffix("/") ? String(base.dropLast()) : base
    guard !base.isEmpty, normal.hasPrefix(base + "/"), !isSystemPath(normal) else { return }
    var path = base
    for part in normal.dropFirst(base.count + 1).split(separator: "/") {
      path += "/" + part
      var info = stat()
      guard lstat(path, &info) == 0 else { return }
      if info.st_mode & S_IFMT == S_IFLNK {
        throw InputError(
          "\(path) is a symbolic link: a report or baseline is not written through a link (a link committed in the "
            + "repository could point at any file); remove it, or give another path")
      }
    }
  }

  /// The system's own paths, whose links are its (`/dev/stdout`, `/proc/self/fd/1`).
  static func isSystemPath(_ path: String) -> Bool { path.hasPrefix("/dev/") || path.hasPrefix("/proc/") }

  static func append(_ text: String, to path: String) throws(InputError) {
    try write(text, to: path, flags: O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC)
  }

  static func replace(_ path: String, with text: String) throws(InputError) {
    try write(text, to: path, flags: O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC)
  }

  /// Opened without waiting: a FIFO nobody reads (planted at a report's path, or `$GITHUB_STEP_SUMMARY`) fails at
  /// once instead of hanging the run, and a folder or socket is refused; a regular file, a device (`/dev/null`, a
  /// terminal) or a pipe something reads (`/dev/stdout` in a pipeline) is written.
  /// The last component is not followed when it is a link, except for the system's own (`/dev/stdout`,
  /// `/proc/self/fd/1`).
  static func write(_ text: String, to path: String, flags: Int32) throws(InputError) {
    let fd = open(path, flags | O_NONBLOCK | (isSystemPath(path) ? 0 : O_NOFOLLOW), 0o644)
    guard fd >= 0 else {
      if errno == ENXIO {
        throw InputError("cannot write \(path): it is a FIFO (named pipe) nobody reads; give a regular file")
      }
      if errno == ELOOP {
        throw InputError(
          "cannot write \(path): it is a symbolic link, not followed (it could point at any file); remove it, or "
            + "give another path")
      }
      throw InputError("cannot open \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, [S_IFREG, S_IFCHR, S_IFIFO].contains(info.st_mode & S_IFMT) else {
      throw InputError("cannot write \(path): it is not a regular file (a folder or socket); give a regular file")
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    let bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
      let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { throw InputError("cannot write \(path): \(String(cString: strerror(errno)))") }
      done += n
    }
  }

  /// `mkdir -p`.
  static func makeFolders(_ path: String) throws(InputError) {
    var built = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
      built += "/" + part
      if mkdir(built, 0o755) != 0 && errno != EEXIST {
        throw InputError("cannot create the folder \(built): \(String(cString: strerror(errno)))")
      }
    }
  }
}

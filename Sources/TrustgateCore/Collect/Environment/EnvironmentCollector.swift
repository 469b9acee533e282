/// Reads the trust variables that are set (empty counts as set) and what their paths lead to.
public struct EnvironmentCollector {
  public let env: [String: String]
  /// What relative paths are resolved against: the folder the clients run in (`InspectRequest.workingDirectory`).
  public let workingDirectory: String

  public init(env: [String: String], workingDirectory: String = "/") {
    self.env = env
    self.workingDirectory = workingDirectory
  }

  public func collect(_ context: CollectionContext) -> [EnvVariable] {
    var result: [EnvVariable] = []
    for variable in TrustVariables.all {
      guard let given = env[variable.name] else { continue }
      // A URL with credentials in a CA variable (`https://user:secret@host/ca.pem`) is no path its readers open,
      // and the secret must not reach a report: redacted here, before anything can echo it.
      // A host list that turns verification off (PIP_TRUSTED_HOST, GOINSECURE, UV_INSECURE_HOST) may carry
      // `user:password@host` items without a scheme: redacted as the same setting is in the clients' files.
      let value =
        variable.role == .disablesVerification
        ? ConfigSwitch.redactingCredentials(given) : Self.redactingURLCredentials(given)
      var entry = EnvVariable(name: variable.name, role: variable.role, value: value)
      switch variable.role {
      case .disablesVerification:
        let off = variable.disables?(value) ?? false
        entry.disablesVerification = off
        if off {
          context.report(
            Problem(
              area: .environment, path: nil,
              message: "\(variable.name)=\(value) turns TLS verification off for \(variable.readBy)",
              fix:
                "Unset \(variable.name) and trust the right CA instead (point the client's CA variable at a bundle that holds it)."
            ))
        }
      case .caFile, .caDirectory, .caFileOrDirectory:
        if value.isEmpty {
          context.report(
            Problem(
              area: .environment, path: nil,
              message:
                "\(variable.name) is set but empty (requests < 2.28 turns verification off on an empty CURL_CA_BUNDLE; new botocore refuses an empty AWS_CA_BUNDLE)",
              fix: "Unset \(variable.name), or set it to an existing CA bundle."))
        } else {
          let opened = TrustVariables.resolvingRelativePaths([variable.name: value], in: workingDirectory)
          if let path = opened[variable.name], path != value { entry.path = path }
          entry.target = target(of: variable, value: value, context)
        }
      }
      result.append(entry)
    }
    return result
  }

  /// `scheme://user:password@rest` with the user information replaced by `***`; any other value unchanged.
  /// Credentials end at the last `@` before the path, as in `ProxyCollector.parse`.
  static func redactingURLCredentials(_ value: String) -> String {
    guard let schemeEnd = value.range(of: "://") else { return value }
    let scheme = value[..<schemeEnd.lowerBound]
    guard let first = scheme.first, first.isASCII, first.isLetter,
      scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
    else { return value }
    let rest = value[schemeEnd.upperBound...]
    // Passwords are pasted unencoded and may hold `/`, `?` or `#`: the last `@` anywhere ends them.
    guard let at = rest.lastIndex(of: "@") else { return value }
    return value[..<schemeEnd.upperBound] + "***@" + rest[rest.index(after: at)...]
  }

  private func target(of variable: TrustVariable, value: String, _ context: CollectionContext) -> EnvTarget {
    let fs = context.fs
    // SSL_CERT_DIR may list several folders (OpenSSL 3 and Go split it at `:`); OpenSSL looks each hash up in every
    // listed folder in turn and passes over one that is missing, so the first that exists is the one that matters.
    // A relative path is opened from the folder the clients run in.
    let folders = variable.role == .caDirectory ? value.split(separator: ":").map(String.init) : [value]
    let given =
      folders.first { fs.isDirectory(TrustVariables.opened($0, from: workingDirectory)) } ?? folders.first ?? value
    let path = TrustVariables.opened(given, from: workingDirectory)
    let missingFix =
      "Point \(variable.name) at an existing CA bundle (e.g. /etc/ssl/certs/ca-certificates.crt), or unset it."
    let real: String
    do {
      real = try fs.resolveExisting(path)
    } catch {
      var target: EnvTarget
      switch error {
      case .danglingLink: target = EnvTarget(state: .danglingLink)
      case .symlinkLoop: target = EnvTarget(state: .linkLoop)
      case .notDirectory, .notFound: target = EnvTarget(state: .missing)
      default: target = EnvTarget(state: .unreadable)
      }
      context.report(
        Problem(
          area: .environment, path: path,
          message: "\(variable.name) points at \(error.renamed(to: error.path.capped()).description)", fix: missingFix))
      return target
    }
    var target: EnvTarget
    switch fs.rawKind(real) {
    case .directory:
      target = EnvTarget(state: .directory)
      if variable.role == .caFile {
        context.report(
          Problem(
            area: .environment, path: path, message: "\(variable.name) names a directory; its readers expect a file",
            fix: "Point \(variable.name) at a PEM bundle file, or use the directory variable (SSL_CERT_DIR)."))
      }
      target.certificates = context.certificates(inDirectory: path, area: .environment)?.set
    case .file:
      target = EnvTarget(state: .file)
      if variable.role == .caDirectory {
        context.report(
          Problem(
            area: .environment, path: path, message: "\(variable.name) names a file; its readers expect a directory",
            fix: "Point \(variable.name) at a hashed certificate directory, or use SSL_CERT_FILE for a bundle."))
      }
      var oversized = false
      target.certificates = context.certificates(inFile: path, area: .environment, fix: missingFix) { error in
        if case .tooLarge = error { oversized = true }
      }
      if target.certificates == nil { target.state = oversized ? .tooLarge : .unreadable }
    default:
      target = EnvTarget(state: fs.isFIFO(real) ? .fifo : .notAFile)
      context.report(
        Problem(
          area: .environment, path: path, message: "\(variable.name) points at something that is not a file",
          fix: missingFix))
    }
    target.resolvedPath = real == given ? nil : real
    if let set = target.certificates {
      if set.certificates.isEmpty {
        context.report(
          Problem(
            area: .environment, path: path, message: "\(variable.name) points at a file with no certificates",
            fix: missingFix))
      } else if set.expired == set.count {
        context.report(
          Problem(
            area: .environment, path: path, message: "every certificate \(variable.name) points at has expired",
            fix: "Replace \(path) with a current bundle."))
      }
    }
    return target
  }
}

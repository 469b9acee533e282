/// TG203: a switch that turns certificate verification off.
public struct VerificationDisabledRule: Rule {
  public init() {}
  public static let description = RuleDescription(
    id: "TG203", title: "TLS verification switched off", area: .environment, severity: .error,
    rationale: "NODE_TLS_REJECT_UNAUTHORIZED=0, GIT_SSL_NO_VERIFY, GOINSECURE, PYTHONHTTPSVERIFY=0 (for a Python that reads it), an empty CURL_CA_BUNDLE with requests < 2.28 and similar switches, and the same settings in the clients' own files (git's http.sslVerify = false, pip's trusted-host (also on a requirements file's own line), GOINSECURE in go's env file, insecure in a .curlrc, strict-ssl=false in an .npmrc, uv's allow-insecure-host), accept any certificate: a proxy or attacker can read and change the traffic.",
    fix: "Remove the switch and make the client trust the right CA instead (add it to the bundle the client reads).",
    sources: ["https://nodejs.org/api/cli.html#node_tls_reject_unauthorizedvalue", "https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslVerify", "https://peps.python.org/pep-0493/", "https://pip.pypa.io/en/stable/cli/pip/#cmdoption-trusted-host"])

  public static let examples: [RuleExample] = [
    .init("NODE_TLS_REJECT_UNAUTHORIZED=0", triggers: true, context: { Examples.context { Examples.setVariable(&$0, "NODE_TLS_REJECT_UNAUTHORIZED", "0") } }),
    .init("empty CURL_CA_BUNDLE with requests 2.27", triggers: true, context: {
      var s = Examples.snapshot(requests: "2.27.1")
      Examples.setVariable(&s, "CURL_CA_BUNDLE", "")
      return Examples.context(s)
    }),
    .init("git http.sslVerify = false in ~/.gitconfig", triggers: true, context: {
      Examples.context {
        $0.configSwitches = [
          ConfigSwitch(
            client: "git", key: "http.sslVerify", value: "false", path: "/root/.gitconfig", line: 2, everyHost: true)
        ]
      }
    }),
    .init("NODE_TLS_REJECT_UNAUTHORIZED=1", triggers: false, context: { Examples.context { Examples.setVariable(&$0, "NODE_TLS_REJECT_UNAUTHORIZED", "1") } }),
  ]

  static let fixes = [
    "git": "Remove http.sslVerify = false and give git the CA instead (http.sslCAInfo, or GIT_SSL_CAINFO).",
    "pip": "Remove trusted-host and give pip the CA instead (cert in pip.conf, PIP_CERT, or REQUESTS_CA_BUNDLE).",
    "curl": "Remove insecure (-k) from the .curlrc and give curl the CA instead (cacert in it, or CURL_CA_BUNDLE).",
    "npm": "Remove strict-ssl=false from the .npmrc and give npm the CA instead (cafile, or NODE_EXTRA_CA_CERTS).",
    "uv": "Remove allow-insecure-host and give uv the CA instead (SSL_CERT_FILE, or UV_SYSTEM_CERTS=true).",
    "go": "Remove GOINSECURE (`go env -u GOINSECURE`) and give go the CA instead (SSL_CERT_FILE, or the OS store).",
  ]

  public func evaluate(_ context: RuleContext) -> RuleResult {
    var result = RuleResult()
    for variable in context.current.environment where variable.role == .disablesVerification {
      result.checked.append(variable.name)
      if variable.disablesVerification == true {
        let readers = TrustVariables.variable(variable.name)?.readBy ?? "its readers"
        result.findings.append(finding(variable.name, "\(variable.name)=\(variable.value) turns TLS verification off for \(readers)"))
      } else if variable.name == PythonHTTPSVerify.variable, TrustVariables.variable(variable.name)?.disables?(variable.value) == true {
        // Set, but no Python found here reads it (upstream Python 3 does not): verification stays on.
        result.findings.append(
          finding(
            variable.name,
            "\(variable.name)=\(variable.value) is set, but no Python found here reads it (only Python 2.7 and distribution-patched Python 3 do): verification stays on",
            fix: "Remove it: it does nothing here, and turns verification off wherever the same job runs a Python that reads it.",
            severity: .warning))
      }
    }
    for found in context.current.configSwitches ?? [] {
      result.checked.append("\(found.client) \(found.key)")
      // curl's `insecure` has no value.
      let setting = found.value.isEmpty ? found.key : "\(found.key) = \(found.value.capped(200))"
      result.findings.append(
        finding(
          "\(found.client) \(found.key)",
          "\(setting) in \(found.place) turns TLS verification off for \(found.client) \(found.scope)",
          at: found.variable == nil ? Location(path: found.path, line: found.line) : nil,
          fix: Self.fixes[found.client] ?? "Remove the setting and give the client the CA instead."))
    }
    for trust in context.current.effectiveTrust where trust.status == .insecure && trust.source.hasPrefix("CURL_CA_BUNDLE") {
      result.findings.append(
        finding("CURL_CA_BUNDLE", "CURL_CA_BUNDLE is empty and requests \(trust.version ?? "") < 2.28 then verifies nothing", fix: "Unset CURL_CA_BUNDLE, or upgrade requests to >= 2.28."))
    }
    return result
  }
}

/// Small in-memory snapshots that rule examples start from: a Debian-like host with an OS bundle of two roots, a
/// virtualenv with certifi, httpx and requests, and a uv.lock pinning them.
public enum Examples {
  public static let now = "2026-06-01T00:00:00Z"
  public static let rootA = certificate("aa", cn: "Example Root A")
  public static let rootB = certificate("bb", cn: "Example Root B")
  public static let corporate = certificate("cc", cn: "Corp Root", keyUsage: false)

  public static func certificate(_ seed: String, cn: String, keyUsage: Bool = true, notAfter: String = "2040-01-01T00:00:00Z") -> Certificate {
    Certificate(
      sha256: String(repeating: seed, count: 32), sha1: String(repeating: seed, count: 20), subject: "CN=\(cn),O=Example",
      issuer: "CN=\(cn),O=Example", serial: "01", notBefore: "2020-01-01T00:00:00Z", notAfter: notAfter, isCA: true,
      selfSigned: true, hasKeyUsage: keyUsage, hasSubjectKeyIdentifier: keyUsage, hasAuthorityKeyIdentifier: false,
      subjectHash: String(seed.prefix(2)) + "000000")
  }

  public static func set(_ certificates: [Certificate]) -> CertificateSet {
    CertificateSet(certificates: certificates.map(\.sha256))
  }

  public static let bundlePath = "/etc/ssl/certs/ca-certificates.crt"
  public static let certifiPath = ".venv/lib/python3.12/site-packages/certifi/cacert.pem"

  /// The healthy starting point.
  public static func snapshot(httpx: String = "0.27.2", requests: String = "2.32.3", python: String = "3.12.3") -> Snapshot {
    var s = Snapshot(target: Target(kind: .host))
    for c in [rootA, rootB, corporate] { s.certificates[c.sha256] = c }
    s.stores = [TrustStore(path: bundlePath, kind: .bundle, certificates: set([rootA, rootB]))]
    s.openssl.version = "OpenSSL 3.0.19 27 Jan 2026"
    s.openssl.defaultCertFile = "/usr/lib/ssl/cert.pem"
    s.openssl.resolvedCertFile = bundlePath
    s.openssl.certFile = set([rootA, rootB])
    var env = PythonEnvironment(path: ".venv", kind: .virtualenv)
    env.pythonVersion = python
    env.distributions = [
      Distribution(name: "certifi", version: "2026.4.22", metadata: ".venv/lib/python3.12/site-packages/certifi-2026.4.22.dist-info/METADATA"),
      Distribution(name: "httpx", version: httpx, metadata: ".venv/lib/python3.12/site-packages/httpx-\(httpx).dist-info/METADATA"),
      Distribution(name: "requests", version: requests, metadata: ".venv/lib/python3.12/site-packages/requests-\(requests).dist-info/METADATA"),
    ]
    env.certifi = BundledCA(package: "certifi", path: certifiPath, certificates: set([rootA, rootB]))
    s.python.environments = [env]
    s.lockfiles = [
      Lockfile(
        path: "uv.lock", format: .uv,
        pins: [
          Pin(name: "certifi", version: "2026.4.22", line: 10), Pin(name: "httpx", version: httpx, line: 20),
          Pin(name: "requests", version: requests, line: 30),
        ])
    ]
    s.clock = ClockInfo(now: now, sync: .synchronised)
    s.effectiveTrust = EffectiveTrust.resolve(s)
    return s
  }

  /// Sets a variable with the target state a collector would have recorded.
  public static func setVariable(_ s: inout Snapshot, _ name: String, _ value: String, state: EnvTarget.State? = .file, certificates: [Certificate] = [rootA, rootB]) {
    let role = TrustVariables.variable(name)?.role ?? .caFile
    var variable = EnvVariable(name: name, role: role, value: value)
    if role == .disablesVerification {
      variable.disablesVerification = TrustVariables.variable(name)?.disables?(value) ?? false
    } else if let state, !value.isEmpty {
      var target = EnvTarget(state: state)
      if state == .file || state == .directory { target.certificates = set(certificates) }
      variable.target = target
    }
    s.environment.removeAll { $0.name == name }
    s.environment.append(variable)
    s.environment.sort()
    s.effectiveTrust = EffectiveTrust.resolve(s)
  }

  /// A context comparing `current` with `baseline`, as the gate builds it.
  public static func context(_ current: Snapshot, baseline: Snapshot? = nil, policy: Policy = Policy()) -> RuleContext {
    let changes = baseline.map { SnapshotDiff.diff(baseline: $0, current: current) } ?? []
    return RuleContext(current: current, baseline: baseline, changes: changes, policy: policy, now: now)
  }

  public static func context(_ change: (inout Snapshot) -> Void) -> RuleContext {
    var s = snapshot()
    change(&s)
    s.effectiveTrust = EffectiveTrust.resolve(s)
    return context(s)
  }

  public static func compare(_ change: (inout Snapshot) -> Void) -> RuleContext {
    let base = snapshot()
    var s = base
    change(&s)
    s.effectiveTrust = EffectiveTrust.resolve(s)
    return context(s, baseline: base)
  }
}

/// Derives, for every client present, where its trust comes from: which file or directory it would load given its
/// version and the variables it honours (trust-regressions.md §1, §2, §5, §7), and how many valid roots that holds.
public enum EffectiveTrust {
  public static func resolve(_ snapshot: Snapshot) -> [ClientTrust] {
    let resolver = Resolver(snapshot)
    return resolver.resolveAll().sorted()
  }
}

/// Lookups over one snapshot, shared by the per-client decisions.
struct Resolver {
  let snapshot: Snapshot
  let env: [String: EnvVariable]
  let sets: [String: CertificateSet]
  let python: PythonEnvironment?

  init(_ snapshot: Snapshot) {
    self.snapshot = snapshot
    env = Dictionary(snapshot.environment.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    var sets: [String: CertificateSet] = [:]
    for store in snapshot.stores {
      sets[store.path] = store.certificates
      if let link = store.linksTo { sets[link] = sets[link] ?? store.certificates }
    }
    for variable in snapshot.environment {
      if let set = variable.target?.certificates {
        sets[variable.value] = sets[variable.value] ?? set
        if let real = variable.target?.resolvedPath { sets[real] = sets[real] ?? set }
      }
    }
    if let file = snapshot.openssl.defaultCertFile, let set = snapshot.openssl.certFile {
      sets[file] = set
      if let real = snapshot.openssl.resolvedCertFile { sets[real] = sets[real] ?? set }
    }
    for environment in snapshot.python.environments {
      for bundle in [environment.certifi, environment.pipCertifi].compactMap({ $0 }) + environment.vendoredBundles {
        sets[bundle.path] = bundle.certificates
      }
    }
    self.sets = sets
    python = PythonSelection.primary(snapshot.python.environments)
  }

  /// The OS bundle clients fall back to: first existing in Go's order.
  var osBundle: String? {
    for location in StoreLocations.bundles {
      if let store = snapshot.stores.first(where: { $0.path == location.path }), store.certificates.count > 0 {
        return store.path
      }
    }
    return nil
  }

  func value(_ name: String) -> String? { env[name]?.value }
  func nonEmpty(_ name: String) -> String? { value(name).flatMap { $0.isEmpty ? nil : $0 } }

  /// Installed version in the primary environment, else the first exact pin in the lockfiles.
  func version(of package: String) -> (version: String?, present: Bool) {
    if let installed = python?.distribution(package) { return (installed.version, true) }
    for lockfile in snapshot.lockfiles {
      if let pin = lockfile.pins.first(where: { $0.name == package }) { return (pin.version, true) }
    }
    return (nil, false)
  }

  func validRoots(_ set: CertificateSet) -> Int { max(0, set.distinct.count - set.expired - set.notYetValid) }

  /// A trust entry for a file or directory the client loads.
  func entry(_ client: String, _ version: String?, source: String, path: String?) -> ClientTrust {
    guard let path else { return ClientTrust(client: client, version: version, source: source, path: nil, roots: nil, status: .unknown) }
    if let set = sets[path] {
      let roots = validRoots(set)
      return ClientTrust(client: client, version: version, source: source, path: path, roots: roots, status: roots > 0 ? .ok : .broken)
    }
    let state = env.values.first { $0.value == path }?.target?.state
    var trust = ClientTrust(client: client, version: version, source: source, path: path, roots: 0, status: .broken)
    trust.note = state == .directory ? nil : "missing file: every verified request fails"
    if state == .directory { trust.status = .unknown; trust.roots = nil }
    return trust
  }

  /// The file `certifi.where()` returns: Debian's python3-certifi is patched to return the OS bundle.
  func certifiPath() -> String? { python?.certifi.map { $0.loadedFrom ?? $0.path } }

  func resolveAll() -> [ClientTrust] {
    var result: [ClientTrust] = []
    let setVariables = Set(env.keys)
    func finish(_ t: ClientTrust, honours: [String], ignores: [String]) -> ClientTrust {
      var t = t
      t.honours = honours.filter { setVariables.contains($0) }.sorted()
      t.ignores = ignores.filter { setVariables.contains($0) }.sorted()
      return t
    }
    let httpx = version(of: "httpx")
    if httpx.present { result.append(finish(resolveHTTPX(httpx.version), honours: ["SSL_CERT_FILE", "SSL_CERT_DIR"], ignores: ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])) }
    let requests = version(of: "requests")
    if requests.present { result.append(finish(resolveRequests(requests.version), honours: ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"], ignores: ["SSL_CERT_FILE", "SSL_CERT_DIR"])) }
    let pip = version(of: "pip")
    if pip.present { result.append(finish(resolvePip(pip.version), honours: ["PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"], ignores: [])) }
    let botocore = version(of: "botocore")
    if botocore.present { result.append(finish(resolveBotocore(botocore.version), honours: ["AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE"], ignores: ["SSL_CERT_FILE"])) }
    for client in ["aiohttp", "urllib3"] {
      let v = version(of: client)
      if v.present { result.append(finish(resolveOpenSSLDefault(client, v.version), honours: ["SSL_CERT_FILE", "SSL_CERT_DIR"], ignores: ["REQUESTS_CA_BUNDLE"])) }
    }
    if python != nil {
      result.append(finish(resolveOpenSSLDefault("python-ssl", python?.pythonVersion), honours: ["SSL_CERT_FILE", "SSL_CERT_DIR"], ignores: []))
    }
    result.append(finish(resolveOpenSSLDefault("openssl", snapshot.openssl.version), honours: ["SSL_CERT_FILE", "SSL_CERT_DIR"], ignores: []))
    if let curl = nonEmpty("CURL_CA_BUNDLE") {
      result.append(finish(entry("curl", nil, source: "CURL_CA_BUNDLE", path: curl), honours: ["CURL_CA_BUNDLE", "SSL_CERT_FILE"], ignores: []))
    } else if let file = nonEmpty("SSL_CERT_FILE") {
      result.append(finish(entry("curl", nil, source: "SSL_CERT_FILE", path: file), honours: ["SSL_CERT_FILE"], ignores: []))
    }
    if let git = nonEmpty("GIT_SSL_CAINFO") {
      result.append(finish(entry("git", nil, source: "GIT_SSL_CAINFO", path: git), honours: ["GIT_SSL_CAINFO"], ignores: []))
    }
    if value("GIT_SSL_NO_VERIFY") != nil {
      var t = ClientTrust(client: "git", version: nil, source: "GIT_SSL_NO_VERIFY", path: nil, roots: nil, status: .insecure)
      t.note = "verification turned off"
      result.removeAll { $0.client == "git" }
      result.append(t)
    }
    if let node = nonEmpty("NODE_EXTRA_CA_CERTS") {
      var t = entry("node", nil, source: "bundled roots + NODE_EXTRA_CA_CERTS", path: node)
      if t.status == .broken { t.status = .ok; t.note = "extra CA file missing: Node warns and uses its bundled roots only" }
      result.append(t)
    }
    if value("NODE_TLS_REJECT_UNAUTHORIZED") == "0" {
      result.removeAll { $0.client == "node" }
      var t = ClientTrust(client: "node", version: nil, source: "NODE_TLS_REJECT_UNAUTHORIZED=0", path: nil, roots: nil, status: .insecure)
      t.note = "verification turned off"
      result.append(t)
    }
    return result
  }

  func resolveHTTPX(_ version: String?) -> ClientTrust {
    let modern = version.flatMap(Version.init).map { $0 >= Version(0, 28) } ?? true
    if let file = nonEmpty("SSL_CERT_FILE") {
      let isFile = env["SSL_CERT_FILE"]?.target?.state == .file
      if modern || isFile {
        var t = entry("httpx", version, source: "SSL_CERT_FILE", path: file)
        if !isFile && modern { t.status = .broken; t.note = "SSL_CERT_FILE is not a file: httpx >= 0.28 raises FileNotFoundError when the Client is built" }
        return t
      }
    }
    if let dir = nonEmpty("SSL_CERT_DIR"), modern ? nonEmpty("SSL_CERT_FILE") == nil : env["SSL_CERT_DIR"]?.target?.state == .directory {
      return entry("httpx", version, source: "SSL_CERT_DIR", path: dir)
    }
    var t = entry("httpx", version, source: "certifi", path: certifiPath())
    if !modern, nonEmpty("SSL_CERT_FILE") != nil { t.note = "SSL_CERT_FILE is not a file, so httpx < 0.28 silently ignores it" }
    return t
  }

  func resolveRequests(_ version: String?) -> ClientTrust {
    if let bundle = nonEmpty("REQUESTS_CA_BUNDLE") {
      return entry("requests", version, source: "REQUESTS_CA_BUNDLE", path: bundle)
    }
    if let curl = value("CURL_CA_BUNDLE") {
      if curl.isEmpty {
        if let v = version.flatMap(Version.init), v < Version(2, 28) {
          var t = ClientTrust(client: "requests", version: version, source: "CURL_CA_BUNDLE=\"\"", path: nil, roots: nil, status: .insecure)
          t.note = "requests < 2.28 turns verification off when CURL_CA_BUNDLE is empty"
          return t
        }
      } else {
        return entry("requests", version, source: "CURL_CA_BUNDLE", path: curl)
      }
    }
    return entry("requests", version, source: "certifi", path: certifiPath())
  }

  func resolvePip(_ version: String?) -> ClientTrust {
    for name in ["PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"] {
      if let path = nonEmpty(name) { return entry("pip", version, source: name, path: path) }
    }
    let pythonOK = python?.pythonVersion.flatMap(Version.init).map { $0 >= Version(3, 10) } ?? false
    if let v = version.flatMap(Version.init), v >= Version(24, 2), pythonOK, let os = osBundle {
      var t = entry("pip", version, source: "truststore (OS store)", path: os)
      t.note = "and its vendored certifi as fallback"
      return t
    }
    return entry("pip", version, source: "vendored certifi", path: python?.pipCertifi?.path ?? certifiPath())
  }

  func resolveBotocore(_ version: String?) -> ClientTrust {
    if let aws = value("AWS_CA_BUNDLE") {
      if aws.isEmpty {
        var t = ClientTrust(client: "botocore", version: version, source: "AWS_CA_BUNDLE=\"\"", path: nil, roots: nil, status: .broken)
        t.note = "recent botocore raises InvalidConfigError on an empty AWS_CA_BUNDLE"
        return t
      }
      return entry("botocore", version, source: "AWS_CA_BUNDLE", path: aws)
    }
    if let bundle = nonEmpty("REQUESTS_CA_BUNDLE") {
      return entry("botocore", version, source: "REQUESTS_CA_BUNDLE", path: bundle)
    }
    if python?.certifi != nil { return entry("botocore", version, source: "certifi", path: certifiPath()) }
    let own = python?.vendoredBundles.first { $0.package == "botocore" }?.path
    return entry("botocore", version, source: "botocore cacert.pem", path: own)
  }

  func resolveOpenSSLDefault(_ client: String, _ version: String?) -> ClientTrust {
    if let file = nonEmpty("SSL_CERT_FILE") {
      return entry(client, version, source: "SSL_CERT_FILE", path: file)
    }
    let file = snapshot.openssl.defaultCertFile
    if let file, sets[file] != nil {
      return entry(client, version, source: "OpenSSL default", path: file)
    }
    // OpenSSL skips a missing default file and looks certificates up in the default folder, through its link.
    let folder = nonEmpty("SSL_CERT_DIR") ?? snapshot.openssl.resolvedCertDir ?? snapshot.openssl.defaultCertDir
    if let dir = folder, let store = snapshot.stores.first(where: { $0.path == dir && $0.kind == .hashedDirectory }) {
      return entry(client, version, source: "OpenSSL default directory", path: store.path)
    }
    return entry(client, version, source: "OpenSSL default", path: file)
  }
}

/// Which Python environment stands for "the project's Python".
public enum PythonSelection {
  /// A virtualenv inside the repository, else the one VIRTUAL_ENV names, else the one with the most clients
  /// (`ProjectPython`).
  public static func primary(_ environments: [PythonEnvironment]) -> PythonEnvironment? {
    ProjectPython.select(environments)
  }
}

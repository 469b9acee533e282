/// `trustgate verify --connect`: the captured chains, what they say about the path (interception, addresses that
/// disagree), and per client whether each distinct chain verifies.
///
/// JSON (stable): `{"capture": {...}, "verdicts": [...]}`.
/// - `capture`: `target` (`host:port`), `server_name` (SNI, null for an IP), `proxy` (URL with credentials redacted,
///   or null), `proxy_variable`, `bypassed_by` (the NO_PROXY variable that sent it direct, or null), `addresses` (one
///   object per address tried: `address` (null through a proxy), `error` (null when a chain came), `leaf_sha256`,
///   `leaf_subject`, `certificates`, `protocol`), `chains_differ` (bool), `interception` (a list of
///   `{root_subject, root_sha256, proxy}`), `saved` (the file written by `--save`, or null).
/// - `verdicts`: `verify --chain`'s objects, each with `addresses`: the addresses that served the chain it judges.
public struct ConnectReport: Sendable {
  /// The verdicts for one distinct chain and the addresses that served it.
  public struct ChainVerdicts: Sendable {
    public var addresses: [String]
    public var leafSHA256: String
    public var verdicts: [ClientVerdict]
  }

  /// A chain that ends at (or under) a private root of this machine's OS store that no public store holds.
  public struct Interception: Sendable, Equatable {
    public var rootSubject: String
    public var rootSHA256: String
    public var addresses: [String]
  }

  public var capture: ChainCapture
  public var chains: [ChainVerdicts]
  public var interceptions: [Interception]
  public var saved: String?

  /// Whether the addresses served different chains: another leaf, or the same leaf with other intermediates (one
  /// address missing its intermediate is the common case).
  public var chainsDiffer: Bool { chains.count > 1 }

  /// Inspects the target, then verifies every distinct captured chain for every client present.
  public static func make(_ request: InspectRequest, capture: ChainCapture, host: HostIdentity?) throws(InputError)
    -> ConnectReport
  {
    let snapshot = Inspector.inspect(request)
    let verifier = TrustVerifier(snapshot: snapshot, request: request)
    let anchors = Verdicts.privateAnchors(snapshot)
    var groups: [(chain: ServedChain, addresses: [String])] = []
    for entry in capture.addresses {
      guard let chain = entry.chain else { continue }
      let shown = entry.shown(capture.target)
      if let index = groups.firstIndex(where: { $0.chain.der == chain.der }) {
        groups[index].addresses.append(shown)
      } else {
        groups.append((chain, [shown]))
      }
    }
    var report = ConnectReport(capture: capture, chains: [], interceptions: [], saved: nil)
    for group in groups {
      let leaf = group.chain.der.first.flatMap { der in
        der.withUnsafeBytes { Digests.raw($0, Digests.sha256) }.map { hex($0) }
      }
      guard let parsed = try? CertificateChain(pem: Array(group.chain.pem.utf8)) else {
        throw InputError(
          "--connect \(capture.target.authority): the chain \(group.addresses.joined(separator: ", ")) served does "
            + "not parse as X.509 certificates; save it with `openssl s_client -showcerts` and look at it")
      }
      let subject = "connect \(capture.target.authority) (\(group.addresses.joined(separator: ", ")))"
      report.chains.append(
        ChainVerdicts(
          addresses: group.addresses, leafSHA256: leaf ?? "",
          verdicts: verifier.verify(parsed, host: host, subject: subject)))
      if let root = privateRoot(of: group.chain, anchors: anchors, snapshot: snapshot) {
        report.interceptions.append(
          Interception(rootSubject: root.subject, rootSHA256: root.sha256, addresses: group.addresses))
      }
    }
    return report
  }

  /// The private anchor the chain ends at: its last certificate, or the OS store's root named as that certificate's
  /// issuer. Private anchors are roots of the OS store that neither certifi nor the distribution's offered set holds.
  static func privateRoot(of chain: ServedChain, anchors: Set<String>, snapshot: Snapshot) -> Certificate? {
    guard !anchors.isEmpty, let der = chain.der.last, let last = try? X509Parser.certificate(der: der) else {
      return nil
    }
    if anchors.contains(last.sha256) { return last }
    if last.selfSigned { return nil }
    return anchors.sorted().compactMap { snapshot.certificates[$0] }.first { $0.subject == last.issuer }
  }

  /// 0 when every client verifies every chain served, 1 otherwise (addresses that served nothing are shown, not
  /// judged: clients fall back to the next address, as curl and Python do).
  public var exitStatus: Int32 { chains.allSatisfy { ChainCheck.exitStatus($0.verdicts) == 0 } ? 0 : 1 }

  public func render(format: ChainCheck.Format) -> String {
    switch format {
    case .json: json.rendered()
    case .text: text
    }
  }

  var json: JSONValue {
    let addresses: [JSONValue] = capture.addresses.map { entry in
      .object([
        "address": entry.address.map(JSONValue.string) ?? .null,
        "error": entry.failure.map(JSONValue.string) ?? .null,
        "leaf_sha256": entry.leafSHA256.map(JSONValue.string) ?? .null,
        "leaf_subject": entry.leafSubject.map(JSONValue.string) ?? .null,
        "certificates": entry.chain.map { .int($0.der.count) } ?? .null,
        "protocol": entry.chain.map { .string($0.protocolVersion) } ?? .null,
      ])
    }
    let proxyShown = capture.proxy.map { JSONValue.string($0.shown) } ?? .null
    let interception: [JSONValue] = interceptions.map {
      .object([
        "root_subject": .string($0.rootSubject), "root_sha256": .string($0.rootSHA256), "proxy": proxyShown,
        "addresses": .array($0.addresses.map(JSONValue.string)),
      ])
    }
    let captureObject = JSONValue.object([
      "target": .string(capture.target.authority),
      "server_name": capture.target.host.kind == .dns ? .string(capture.target.host.name) : .null,
      "proxy": proxyShown,
      "proxy_variable": capture.proxy.map { JSONValue.string($0.variable) } ?? .null,
      "bypassed_by": capture.bypassedBy.map(JSONValue.string) ?? .null,
      "addresses": .array(addresses),
      "chains_differ": .bool(chainsDiffer),
      "interception": .array(interception),
      "saved": saved.map(JSONValue.string) ?? .null,
    ])
    var verdicts: [JSONValue] = []
    for chain in chains {
      for item in ChainCheck.jsonItems(chain.verdicts) {
        guard case .object(var fields) = item else { continue }
        fields["addresses"] = .array(chain.addresses.map(JSONValue.string))
        verdicts.append(.object(fields))
      }
    }
    return .object(["capture": captureObject, "verdicts": .array(verdicts)])
  }

  var text: String {
    let target = capture.target
    var out = "Fetched the chain of \(target.authority)"
    out += target.host.kind == .dns ? " (server name \(target.host.name))" : ""
    if let proxy = capture.proxy {
      out += " through the proxy \(proxy.shown) (from \(proxy.variable))\n"
    } else {
      out += capture.bypassedBy.map { " directly: \($0) lists \(target.host.name)\n" } ?? " directly\n"
    }
    for entry in capture.addresses {
      let name = entry.shown(target)
      if let chain = entry.chain {
        out += "  \(name): \(chain.der.count) certificate\(chain.der.count == 1 ? "" : "s"), \(chain.protocolVersion), "
        out += "leaf \(InertText.escaped(entry.leafSubject ?? "(unreadable)")) sha256:\(entry.leafSHA256 ?? "")\n"
      } else {
        out += "  \(name): no chain: \(InertText.escaped(entry.failure ?? ""))\n"
      }
    }
    if chainsDiffer {
      out += "DIFFERENT CHAINS: the addresses \(target.host.name) resolves to serve different chains; a client gets "
      out += "whichever address it connects to first\n"
    }
    for interception in interceptions {
      out += "intercepted: the chain ends at private root \(InertText.escaped(interception.rootSubject)) "
      out += "(sha256:\(interception.rootSHA256)), which no public store holds but this OS store trusts as a private "
      out += "anchor"
      out += capture.proxy.map { "; fetched through the proxy \($0.shown)" } ?? ""
      out += " (a TLS-inspecting proxy or firewall re-signs servers' certificates with such a root; so does a private "
      out += "PKI of your own)\n"
    }
    if let saved { out += "Saved the chain (leaf first, as served) to \(saved)\n" }
    for chain in chains {
      if chains.count > 1 { out += "\nChain from \(chain.addresses.joined(separator: ", ")):\n" }
      out += ChainCheck.render(chain.verdicts, format: .text)
    }
    return out
  }
}

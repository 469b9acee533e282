import ArgumentParser
import FoundationEssentials
import TrustgateCore

struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Say, for every client present, whether a certificate chain verifies, and why not.",
    discussion: """
      For each client found (\(ClientBehaviours.clients.joined(separator: ", "))) trustgate builds the X509_STORE that client would build: the CA files and \
      hashed folders it loads in its order, skipping what it skips (OpenSSL skips a missing SSL_CERT_FILE and still \
      searches its folder; httpx 0.28 raises FileNotFoundError instead), folders looked up by <subject-hash>.N as \
      OpenSSL does, and the flags its version sets (X509_STRICT and PARTIAL_CHAIN on Python 3.13 for \
      ssl.create_default_context, urllib3 >= 2.4 and httpx >= 0.28). It then verifies the chain with OpenSSL at \
      the snapshot's time, and the host with it, as the client matches names (a leaf with only a common name: \
      urllib3 >= 2, requests on it, httpx < 0.28, go and uv no longer fall back to it, "no_common_name"; curl \
      not beside a DNS or IP subjectAltName). For go, java, uv and git on GnuTLS, the library's own chain rules \
      stand in for OpenSSL's ssl_server purpose: go lets no version 3 issuer, root included, sign without \
      basicConstraints cA, takes no SGC usage and reads no leaf keyUsage ("go_chain_rules"); java wants its \
      trust anchor to be a CA but reads neither its dates, path length, critical extensions nor nameConstraints, \
      and reads extended key usage on the leaf only ("java_chain_rules"); \
      GnuTLS reads no extended key usage and takes a self-issued root without basicConstraints as a CA \
      ("gnutls_chain_rules"); uv (webpki) reads nothing of a trust anchor but its subject, key and name \
      constraints, and no keyUsage ("webpki_chain_rules"). A JVM told com.sun.net.ssl.checkRevocation=true \
      fetches no status by default, so every certificate below its anchor fails, or with \
      com.sun.security.enableCRLDP=true every one that names no CRL ("revocation_required"; a CRL named is taken \
      as found and clean: trustgate fetches none). The reason given is OpenSSL's own ("unable to get local issuer \
      certificate") or the exception the client raises before connecting.

      --chain: a PEM file with the server's leaf first, then its intermediates, as the server sends them (e.g. \
      saved from `openssl s_client -showcerts`). It must hold no private key.
      --connect HOST[:PORT] (port 443 unless given; an IPv6 address as [::1]:8443): fetches the chain the server \
      sends over TLS instead (SNI is HOST when it is a DNS name), then verifies it the same way. This is the only \
      way trustgate touches the network. Without a proxy, it connects to every address HOST resolves to (IPv4 and \
      IPv6, at most 8, side by side) and reports each address's leaf (SHA-256) and whether they differ. Through \
      https_proxy (else HTTPS_PROXY; lowercase wins, as in curl and Python) it tunnels with HTTP CONNECT, sending \
      the URL's user:password as Proxy-Authorization (never printed: shown as http://***@host:port); no_proxy \
      (else NO_PROXY) follows curl's rules: a lone *, a name and every name under it (a leading dot is ignored), \
      an IP address or CIDR range. The chain is called intercepted when its root (its last certificate, or the OS \
      store's root named as its issuer) is one of this target's private anchors: in the OS store, held by no \
      public store. --timeout SECONDS (default 10) bounds connect, CONNECT and handshake, per address. --save FILE \
      writes the chain as PEM, leaf first, as served (the first address's when addresses differ), ready to commit \
      and name in .trustgate.yml endpoints; it replaces only a regular file.
      --host: the name (or IP address) clients connect to; without it the host is not checked (with --connect it \
      is HOST).

      JSON output is a list of objects: client, version, verifies (bool), error (string or null), sources (what \
      was loaded, in order), flags, security_level. With --connect it is an object: "capture" (target, \
      server_name, proxy, proxy_variable, bypassed_by, addresses: [{address, error, leaf_sha256, leaf_subject, \
      certificates, protocol}], chains_differ, interception: [{root_subject, root_sha256, proxy, addresses}], \
      saved) and "verdicts" (the same objects, each with the addresses that served the chain it judges).

      Exit codes: 0 every client verifies; 1 at least one does not; 2 bad input (a chain file that does not parse, \
      is empty or holds a private key; a host that is neither a DNS name nor an IP address; a bad --root, --image \
      or --env-file) or, with --connect, no chain fetched from any address (unreachable, refused, timed out, no \
      TLS, a proxy refusing CONNECT: the message names each address and the proxy). An address that fails while \
      another serves a chain is shown, not judged: clients fall back to the next address.
      """)

  @Option(help: ArgumentHelp("PEM file: the leaf certificate first, then intermediates.", valueName: "file"))
  var chain: String?

  @Option(
    help: ArgumentHelp(
      "Fetch the chain a TLS server sends (port 443 unless given; IPv6 as [::1]:8443), then verify it.",
      valueName: "host[:port]"))
  var connect: String?

  @Option(help: ArgumentHelp("With --connect: write the fetched chain here as PEM, leaf first.", valueName: "file"))
  var save: String?

  @Option(
    help: ArgumentHelp(
      "With --connect: seconds for connect, proxy CONNECT and handshake, per address.", valueName: "seconds"))
  var timeout: Double = 10

  @Option(
    help: ArgumentHelp(
      "Check the leaf against this DNS name or IP address (with --connect: the host connected to, unless given).",
      valueName: "name"))
  var host: String?

  @OptionGroup var target: TargetOptions

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  func validate() throws {
    switch (chain, connect) {
    case (nil, nil):
      throw ValidationError(
        "give what to verify: --chain FILE (a saved PEM chain) or --connect HOST[:PORT] (fetch it over TLS)")
    case (.some, .some):
      throw ValidationError("--chain and --connect both name a chain to verify; give one of them")
    default: break
    }
    if connect == nil, save != nil {
      throw ValidationError("--save writes the chain --connect fetched; give --connect")
    }
    guard timeout.isFinite, timeout > 0, timeout <= 600 else {
      throw ValidationError("--timeout \(timeout): give a number of seconds above 0 and at most 600")
    }
  }

  func run() throws {
    let workspace = target.workspace
    let rendered: String
    let status: Int32
    do {
      let host = try host.map { text throws(InputError) in try ChainCheck.host(text) }
      if let connect {
        // A bad target, proxy URL or --root exits 2 before the network is touched (--save is checked when written).
        let destination = try CaptureTarget.parse(connect)
        let (request, _) = try workspace.request(now: ClockCollector.currentTime())
        let capture = try ChainCapture.capture(
          destination, environment: ProcessInfo.processInfo.environment, timeout: timeout)
        var report = try ConnectReport.make(request, capture: capture, host: host ?? destination.host)
        if let save, let first = capture.addresses.compactMap(\.chain).first {
          try ChainCheck.save(first.pem, to: workspace.absolute(save), shown: save)
          report.saved = save
        }
        rendered = report.render(format: format == .json ? .json : .text)
        status = report.exitStatus
      } else {
        let file = self.chain ?? ""
        let chain = try ChainCheck.chain(at: workspace.absolute(file), shown: file)
        let (request, _) = try workspace.request(now: ClockCollector.currentTime())
        let verdicts = ChainCheck.run(request, chain: chain, chainName: file, host: host)
        rendered = ChainCheck.render(verdicts, format: format == .json ? .json : .text)
        status = ChainCheck.exitStatus(verdicts)
      }
    } catch {
      throw fail(error)
    }
    // Text echoes paths, names and what servers sent: every line inert (escapes, no CI commands).
    print(format == .json ? rendered : InertText.block(rendered, maximumLines: .max), terminator: "")
    throw ExitCode(status)
  }
}

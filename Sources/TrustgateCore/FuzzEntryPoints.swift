import COpenSSL

/// Entry points for the `fuzz-parsers` libFuzzer executable: one per parser that reads user-supplied bytes.
///
/// Each feeds `bytes` to a parser the way trustgate does (text decoded as UTF-8 with replacement) and throws away
/// the result; errors are expected, crashes and hangs are bugs. They exist so the parsers can stay internal.
public enum FuzzEntryPoints {
  /// `CertificateFile.read`: PEM bundles, DER files, OpenSSL hashed-directory entries.
  /// The PEM body decoder too, against the one-character-at-a-time rule it states (`base64ByCharacter`), and the
  /// early reading's cut of a bundle into pieces of whole blocks (`EarlyReading.chunks`): the pieces rejoin to the
  /// text, and each piece but the last ends a line after an `-----END ` line.
  public static func certificateFile(_ bytes: [UInt8]) {
    let reading = CertificateFile.read(bytes)
    for entry in reading.entries { _ = entry.certificate }
    if Base64.decode(bytes[...]) != base64ByCharacter(bytes) { fatalError("base64 fast path differs from the rule") }
    let chunks = EarlyReading.chunks(bytes, certificates: 2)
    if Array(chunks.joined()) != bytes { fatalError("chunks do not rejoin to the text") }
    for chunk in chunks.dropLast() where chunk.last != UInt8(ascii: "\n") && chunk.endIndex != bytes.count {
      fatalError("a chunk ends inside a line")
    }
  }

  /// The TOML readers' scan by wanted key bytes (`scan(utf8:keeping:)`) against the general scan with the same
  /// choice made on built keys: the same headers, pairs, values, lines and syntax error, event for event.
  public static func tomlKeepingAgrees(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
      let names = TOMLLockfile.PackageFields.kept
      var general: [String] = []
      TOMLScanner.scan(utf8: bytes, keeps: { $0.count == 1 && names.contains($0[0]) }) {
        general.append(describe($0))
      }
      var keeping: [String] = []
      TOMLScanner.scan(utf8: bytes, keeping: names) { keeping.append(describe($0)) }
      if general != keeping { fatalError("scan by key bytes differs:\n\(general)\n\(keeping)") }
    }
  }

  static func describe(_ event: TOMLEvent) -> String {
    func value(_ scanned: ScannedValue) -> String {
      switch scanned.kind {
      case .string(let text): "s\(scanned.line):\(text)"
      case .other(let text): "o\(scanned.line):\(text)"
      case .array(let items): "a\(scanned.line)[" + items.map(value).joined(separator: ",") + "]"
      case .table(let pairs):
        "t\(scanned.line){" + pairs.map { "\($0.key)=\(value($0.value))" }.joined(separator: ",") + "}"
      }
    }
    switch event {
    case .header(let path, let isArray, let line): return "h\(line)\(isArray):\(path)"
    case .pair(let key, let scanned, let line): return "p\(line):\(key)=\(value(scanned))"
    case .invalid(let line, let reason): return "i\(line):\(reason)"
    }
  }

  /// What `Base64.decode` must return, one character at a time: whitespace anywhere, at most two `=` and only after
  /// the last digit, leftover bits dropped, nil when anything else appears or nothing decodes. The oracle of the
  /// fuzz target and of `Base64Tests`.
  public static func base64ByCharacter(_ input: [UInt8]) -> [UInt8]? {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    var accumulator: UInt32 = 0
    var bits = 0
    var padding = 0
    for c in input {
      if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { continue }
      if c == 0x3D {
        padding += 1
        continue
      }
      guard padding == 0, let value = alphabet.firstIndex(of: c) else { return nil }
      accumulator = (accumulator << 6) | UInt32(value)
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
      }
    }
    return padding > 2 || out.isEmpty ? nil : out
  }

  /// Client configuration files: pip.conf and the aws config as `INIValues` reads them, gitconfig as
  /// `GitConfigText` does (with its switches and booleans), a `.curlrc` as `CurlrcText` does.
  /// OpenSSL's configuration syntax: never a crash or a hang, its includes reading the input again as deep and as
  /// often as allowed; and, for a text without includes or the environment, whether it loads and what its names hold
  /// must be what OpenSSL's own reader says.
  public static func opensslConfig(_ bytes: [UInt8]) {
    let deep = OpenSSLConfigText.parse(bytes, file: "fuzz", environment: [:]) { path in [(path, bytes)] }
    if case .success(let parsed) = deep { _ = OpenSSLConfigText.securityLevel(parsed) }
    guard bytes.count <= 4096, !TLSLibraries.contains(bytes, Array(".include".utf8)),
      !TLSLibraries.contains(bytes, Array("ENV".utf8))
    else { return }
    let probes: [(section: String, name: String)] = [
      ("default", "a"), ("default", "k"), ("default", "openssl_conf"), ("a", "k"), ("a b", "k"), ("x", "x"),
    ]
    let ours: [String?]?
    switch OpenSSLConfigText.parse(bytes, file: "fuzz") {
    case .success(let parsed): ours = probes.map { parsed.value($0.name, in: $0.section)?.text }
    case .failure: ours = nil
    }
    let real = OpenSSLConfigReader.values(bytes, of: probes)
    guard (ours == nil) == (real == nil) else { fatalError("loads: ours \(ours != nil), OpenSSL's \(real != nil)") }
    if let ours, let real, ours != real { fatalError("values: ours \(ours), OpenSSL's \(real)") }
  }

  /// A `node` program: the ELF section table, the roots compiled in, the build's settings; and the same bytes as
  /// NODE_OPTIONS. The roots found are whole PEM blocks, as many as counted; nothing is read past the file.
  public static func nodeProgram(_ bytes: [UInt8]) {
    var tree = MemoryFileSystem(label: "fuzz")
    tree.set("/usr/bin/node", .file(bytes))
    if let program = NodeProgram.read(tree, path: "/usr/bin/node") {
      let begin = Array("-----BEGIN CERTIFICATE-----".utf8)
      var count = 0
      var at = 0
      while let found = NodeProgram.search(begin, in: program.bundledRoots, from: at) {
        count += 1
        at = found + begin.count
      }
      if count != program.bundledCount { fatalError("\(program.bundledCount) roots counted, \(count) read") }
      if program.bundledRoots.count > NodeProgram.rootsLimit + count { fatalError("more roots read than the limit") }
    }
    // Node's words never hold more bytes than NODE_OPTIONS.
    if case .success(let words) = NodeOptions.words(String(decoding: bytes, as: UTF8.self)),
      words.reduce(0, { $0 + $1.utf8.count }) > String(decoding: bytes, as: UTF8.self).utf8.count
    {
      fatalError("NODE_OPTIONS split into more than it holds")
    }
  }

  /// Java keystores (JKS and PKCS #12) with no password and with keytool's default one; every certificate read must
  /// decode, as Java's does. The JVM option words of the same bytes as text.
  public static func javaKeyStore(_ bytes: [UInt8]) {
    for password in [nil, "changeit"] {
      guard case .certificates(let certificates, _) = JavaKeyStore.read(bytes, password: password) else { continue }
      for der in certificates where !JavaKeyStore.decodes(der) { fatalError("a certificate read does not decode") }
      if CAFile(certificates: certificates, known: [:]).entries?.count != certificates.count {
        fatalError("the keystore's certificates do not index")
      }
    }
    // Maven's sources of system properties from the same text: `.mvn/jvm.config`, `.mvn/maven.config` and the
    // variables; a trust store read is named after one of them.
    var tree = MemoryFileSystem(label: "fuzz")
    tree.set("/p/.mvn/jvm.config", .file(Array(bytes.prefix(4096))))
    tree.set("/p/.mvn/maven.config", .file(Array(bytes.prefix(4096))))
    let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
    let variables = ["MAVEN_OPTS": text, "JAVA_TOOL_OPTIONS": text, "MAVEN_CONFIG": text, "_JAVA_OPTIONS": text]
    let maven = JavaSettings.read(tree, env: variables, program: .maven(project: "/p"), home: nil)
    let names = [".mvn/jvm.config", ".mvn/maven.config"] + Array(variables.keys)
    if let store = maven.trustStore, !names.contains(store.variable) { fatalError("a trust store from nowhere") }
    // Without quotes, the JVM's words are the text split at ASCII white space.
    let space: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0d).contains($0) }
    // (Bytes, not characters: a quote followed by a combining mark is another character, and still a quote byte.)
    if !text.utf8.contains(where: { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\"") }),
      JavaSettings.words(text)
        != Array(text.utf8).split(whereSeparator: space).map({ String(decoding: $0, as: UTF8.self) })
    {
      fatalError("unquoted words differ from a split at white space")
    }
  }

  public static func ini(_ bytes: [UInt8]) {
    _ = CurlrcText.entries(in: bytes)
    _ = NpmrcText.value(of: "strict-ssl", in: bytes)
    for file in TrustConfiguration.files + [TrustConfiguration.pipTrustedHost] {
      _ = INIValues.valueAndLine(in: bytes, sections: file.sections, name: file.name, pipNames: file.family == .pip)
    }
    let entries = GitConfigText.entries(in: bytes, path: "fuzz")
    _ = TrustConfiguration.gitSwitches(entries)
    for entry in entries { _ = GitConfigText.boolean(entry.value) }
    // git's settings from the environment: the text as GIT_CONFIG_PARAMETERS, and its lines as a count and pairs.
    let text = String(decoding: bytes, as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var env = ["GIT_CONFIG_PARAMETERS": text, "GIT_CONFIG_COUNT": lines.first ?? ""]
    for (index, line) in lines.dropFirst().prefix(64).enumerated() {
      env[(index % 2 == 0 ? "GIT_CONFIG_KEY_" : "GIT_CONFIG_VALUE_") + String(index / 2)] = line
    }
    _ = TrustConfiguration.gitSwitches(GitEnvironmentConfig.entries(env).entries)
    // go's env file: a switch names one of the file's lines.
    if let found = TrustConfiguration.goInsecure(["HOME": "/h"], workingDirectory: "/", bytes: { _ in bytes }) {
      let count = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
      if found.line < 1 || found.line > count { fatalError("GOINSECURE at line \(found.line) of \(count)") }
    }
  }

  /// CA files read lazily (`CertificateStore.add(pem:)`): DER bytes must decode through the twin template exactly
  /// when `d2i_X509` accepts them, and a PEM text must index lazily only when OpenSSL loads it whole with as many
  /// certificates. A difference is a verdict trustgate would get wrong.
  public static func decodes(_ bytes: [UInt8]) {
    var hash: UInt = 0
    let twin = bytes.withUnsafeBufferPointer { tg_x509_decodes($0.baseAddress, $0.count, &hash) }
    let real = bytes.withUnsafeBufferPointer { tg_d2i_x509_decodes($0.baseAddress, $0.count) }
    ERR_clear_error()
    if (twin == 1) != (real == 1) { fatalError("twin template says \(twin), d2i_X509 says \(real)") }
    if let entries = LazyFiles.index(bytes), let store = try? CertificateStore() {
      let whole = store.add(pem: bytes, lazily: false)
      if whole != entries.count { fatalError("indexed \(entries.count) certificates, OpenSSL loads \(whole)") }
    }
    // Block by block, each client's reader (PEMDialects): what a reading takes from a file OpenSSL indexed (the fast
    // path of `CAFile.read(as:)`) is what it takes reading the text itself.
    let whole = CAFile(bytes)
    for reading in [PEMReading.goBlocks, .rustls, .x509Blocks, .gnuTLS] {
      let own = CAFile(bytes, reading: reading)
      let derived = whole.read(as: reading)
      if (own.entries ?? []).map(\.der) != (derived.entries ?? []).map(\.der) || own.refused != derived.refused {
        fatalError("\(reading): its own reading takes \(own.entries?.count ?? 0), the index \(derived.entries?.count ?? 0)")
      }
    }
    ERR_clear_error()
  }

  /// `PolicyLoader.load`: `.trustgate.yml`.
  public static func policy(_ bytes: [UInt8]) {
    _ = try? PolicyLoader.load(String(decoding: bytes, as: UTF8.self), path: ".trustgate.yml")
  }

  /// `PolicyLoader.load` on policies with YAML anchors and aliases (seeded with alias bombs, mutated with a dictionary
  /// of `&`, `*`, `?` and flow tokens): every document libyaml finds an anchor, an alias or too deep a nesting in must
  /// be refused with a line of the text, before Yams composes it (a hang here is the alias bomb coming back).
  public static func policyAliases(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let refusal = YAMLTokens.firstRefusal(in: text)
    let outcome = Result { () throws(PolicyError) -> Policy in try PolicyLoader.load(text, path: ".trustgate.yml") }
    guard let refusal else { return }
    guard case .failure(let error) = outcome else {
      fatalError("a policy with \(refusal) was accepted")
    }
    var lineCount = 1
    for byte in text.utf8 where byte == UInt8(ascii: "\n") { lineCount += 1 }
    guard let line = error.line, (1...lineCount).contains(line) else {
      fatalError("refused without a line of the text: \(error)")
    }
  }

  /// `EnvFile.parse`: `--env-file`.
  public static func envFile(_ bytes: [UInt8]) {
    _ = try? EnvFile.parseWithLines(bytes: bytes, path: "fuzz.env")
  }

  /// `SnapshotCoding.decode`: recorded baselines.
  public static func snapshot(_ bytes: [UInt8]) {
    _ = try? SnapshotCoding.decode(bytes, path: "baseline.json")
  }

  /// `ProxyCollector.parse`: every line `NAME=VALUE` is one proxy variable (`HTTPS_PROXY`, `NO_PROXY`…).
  public static func proxy(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = parts.count == 2 ? String(parts[0]) : "HTTPS_PROXY"
      _ = ProxyCollector.parse(name: name, value: String(parts.last ?? ""))
    }
  }

  /// `/etc/os-release`, dpkg's status file and apk's installed database.
  public static func platform(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    _ = PlatformCollector.osRelease(text)
    if let stanza = PlatformCollector.stanza(of: "ca-certificates", in: bytes) {
      _ = PlatformCollector.dpkgPackage("ca-certificates", in: stanza)
    }
    _ = PlatformCollector.dpkgPackage("ca-certificates", in: text)
    _ = PlatformCollector.apkPackage("ca-certificates-bundle", in: text)
  }

  /// Python core metadata (`METADATA`, `PKG-INFO`) and `pyvenv.cfg`.
  public static func pythonMetadata(_ bytes: [UInt8]) {
    _ = CoreMetadata(bytes)
    let config = VenvConfig(bytes)
    _ = (config.pythonVersion, config.home, config.includesSystemSitePackages)
  }

  /// One image layer: the tar reader (ustar, pax, GNU long names) and the merge into the image tree, every path
  /// wanted. Gzip layers are inflated first, as the image reader does.
  public static func tarLayer(_ bytes: [UInt8]) {
    let memory = MemorySource(bytes)
    let source: ByteSource
    if LayerCompression.sniff(Array(bytes.prefix(8))) == .gzip {
      guard let gzip = try? GzipSource(memory) else { return }
      source = BufferedSource(gzip)
    } else {
      source = memory
    }
    var tree = ImageFileSystem(image: "fuzz.tar")
    let layer = LayerInfo(index: 0, digest: "sha256:0", diffID: nil, createdBy: nil)
    try? tree.apply(TarReader(source: source), layer: layer, wanted: { _ in true })
  }
}

/// A `ByteSource` over bytes in memory.
final class MemorySource: ByteSource {
  private let bytes: [UInt8]
  private var position = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(StreamError) -> Int {
    let count = min(buffer.count, bytes.count - position)
    guard count > 0, let base = buffer.baseAddress else { return 0 }
    bytes.withUnsafeBytes { raw in
      if let source = raw.baseAddress { base.copyMemory(from: source + position, byteCount: count) }
    }
    position += count
    return count
  }

  func skip(_ count: Int) throws(StreamError) -> Int {
    let skipped = min(max(count, 0), bytes.count - position)
    position += skipped
    return skipped
  }
}

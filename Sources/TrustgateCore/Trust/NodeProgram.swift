import CLinux
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// What a Node.js program trusts, read from the program file itself, as nothing else holds it: Node compiles
/// Mozilla's roots in (`src/node_root_certs.h`, PEM strings side by side in `.rodata`, what `tls.rootCertificates`
/// returns), and its build decides the rest (`process.config`, embedded as text: `node_shared_openssl`, the
/// `NODE_OPENSSL_CERT_STORE` define of `--openssl-use-def-ca-store`; the bundled OpenSSL's `OPENSSLDIR`, `/etc/ssl` in
/// Node's own builds). Measured with node 20.20.2 (NodeVerificationTests): the roots read here are
/// `tls.rootCertificates`, one for one.
public struct NodeProgram: Sendable, Equatable {
  public var path: String
  /// The compiled-in roots as PEM text, one block after the other; empty when none was found.
  public var bundledRoots: [UInt8] = []
  /// How many blocks `bundledRoots` holds.
  public var bundledCount = 0
  /// Linked with the system's libssl (`--shared-openssl`, Debian's build): OpenSSL's default paths are the system's.
  public var sharedOpenSSL: Bool?
  /// The bundled OpenSSL's OPENSSLDIR (`/etc/ssl` in Node's own builds), nil for a shared one or when not found.
  public var opensslDir: String?
  /// Built with `--openssl-use-def-ca-store`: OpenSSL's store is the default, not the bundled roots.
  public var opensslStoreByDefault = false
  /// `process.config.variables.node_module_version` (115: Node 20, 127: Node 22), the ABI of its major version.
  public var moduleVersion: Int?
  /// `process.version` without its `v`, from the release URL built into the program (`process.release.sourceUrl`);
  /// nil for a build without one.
  public var version: String?

  /// Where a `node` is looked for when no folder of PATH holds one (Node's images and tarballs: /usr/local/bin;
  /// distributions and NodeSource: /usr/bin).
  static let programs = ["/usr/local/bin/node", "/usr/bin/node", "/bin/node"]
  /// The most of a program scanned: Node is ~100 MB (its `.rodata` ~50 MB, read up to what is looked for); a file
  /// of gigabytes named `node` costs at most this much reading.
  static let largest = 256 << 20
  /// Below malloc's mmap threshold: each chunk reuses the last one's memory instead of faulting fresh pages in.
  static let chunk = 120 << 10
  /// How far from `node_shared_openssl` the rest of `process.config` is looked for (Node 20's and 24's: 26 KB).
  static let settingsReach = 64 << 10
  /// The most PEM text taken as the bundled roots (Node 20's 144 roots are 217 KB).
  static let rootsLimit = 4 << 20

  /// The `node` PATH finds in the tree (the first folder of PATH that holds one), else the usual places.
  public static func find(_ fs: any FileSystemView, env: [String: String]) -> String? {
    for folder in (env["PATH"] ?? "").split(separator: ":").prefix(64) where folder.hasPrefix("/") {
      let candidate = (folder.hasSuffix("/") ? String(folder.dropLast()) : String(folder)) + "/node"
      if fs.isFile(candidate) { return candidate }
    }
    return programs.first { fs.isFile($0) }
  }

  /// What a read looks for beyond the build's settings, which are always read (a few MB into `.rodata`).
  public struct Parts: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The compiled-in roots (not used with `--use-openssl-ca`).
    public static let roots = Parts(rawValue: 1)
    /// OPENSSLDIR (used only with OpenSSL's store or the system's; read too when the build chose OpenSSL's store).
    public static let opensslDir = Parts(rawValue: 2)
    /// The version (used only to know whether `--use-system-ca` or NODE_USE_SYSTEM_CA is read).
    public static let version = Parts(rawValue: 4)
    public static let all: Parts = [.roots, .opensslDir, .version]
  }

  /// Reads what the program at `path` trusts, as far as `parts` asks; nil when it is not a file this view can read.
  public static func read(_ fs: any FileSystemView, path: String, parts: Parts = .all) -> NodeProgram? {
    guard let real = try? fs.resolveExisting(path), case .file(let size) = fs.rawKind(real), size > 0 else {
      return nil
    }
    var program = NodeProgram(path: path)
    let region = rodata(fs, real, size: size) ?? (0, min(size, largest))
    let begin = Array("-----BEGIN CERTIFICATE-----".utf8)
    let shared = Array("\"node_shared_openssl\": ".utf8)
    let module = Array("\"node_module_version\": ".utf8)
    let defaults = Array("\"target_defaults\": ".utf8)
    let dir = Array("OPENSSLDIR: \"".utf8)
    let release = Array("/download/release/v".utf8)
    var found: [[UInt8]: Int] = [:]
    var offset = region.offset
    let end = region.offset + region.size
    // OPENSSLDIR for a bundled OpenSSL when asked, or when the build's own store is OpenSSL's (known once its
    // settings are read: they are looked for first in each chunk).
    func wants(_ needle: [UInt8]) -> Bool {
      guard found[needle] == nil else { return false }
      switch needle {
      case begin: return parts.contains(.roots)
      case release: return parts.contains(.version)
      case dir: return program.sharedOpenSSL != true && (parts.contains(.opensslDir) || program.opensslStoreByDefault)
      default: return true
      }
    }
    // The build's settings are one JSON text: only `node_shared_openssl` is looked for, the others near it.
    let needles = [shared, begin, release, dir]
    // Chunks overlapping by a needle's length, until every needle wanted is found.
    while offset < end, needles.contains(where: wants) {
      guard let bytes = try? fs.rawReadRange(real, offset: offset, count: min(chunk, end - offset)), !bytes.isEmpty
      else { break }
      for needle in needles where wants(needle) {
        guard let at = search(needle, in: bytes) else { continue }
        found[needle] = offset + at
        if needle == shared {
          let value = (try? fs.rawReadRange(real, offset: offset + at + needle.count, count: 4)) ?? []
          program.sharedOpenSSL = value == Array("true".utf8)
          let start = max(0, offset + at - settingsReach)
          let near = (try? fs.rawReadRange(real, offset: start, count: 2 * settingsReach)) ?? []
          for other in [module, defaults] { if let at = search(other, in: near) { found[other] = start + at } }
          if let at = found[defaults] { program.opensslStoreByDefault = storeByDefault(fs, real, at: at) }
        }
      }
      if offset + bytes.count >= end || bytes.count <= 64 { break }
      offset += bytes.count - 64
    }
    if let at = found[begin] { (program.bundledRoots, program.bundledCount) = roots(fs, real, at: at) }
    if let at = found[module], let text = try? fs.rawReadRange(real, offset: at + module.count, count: 8) {
      program.moduleVersion = Int(String(decoding: text.prefix { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self))
    }
    if let at = found[release], let text = try? fs.rawReadRange(real, offset: at + release.count, count: 32) {
      let digits = text.prefix { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
      if !digits.isEmpty { program.version = String(decoding: digits, as: UTF8.self) }
    }
    if program.sharedOpenSSL != true, let at = found[dir],
      let text = try? fs.rawReadRange(real, offset: at + dir.count, count: 4096),
      let close = text.firstIndex(of: UInt8(ascii: "\"")), close > 0
    {
      program.opensslDir = String(decoding: text[..<close], as: UTF8.self)
    }
    return program
  }

  /// Whether `"target_defaults": {… "defines": ["NODE_OPENSSL_CERT_STORE", …] …}` at `at` names the define (the
  /// object ends at its first `}`).
  static func storeByDefault(_ fs: any FileSystemView, _ real: String, at: Int) -> Bool {
    guard let text = try? fs.rawReadRange(real, offset: at, count: 4096) else { return false }
    let object = Array(text.prefix { $0 != UInt8(ascii: "}") })
    return search(Array("\"NODE_OPENSSL_CERT_STORE\"".utf8), in: object) != nil
  }

  /// Where `.rodata` lies in an ELF64 little-endian program; nil for anything else (the whole file is scanned).
  static func rodata(_ fs: any FileSystemView, _ real: String, size: Int) -> (offset: Int, size: Int)? {
    guard let header = try? fs.rawReadRange(real, offset: 0, count: 64), header.count == 64,
      header[0..<4] == [0x7F, 0x45, 0x4C, 0x46], header[4] == 2, header[5] == 1
    else { return nil }
    func integer(_ bytes: [UInt8], _ at: Int, _ width: Int) -> Int {
      (0..<width).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
    }
    let table = integer(header, 0x28, 8)
    let entry = integer(header, 0x3A, 2)
    let count = integer(header, 0x3C, 2)
    let names = integer(header, 0x3E, 2)
    guard entry == 64, count > 0, count < 4096, names < count, table > 0, table <= size - count * entry,
      let sections = try? fs.rawReadRange(real, offset: table, count: count * entry), sections.count == count * entry
    else { return nil }
    let namesOffset = integer(sections, names * entry + 24, 8)
    let namesSize = integer(sections, names * entry + 32, 8)
    guard namesOffset >= 0, namesSize > 0, namesSize < 1 << 24, namesOffset <= size - namesSize,
      let strings = try? fs.rawReadRange(real, offset: namesOffset, count: namesSize)
    else { return nil }
    let wanted = Array(".rodata\0".utf8)
    for index in 0..<count {
      let name = integer(sections, index * entry, 4)
      guard name >= 0, name + wanted.count <= strings.count, Array(strings[name..<name + wanted.count]) == wanted
      else { continue }
      let offset = integer(sections, index * entry + 24, 8)
      let length = integer(sections, index * entry + 32, 8)
      guard offset >= 0, length > 0, offset <= size - length else { return nil }
      return (offset, min(length, largest))
    }
    return nil
  }

  /// The PEM blocks that follow one another from `at` on (only NULs and newlines between them), as Node's array of
  /// root strings lies in the program: read in a window that doubles while the blocks run to its end.
  static func roots(_ fs: any FileSystemView, _ real: String, at: Int) -> ([UInt8], Int) {
    var window = 512 << 10
    while true {
      guard let bytes = try? fs.rawReadRange(real, offset: at, count: window) else { return ([], 0) }
      let found = blocks(bytes)
      if found.cut, bytes.count == window, window < rootsLimit {
        window *= 2
        continue
      }
      return (found.text, found.count)
    }
  }

  /// The PEM blocks side by side from the start of `bytes`, each followed by a newline; `cut` when they ran to within
  /// a block's length of the end (a larger window may hold more).
  static func blocks(_ bytes: [UInt8]) -> (text: [UInt8], count: Int, cut: Bool) {
    let begin = Array("-----BEGIN CERTIFICATE-----".utf8)
    let end = Array("-----END CERTIFICATE-----".utf8)
    let longest = 1 << 16
    var text: [UInt8] = []
    var count = 0
    var position = 0
    while position + begin.count <= bytes.count, bytes[position..<position + begin.count].elementsEqual(begin) {
      // One block: its END before any other BEGIN.
      guard let close = search(end, in: bytes, from: position), close - position < longest,
        search(begin, in: bytes, from: position + begin.count).map { $0 > close } ?? true
      else { break }
      text += bytes[position..<close + end.count]
      text.append(UInt8(ascii: "\n"))
      count += 1
      position = close + end.count
      var gap = 0
      while position < bytes.count, bytes[position] == 0 || bytes[position] == 0x0A, gap < 64 {
        position += 1
        gap += 1
      }
    }
    return (text, count, bytes.count - position < longest)
  }

  /// Where `needle` first occurs in `bytes` from `start` on (glibc's memmem).
  static func search(_ needle: [UInt8], in bytes: [UInt8], from start: Int = 0) -> Int? {
    guard start >= 0, start <= bytes.count else { return nil }
    return firstIndex(of: needle, in: bytes[start...])
  }
}

/// NODE_OPTIONS as Node reads it, for the options that choose its CA store.
public enum NodeOptions {
  /// The words of NODE_OPTIONS as Node splits them (`ParseNodeOptionsEnvVar`): spaces part words, double quotes
  /// group them, a backslash inside quotes takes the next character as it is. A value Node refuses fails with its
  /// message (node then stops with exit code 9).
  public static func words(_ value: String) -> Result<[String], NodeFailure> {
    var words: [[UInt8]] = []
    var quoted = false
    var startsWord = true
    var characters = Array(value.utf8)[...]
    while let byte = characters.popFirst() {
      var character = byte
      if byte == UInt8(ascii: "\\") && quoted {
        guard let next = characters.popFirst() else {
          return .failure(NodeFailure("node: invalid value for NODE_OPTIONS (invalid escape)"))
        }
        character = next
      } else if byte == UInt8(ascii: " ") && !quoted {
        startsWord = true
        continue
      } else if byte == UInt8(ascii: "\"") {
        quoted.toggle()
        continue
      }
      if startsWord {
        words.append([])
        startsWord = false
      }
      words[words.count - 1].append(character)
    }
    if quoted { return .failure(NodeFailure("node: invalid value for NODE_OPTIONS (unterminated string)")) }
    return .success(words.map { String(decoding: $0, as: UTF8.self) })
  }

  public struct NodeFailure: Error, Equatable {
    public var message: String
    init(_ message: String) { self.message = message }
  }
}

extension NodeProgram {
  /// Configuration keys (`TrustConfiguration.values`) the node rows read.
  static let presentKey = "node"
  static let opensslKey = "node openssl-ca"
  static let systemKey = "node system-ca"
  static let fileKey = "node openssl file"
  static let folderKey = "node openssl dir"
  /// The label of the roots compiled into Node.
  public static let bundledRoots = "Node's bundled roots"
  /// Variables only Node reads: any of them set says Node is used here.
  static let variables = ["NODE_OPTIONS", "NODE_EXTRA_CA_CERTS", "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_USE_SYSTEM_CA"]

  /// Whether this node reads `--use-system-ca` (Linux: 22.15 and 23.9 on; measured 22.14.0 refuses it, 22.15.0 reads
  /// it) or NODE_USE_SYSTEM_CA=1 (22.19 and 24.6 on; measured 22.15.0 passes it over, 24.19.0 reads it). A version
  /// not known counts as the newest, unless the module version says it is older than Node 22.
  func reads(option: Bool) -> Bool {
    let ranges =
      option
      ? [VersionRange(from: "22.15", below: "23"), VersionRange(from: "23.9")]
      : [VersionRange(from: "22.19", below: "23"), VersionRange(from: "24.6")]
    if version == nil, let module = moduleVersion, module < 127 { return false }
    return ranges.contains { $0.contains(version) }
  }

  /// What a run with these NODE_OPTIONS words can use from the program: its roots unless `--use-openssl-ca`,
  /// OPENSSLDIR with OpenSSL's or the system store, the version only to know whether the system store is read.
  static func parts(_ words: [String], env: [String: String]) -> Parts {
    let asksSystem = words.contains("--use-system-ca") || env["NODE_USE_SYSTEM_CA"] == "1"
    var parts: Parts = []
    if !words.contains("--use-openssl-ca") { parts.insert(.roots) }
    if words.contains("--use-openssl-ca") || asksSystem { parts.insert(.opensslDir) }
    if asksSystem { parts.insert(.version) }
    return parts
  }

  /// The program this run judges, and what of it the run's Node settings can use: the `node` found, a Node variable
  /// set or not (with none, node trusts its bundled roots, and a corporate root only the OS store holds is one it
  /// refuses: `SELF_SIGNED_CERT_IN_CHAIN`); nil with NODE_OPTIONS node refuses, or with no `node` found.
  static func wanted(_ fs: any FileSystemView, env: [String: String]) -> (path: String, parts: Parts)? {
    guard case .success(let words) = NodeOptions.words(env["NODE_OPTIONS"] ?? ""), let path = find(fs, env: env)
    else { return nil }
    return (path, parts(words, env: env))
  }

  /// Node's store here, from NODE_OPTIONS and its program (~100 MB, of which a few MB of `.rodata` are read); node is
  /// judged when its program is found or a Node variable is set. What node refuses before any request is a failure,
  /// in its words.
  /// `reading`: the run's reading of the program, begun beside the collectors (else the program is read here).
  static func apply(
    to configuration: inout TrustConfiguration, fs: any FileSystemView, env: [String: String],
    reading: RunNodeProgram? = nil
  ) {
    let wanted = wanted(fs, env: env)
    guard wanted != nil || variables.contains(where: { env[$0] != nil }) else { return }
    // The program found, for messages ("true" with a Node variable and no program).
    configuration.values[presentKey] = wanted?.path ?? "true"
    let words: [String]
    switch NodeOptions.words(env["NODE_OPTIONS"] ?? "") {
    case .success(let found): words = found
    case .failure(let failure):
      configuration.failures["node"] = failure.message
      return
    }
    let program = wanted.flatMap { wanted in
      (reading ?? RunNodeProgram()).program(fs, path: wanted.path, parts: wanted.parts)
    }
    configuration.node = program
    let openssl = words.contains("--use-openssl-ca")
    let bundled = words.contains("--use-bundled-ca")
    if openssl && bundled {
      configuration.failures["node"] = "node: either --use-openssl-ca or --use-bundled-ca can be used, not both"
      return
    }
    let known = program ?? NodeProgram(path: "node")
    if words.contains("--use-system-ca"), !known.reads(option: true) {
      configuration.failures["node"] = "node: --use-system-ca is not allowed in NODE_OPTIONS"
      return
    }
    let system =
      words.contains("--use-system-ca") || (env["NODE_USE_SYSTEM_CA"] == "1" && known.reads(option: false))
    let store = openssl || (!bundled && known.opensslStoreByDefault)
    // OpenSSL's store, when chosen, is the whole of it: the system store is not added (measured 22.15.0, 24.19.0).
    if store {
      configuration.values[opensslKey] = "true"
    } else if system {
      configuration.values[systemKey] = "true"
    }
    // Node's own OpenSSL has its own OPENSSLDIR; a shared one (or none found) has the system's, the snapshot's.
    if store || system, let dir = program?.opensslDir, program?.sharedOpenSSL != true {
      let base = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
      configuration.values[fileKey] = base + "/cert.pem"
      configuration.values[folderKey] = base + "/certs"
    }
  }
}

/// The node program read once in a run, begun beside the collectors (`begin`) so that the verdicts, which need it,
/// do not wait for its reading. Nothing outlives the run.
public final class RunNodeProgram: Sendable {
  private let pending = Mutex<(path: String, parts: NodeProgram.Parts, value: PendingValue<NodeProgram?>)?>(nil)

  public init() {}

  /// Starts reading the program this run judges; nothing when no `node` is found.
  func begin(_ fs: any FileSystemView, env: [String: String]) {
    guard let (path, parts) = NodeProgram.wanted(fs, env: env) else { return }
    let value = PendingValue { NodeProgram.read(fs, path: path, parts: parts) }
    pending.withLock { $0 = (path, parts, value) }
  }

  /// The program at `path` as far as `parts` asks: the begun reading when it is that one, else read now.
  func program(_ fs: any FileSystemView, path: String, parts: NodeProgram.Parts) -> NodeProgram? {
    if let begun = pending.withLock({ $0 }), begun.path == path, begun.parts == parts {
      return begun.value.wait() ?? nil
    }
    return NodeProgram.read(fs, path: path, parts: parts)
  }
}

/// What a JVM's default SSL context is told about its trust store, and where the JVM is (measured with OpenJDK 17
/// and read in `sun.security.ssl.TrustStoreManager`): the system properties `javax.net.ssl.trustStore` and
/// `javax.net.ssl.trustStorePassword`, which CI jobs set through the JVM's option variables, and `java.home`, whose
/// `lib/security/jssecacerts` and `lib/security/cacerts` are its defaults.
struct JavaSettings {
  /// Where a `java` program is looked for when JAVA_HOME names none: Debian's alternatives link, a local install,
  /// and the Eclipse Temurin images' JDK.
  static let programs = ["/usr/bin/java", "/usr/local/bin/java", "/opt/java/openjdk/bin/java"]

  static let trustStore = "javax.net.ssl.trustStore"
  static let trustStorePassword = "javax.net.ssl.trustStorePassword"
  /// True makes the default SSL context check revocation (`sun.security.ssl.X509TrustManagerImpl`): with the JDK's
  /// defaults (no OCSP or CRL fetching) a certificate without a stapled response fails "Could not determine
  /// revocation status", also when it names a CRL or an OCSP responder (measured OpenJDK 17.0.15).
  static let checkRevocation = "com.sun.net.ssl.checkRevocation"
  /// True lets that check fetch the CRLs certificates name (measured: a CRL served over HTTP then passes).
  static let enableCRLDP = "com.sun.security.enableCRLDP"
  /// Maven 3.8's Wagon transport: true turns certificate verification off (measured with Maven 3.8.7).
  static let wagonInsecure = "maven.wagon.http.ssl.insecure"

  /// Which JVM program's settings: `java` itself, or Maven's `mvn` script, which adds `.mvn/jvm.config` and
  /// MAVEN_OPTS to the JVM's command line and `.mvn/maven.config` and MAVEN_CONFIG to Maven's own arguments.
  enum Program: Equatable {
    case java
    /// `project`: the folder whose `.mvn` Maven reads (the repository), nil when there is none.
    case maven(project: String?)
  }

  /// How a source's text becomes words.
  enum Splitting {
    /// As HotSpot and the launcher split option variables: quotes group, an unmatched one stops the JVM.
    case jvm
    /// As the `mvn` script's unquoted `$MAVEN_OPTS`: the shell splits at spaces, tabs and newlines, quotes stay
    /// (measured: `'-Dx=y'` becomes a main class the JVM cannot find).
    case shell
    /// Maven's own arguments (`.mvn/maven.config`, MAVEN_CONFIG): split at white space, set as system properties
    /// once Maven runs, so they win over every JVM option (measured).
    case mavenArguments
  }

  /// The trust store property's value and the source that set it last.
  var trustStore: (value: String, variable: String)?
  var password: String?
  /// What the JVM or the `mvn` script says when a source stops it, before any connection.
  var failure: String?
  /// `maven.wagon.http.ssl.insecure` turned on, and where.
  var insecure: String?
  /// `com.sun.net.ssl.checkRevocation` set to true (as `Boolean.getBoolean` reads it), and where.
  var revocation: String?
  /// `com.sun.security.enableCRLDP` set to true.
  var fetchesCRLs = false
  /// `java.home` of the JVM that runs: the folder above `bin/java`, through its links.
  var home: String?

  /// The sources a program's JVM takes system properties from, in the order a later one wins (measured): for every
  /// JVM JAVA_TOOL_OPTIONS (before its command line), JDK_JAVA_OPTIONS (the `java` launcher of JDK 9 and later, in
  /// front of the command line's own arguments), _JAVA_OPTIONS (after its command line); Maven's in between and
  /// after.
  /// `bytes`: the run's reader of configuration files (it records one that is there but cannot be read).
  static func sources(
    _ program: Program, fs: any FileSystemView, env: [String: String], bytes: ((String) -> [UInt8]?)? = nil
  ) -> [(name: String, text: String, splitting: Splitting)] {
    var sources: [(name: String, text: String, splitting: Splitting)] = []
    func add(_ variable: String, _ splitting: Splitting) {
      if let text = env[variable] { sources.append((variable, text, splitting)) }
    }
    add("JAVA_TOOL_OPTIONS", .jvm)
    add("JDK_JAVA_OPTIONS", .jvm)
    guard case .maven(let project) = program else {
      add("_JAVA_OPTIONS", .jvm)
      return sources
    }
    func file(_ name: String) -> String? {
      guard let project else { return nil }
      let path = (project == "/" ? "" : project) + "/.mvn/" + name
      return (bytes.map { $0(path) } ?? (try? fs.read(path, limit: 1 << 20))).map {
        String(decoding: $0, as: UTF8.self)
      }
    }
    // `mvn`: MAVEN_OPTS="$(lines of .mvn/jvm.config joined) $MAVEN_OPTS", then `exec java $MAVEN_OPTS …`.
    if let jvmConfig = file("jvm.config") { sources.append((".mvn/jvm.config", jvmConfig, .shell)) }
    add("MAVEN_OPTS", .shell)
    add("_JAVA_OPTIONS", .jvm)
    if let mavenConfig = file("maven.config") { sources.append((".mvn/maven.config", mavenConfig, .mavenArguments)) }
    add("MAVEN_CONFIG", .mavenArguments)
    return sources
  }

  /// `home`: `home(fs, env:)`, found once for every JVM client of a run.
  static func read(
    _ fs: any FileSystemView, env: [String: String], program: Program = .java, home: String?,
    bytes: ((String) -> [UInt8]?)? = nil
  ) -> JavaSettings {
    var settings = JavaSettings()
    settings.home = home
    for source in sources(program, fs: fs, env: env, bytes: bytes) {
      let words: [String]
      switch source.splitting {
      case .jvm:
        guard let split = Self.words(source.text) else {
          // Measured: the JVM does not start. The launcher reads JDK_JAVA_OPTIONS before the VM reads the others.
          let stop =
            source.name == "JDK_JAVA_OPTIONS"
            ? "Error: Unmatched quote in environment variable JDK_JAVA_OPTIONS"
            : "Unmatched quote in \(source.name); Error: Could not create the Java Virtual Machine."
          if settings.failure == nil || source.name == "JDK_JAVA_OPTIONS" { settings.failure = stop }
          continue
        }
        words = split
      case .shell, .mavenArguments:
        words = source.text.utf8.split { $0 == 0x20 || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d }
          .map { String(decoding: $0, as: UTF8.self) }
        // The first word that is no option is the class `java` runs (measured: Maven never starts). The word is
        // not shown: a value split off its option (`-Dhttps.proxyPassword= secret`) is such a word.
        if source.splitting == .shell, settings.failure == nil,
          let index = words.firstIndex(where: { !$0.hasPrefix("-") })
        {
          settings.failure =
            "Error: Could not find or load main class (word \(index + 1) of \(source.name), which is no option)"
        }
      }
      for word in words where word.hasPrefix("-D") {
        let property = word.dropFirst(2)
        let name = property.prefix { $0 != "=" }
        let value = property.count > name.count ? String(property.dropFirst(name.count + 1)) : ""
        if name == trustStore { settings.trustStore = (value, source.name) }
        if name == trustStorePassword { settings.password = value }
        if name == checkRevocation { settings.revocation = value.lowercased() == "true" ? source.name : nil }
        if name == enableCRLDP { settings.fetchesCRLs = value.lowercased() == "true" }
        if name == wagonInsecure, program != .java {
          settings.insecure = value.lowercased() == "true" ? source.name : nil
        }
      }
    }
    return settings
  }

  /// JAVA_HOME's `bin/java` when it has one (what Maven and Gradle run), else the first program of `programs`;
  /// its home is where its links lead, less `/bin/java` (the JVM finds `java.home` from its own library's path).
  static func home(_ fs: any FileSystemView, env: [String: String]) -> String? {
    var candidates = programs
    if let named = env["JAVA_HOME"], named.hasPrefix("/") {
      candidates.insert((named.hasSuffix("/") ? String(named.dropLast()) : named) + "/bin/java", at: 0)
    }
    for program in candidates where fs.isFile(program) {
      guard let real = try? fs.resolveExisting(program), real.hasSuffix("/bin/java") else { continue }
      let home = String(real.dropLast("/bin/java".count))
      return home.isEmpty ? "/" : home
    }
    return nil
  }

  /// The words of an option variable as the JVM splits them: ASCII white space separates (C's `isspace`; a no-break
  /// space is part of a word), and a quoted run (single or double quotes) keeps its spaces, the quotes dropped
  /// (HotSpot's `Arguments::parse_options_buffer`); nil for a quote that is never closed, which stops the JVM.
  static func words(_ text: String) -> [String]? {
    var words: [String] = []
    var current: [UInt8] = []
    var inWord = false
    var quote: UInt8?
    for byte in text.utf8 {
      if let open = quote {
        if byte == open { quote = nil } else { current.append(byte) }
      } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
        quote = byte
        inWord = true
      } else if byte == 0x20 || (0x09...0x0d).contains(byte) {
        if inWord { words.append(String(decoding: current, as: UTF8.self)) }
        current = []
        inWord = false
      } else {
        current.append(byte)
        inWord = true
      }
    }
    guard quote == nil else { return nil }
    if inWord { words.append(String(decoding: current, as: UTF8.self)) }
    return words
  }

  /// The settings as the configuration's values, under `keys`: `java home`, the trust store (empty when set to
  /// nothing, as a `-D` without a value sets it), `… NONE` when it names no file (an empty store, as for a PKCS #11
  /// token), the password; a failure and Maven's insecure switch for the client `keys` name.
  func apply(to configuration: inout TrustConfiguration, keys: Keys, fs: any FileSystemView, workingDirectory: String) {
    if let home { configuration.values[Self.homeKey] = home }
    if let revocation {
      configuration.values[keys.revocation] = fetchesCRLs ? "crls" : "true"
      configuration.origins[keys.revocation] = revocation
    }
    if let failure, home != nil { configuration.failures[keys.client] = failure }
    if let insecure {
      configuration.switches.append(
        ConfigSwitch(
          client: keys.client, key: Self.wagonInsecure, value: "true",
          path: insecure.hasPrefix(".mvn/") ? insecure : "",
          line: 0, everyHost: true, variable: insecure.hasPrefix(".mvn/") ? nil : insecure))
    }
    defer { record(into: &configuration, keys: keys, fs: fs) }
    if let trustStore {
      if trustStore.value == "NONE" {
        configuration.values[keys.none] = "NONE"
        configuration.origins[keys.none] = trustStore.variable
        configuration.values[keys.store] = ""
      } else {
        configuration.values[keys.store] =
          trustStore.value.isEmpty ? "" : TrustVariables.opened(trustStore.value, from: workingDirectory)
      }
      configuration.origins[keys.store] = trustStore.variable
    }
    if let password, !password.isEmpty { configuration.values[keys.password] = password }
  }

  /// The configuration keys of one JVM client's settings.
  struct Keys: Sendable {
    var client: String
    var store: String
    var none: String
    var password: String
    var revocation: String { JavaSettings.revocationKey(client) }
    static let java = Keys(
      client: "java", store: "java trustStore", none: "java trustStore NONE", password: "java trustStorePassword")
    static let maven = Keys(
      client: "maven", store: "maven trustStore", none: "maven trustStore NONE", password: "maven trustStorePassword")
  }

  /// The configuration key of a JVM client's revocation switch: "true", or "crls" when CRLs are fetched.
  static func revocationKey(_ client: String) -> String { client + " checkRevocation" }

  /// The states of the stores Java may open, as Java sees them (a file it cannot read is passed over, as missing),
  /// and what each file holds: one read of each (Debian's cacerts, ~190 KB, is framed and its certificates decoded:
  /// Java refuses a store with one that does not decode).
  func record(into configuration: inout TrustConfiguration, keys: Keys, fs: any FileSystemView) {
    var paths: [String] = []
    if let store = configuration.values[keys.store], !store.isEmpty, store.hasPrefix("/") { paths.append(store) }
    if let home = configuration.values[Self.homeKey] {
      let security = (home == "/" ? "" : home) + "/lib/security/"
      paths += [security + "jssecacerts", security + "cacerts"]
    }
    let password = password.flatMap { $0.isEmpty ? nil : $0 }
    for path in paths {
      let key = JavaKeyStore.key(path, password)
      guard configuration.keyStores[key] == nil else { continue }
      switch fs.kind(path) {
      case .file:
        let bytes: [UInt8]
        do { bytes = try fs.read(path, limit: JavaKeyStore.sizeLimit) } catch {
          // One Java may not read is passed over (`File.canRead`); one too large for trustgate is a finding.
          if case .tooLarge(_, let size, let limit) = error {
            configuration.pathStates[path] = .file
            configuration.keyStores[key] = .failure(
              "\(size) bytes, more than the \(limit >> 20) MiB trustgate reads of a keystore")
          } else {
            configuration.pathStates[path] = .missing
          }
          continue
        }
        configuration.pathStates[path] = .file
        configuration.keyStores[key] = JavaKeyStore.read(bytes, password: password)
      case .directory: configuration.pathStates[path] = .folder
      default: configuration.pathStates[path] = .missing
      }
    }
  }

  static let homeKey = "java home"
}

/// What a JVM's default SSL context is told about its trust store, and where the JVM is (measured with OpenJDK 17
/// and read in `sun.security.ssl.TrustStoreManager`): the system properties `javax.net.ssl.trustStore` and
/// `javax.net.ssl.trustStorePassword`, which CI jobs set through the JVM's option variables, and `java.home`, whose
/// `lib/security/jssecacerts` and `lib/security/cacerts` are its defaults.
struct JavaSettings: Equatable {
  /// The option variables, in the order the JVM applies them (a later `-D` of a property wins, measured):
  /// JAVA_TOOL_OPTIONS (every JVM, before its command line), JDK_JAVA_OPTIONS (the `java` launcher of JDK 9 and
  /// later, in front of the command line's own arguments), _JAVA_OPTIONS (every JVM, after its command line).
  static let variables = ["JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"]
  /// Where a `java` program is looked for when JAVA_HOME names none: Debian's alternatives link, a local install,
  /// and the Eclipse Temurin images' JDK.
  static let programs = ["/usr/bin/java", "/usr/local/bin/java", "/opt/java/openjdk/bin/java"]

  static let trustStore = "javax.net.ssl.trustStore"
  static let trustStorePassword = "javax.net.ssl.trustStorePassword"

  /// The trust store property's value and the variable that set it last.
  var trustStore: (value: String, variable: String)?
  var password: String?
  /// What the JVM says when an option variable stops it (an unmatched quote), before any connection.
  var failure: String?
  /// `java.home` of the JVM that runs: the folder above `bin/java`, through its links.
  var home: String?

  static func == (lhs: JavaSettings, rhs: JavaSettings) -> Bool {
    lhs.trustStore?.value == rhs.trustStore?.value && lhs.trustStore?.variable == rhs.trustStore?.variable
      && lhs.password == rhs.password && lhs.home == rhs.home && lhs.failure == rhs.failure
  }

  static func read(_ fs: any FileSystemView, env: [String: String]) -> JavaSettings {
    var settings = JavaSettings()
    for variable in variables {
      guard let text = env[variable] else { continue }
      guard let words = words(text) else {
        // Measured: the JVM does not start. The launcher reads JDK_JAVA_OPTIONS before the VM reads the others.
        let stop =
          variable == "JDK_JAVA_OPTIONS"
          ? "Error: Unmatched quote in environment variable JDK_JAVA_OPTIONS"
          : "Unmatched quote in \(variable); Error: Could not create the Java Virtual Machine."
        if settings.failure == nil || variable == "JDK_JAVA_OPTIONS" { settings.failure = stop }
        continue
      }
      for word in words where word.hasPrefix("-D") {
        let property = word.dropFirst(2)
        let name = property.prefix { $0 != "=" }
        let value = property.count > name.count ? String(property.dropFirst(name.count + 1)) : ""
        if name == trustStore { settings.trustStore = (value, variable) }
        if name == trustStorePassword { settings.password = value }
      }
    }
    settings.home = home(fs, env: env)
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

  /// The settings as the configuration's values: `java home`, `java trustStore` (empty when set to nothing, as a
  /// `-D` without a value sets it), `java trustStore NONE` when it names no file (an empty store, as for a
  /// PKCS #11 token), `java trustStorePassword`.
  func apply(to configuration: inout TrustConfiguration, fs: any FileSystemView, workingDirectory: String) {
    if let home { configuration.values[Self.homeKey] = home }
    if let failure, home != nil { configuration.failures["java"] = failure }
    defer { record(into: &configuration, fs: fs) }
    if let trustStore {
      if trustStore.value == "NONE" {
        configuration.values[Self.noneKey] = "NONE"
        configuration.origins[Self.noneKey] = trustStore.variable
        configuration.values[Self.storeKey] = ""
      } else {
        configuration.values[Self.storeKey] =
          trustStore.value.isEmpty ? "" : TrustVariables.opened(trustStore.value, from: workingDirectory)
      }
      configuration.origins[Self.storeKey] = trustStore.variable
    }
    if let password, !password.isEmpty { configuration.values[Self.passwordKey] = password }
  }

  /// The states of the stores Java may open, as Java sees them (a file it cannot read is passed over, as missing),
  /// and what each file holds: one read of each (Debian's cacerts, ~190 KB, is framed and its certificates decoded:
  /// Java refuses a store with one that does not decode).
  func record(into configuration: inout TrustConfiguration, fs: any FileSystemView) {
    var paths: [String] = []
    if let store = configuration.values[Self.storeKey], !store.isEmpty, store.hasPrefix("/") { paths.append(store) }
    if let home = configuration.values[Self.homeKey] {
      let security = (home == "/" ? "" : home) + "/lib/security/"
      paths += [security + "jssecacerts", security + "cacerts"]
    }
    for path in paths {
      switch fs.kind(path) {
      case .file:
        let bytes: [UInt8]
        do { bytes = try fs.read(path, limit: JavaKeyStore.sizeLimit) } catch {
          // One Java may not read is passed over (`File.canRead`); one too large for trustgate is a finding.
          if case .tooLarge(_, let size, let limit) = error {
            configuration.pathStates[path] = .file
            configuration.keyStores[path] = .refused(
              "\(size) bytes, more than the \(limit >> 20) MiB trustgate reads of a keystore")
          } else {
            configuration.pathStates[path] = .missing
          }
          continue
        }
        configuration.pathStates[path] = .file
        switch JavaKeyStore.read(bytes, password: password.flatMap { $0.isEmpty ? nil : $0 }) {
        case .certificates(let certificates, let format):
          configuration.keyStores[path] = .trusted(certificates.count, format: format)
        case .failure(let reason): configuration.keyStores[path] = .refused(reason)
        }
      case .directory: configuration.pathStates[path] = .folder
      default: configuration.pathStates[path] = .missing
      }
    }
  }

  static let homeKey = "java home"
  static let storeKey = "java trustStore"
  static let noneKey = "java trustStore NONE"
  static let passwordKey = "java trustStorePassword"
}

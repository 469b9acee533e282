import COpenSSL

/// OpenSSL's own configuration reader (`NCONF_load_bio`), the oracle `OpenSSLConfigText` is measured against (its
/// differential test and fuzz target). trustgate itself never loads a tree's configuration into its OpenSSL.
public enum OpenSSLConfigReader {
  /// The value of each `(section, name)` as `NCONF_get_string` finds it (the section's, else the default section's,
  /// else for `ENV` the process's environment); nil when OpenSSL refuses the text.
  public static func values(_ text: [UInt8], of names: [(section: String, name: String)]) -> [String?]? {
    guard let conf = NCONF_new(nil) else { return nil }
    defer { NCONF_free(conf) }
    let bio = text.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress, Int32(clamping: $0.count)) }
    defer { BIO_free(bio) }
    var line = 0
    guard NCONF_load_bio(conf, bio, &line) == 1 else {
      ERR_clear_error()
      return nil
    }
    return names.map { probe in
      let found = NCONF_get_string(conf, probe.section, probe.name).map { String(cString: $0) }
      ERR_clear_error()
      return found
    }
  }
}

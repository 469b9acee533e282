/// How parse results are written into and read from `ParseCache` payloads. A payload that does not decode is a miss.
enum CachedReadings {
  // MARK: certificate files

  static func encode(_ reading: CertificateFileReading) -> [UInt8] {
    var writer = CacheWriter()
    writer.int(reading.entries.count)
    for entry in reading.entries {
      writer.int(entry.line)
      let c = entry.certificate
      for text in [c.sha256, c.sha1, c.subject, c.issuer, c.serial, c.notBefore, c.notAfter, c.subjectHash] {
        writer.string(text)
      }
      for flag in [c.isCA, c.selfSigned, c.hasKeyUsage, c.hasSubjectKeyIdentifier, c.hasAuthorityKeyIdentifier] {
        writer.bool(flag)
      }
    }
    writer.int(reading.unparsable)
    encode(issues: reading.issues.map { ($0.line, $0.message, $0.fix) }, into: &writer)
    return writer.output
  }

  static func certificateFile(_ payload: ArraySlice<UInt8>) -> CertificateFileReading? {
    var reader = CacheReader(payload)
    guard let count = reader.int(), count >= 0, count <= payload.count else { return nil }
    var reading = CertificateFileReading()
    reading.entries.reserveCapacity(count)
    for _ in 0..<count {
      guard let line = reader.int(), let sha256 = reader.string(), let sha1 = reader.string(),
        let subject = reader.string(), let issuer = reader.string(), let serial = reader.string(),
        let notBefore = reader.string(), let notAfter = reader.string(), let subjectHash = reader.string(),
        let isCA = reader.bool(), let selfSigned = reader.bool(), let keyUsage = reader.bool(),
        let subjectKey = reader.bool(), let authorityKey = reader.bool()
      else { return nil }
      let certificate = Certificate(
        sha256: sha256, sha1: sha1, subject: subject, issuer: issuer, serial: serial, notBefore: notBefore,
        notAfter: notAfter, isCA: isCA, selfSigned: selfSigned, hasKeyUsage: keyUsage,
        hasSubjectKeyIdentifier: subjectKey, hasAuthorityKeyIdentifier: authorityKey, subjectHash: subjectHash)
      reading.entries.append(.init(line: line, certificate: certificate))
    }
    guard let unparsable = reader.int(), let issues = decodeIssues(&reader) else { return nil }
    reading.unparsable = unparsable
    reading.issues = issues.map { .init(line: $0.line, message: $0.message, fix: $0.fix) }
    return reader.atEnd ? reading : nil
  }

  // MARK: lockfiles

  static func encode(_ reading: LockfileReading) -> [UInt8] {
    var writer = CacheWriter()
    writer.int(reading.pins.count)
    for pin in reading.pins {
      writer.string(pin.name)
      writer.optionalString(pin.version)
      writer.optionalString(pin.specifier)
      writer.int(pin.line)
      writer.optionalString(pin.group)
    }
    writer.int(reading.references.count)
    for reference in reading.references { writer.string(reference) }
    encode(issues: reading.issues.map { ($0.line, $0.message, $0.fix) }, into: &writer)
    return writer.output
  }

  static func lockfile(_ payload: ArraySlice<UInt8>) -> LockfileReading? {
    var reader = CacheReader(payload)
    var reading = LockfileReading()
    guard let pins = reader.int(), pins >= 0, pins <= payload.count else { return nil }
    reading.pins.reserveCapacity(pins)
    for _ in 0..<pins {
      guard let name = reader.string(), let version = reader.optionalString(), let specifier = reader.optionalString(),
        let line = reader.int(), let group = reader.optionalString()
      else { return nil }
      // Names were normalised when parsed; Pin's initialiser returns a normalised name unchanged.
      reading.pins.append(Pin(name: name, version: version, specifier: specifier, line: line, group: group))
    }
    guard let references = reader.int(), references >= 0, references <= payload.count else { return nil }
    for _ in 0..<references {
      guard let reference = reader.string() else { return nil }
      reading.references.append(reference)
    }
    guard let issues = decodeIssues(&reader) else { return nil }
    reading.issues = issues.map { LockfileIssue(line: $0.line, message: $0.message, fix: $0.fix) }
    return reader.atEnd ? reading : nil
  }

  // MARK: issues (certificate files and lockfiles alike: a line or none, what is wrong, the fix)

  typealias Issue = (line: Int?, message: String, fix: String)

  static func encode(issues: [Issue], into writer: inout CacheWriter) {
    writer.int(issues.count)
    for issue in issues {
      writer.int(issue.line ?? -1)
      writer.string(issue.message)
      writer.string(issue.fix)
    }
  }

  static func decodeIssues(_ reader: inout CacheReader) -> [Issue]? {
    guard let count = reader.int(), count >= 0, count <= reader.input.count else { return nil }
    var issues: [Issue] = []
    for _ in 0..<count {
      guard let line = reader.int(), let message = reader.string(), let fix = reader.string() else { return nil }
      issues.append((line < 0 ? nil : line, message, fix))
    }
    return issues
  }

  // MARK: metadata headers

  static func encode(_ metadata: CoreMetadata) -> [UInt8] {
    var writer = CacheWriter()
    writer.optionalString(metadata.name)
    writer.optionalString(metadata.version)
    writer.bool(metadata.invalidUTF8)
    return writer.output
  }

  static func metadata(_ payload: ArraySlice<UInt8>) -> CoreMetadata? {
    var reader = CacheReader(payload)
    guard let name = reader.optionalString(), let version = reader.optionalString(), let invalid = reader.bool(),
      reader.atEnd
    else { return nil }
    return CoreMetadata(name: name, version: version, invalidUTF8: invalid)
  }

  // MARK: lockfile listings of a commit

  static func encode(files: [GitFile]) -> [UInt8] {
    var writer = CacheWriter()
    writer.int(files.count)
    for file in files {
      writer.string(file.path)
      writer.string(file.oid)
      writer.bool(file.isSymlink)
    }
    return writer.output
  }

  static func files(_ payload: ArraySlice<UInt8>) -> [GitFile]? {
    var reader = CacheReader(payload)
    guard let count = reader.int(), count >= 0, count <= payload.count else { return nil }
    var files: [GitFile] = []
    for _ in 0..<count {
      guard let path = reader.string(), let oid = reader.string(), let isSymlink = reader.bool() else { return nil }
      files.append(GitFile(path: path, oid: oid, isSymlink: isSymlink))
    }
    return reader.atEnd ? files : nil
  }

  // MARK: commit times

  static func encode(commitTime: Int64) -> [UInt8] {
    var writer = CacheWriter()
    writer.int(Int(commitTime))
    return writer.output
  }

  static func commitTime(_ payload: ArraySlice<UInt8>) -> Int64? {
    var reader = CacheReader(payload)
    guard let value = reader.int(), reader.atEnd else { return nil }
    return Int64(value)
  }
}

extension ParseCache {
  /// A certificate file's reading by the SHA-256 of its bytes: parsed on a miss, then kept; with `identity`, the
  /// digest is remembered so the next run need not read the file.
  func certificateFile(
    _ bytes: [UInt8], identity: FileIdentity? = nil, parse: () -> CertificateFileReading
  ) -> CertificateFileReading {
    let key = ContentDigest.sha256(bytes)
    if let identity { remember(key, of: identity) }
    if let payload = lookup(.certificateFile, key), let reading = CachedReadings.certificateFile(payload) {
      return reading
    }
    let reading = parse()
    store(.certificateFile, key, CachedReadings.encode(reading))
    return reading
  }

  /// A certificate file's reading by the SHA-256 of its bytes, when an earlier run parsed the same bytes.
  func certificateFile(digest: [UInt8]) -> CertificateFileReading? {
    lookup(.certificateFile, digest).flatMap(CachedReadings.certificateFile)
  }

  /// A certificate file's reading from its identity alone (no read), when an earlier run read the same file.
  func certificateFile(identity: FileIdentity) -> CertificateFileReading? {
    guard let digest = digest(of: identity), let payload = lookup(.certificateFile, digest) else { return nil }
    return CachedReadings.certificateFile(payload)
  }

  /// A metadata header's Name, Version and UTF-8 state by the SHA-256 of the bytes read, as for certificate files.
  func metadata(_ bytes: [UInt8], identity: FileIdentity?) -> CoreMetadata {
    let key = ContentDigest.sha256(bytes)
    if let identity { remember(key, of: identity) }
    if let payload = lookup(.metadata, key), let metadata = CachedReadings.metadata(payload) { return metadata }
    let metadata = CoreMetadata(bytes)
    store(.metadata, key, CachedReadings.encode(metadata))
    return metadata
  }

  func metadata(identity: FileIdentity) -> CoreMetadata? {
    guard let digest = digest(of: identity), let payload = lookup(.metadata, digest) else { return nil }
    return CachedReadings.metadata(payload)
  }

  /// A lockfile's reading by its reader and content key (a git blob id, known without reading the bytes); nil on a
  /// miss.
  func lockfile(_ format: LockfileFormat, key: [UInt8]) -> LockfileReading? {
    lookup(.lockfile, Self.lockfileKey(format, key)).flatMap(CachedReadings.lockfile)
  }

  func store(_ reading: LockfileReading, format: LockfileFormat, key: [UInt8]) {
    store(.lockfile, Self.lockfileKey(format, key), CachedReadings.encode(reading))
  }

  /// The same bytes read by another reader (a requirements file included with `-r`) are another entry.
  private static func lockfileKey(_ format: LockfileFormat, _ key: [UInt8]) -> [UInt8] {
    Array(format.rawValue.utf8) + [0] + key
  }
}

/// What a tar member is; device files, FIFOs and the like are `other` and skipped by the image reader.
enum TarEntryKind: Equatable {
  case file
  case directory
  case symlink
  case hardlink
  case other
}

/// One member of a tar stream: its header, read past the pax and GNU long-name records that precede it.
struct TarEntry: Equatable {
  var path: String
  var kind: TarEntryKind
  var linkTarget: String
  var size: Int
  /// Where the member's data starts, counted in bytes from the start of the stream.
  var dataOffset: Int
  /// Permission bits and owner, as a container runtime unpacks them; 0o755 by root when a field cannot be read.
  var mode = 0o755
  var uid = 0
  var gid = 0
  /// What an `other` member is, in words ("a FIFO (named pipe)"), for the few types that have a name.
  var special: String? {
    guard kind == .other else { return nil }
    switch typeFlag {
    case UInt8(ascii: "3"): return "a character device"
    case UInt8(ascii: "4"): return "a block device"
    case UInt8(ascii: "6"): return FileError.fifo
    default: return nil
    }
  }
  /// The header's type byte.
  var typeFlag: UInt8 = UInt8(ascii: "0")
}

/// Why a tar stream could not be read; `offset` is the header's position in the stream.
enum TarError: Error, Equatable {
  case badChecksum(offset: Int)
  case truncated(offset: Int)
  case malformed(offset: Int, reason: String)
  case stream(StreamError)
  /// A bound of `ImageLimits` was reached; the text says which.
  case limit(String)
}

/// Reads a ustar, pax or GNU tar stream member by member from a `ByteSource`, holding one block-sized buffer.
///
/// Call `next()` for the following header; then read the member's bytes with `readData` or leave them: `next()`
/// passes over whatever was not read (with `skip`, which a file region does without reading).
final class TarReader {
  private let source: ByteSource
  /// Bytes of the stream consumed so far.
  private(set) var position = 0
  /// Data bytes of the current member not read yet, and the padding after them.
  private var remaining = 0
  private var padding = 0
  private var finished = false
  /// Whether the stream ended with an end-of-archive block rather than just stopping.
  private(set) var endMarkerSeen = false
  /// Headers read so far (pax and long-name records count), bounded by `memberLimit`.
  private(set) var headers = 0
  private let memberLimit: Int

  private static let block = 512
  /// Pax and GNU long-name records hold a name or a few keys; anything larger is a broken or hostile archive.
  private static let metadataLimit = 1 << 20

  /// `memberLimit` bounds the headers read: a few megabytes of gzip can hold millions of empty members.
  init(source: ByteSource, memberLimit: Int = Int.max) {
    self.source = source
    self.memberLimit = memberLimit
  }

  /// The next member, or nil after the end-of-archive blocks (or a clean end of the stream between members).
  func next() throws(TarError) -> TarEntry? {
    if finished { return nil }
    try skipRest()
    if finished { return nil }
    var paxPath: String?
    var paxLink: String?
    var paxSize: Int?
    var paxUID: Int?
    var paxGID: Int?
    var longName: String?
    var longLink: String?
    while true {
      let headerOffset = position
      guard let header = try readBlock(allowEnd: true) else {
        finished = true
        return nil
      }
      if header.allSatisfy({ $0 == 0 }) {
        endMarkerSeen = true
        finished = true
        return nil
      }
      headers += 1
      guard headers <= memberLimit else { throw .limit("holds more than \(memberLimit) members") }
      guard Self.checksumMatches(header) else { throw .badChecksum(offset: headerOffset) }
      guard var size = Self.number(header[124..<136]) else {
        throw .malformed(offset: headerOffset, reason: "unreadable size field")
      }
      let type = header[156]
      switch type {
      case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
        guard size <= Self.metadataLimit else {
          throw .malformed(offset: headerOffset, reason: "a \(size)-byte extended header")
        }
        let data = try readMetadata(size: size, headerOffset: headerOffset)
        if type == UInt8(ascii: "x") {
          let records = try Self.paxRecords(data, headerOffset: headerOffset)
          paxPath = records["path"] ?? paxPath
          paxLink = records["linkpath"] ?? paxLink
          if let text = records["size"] { paxSize = Int(text) }
          if let text = records["uid"] { paxUID = Int(text) }
          if let text = records["gid"] { paxGID = Int(text) }
        } else if type == UInt8(ascii: "L") {
          longName = Self.string(data[...])
        } else if type == UInt8(ascii: "K") {
          longLink = Self.string(data[...])
        }
        continue
      default:
        break
      }
      if let paxSize { size = paxSize }
      var name = Self.string(header[0..<100])
      if header[257..<262].elementsEqual("ustar".utf8) && longName == nil && paxPath == nil {
        let prefix = Self.string(header[345..<500])
        if !prefix.isEmpty { name = prefix + "/" + name }
      }
      let path = paxPath ?? longName ?? name
      let kind: TarEntryKind
      switch type {
      case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = path.hasSuffix("/") ? .directory : .file
      case UInt8(ascii: "5"): kind = .directory
      case UInt8(ascii: "2"): kind = .symlink
      case UInt8(ascii: "1"): kind = .hardlink
      default: kind = .other
      }
      // Links and directories carry no data even when a writer fills in the size.
      let dataSize = (kind == .file || kind == .other) ? size : 0
      remaining = dataSize
      padding = (Self.block - dataSize % Self.block) % Self.block
      return TarEntry(
        path: path, kind: kind,
        linkTarget: paxLink ?? longLink ?? Self.string(header[157..<257]),
        size: dataSize, dataOffset: position,
        mode: Self.number(header[100..<108]).map { $0 & 0o7777 } ?? 0o755,
        uid: paxUID ?? Self.number(header[108..<116]) ?? 0, gid: paxGID ?? Self.number(header[116..<124]) ?? 0,
        typeFlag: type)
    }
  }

  /// Reads up to `buffer.count` bytes of the current member's data; 0 at its end.
  func readData(into buffer: UnsafeMutableRawBufferPointer) throws(TarError) -> Int {
    let want = min(buffer.count, remaining)
    guard want > 0 else { return 0 }
    let n: Int
    do {
      n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
    } catch {
      throw .stream(error)
    }
    if n == 0 { throw .truncated(offset: position) }
    remaining -= n
    position += n
    return n
  }

  /// The rest of the current member's data (the caller has checked its size).
  func readData() throws(TarError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: remaining)
    var done = 0
    while done < bytes.count {
      let n = try bytes.withMutableBytes { (raw) throws(TarError) -> Int in
        try readData(into: UnsafeMutableRawBufferPointer(rebasing: raw[done...]))
      }
      done += n
    }
    return bytes
  }

  /// Passes the unread data of the current member and its padding.
  ///
  /// A stream that ends right after the last member's data, without padding or end blocks, is taken as complete:
  /// umoci 0.4 writes `insert` layers that way, and the blob digest still guards against a cut.
  private func skipRest() throws(TarError) {
    let data = try skip(remaining)
    if data < remaining { throw .truncated(offset: position) }
    remaining = 0
    let pad = try skip(padding)
    if pad < padding { finished = true }
    padding = 0
  }

  private func skip(_ count: Int) throws(TarError) -> Int {
    guard count > 0 else { return 0 }
    let skipped: Int
    do {
      skipped = try source.skip(count)
    } catch {
      throw .stream(error)
    }
    position += skipped
    return skipped
  }

  private func readMetadata(size: Int, headerOffset: Int) throws(TarError) -> [UInt8] {
    remaining = size
    padding = (Self.block - size % Self.block) % Self.block
    let data = try readData()
    try skipRest()
    return data
  }

  /// One 512-byte block; nil at a clean end of the stream when `allowEnd`, `truncated` inside a block.
  private func readBlock(allowEnd: Bool) throws(TarError) -> [UInt8]? {
    var block = [UInt8](repeating: 0, count: Self.block)
    var done = 0
    while done < Self.block {
      let n: Int
      do {
        n = try block.withMutableBytes { (raw) throws(StreamError) -> Int in
          try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[done...]))
        }
      } catch {
        throw error == .truncated ? .truncated(offset: position) : .stream(error)
      }
      if n == 0 { break }
      done += n
    }
    position += done
    if done == 0 && allowEnd { return nil }
    if done < Self.block { throw .truncated(offset: position - done) }
    return block
  }

  /// Header checksum: the byte sum with the checksum field read as spaces; old writers summed signed bytes.
  static func checksumMatches(_ header: [UInt8]) -> Bool {
    guard let stored = number(header[148..<156]) else { return false }
    // A plain loop over the bytes: this runs for every member of every layer.
    return header.withUnsafeBufferPointer { bytes -> Bool in
      var unsigned = 8 * 0x20
      var signed = 8 * 0x20
      for index in 0..<bytes.count where index < 148 || index >= 156 {
        unsigned &+= Int(bytes[index])
        signed &+= Int(Int8(bitPattern: bytes[index]))
      }
      return stored == unsigned || stored == signed
    }
  }

  /// An octal field (NUL or space terminated), or GNU base-256 when the top bit of the first byte is set.
  static func number(_ field: ArraySlice<UInt8>) -> Int? {
    guard let first = field.first else { return nil }
    if first & 0x80 != 0 {
      var value = Int(first & 0x7f)
      for byte in field.dropFirst() {
        guard value < (Int.max >> 8) else { return nil }
        value = value << 8 | Int(byte)
      }
      return value
    }
    var value = 0
    var seenDigit = false
    for byte in field {
      if byte == 0 || byte == UInt8(ascii: " ") {
        if seenDigit { break } else { continue }
      }
      guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte), value < (Int.max >> 3) else { return nil }
      value = value * 8 + Int(byte - UInt8(ascii: "0"))
      seenDigit = true
    }
    return value
  }

  /// A NUL-terminated text field.
  static func string(_ field: ArraySlice<UInt8>) -> String {
    String(decoding: field.prefix(while: { $0 != 0 }), as: UTF8.self)
  }

  /// Pax records `LEN key=value\n`; LEN counts the whole record.
  static func paxRecords(_ data: [UInt8], headerOffset: Int) throws(TarError) -> [String: String] {
    var records: [String: String] = [:]
    var index = 0
    while index < data.count {
      if data[index] == 0 { break }
      guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
        let length = Int(String(decoding: data[index..<space], as: UTF8.self)),
        // The length counts its own digits and the space (`01 k=v`, `+1 k=v` are shorter than that), and is
        // compared without overflowing.
        length > space - index, length <= data.count - index,
        let equals = data[space..<(index + length)].firstIndex(of: UInt8(ascii: "="))
      else {
        throw .malformed(offset: headerOffset, reason: "a broken pax record")
      }
      let key = String(decoding: data[(space + 1)..<equals], as: UTF8.self)
      let valueEnd = data[index + length - 1] == UInt8(ascii: "\n") ? index + length - 1 : index + length
      records[key] = String(decoding: data[(equals + 1)..<max(equals + 1, valueEnd)], as: UTF8.self)
      index += length
    }
    return records
  }
}

import CompressNIO
import NIOCore

/// Reads a commit's committer time from git's object files — a loose object, or a whole (undeltified) entry of a
/// pack found through its `.idx` — with zlib, so the clock section never starts libgit2, whose first use loads a
/// whole CA bundle for its TLS backend. Anything else (a deltified commit, SHA-256 objects, alternates, a damaged
/// file) answers nil, and libgit2 decides.
enum GitCommitReader {
  /// The committer time (seconds since the epoch) of commit `id` (40 hex digits) in `commonDirectory/objects`.
  static func committerTime(id: String, commonDirectory: String, fs: HostFileSystem = HostFileSystem()) -> Int64? {
    guard id.utf8.count == 40, let raw = objectID(id) else { return nil }
    let objects = commonDirectory + "/objects"
    let loose = objects + "/" + id.prefix(2) + "/" + id.dropFirst(2)
    if case .file = fs.rawKind(loose), let compressed = try? fs.rawReadPrefix(loose, count: 1 << 16),
      let object = inflate(compressed[...])
    {
      return committerTime(looseObject: object)
    }
    guard let names = try? fs.rawList(objects + "/pack") else { return nil }
    for name in names.sorted() where name.hasPrefix("pack-") && name.hasSuffix(".idx") {
      let index = objects + "/pack/" + name
      guard let offset = packOffset(of: raw, index: index, fs: fs) else { continue }
      let pack = String(index.dropLast(4)) + ".pack"
      guard let entry = try? fs.rawReadRange(pack, offset: offset, count: 1 << 16) else { return nil }
      return committerTime(packEntry: entry)
    }
    return nil
  }

  static func objectID(_ hex: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    var high: UInt8?
    for character in hex.utf8 {
      let value: UInt8
      switch character {
      case 48...57: value = character - 48
      case 97...102: value = character - 87
      case 65...70: value = character - 55
      default: return nil
      }
      if let first = high {
        bytes.append(first << 4 | value)
        high = nil
      } else {
        high = value
      }
    }
    return bytes
  }

  /// The pack offset a version-2 `.idx` gives an object (binary search within the fan-out's range).
  static func packOffset(of id: [UInt8], index: String, fs: HostFileSystem) -> Int? {
    guard let bytes = try? fs.rawRead(index, limit: defaultReadLimit), bytes.count >= 8 + 256 * 4,
      bytes[0..<8].elementsEqual([0xFF, 0x74, 0x4F, 0x63, 0, 0, 0, 2])
    else { return nil }
    func word(_ at: Int) -> Int {
      Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
    }
    let fanout = 8
    let count = word(fanout + 255 * 4)
    let names = fanout + 256 * 4
    let offsets = names + count * 20 + count * 4
    guard bytes.count >= offsets + count * 4 else { return nil }
    var low = id[0] == 0 ? 0 : word(fanout + (Int(id[0]) - 1) * 4)
    var high = word(fanout + Int(id[0]) * 4)
    guard low <= high, high <= count else { return nil }
    while low < high {
      let middle = (low + high) / 2
      let start = names + middle * 20
      let candidate = bytes[start..<(start + 20)]
      if candidate.elementsEqual(id) {
        let offset = word(offsets + middle * 4)
        guard offset & 0x8000_0000 != 0 else { return offset }
        // A pack over 2 GiB: the large-offset table.
        let large = offsets + count * 4 + (offset & 0x7FFF_FFFF) * 8
        guard bytes.count >= large + 8 else { return nil }
        return (word(large) << 32) | word(large + 4)
      }
      if candidate.lexicographicallyPrecedes(id) { low = middle + 1 } else { high = middle }
    }
    return nil
  }

  /// A pack entry's header (type in bits 4–6 of the first byte, size in a varint) and its zlib body; only a whole
  /// commit (type 1) is read.
  static func committerTime(packEntry bytes: [UInt8]) -> Int64? {
    guard let first = bytes.first, (first >> 4) & 0x07 == 1 else { return nil }
    var position = 0
    while position < bytes.count, bytes[position] & 0x80 != 0 { position += 1 }
    position += 1
    guard position < bytes.count, let body = inflate(bytes[position...]) else { return nil }
    return committerTime(headers: body[...])
  }

  /// A loose object: `commit <size>\0` and the commit's text.
  static func committerTime(looseObject object: [UInt8]) -> Int64? {
    guard let nul = object.firstIndex(of: 0), object[..<nul].starts(with: Array("commit ".utf8)) else { return nil }
    return committerTime(headers: object[(nul + 1)...])
  }

  /// The time on the `committer` header line (`committer Name <mail> 1700000000 +0000`); headers end at a blank line.
  static func committerTime(headers: ArraySlice<UInt8>) -> Int64? {
    for line in headers.split(separator: 0x0A, omittingEmptySubsequences: false) {
      if line.isEmpty { return nil }
      guard line.starts(with: Array("committer ".utf8)), let close = line.lastIndex(of: UInt8(ascii: ">")) else {
        continue
      }
      let fields = line[(close + 1)...].split(separator: 0x20)
      guard let seconds = fields.first, seconds.count <= 18, seconds.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
        return nil
      }
      return Int64(String(decoding: seconds, as: UTF8.self))
    }
    return nil
  }

  /// The first 64 KiB a zlib stream inflates to (a commit's headers come first); nil when it is not zlib.
  static func inflate(_ compressed: ArraySlice<UInt8>) -> [UInt8]? {
    guard let decompressor = try? ZlibDecompressor(algorithm: .zlib) else { return nil }
    var input = ByteBufferAllocator().buffer(capacity: compressed.count)
    input.writeBytes(compressed)
    var output = ByteBufferAllocator().buffer(capacity: 1 << 16)
    do { try decompressor.inflate(from: &input, to: &output) } catch let error as CompressNIOError
      where error == .bufferOverflow || error == .inputBufferOverflow
    {
      // Output full (the rest is the message) or the input was cut at 64 KiB: what was inflated is enough.
    } catch { return nil }
    guard output.readableBytes > 0 else { return nil }
    return output.readBytes(length: output.readableBytes)
  }
}

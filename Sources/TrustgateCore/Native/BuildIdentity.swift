#if canImport(Glibc)
  import Glibc
#endif

/// Which build of trustgate is running: the GNU build id the linker stamps into the executable (the same bytes for
/// the same build on every machine, so a restored cache stays valid on a new CI runner); nil when there is none.
///
/// Read from the executable's ELF notes (`/proc/self/exe`: header, program headers, PT_NOTE segments), 64-bit
/// little-endian only: a few small reads, no loader internals.
enum BuildIdentity {
  static let buildID: String? = {
    let fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    func read(_ offset: Int, _ count: Int) -> [UInt8]? {
      guard count > 0, count <= 1 << 16 else { return nil }
      var bytes = [UInt8](repeating: 0, count: count)
      let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
      return n == count ? bytes : nil
    }
    guard let header = read(0, 64), header.starts(with: [0x7F, 0x45, 0x4C, 0x46, 2, 1]) else { return nil }
    let programHeaders = Int(truncatingIfNeeded: integer(header, 32, 8))
    let entrySize = Int(integer(header, 54, 2))
    let entries = Int(integer(header, 56, 2))
    guard entrySize >= 56, let table = read(programHeaders, entrySize * entries) else { return nil }
    for index in 0..<entries {
      let entry = Array(table[(index * entrySize)..<(index * entrySize + 56)])
      guard integer(entry, 0, 4) == 4 else { continue }  // PT_NOTE
      let align = integer(entry, 48, 8) == 8 ? 8 : 4
      guard
        let notes = read(Int(truncatingIfNeeded: integer(entry, 8, 8)), Int(truncatingIfNeeded: integer(entry, 32, 8)))
      else { continue }
      var offset = 0
      while offset + 12 <= notes.count {
        let nameSize = Int(integer(notes, offset, 4))
        let descriptionSize = Int(integer(notes, offset + 4, 4))
        let type = integer(notes, offset + 8, 4)
        let name = offset + 12
        let description = name + (nameSize + align - 1) / align * align
        let next = description + (descriptionSize + align - 1) / align * align
        guard description + descriptionSize <= notes.count, next > offset else { break }
        if type == 3, nameSize == 4, notes[name..<(name + 4)].elementsEqual([0x47, 0x4E, 0x55, 0]) {  // NT_GNU_BUILD_ID
          return descriptionSize > 0 ? hex(notes[description..<(description + descriptionSize)]) : nil
        }
        offset = next
      }
    }
    return nil
  }()

  /// A little-endian unsigned integer of `size` bytes at `offset`.
  private static func integer(_ bytes: [UInt8], _ offset: Int, _ size: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in (0..<size).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
    return value
  }
}

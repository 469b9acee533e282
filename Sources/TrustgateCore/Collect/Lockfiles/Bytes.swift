import CLinux
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A window on UTF-8 bytes the readers cut without copying (valid only inside the `withUTF8` that made it).
struct Bytes {
  private var base: UnsafeBufferPointer<UInt8>
  private var start: Int
  private var end: Int

  init(_ base: UnsafeBufferPointer<UInt8>) {
    self.base = base
    start = 0
    end = base.count
  }

  var count: Int { end - start }
  var isEmpty: Bool { start >= end }
  var first: UInt8? { isEmpty ? nil : base[start] }
  var last: UInt8? { isEmpty ? nil : base[end - 1] }

  subscript(offset: Int) -> UInt8 { base[start + offset] }

  func string(limit: Int = Int.max) -> String {
    let stop = limit >= count ? end : start + max(limit, 0)
    return String(decoding: UnsafeBufferPointer(rebasing: base[start..<stop]), as: UTF8.self)
  }

  /// Offset of the first `byte`, from the start of the window.
  func firstIndex(of byte: UInt8) -> Int? {
    TrustgateCore.firstIndex(of: byte, in: UnsafeBufferPointer(rebasing: base[start..<end]))
  }

  /// Whether `needle` occurs in the window.
  func contains(_ needle: [UInt8]) -> Bool {
    guard let head = needle.first, needle.count <= count else { return false }
    var index = start
    while index + needle.count <= end {
      if base[index] == head {
        var offset = 1
        while offset < needle.count && base[index + offset] == needle[offset] { offset += 1 }
        if offset == needle.count { return true }
      }
      index += 1
    }
    return false
  }

  mutating func trimLeading() {
    while start < end && isSpace(base[start]) { start += 1 }
  }

  mutating func trim() {
    trimLeading()
    while end > start && isSpace(base[end - 1]) { end -= 1 }
  }

  mutating func dropFirst(_ count: Int) { start = min(end, start + count) }

  mutating func keepFirst(_ count: Int) { end = min(end, start + max(count, 0)) }

  /// Removes and returns the leading bytes that satisfy `predicate`.
  mutating func takeWhile(_ predicate: (UInt8) -> Bool) -> Bytes {
    var taken = self
    var index = start
    while index < end && predicate(base[index]) { index += 1 }
    taken.end = index
    start = index
    return taken
  }

  /// The entry up to its first whitespace-separated token that starts with `-`, outside quotes (pip's rule).
  func beforeFirstOption() -> Bytes {
    var quote: UInt8?
    var index = start
    while index < end {
      let byte = base[index]
      if let open = quote {
        if byte == open { quote = nil }
      } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
        quote = byte
      } else if byte == UInt8(ascii: "-") && index > start && isSpace(base[index - 1]) {
        var cut = self
        cut.end = index
        cut.trim()
        return cut
      }
      index += 1
    }
    return self
  }
}

/// Where `needle` first occurs in `bytes` at or after `from`: a plain scan (the needles searched are a few bytes).
func firstOccurrence(of needle: [UInt8], in bytes: [UInt8], from: Int = 0) -> Int? {
  guard let first = needle.first, bytes.count >= needle.count, from >= 0 else { return nil }
  var i = from
  let last = bytes.count - needle.count
  while i <= last {
    if bytes[i] == first {
      var j = 1
      while j < needle.count && bytes[i + j] == needle[j] { j += 1 }
      if j == needle.count { return i }
    }
    i += 1
  }
  return nil
}

/// Where `needle` first occurs in `bytes` (an index of `bytes`' own), nil when it does not: glibc's `memmem`, which
/// compares a word or more at a time.
func firstIndex(of needle: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
  guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
  return bytes.withUnsafeBytes { haystack in
    needle.withUnsafeBytes { wanted in
      guard let base = haystack.baseAddress,
        let hit = memmem(base, haystack.count, wanted.baseAddress, wanted.count)
      else { return nil }
      return bytes.startIndex + base.distance(to: UnsafeRawPointer(hit))
    }
  }
}

/// Index of the first `byte` in `bytes` at or after `from`, nil when there is none. `memchr` looks at a word at a
/// time: the requirements reader finds every line end and comment with it.
func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int? {
  guard let base = bytes.baseAddress, from < bytes.count,
    let hit = memchr(base + from, Int32(byte), bytes.count - from)
  else { return nil }
  return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
}

/// Whether the bytes hold a NUL (libc's `memchr`, which reads a word or more at a time).
func containsNUL(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
  guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
  return memchr(base, 0, bytes.count) != nil
}

/// An array of at most `count` bytes that `fill` writes into fresh memory (returning how many it wrote), never zeroed
/// first. A file or git blob of megabytes is read into memory no page of which was touched before: from 2 MiB on it
/// asks the kernel for 2 MiB pages (`tg_advise_huge_pages`, where the measurements are).
func freshBytes(count: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Int) -> [UInt8] {
  guard count > 0 else { return [] }
  return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
    tg_advise_huge_pages(buffer.baseAddress, count)
    initialized = min(max(fill(buffer), 0), count)
  }
}

/// Whether the bytes are well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing above
/// U+10FFFF) — what `String(validating:as:)` accepts, checked in place without making a string. ASCII runs, most of
/// a lockfile, are checked eight bytes at a time.
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
  guard let base = bytes.baseAddress else { return true }
  let count = bytes.count
  var index = 0
  @inline(__always) func continuation(_ at: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
    at < count && base[at] >= low && base[at] <= high
  }
  while index < count {
    while index + 8 <= count {
      let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
      if word & 0x8080_8080_8080_8080 != 0 { break }
      index += 8
    }
    guard index < count else { break }
    let lead = base[index]
    switch lead {
    case 0x00...0x7F:
      index += 1
    case 0xC2...0xDF:
      guard continuation(index + 1) else { return false }
      index += 2
    case 0xE0...0xEF:
      let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
      let high: UInt8 = lead == 0xED ? 0x9F : 0xBF
      guard continuation(index + 1, low, high), continuation(index + 2) else { return false }
      index += 3
    case 0xF0...0xF4:
      let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80
      let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
      guard continuation(index + 1, low, high), continuation(index + 2), continuation(index + 3) else { return false }
      index += 4
    default:
      return false
    }
  }
  return true
}

/// The line breaks other tools take besides LF, which git and CI annotations count alone. libyaml (policies) breaks at
/// LF, CR LF, a lone CR, NEL (C2 85), LS and PS (E2 80 A8/A9); Python's `str.splitlines()` (pip's requirements files)
/// also at VT, FF and 0x1C-0x1E.
enum LineBreak {
  case yaml, python

  /// The length of the break starting at `index` (CR LF is one break), and whether it holds an LF; nil when none
  /// starts there.
  func at(_ index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (width: Int, newline: Bool)? {
    let count = bytes.count
    switch bytes[index] {
    case 0x0A: return (1, true)
    case 0x0D: return index + 1 < count && bytes[index + 1] == 0x0A ? (2, true) : (1, false)
    case 0x0B, 0x0C, 0x1C, 0x1D, 0x1E: return self == .python ? (1, false) : nil
    case 0xC2: return index + 1 < count && bytes[index + 1] == 0x85 ? (2, false) : nil
    case 0xE2:
      return index + 2 < count && bytes[index + 1] == 0x80 && (bytes[index + 2] & 0xFE) == 0xA8 ? (3, false) : nil
    default: return nil
    }
  }
}

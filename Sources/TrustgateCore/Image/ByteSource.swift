#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a byte stream stopped. The image reader turns it into an `ImageError` that names the image and layer.
enum StreamError: Error, Equatable {
  case io(String)
  case truncated
  case corrupt(String)
  /// A bound of `ImageLimits` was reached; the text says which.
  case limit(String)
}

/// Bytes read front to back in pieces, so a layer of hundreds of megabytes is never held whole in memory.
protocol ByteSource: AnyObject {
  /// Fills the start of `buffer`; returns how many bytes were read, 0 only at the end.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(StreamError) -> Int
  /// Passes over `count` bytes; returns how many were passed over (fewer only at the end).
  func skip(_ count: Int) throws(StreamError) -> Int
}

extension ByteSource {
  func skip(_ count: Int) throws(StreamError) -> Int {
    var scratch = [UInt8](repeating: 0, count: min(count, 1 << 16))
    var done = 0
    while done < count {
      let want = min(scratch.count, count - done)
      let n = try scratch.withMutableBytes { (raw) throws(StreamError) -> Int in
        try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]))
      }
      if n == 0 { break }
      done += n
    }
    return done
  }

  /// Reads everything left, up to `limit` bytes (more is `corrupt`).
  func readAll(limit: Int) throws(StreamError) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = try chunk.withMutableBytes { (raw) throws(StreamError) -> Int in try read(into: raw) }
      if n == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<n])
      if bytes.count > limit { throw .corrupt("more than \(limit) bytes") }
    }
  }
}

/// An open file, read with `pread` at any offset; closed when the last reader lets go of it.
final class OpenFile {
  let descriptor: Int32
  let size: Int

  /// Opens a regular file for reading. `followLinks: false` refuses a symbolic link at `path` itself, so a blob in
  /// an image directory cannot point the reader at a file elsewhere on the host.
  init(path: String, followLinks: Bool = true) throws(StreamError) {
    // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever. `fstat` below refuses
    // anything but a regular file, whose reads `O_NONBLOCK` does not change.
    var flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK
    if !followLinks { flags |= O_NOFOLLOW }
    let fd = open(path, flags)
    guard fd >= 0 else { throw .io(String(cString: strerror(errno))) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw .io(reason)
    }
    guard info.st_mode & S_IFMT == S_IFREG else {
      close(fd)
      throw .io("\(HostFileSystem.kindName(info.st_mode)), not a regular file")
    }
    descriptor = fd
    size = Int(info.st_size)
  }

  deinit { close(descriptor) }

  /// Reads at `offset` into `buffer`; returns the count, 0 at the end of the file.
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(StreamError) -> Int {
    guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
    while true {
      let n = pread(descriptor, base, buffer.count, off_t(offset))
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw .io(String(cString: strerror(errno)))
    }
  }

  /// Reads exactly `count` bytes at `offset`, or fewer at the end of the file.
  func bytes(at offset: Int, count: Int) throws(StreamError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let n = try bytes.withMutableBytes { (raw) throws(StreamError) -> Int in
        try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[done...]), at: offset + done)
      }
      if n == 0 { break }
      done += n
    }
    return Array(bytes[0..<done])
  }
}

/// A stretch of a file (a whole blob, or one member of an image tar) read front to back.
final class FileRegion: ByteSource {
  let file: OpenFile
  private(set) var position: Int
  let end: Int

  init(file: OpenFile, offset: Int = 0, length: Int? = nil) {
    self.file = file
    position = offset
    end = length.map { offset + $0 } ?? file.size
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(StreamError) -> Int {
    let want = min(buffer.count, end - position)
    guard want > 0 else { return 0 }
    let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: position)
    if n == 0 { throw .truncated }
    position += n
    return n
  }

  /// Moves past bytes without reading them: what makes indexing a large image tar cheap.
  func skip(_ count: Int) throws(StreamError) -> Int {
    let n = max(0, min(count, end - position))
    position += n
    return n
  }
}

/// Passes bytes through while computing their SHA-256, so a blob is checked in the same single read.
final class HashingSource: ByteSource {
  private let upstream: ByteSource
  private let digest = SHA256Digest()
  private(set) var count = 0

  init(_ upstream: ByteSource) { self.upstream = upstream }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(StreamError) -> Int {
    let n = try upstream.read(into: buffer)
    digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
    count += n
    return n
  }

  /// Reads what is left (so the digest covers the whole blob) and returns the digest as `sha256:hex`.
  func finish() throws(StreamError) -> String {
    _ = try (self as ByteSource).skip(Int.max)
    return digest.finalize()
  }
}

/// Passes bytes through until `limit` have gone by, then stops with `StreamError.limit`: what keeps a small gzip
/// layer that inflates to gigabytes from running unbounded. Skipped bytes count like read ones.
final class LimitedSource: ByteSource {
  private let upstream: ByteSource
  private let limit: Int
  private let what: String
  private(set) var count = 0

  /// `what` names the bound in the error ("inflates past 1073741824 bytes (100 × its compressed size)").
  init(_ upstream: ByteSource, limit: Int, what: String) {
    self.upstream = upstream
    self.limit = limit
    self.what = what
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(StreamError) -> Int {
    // One byte past the limit is asked for, so a stream that ends exactly at it still ends cleanly.
    let want = min(buffer.count, limit - count + 1)
    let n = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
    count += n
    if count > limit { return try overLimit() }
    return n
  }

  func skip(_ count: Int) throws(StreamError) -> Int {
    var done = 0
    while done < count {
      let step = min(count - done, limit - self.count + 1)
      let n = try upstream.skip(step)
      self.count += n
      done += n
      if self.count > limit { return try overLimit() }
      if n < step { break }
    }
    return done
  }

  private func overLimit() throws(StreamError) -> Int { throw .limit(what) }
}

extension Array where Element == UInt8 {
  /// `withUnsafeMutableBytes` keeping the body's typed error (the standard one only rethrows `any Error`).
  mutating func withMutableBytes<Result, Failure: Error>(
    _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    let outcome: Swift.Result<Result, Failure> = withUnsafeMutableBytes { raw in
      Swift.Result { () throws(Failure) -> Result in try body(raw) }
    }
    return try outcome.get()
  }
}

import CompressNIO
import NIOCore

/// Decompresses a gzip stream piece by piece with CompressNIO's zlib inflater: at most one input and one output
/// buffer are held, whatever the size of the layer.
final class GzipSource: ByteSource {
  private let upstream: ByteSource
  private let decompressor: ZlibDecompressor
  private var input: ByteBuffer
  private var output: ByteBuffer
  private var upstreamEnded = false
  private var ended = false

  private static let inputSize = 1 << 16
  private static let outputSize = 1 << 18

  init(_ upstream: ByteSource) throws(StreamError) {
    self.upstream = upstream
    do {
      decompressor = try ZlibDecompressor(algorithm: .gzip)
    } catch {
      throw .corrupt("cannot start the gzip decompressor (\(error))")
    }
    let allocator = ByteBufferAllocator()
    input = allocator.buffer(capacity: Self.inputSize)
    output = allocator.buffer(capacity: Self.outputSize)
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(StreamError) -> Int {
    guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
    while output.readableBytes == 0 {
      if ended { return 0 }
      try inflateMore()
    }
    let n = min(buffer.count, output.readableBytes)
    output.withUnsafeReadableBytes { raw in
      if let source = raw.baseAddress { base.copyMemory(from: source, byteCount: n) }
    }
    output.moveReaderIndex(forwardBy: n)
    return n
  }

  /// Refills `output` from the compressed stream; sets `ended` when nothing more will come.
  private func inflateMore() throws(StreamError) {
    output.clear()
    if input.readableBytes == 0 && !upstreamEnded {
      input.clear()
      var readError: StreamError?
      input.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.inputSize) { raw in
        let result = Result { () throws(StreamError) -> Int in
          try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<Self.inputSize]))
        }
        switch result {
        case .success(let n): return n
        case .failure(let error):
          readError = error
          return 0
        }
      }
      if let readError { throw readError }
      if input.readableBytes == 0 { upstreamEnded = true }
    }
    if input.readableBytes == 0 {
      // The digest check on the blob catches a stream cut short; here the end of input is the end of data.
      ended = true
      return
    }
    let consumedBefore = input.readerIndex
    do {
      try decompressor.inflate(from: &input, to: &output)
    } catch let error as CompressNIOError where error == .bufferOverflow || error == .inputBufferOverflow {
      // Output full, or more input needed: both just mean "call again".
    } catch let error as CompressNIOError where error == .corruptData {
      throw .corrupt("the gzip data is corrupt")
    } catch {
      throw .corrupt("gzip: \(error)")
    }
    if output.readableBytes == 0 && input.readerIndex == consumedBefore {
      // The gzip stream ended before the input did (trailing padding, or a second member nobody writes for layers).
      ended = true
    }
  }
}

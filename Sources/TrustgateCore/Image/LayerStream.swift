/// The compressions a layer blob can have, told apart by their first bytes (media types are only hints).
enum LayerCompression: String {
  case none = "no compression"
  case gzip
  case zstd
  case bzip2
  case xz

  static func sniff(_ head: [UInt8]) -> LayerCompression {
    if head.starts(with: [0x1f, 0x8b]) { return .gzip }
    if head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
    if head.starts(with: [0x42, 0x5a, 0x68]) { return .bzip2 }
    if head.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
    return .none
  }
}

extension ImageArchive {
  /// Streams layer `index` as tar entries into `body`, checking the blob's digest on the same single read.
  ///
  /// A digest mismatch wins over a tar error: a corrupt blob usually also breaks its tar stream, and the mismatch
  /// is the more useful message.
  ///
  /// A gzip layer inflates to at most `limits.inflatedBytes(compressedSize:)` and holds at most `limits.members`
  /// headers; past either the read stops with `limitExceeded` naming the layer.
  ///
  /// `budget`: what the layers of this reading may still cost together; this layer's headers and tar bytes are taken
  /// from it.
  func withLayer(
    _ index: Int, limits: ImageLimits = ImageLimits(), budget: ImageBudget? = nil,
    _ body: (TarReader) throws(TarError) -> Void
  ) throws(ImageError) {
    let layer = layers[index]
    guard let region = try container.open(layer.member) else {
      throw .missingBlob(image: image, digest: layer.digest)
    }
    let head: [UInt8]
    do {
      head = try region.file.bytes(at: region.position, count: min(8, region.end - region.position))
    } catch {
      throw .io(image: image, reason: ImageContainer.reason(error))
    }
    let compression = LayerCompression.sniff(head)
    if layer.mediaType?.hasSuffix("+zstd") == true || (compression != .none && compression != .gzip) {
      throw .unsupportedCompression(
        image: image, layer: layer.digest, compression: compression == .none ? "zstd" : compression.rawValue)
    }
    let raw = HashingSource(region)
    let plain: ByteSource
    let compressedSize = region.end - region.position
    let together = "brings the image's layers past \(limits.imageBytes) tar bytes together (a layer listed again is "
      + "read again)"
    let counted: LimitedSource
    do {
      if compression == .gzip {
        let cap = limits.inflatedBytes(compressedSize: compressedSize)
        let left = budget?.bytes ?? Int.max
        counted = LimitedSource(
          try GzipSource(raw), limit: min(cap, left),
          what: left < cap
            ? together
            : "inflates past \(cap) bytes from \(compressedSize) compressed (the cap is "
              + "\(limits.inflationRatio) × the compressed size, at least \(limits.inflatedFloor))")
      } else {
        counted = LimitedSource(raw, limit: budget?.bytes ?? Int.max, what: together)
      }
      plain = BufferedSource(counted)
    } catch {
      throw .corruptLayer(image: image, layer: layer.digest, reason: ImageContainer.reason(error))
    }
    let uncompressed = layer.checksUncompressed && compression == .gzip ? HashingSource(plain) : nil
    var failure: TarError?
    let memberLimit = min(limits.members, budget?.members ?? Int.max)
    let reader = TarReader(source: uncompressed ?? plain, memberLimit: memberLimit)
    do {
      try body(reader)
    } catch {
      failure = error
    }
    if let budget {
      budget.members -= reader.headers
      budget.bytes -= counted.count
      if case .limit? = failure, memberLimit < limits.members, reader.headers > memberLimit {
        failure = .limit(
          "brings the image's layers past \(limits.imageMembers) members together (a layer listed again is read again)")
      }
    }
    let actual: String
    do {
      // Hash the rest of the blob even after a tar error, so a corrupt blob is reported as such.
      if let uncompressed, failure == nil {
        actual = try uncompressed.finish()
        _ = try raw.finish()
      } else {
        let rawDigest = try raw.finish()
        actual = layer.checksUncompressed && compression == .gzip ? (layer.expected ?? "") : rawDigest
      }
    } catch {
      throw error == .truncated
        ? .truncated(image: image, member: "layer \(layer.digest)")
        : .io(image: image, reason: "layer \(layer.digest): \(ImageContainer.reason(error))")
    }
    if let expected = layer.expected, actual != expected {
      throw .digestMismatch(image: image, layer: layer.digest, expected: expected, actual: actual)
    }
    switch failure {
    case .none: return
    case .badChecksum(let offset)?:
      throw .corruptLayer(image: image, layer: layer.digest, reason: "bad tar header checksum at byte \(offset)")
    case .malformed(let offset, let reason)?:
      throw .corruptLayer(image: image, layer: layer.digest, reason: "\(reason) at byte \(offset)")
    case .truncated?:
      throw .truncated(image: image, member: "layer \(layer.digest)")
    case .limit(let reason)?:
      throw .limitExceeded(image: image, layer: "layer \(index) (\(layer.digest))", reason: reason)
    case .stream(let error)?:
      if case .truncated = error { throw .truncated(image: image, member: "layer \(layer.digest)") }
      if case .limit(let reason) = error {
        throw .limitExceeded(image: image, layer: "layer \(index) (\(layer.digest))", reason: reason)
      }
      throw .corruptLayer(image: image, layer: layer.digest, reason: ImageContainer.reason(error))
    }
  }
}

/// Serves small reads (tar headers, small files) from one large read of the source below.
final class BufferedSource: ByteSource {
  private let upstream: ByteSource
  private var buffer = [UInt8](repeating: 0, count: 1 << 18)
  private var start = 0
  private var end = 0

  init(_ upstream: ByteSource) { self.upstream = upstream }

  func read(into target: UnsafeMutableRawBufferPointer) throws(StreamError) -> Int {
    guard let base = target.baseAddress, !target.isEmpty else { return 0 }
    if start == end {
      // A large read goes straight through; a small one refills the buffer.
      if target.count >= buffer.count { return try upstream.read(into: target) }
      start = 0
      end = try buffer.withMutableBytes { (raw) throws(StreamError) -> Int in try upstream.read(into: raw) }
      if end == 0 { return 0 }
    }
    let n = min(target.count, end - start)
    buffer.withUnsafeBytes { raw in
      if let source = raw.baseAddress { base.copyMemory(from: source + start, byteCount: n) }
    }
    start += n
    return n
  }

  func skip(_ count: Int) throws(StreamError) -> Int {
    let buffered = min(count, end - start)
    start += buffered
    if buffered == count { return count }
    return try buffered + upstream.skip(count - buffered)
  }
}

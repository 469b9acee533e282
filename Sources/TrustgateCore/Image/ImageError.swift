/// Why an image could not be read. Every case names the image path and, where one is at fault, the layer or blob,
/// and its description says what to do. The CLI maps all of them to exit status 2.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Neither a `docker save` archive nor an OCI image layout (directory or tar).
  case notAnImage(image: String, reason: String)
  /// The archive, or a member or blob in it, ends early.
  case truncated(image: String, member: String)
  /// A blob named by the manifest or index is not in the image.
  case missingBlob(image: String, digest: String)
  /// A blob's bytes do not hash to the digest that names it.
  case digestMismatch(image: String, layer: String, expected: String, actual: String)
  /// A layer compressed with something other than gzip, or not compressed.
  case unsupportedCompression(image: String, layer: String, compression: String)
  /// A layer's tar stream is broken (bad header checksum, broken pax record, corrupt gzip data).
  case corruptLayer(image: String, layer: String, reason: String)
  /// A manifest, index or config is not the JSON it should be.
  case badMetadata(image: String, member: String, reason: String)
  /// The image could not be read from disk.
  case io(image: String, reason: String)
  /// A path of the image (the image itself, `index.json`, a blob) is a FIFO, a device or a socket: refused before it
  /// is opened, as opening a FIFO blocks.
  case notARegularFile(image: String, path: String, kind: String)
  /// Reading a layer (or the archive) went past a bound of `ImageLimits`.
  case limitExceeded(image: String, layer: String, reason: String)

  public var image: String {
    switch self {
    case .notAnImage(let image, _), .truncated(let image, _), .missingBlob(let image, _),
      .digestMismatch(let image, _, _, _), .unsupportedCompression(let image, _, _), .corruptLayer(let image, _, _),
      .badMetadata(let image, _, _), .io(let image, _), .notARegularFile(let image, _, _),
      .limitExceeded(let image, _, _):
      return image
    }
  }

  public var description: String {
    switch self {
    case .notAnImage(let image, let reason):
      return "\(image): not a container image (\(reason)). Pass a `docker save` archive, or an OCI image layout "
        + "directory or tar (for example from `skopeo copy ... oci-archive:FILE`)."
    case .truncated(let image, let member):
      return "\(image): \(member) ends early; the file was cut short. Save or copy the image again."
    case .missingBlob(let image, let digest):
      return "\(image): blob \(digest) named by the manifest is missing. Copy the image again with all its layers "
        + "(a layout shared between images may have been garbage-collected)."
    case .digestMismatch(let image, let layer, let expected, let actual):
      return "\(image): layer \(layer) hashes to \(actual), not \(expected); the blob is corrupt or was altered. "
        + "Do not promote this image; copy it again from the registry."
    case .unsupportedCompression(let image, let layer, let compression):
      return "\(image): layer \(layer) is compressed with \(compression), which trustgate cannot read. Copy the image "
        + "with gzip or uncompressed layers (`skopeo copy --dest-compress-format gzip ...`)."
    case .corruptLayer(let image, let layer, let reason):
      return "\(image): layer \(layer) is not a readable tar stream (\(reason)). Copy the image again."
    case .badMetadata(let image, let member, let reason):
      return "\(image): \(member) is not valid image metadata (\(reason)). Save or copy the image again."
    case .io(let image, let reason):
      return "\(image): cannot be read (\(reason)). Check the path and its permissions."
    case .notARegularFile(let image, let path, let kind):
      let which = path == image ? "" : " (in image \(image))"
      return "\(path)\(which) is \(kind), not a regular file; trustgate does not open it. Pass a `docker save` "
        + "archive, or an OCI image layout directory or tar."
    case .limitExceeded(let image, let layer, let reason):
      return "\(image): \(layer) \(reason); trustgate stops there so that a small image cannot exhaust the gate. "
        + "Do not promote this image: no real layer does this (check where it came from)."
    }
  }
}

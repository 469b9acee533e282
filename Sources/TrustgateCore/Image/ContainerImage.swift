/// A container image read without a container engine: the merged tree of its trust-relevant files, the config's
/// environment, its layers and which layer added or removed each file.
///
/// Reads a `docker save` archive, an OCI image layout directory or an OCI layout tar. Layers stream through once,
/// their digests checked on the way; only wanted files are held, in memory. Nothing is written to disk.
public struct ContainerImage: Sendable {
  /// The path the image was opened from.
  public let path: String
  /// Wanted files, directories and all symbolic links of the merged layers.
  public let files: MemoryFileSystem
  /// The config's `Env`: the environment a container of this image starts with.
  public let env: [String: String]
  /// The config's `os` (`linux`, `windows`).
  public let os: String?
  /// Layers bottom first.
  public let layers: [LayerInfo]
  /// For every path in `files`, the layer that last added it.
  public let provenance: [String: LayerInfo]
  /// For every wanted path that a layer removed (by a whiteout, or by replacing it) and that no later layer put
  /// back, the layer that removed it.
  public let removals: [String: LayerInfo]
  /// Oddities that did not stop the read: members escaping the root, links pointing out of it, several images in
  /// one archive. Sorted.
  public let warnings: [String]

  /// Opens and merges an image.
  ///
  /// - Parameters:
  ///   - path: a `docker save` tar, an OCI layout directory, or an OCI layout tar.
  ///   - wanted: which absolute paths to keep (whiteouts apply to every path regardless).
  ///   - limits: how much inflating, how many members and how many kept bytes the read may cost.
  public static func open(
    path: String, wanted: (String) -> Bool = ContainerImage.isTrustRelevant, limits: ImageLimits = ImageLimits()
  ) throws(ImageError) -> ContainerImage {
    let archive = try ImageArchive.open(path: path, limits: limits)
    let commands = archive.config.layerCommands(layerCount: archive.layers.count)
    var warnings = archive.warnings
    if commands == nil && archive.config.history != nil {
      warnings.append(
        "\(path): the config's history does not match its \(archive.layers.count) layers; commands unknown")
    }
    let layers = archive.layers.enumerated().map { index, blob in
      LayerInfo(index: index, digest: blob.digest, diffID: blob.diffID, createdBy: commands?[index] ?? nil)
    }
    var result = ImageFileSystem(image: path, limits: limits)
    for layer in layers {
      try archive.withLayer(layer.index, limits: limits) { (reader) throws(TarError) in
        try result.apply(reader, layer: layer, wanted: wanted)
      }
    }
    return ContainerImage(
      path: path, files: result.files, env: archive.config.environment, os: archive.config.os, layers: layers,
      provenance: result.provenance, removals: result.removals, warnings: (warnings + result.warnings).sorted())
  }
}

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One layer as the manifest names it: where its blob is and which digest its bytes must have.
struct LayerBlob {
  /// Member of the container holding the blob.
  var member: String
  /// The digest that names the layer in messages: the blob digest, or the diff id when only that is known.
  var digest: String
  var diffID: String?
  var mediaType: String?
  /// The digest the stored bytes must hash to, or (`checksUncompressed`) the bytes after decompression.
  var expected: String?
  var checksUncompressed: Bool
}

/// An image on disk, opened far enough to list its layers: a `docker save` archive, an OCI layout directory or an
/// OCI layout tar. Layers are read one at a time with `withLayer`, which checks their digests as they stream.
struct ImageArchive {
  let container: ImageContainer
  let config: ImageConfigFile
  let layers: [LayerBlob]
  let warnings: [String]

  var image: String { container.image }

  static func open(path: String, limits: ImageLimits = ImageLimits()) throws(ImageError) -> ImageArchive {
    let container = try ImageContainer(path: path, limits: limits)
    if container.contains("oci-layout") && container.contains("index.json") {
      return try openOCI(container)
    }
    if container.contains("manifest.json") {
      return try openDocker(container)
    }
    if !container.complete { throw .truncated(image: path, member: "the archive") }
    throw .notAnImage(
      image: path, reason: "no `manifest.json` (docker save) and no `oci-layout` with `index.json` (OCI)")
  }

  private static func openDocker(_ container: ImageContainer) throws(ImageError) -> ImageArchive {
    let image = container.image
    let entries = try decode([DockerManifestEntry].self, member: "manifest.json", in: container)
    guard let entry = entries.first else {
      throw .badMetadata(image: image, member: "manifest.json", reason: "it lists no image")
    }
    var warnings: [String] = []
    if entries.count > 1 {
      warnings.append(
        "\(image): holds \(entries.count) images; reading the first (\(entry.repoTags?.first ?? entry.config))")
    }
    let config = try decode(ImageConfigFile.self, member: entry.config, in: container)
    let diffIDs = config.rootfs?.diffIDs ?? []
    if diffIDs.count != entry.layers.count {
      warnings.append("\(image): the config lists \(diffIDs.count) layers, the manifest \(entry.layers.count)")
    }
    let layers = entry.layers.enumerated().map { index, member in
      let diffID = index < diffIDs.count ? diffIDs[index] : nil
      // Newer docker stores blobs by digest; older docker and skopeo store uncompressed tars checked by diff id.
      let parts = member.split(separator: "/")
      if parts.count == 3, parts[0] == "blobs", parts[1] == "sha256", isSHA256Digest("sha256:" + parts[2]) {
        let digest = "sha256:" + parts[2]
        return LayerBlob(
          member: member, digest: digest, diffID: diffID, expected: digest, checksUncompressed: false)
      }
      return LayerBlob(
        member: member, digest: diffID ?? member, diffID: diffID, expected: diffID, checksUncompressed: true)
    }
    return ImageArchive(container: container, config: config, layers: layers, warnings: warnings)
  }

  private static func openOCI(_ container: ImageContainer) throws(ImageError) -> ImageArchive {
    let image = container.image
    var warnings: [String] = []
    var manifest = try decode(OCIManifest.self, member: "index.json", in: container)
    var member = "index.json"
    // index.json → (nested index →) image manifest; two levels cover every layout tools write.
    for _ in 0..<3 {
      guard let entries = manifest.manifests, manifest.layers == nil else { break }
      let images = entries.filter { $0.platform?.os != "unknown" }
      guard let chosen = pick(images.isEmpty ? entries : images) else {
        throw .badMetadata(image: image, member: member, reason: "it lists no manifest")
      }
      if images.count > 1 {
        let platform = [chosen.platform?.os, chosen.platform?.architecture].compactMap { $0 }.joined(separator: "/")
        warnings.append("\(image): holds \(images.count) manifests; reading \(chosen.digest) \(platform)")
      }
      member = try blobMember(chosen.digest, image: image, in: container)
      manifest = try decode(OCIManifest.self, member: member, in: container, digest: chosen.digest)
    }
    guard let configDescriptor = manifest.config, let layerDescriptors = manifest.layers else {
      throw .badMetadata(image: image, member: member, reason: "no config or layers in the image manifest")
    }
    let configMember = try blobMember(configDescriptor.digest, image: image, in: container)
    let config = try decode(ImageConfigFile.self, member: configMember, in: container, digest: configDescriptor.digest)
    let diffIDs = config.rootfs?.diffIDs ?? []
    if diffIDs.count != layerDescriptors.count {
      warnings.append("\(image): the config lists \(diffIDs.count) layers, the manifest \(layerDescriptors.count)")
    }
    var layers: [LayerBlob] = []
    for (index, descriptor) in layerDescriptors.enumerated() {
      let layerMember = try blobMember(descriptor.digest, image: image, in: container)
      layers.append(
        LayerBlob(
          member: layerMember, digest: descriptor.digest, diffID: index < diffIDs.count ? diffIDs[index] : nil,
          mediaType: descriptor.mediaType, expected: descriptor.digest, checksUncompressed: false))
    }
    return ImageArchive(container: container, config: config, layers: layers, warnings: warnings)
  }

  /// The entry for this machine's architecture (as a promotion gate most often runs where the image runs), else
  /// the first.
  private static func pick(_ entries: [OCIDescriptor]) -> OCIDescriptor? {
    #if arch(arm64)
      let architecture = "arm64"
    #else
      let architecture = "amd64"
    #endif
    return entries.first { $0.platform?.architecture == architecture } ?? entries.first
  }

  /// `blobs/sha256/HEX` for a well-formed digest that the container holds.
  private static func blobMember(_ digest: String, image: String, in container: ImageContainer) throws(ImageError)
    -> String
  {
    guard isSHA256Digest(digest) else {
      throw .badMetadata(image: image, member: digest, reason: "not a sha256 digest")
    }
    let member = "blobs/sha256/" + digest.dropFirst(7)
    guard container.contains(member) else { throw .missingBlob(image: image, digest: digest) }
    return member
  }

  /// Reads and decodes a JSON member, checking its digest when the member is a blob named by one.
  private static func decode<T: Decodable>(
    _ type: T.Type, member: String, in container: ImageContainer, digest: String? = nil
  ) throws(ImageError) -> T {
    let image = container.image
    guard let bytes = try container.read(member) else {
      if let digest { throw .missingBlob(image: image, digest: digest) }
      if !container.complete { throw .truncated(image: image, member: "the archive") }
      throw .notAnImage(image: image, reason: "`\(member)` is missing")
    }
    if let digest {
      let actual = SHA256Digest.of(bytes)
      if actual != digest {
        throw .digestMismatch(image: image, layer: member, expected: digest, actual: actual)
      }
    }
    do {
      return try JSONDecoder().decode(T.self, from: Data(bytes))
    } catch {
      throw .badMetadata(image: image, member: member, reason: String("\(error)".prefix(300)))
    }
  }
}

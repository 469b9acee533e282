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
  /// The folder a container starts in (the config's `WorkingDir`, else `/`): relative paths in its variables are
  /// opened from there.
  public let workingDirectory: String
  /// Who a container of the image runs as (the config's `User`; root when it is empty). `files` reads as that user.
  /// Nil when a runtime could not resolve it (a warning says why); `files` then reads as root.
  public let user: ImageUser?
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
  ///   - environment: variables set over the config's `Env` (`--env-file`); with it, they say which files the
  ///     image's settings name (`NamedPaths`), which are kept beside the `wanted` ones.
  ///   - user: who the container runs as instead of the config's `User` (`--image-user`), in the same forms.
  ///   - wanted: which absolute paths to keep (whiteouts apply to every path regardless).
  ///   - limits: how much inflating, how many members and how many kept bytes the read may cost.
  ///
  /// The layers are read once, unless a named file sits behind a link or is named by a configuration file of the
  /// image: then they are read again keeping it (at most twice more).
  public static func open(
    path: String, environment overrides: [String: String] = [:], user override: String? = nil,
    wanted: @escaping (String) -> Bool = ContainerImage.isTrustRelevant, limits: ImageLimits = ImageLimits()
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
    var env = archive.config.environment
    for (key, value) in overrides { env[key] = value }
    let workingDirectory = archive.config.workingDirectory
    env = TrustVariables.resolvingRelativePaths(env, in: workingDirectory)
    var named = NamedPaths()
    let byEnvironment = NamedPaths.named(by: env)
    named.add(byEnvironment)
    // A container of an image without a User, or with uid 0, runs as root, who reads everything: no bits held.
    let spec = override ?? archive.config.config?.user ?? ""
    let userPart = spec.split(separator: ":", omittingEmptySubsequences: false).first ?? ""
    let holdsAccess = !(userPart.isEmpty || userPart == "0")
    var result = ImageFileSystem(image: path, limits: limits, holdsAccess: holdsAccess)
    var tree = MemoryFileSystem(label: "image \(path)")
    for _ in 0..<3 {
      let pass = named
      let keep = { (path: String) -> Bool in wanted(path) || pass.contains(path) }
      result = ImageFileSystem(image: path, limits: limits, holdsAccess: holdsAccess)
      let budget = ImageBudget(limits)
      for layer in layers {
        try archive.withLayer(layer.index, limits: limits, budget: budget) { (reader) throws(TarError) in
          try result.apply(reader, layer: layer, wanted: keep)
        }
      }
      tree = result.files
      let more = byEnvironment + NamedPaths.named(in: tree, env: env, workingDirectory: workingDirectory)
      if !named.addDestinations(of: more, in: tree, kept: keep) { break }
    }
    var user: ImageUser?
    switch ImageUser.resolve(spec, passwd: try? tree.read("/etc/passwd"), group: try? tree.read("/etc/group")) {
    case .success(let resolved):
      user = resolved
      tree.reader = resolved
    case .failure(let unresolved):
      warnings.append(
        "\(path): the \(override == nil ? "config's User" : "--image-user") `\(spec.capped(64))` cannot be resolved "
          + "(\(unresolved.reason)); "
          + "a container runtime refuses to start it; files are read as root")
    }
    return ContainerImage(
      path: path, files: tree, env: archive.config.environment, os: archive.config.os,
      workingDirectory: workingDirectory, user: user, layers: layers,
      provenance: result.provenance, removals: result.removals, warnings: (warnings + result.warnings).sorted())
  }
}

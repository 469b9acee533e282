/// `manifest.json` of a `docker save` archive: one entry per saved image.
struct DockerManifestEntry: Decodable {
  var config: String
  var repoTags: [String]?
  var layers: [String]

  enum CodingKeys: String, CodingKey {
    case config = "Config"
    case repoTags = "RepoTags"
    case layers = "Layers"
  }
}

/// A content descriptor in an OCI index or manifest.
struct OCIDescriptor: Decodable {
  var mediaType: String?
  var digest: String
  var size: Int?
  var platform: OCIPlatform?
}

/// The platform an index entry is built for.
struct OCIPlatform: Decodable {
  var os: String?
  var architecture: String?
}

/// An OCI image index (`index.json`) or a Docker manifest list.
struct OCIIndex: Decodable {
  var manifests: [OCIDescriptor]
}

/// An OCI image manifest (or a Docker schema 2 manifest): the config blob and the layer blobs, bottom first.
struct OCIManifest: Decodable {
  var mediaType: String?
  var config: OCIDescriptor?
  var layers: [OCIDescriptor]?
  var manifests: [OCIDescriptor]?
}

/// The parts of an image config that trustgate reads: environment, OS, layer diff ids and history.
struct ImageConfigFile: Decodable {
  struct Settings: Decodable {
    var env: [String]?
    var user: String?
    var workingDir: String?
    enum CodingKeys: String, CodingKey {
      case env = "Env"
      case user = "User"
      case workingDir = "WorkingDir"
    }
  }
  struct RootFS: Decodable {
    var diffIDs: [String]?
    enum CodingKeys: String, CodingKey { case diffIDs = "diff_ids" }
  }
  struct History: Decodable {
    var createdBy: String?
    var emptyLayer: Bool?
    enum CodingKeys: String, CodingKey {
      case createdBy = "created_by"
      case emptyLayer = "empty_layer"
    }
  }

  var os: String?
  var config: Settings?
  var rootfs: RootFS?
  var history: [History]?

  /// `KEY=VALUE` strings as a dictionary; the first `=` splits, a later duplicate wins as in a container runtime.
  var environment: [String: String] {
    var result: [String: String] = [:]
    for entry in config?.env ?? [] {
      if let equals = entry.firstIndex(of: "=") {
        result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
      } else {
        result[entry] = ""
      }
    }
    return result
  }

  /// The folder a container's process starts in: the config's `WorkingDir`, `/` when it is empty (as runc and
  /// Docker start it; a relative one is taken from `/`).
  var workingDirectory: String {
    guard let folder = config?.workingDir, !folder.isEmpty else { return "/" }
    return folder.hasPrefix("/") ? folder : "/" + folder
  }

  /// The `created_by` of each layer, bottom first: history entries marked `empty_layer` made no layer.
  /// Nil when the history does not account for exactly `layerCount` layers.
  func layerCommands(layerCount: Int) -> [String?]? {
    guard let history else { return nil }
    let commands = history.filter { $0.emptyLayer != true }.map(\.createdBy)
    return commands.count == layerCount ? commands : nil
  }
}

/// Media types that say a blob is an index rather than an image manifest.
let indexMediaTypes: Set<String> = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]

/// Whether `digest` is `sha256:` and 64 lowercase hex digits: the only form used to build a blob path, so a digest
/// from a manifest can never name a file outside `blobs/sha256/`.
func isSHA256Digest(_ digest: String) -> Bool {
  guard digest.hasPrefix("sha256:") else { return false }
  let hex = digest.utf8.dropFirst(7)
  return hex.count == 64
    && hex.allSatisfy {
      (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
    }
}

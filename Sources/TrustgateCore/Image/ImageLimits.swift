/// Bounds on what reading one image may cost, so a small hostile image cannot make the gate run for hours or fill
/// the memory: a gzip layer inflates to at most `inflationRatio` × its compressed size (never less than
/// `inflatedFloor`, never more than `inflatedCeiling`); a tar (a layer, or the image archive) holds at most `members`
/// headers; the wanted files of all layers hold at most `keptBytes`; at most `closedEntries` files and folders closed
/// to some users are held (their bits and owners, for an image whose `User` is not root). The layers of one reading
/// together hold at most `imageMembers` headers and `imageBytes` tar bytes: a manifest may list one small layer
/// thousands of times, and each listing is read again.
///
/// Real layers compress 2–10 ×; gzip cannot do better than ~1,032 ×, which only long runs of one byte reach.
public struct ImageLimits: Sendable, Equatable {
  public var inflationRatio: Int
  public var inflatedFloor: Int
  public var inflatedCeiling: Int
  public var members: Int
  public var keptBytes: Int
  public var closedEntries: Int
  public var imageMembers: Int
  public var imageBytes: Int

  public init(
    inflationRatio: Int = 100, inflatedFloor: Int = 1 << 30, inflatedCeiling: Int = 64 << 30,
    members: Int = 1_000_000, keptBytes: Int = 1 << 30, closedEntries: Int = 100_000,
    imageMembers: Int = 2_000_000, imageBytes: Int = 64 << 30
  ) {
    self.imageMembers = imageMembers
    self.imageBytes = imageBytes
    self.inflationRatio = inflationRatio
    self.inflatedFloor = inflatedFloor
    self.inflatedCeiling = inflatedCeiling
    self.members = members
    self.keptBytes = keptBytes
    self.closedEntries = closedEntries
  }

  /// The most bytes a gzip layer of `compressedSize` bytes may inflate to.
  func inflatedBytes(compressedSize: Int) -> Int {
    let scaled = compressedSize.multipliedReportingOverflow(by: inflationRatio)
    let byRatio = scaled.overflow ? Int.max : scaled.partialValue
    return min(inflatedCeiling, max(inflatedFloor, byRatio))
  }
}

/// What the layers of one reading of an image may still cost (`ImageLimits.imageMembers`, `imageBytes`).
final class ImageBudget {
  var members: Int
  var bytes: Int

  init(_ limits: ImageLimits) {
    members = limits.imageMembers
    bytes = limits.imageBytes
  }
}

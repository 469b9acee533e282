import CLinux

/// Which build of trustgate is running: the GNU build id the linker stamps into the executable (the same bytes for
/// the same build on every machine, so a restored cache stays valid on a new CI runner); nil when there is none.
enum BuildIdentity {
  static let buildID: String? = {
    var bytes = [UInt8](repeating: 0, count: 64)
    let count = tg_build_id(&bytes, bytes.count)
    return count > 0 ? hex(bytes.prefix(count)) : nil
  }()
}

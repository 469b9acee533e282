/// Who a container of an image runs as: the config's `User` looked up in the image's `/etc/passwd` and `/etc/group`
/// the way runc and Docker do (moby/sys `user.GetExecUser`): `user`, `uid`, `user:group`, `uid:gid`, `user:gid`,
/// `uid:group`; a name must be in the file, a number need not; supplementary groups come from `/etc/group` only when
/// no group is given; root (uid 0) reads every file (a container's root keeps CAP_DAC_OVERRIDE).
public struct ImageUser: Sendable, Equatable {
  /// The config's `User`, as written.
  public var spec: String
  public var uid: Int
  public var gid: Int
  /// Supplementary groups.
  public var groups: [Int]
  /// The passwd entry's name and home folder, when the user has one.
  public var name: String?
  public var home: String?

  /// How reports name the user: `app (uid 1000, gid 1000)`. The name comes from the image: cut at 64 characters,
  /// and at 16 groups.
  public var description: String {
    var ids = "uid \(uid), gid \(gid)"
    if !groups.isEmpty {
      ids += ", groups " + groups.prefix(16).map(String.init).joined(separator: ",") + (groups.count > 16 ? ",…" : "")
    }
    return (name.map { "\($0.capped(64)) " } ?? "") + "(\(ids))"
  }

  public var isRoot: Bool { uid == 0 }

  /// Why a runtime would refuse to start a container with this `User`.
  public struct Unresolved: Error, Equatable {
    public var reason: String
  }

  /// The user `spec` names, with `passwd` and `group` the image's files (nil when the image has none).
  public static func resolve(_ spec: String, passwd: [UInt8]?, group: [UInt8]?) -> Result<ImageUser, Unresolved> {
    let userPart: Substring
    let groupPart: Substring?
    if let colon = spec.firstIndex(of: ":") {
      userPart = spec[..<colon]
      groupPart = spec[spec.index(after: colon)...]
    } else {
      userPart = spec[...]
      groupPart = nil
    }
    let uidArg = Self.numeric(userPart)
    let gidArg = groupPart.flatMap(Self.numeric)
    var user = ImageUser(spec: spec, uid: 0, gid: 0, groups: [], name: nil, home: nil)
    let users = Self.entries(passwd)
    let match = users.first { fields in
      guard fields.count >= 4 else { return false }
      if userPart.isEmpty { return Int(fields[2]) == 0 }
      if let uidArg { return Int(fields[2]) == uidArg }
      return fields[0] == userPart
    }
    if let match {
      user.name = String(match[0])
      user.uid = Int(match[2]) ?? 0
      user.gid = Int(match[3]) ?? 0
      user.home = match.count > 5 ? String(match[5]) : nil
    } else if !userPart.isEmpty {
      guard let uidArg else {
        return .failure(.init(reason: "unable to find user \(userPart.capped(64)): no matching entries in passwd file"))
      }
      user.uid = uidArg
    }
    guard groupPart != nil || user.name != nil else { return .success(user) }
    let groups = Self.entries(group).filter { fields in
      guard fields.count >= 3 else { return false }
      guard let groupPart, !groupPart.isEmpty else {
        guard let name = user.name, fields.count >= 4 else { return false }
        return fields[3].split(separator: ",").contains { $0 == name }
      }
      if let gidArg { return Int(fields[2]) == gidArg }
      return fields[0] == groupPart
    }
    if let groupPart, !groupPart.isEmpty {
      if let first = groups.first {
        user.gid = Int(first[2]) ?? 0
      } else {
        guard let gidArg else {
          return .failure(
            .init(reason: "unable to find group \(groupPart.capped(64)): no matching entries in group file"))
        }
        user.gid = gidArg
      }
    } else {
      user.groups = groups.compactMap { Int($0[2]) }
    }
    return .success(user)
  }

  /// A decimal id in runc's range (0 ... 2³¹−1), or nil for a name.
  private static func numeric(_ text: Substring) -> Int? {
    guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
      let value = Int(text), value <= Int(Int32.max)
    else { return nil }
    return value
  }

  /// The `:`-separated fields of each line that is not blank or a comment.
  private static func entries(_ bytes: [UInt8]?) -> [[Substring]] {
    guard let bytes else { return [] }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      if trimmed.isEmpty || trimmed.hasPrefix("#") { return nil }
      return trimmed.split(separator: ":", omittingEmptySubsequences: false)
    }
  }
}

/// A file's or folder's permission bits and owner in an image, kept where they deny someone something.
public struct FileAccess: Sendable, Equatable {
  public var mode: Int
  public var uid: Int
  public var gid: Int

  public init(mode: Int, uid: Int, gid: Int) {
    self.mode = mode
    self.uid = uid
    self.gid = gid
  }

  /// Whether `user` has every one of `bits` (4 read, 1 search) here: the owner's bits for the owner, the group's for
  /// a member, the others' for the rest; root has them all.
  public func allows(_ user: ImageUser, _ bits: Int) -> Bool {
    if user.isRoot { return true }
    let shift = user.uid == uid ? 6 : (user.gid == gid || user.groups.contains(gid)) ? 3 : 0
    return (mode >> shift) & bits == bits
  }
}

#if canImport(Glibc)
  import Glibc
#endif

/// Compares two snapshots into typed changes. Pure: same inputs, same changes, sorted.
public enum SnapshotDiff {
  public static func diff(baseline: Snapshot, current: Snapshot, areas: Set<Area> = Set(Area.allCases)) -> [Change] {
    // The lockfiles' changes first: they can number thousands, and the few of the other areas are appended to them
    // rather than them copied after (the order is set by the sort below).
    var changes = areas.contains(.lockfiles) ? lockfiles(baseline.lockfiles, current.lockfiles) : []
    if areas.contains(.stores) { changes += stores(baseline, current) }
    if areas.contains(.python) { changes += python(baseline, current) }
    if areas.contains(.environment) {
      changes += environment(baseline, current)
      changes += trust(baseline, current)
    }
    if areas.contains(.proxy) { changes += proxy(baseline, current) }
    if areas.contains(.openssl), let a = baseline.openssl.version, let b = current.openssl.version, a != b {
      changes.append(Change(kind: .opensslVersionChanged, area: .openssl, subject: "openssl", before: a, after: b))
    }
    return sortedByKey(changes)
  }

  /// `changes.sorted()`, but by each change's `sortKey`, computed once, and only indices move: a lockfile diff can
  /// hold thousands of changes, and moving and comparing the structs field by field dominated `check`. Stable, like
  /// `sorted()`.
  static func sortedByKey(_ changes: [Change]) -> [Change] {
    let keys = changes.map(\.sortKey)
    let order = changes.indices.sorted { left, right in
      keys[left].withUnsafeBufferPointer { a in
        keys[right].withUnsafeBufferPointer { b in
          let common = min(a.count, b.count)
          guard common > 0, let x = a.baseAddress, let y = b.baseAddress else { return a.count < b.count }
          let difference = memcmp(x, y, common)
          return difference != 0 ? difference < 0 : a.count < b.count
        }
      }
    }
    return order.map { changes[$0] }
  }

  static func rootChanges(source: String, area: Area, _ a: CertificateSet, _ b: CertificateSet) -> [Change] {
    let before = a.distinct
    let after = b.distinct
    return before.subtracting(after).map { Change(kind: .rootRemoved, area: area, subject: $0, source: source) }
      + after.subtracting(before).map { Change(kind: .rootAdded, area: area, subject: $0, source: source) }
  }

  static func stores(_ baseline: Snapshot, _ current: Snapshot) -> [Change] {
    var changes: [Change] = []
    let old = Dictionary(baseline.stores.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    let new = Dictionary(current.stores.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    for (path, store) in old {
      guard let now = new[path] else {
        changes.append(Change(kind: .storeRemoved, area: .stores, subject: path, before: "\(store.certificates.distinct.count) certificates"))
        continue
      }
      if store.kind == .anchors { continue }
      if now.certificates.count == 0 && store.certificates.count > 0 {
        changes.append(Change(kind: .storeEmptied, area: .stores, subject: path, before: "\(store.certificates.distinct.count) certificates", after: "0"))
      } else {
        changes += rootChanges(source: path, area: .stores, store.certificates, now.certificates)
      }
    }
    for (path, store) in new where old[path] == nil {
      changes.append(Change(kind: .storeAppeared, area: .stores, subject: path, after: "\(store.certificates.distinct.count) certificates"))
    }
    // A corporate root dropped from the anchors folder is a removal too.
    for (path, store) in old where store.kind == .anchors {
      if let now = new[path] { changes += rootChanges(source: path, area: .stores, store.certificates, now.certificates) }
    }
    return changes
  }

  static func python(_ baseline: Snapshot, _ current: Snapshot) -> [Change] {
    var changes: [Change] = []
    let a = PythonSelection.primary(baseline.python.environments)
    let b = PythonSelection.primary(current.python.environments)
    if let av = a?.pythonVersion, let bv = b?.pythonVersion, av != bv {
      changes.append(Change(kind: .pythonVersionChanged, area: .python, subject: "python", before: av, after: bv))
    }
    if let ac = a?.certifi, let bc = b?.certifi {
      changes += rootChanges(source: "certifi", area: .python, ac.certificates, bc.certificates)
    }
    // Bundles vendored inside packages (botocore, httplib2, pip's certifi): compared by path, like OS stores.
    let vendored = Dictionary(
      ((a?.vendoredBundles ?? []) + (a?.pipCertifi.map { [$0] } ?? [])).map { ($0.path, $0) },
      uniquingKeysWith: { first, _ in first })
    for bundle in (b?.vendoredBundles ?? []) + (b?.pipCertifi.map { [$0] } ?? []) {
      guard let old = vendored[bundle.path] else { continue }
      changes += rootChanges(source: bundle.path, area: .python, old.certificates, bundle.certificates)
        .filter { $0.kind == .rootRemoved }
    }
    for name in TrustChanges.trustPackages.sorted() {
      let before = a?.distribution(name)
      let after = b?.distribution(name)
      guard before?.version != after?.version, before != nil || after != nil else { continue }
      changes.append(
        Change(
          kind: .installedChanged, area: .python, subject: name, before: before?.version, after: after?.version,
          location: after.map { Location(path: $0.metadata) }, baseLocation: before.map { Location(path: $0.metadata) }))
    }
    return changes
  }

  /// Pins are paired by file and package; a package that moved to another lockfile is paired with its old pin.
  static func lockfiles(_ baseline: [Lockfile], _ current: [Lockfile]) -> [Change] {
    // A package's pin is its first in the file (pins are in `Pin` order: by name, then line). A current pin is compared
    // with the same file's baseline pin, else with the first baseline file (path order) that pins the package.
    // Pins are sorted, so each file pair is merged in one pass: when every file keeps its path, no name is hashed.
    // Names looked up in other files go through one index of every file's names, built at the first such lookup:
    // searching the files one by one made a moved folder of 2,000 lockfiles (100,000 pins) take 14 s.
    let base = baseline.map(PinIndex.init)
    let now = current.map(PinIndex.init)
    let baseByPath = Dictionary(base.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { first, _ in first })
    var baseNames: [String: (path: String, pin: Pin)]?
    func anywhere(_ name: String) -> (path: String, pin: Pin)? {
      if baseNames == nil {
        var names: [String: (path: String, pin: Pin)] = [:]
        for file in base {
          for pin in file.firsts where names[pin.name] == nil { names[pin.name] = (file.path, pin) }
        }
        baseNames = names
      }
      return baseNames?[name]
    }
    var currentNames: Set<String>?
    func pinnedNow(_ name: String) -> Bool {
      if currentNames == nil { currentNames = Set(now.lazy.flatMap { $0.firsts.lazy.map(\.name) }) }
      return currentNames?.contains(name) == true
    }
    var changes: [Change] = []
    // Which of each baseline file's pins the same current file has, by position (the merge finds them in order).
    var matched = base.map { Array(repeating: false, count: $0.firsts.count) }
    for file in now {
      let sameFile = baseByPath[file.path]
      var cursor = 0
      for pin in file.firsts {
        var found: (path: String, pin: Pin)?
        if let sameFile {
          let pins = base[sameFile].firsts
          while cursor < pins.count && pins[cursor].name < pin.name { cursor += 1 }
          if cursor < pins.count && pins[cursor].name == pin.name {
            found = (file.path, pins[cursor])
            matched[sameFile][cursor] = true
          }
        }
        let here = Location(path: file.path, line: pin.line)
        guard let (basePath, basePin) = found ?? anywhere(pin.name) else {
          changes.append(Change(kind: .pinAdded, area: .lockfiles, subject: pin.name, after: describe(pin), location: here))
          continue
        }
        if describe(basePin) != describe(pin) {
          changes.append(
            Change(
              kind: .pinChanged, area: .lockfiles, subject: pin.name, before: describe(basePin), after: describe(pin),
              location: here, baseLocation: Location(path: basePath, line: basePin.line)))
        }
      }
    }
    for (index, file) in base.enumerated() {
      for (position, pin) in file.firsts.enumerated() where !matched[index][position] && !pinnedNow(pin.name) {
        changes.append(
          Change(
            kind: .pinRemoved, area: .lockfiles, subject: pin.name, before: describe(pin),
            baseLocation: Location(path: file.path, line: pin.line)))
      }
    }
    return changes
  }

  /// A lockfile's first pin of each package, in name order.
  struct PinIndex {
    var path: String
    var firsts: [Pin]

    init(_ file: Lockfile) {
      path = file.path
      // Most files pin each package once, and `Lockfile` sorts its pins: then every pin is a first, and the array is
      // shared as it is (names compared in place, no pin copied).
      let distinct = file.pins.withUnsafeBufferPointer { pins in
        pins.indices.dropFirst().allSatisfy { pins[$0 - 1].name < pins[$0].name }
      }
      if distinct {
        firsts = file.pins
        return
      }
      // A baseline file edited by hand may not be sorted, so check once.
      let pins = zip(file.pins, file.pins.dropFirst()).allSatisfy { !($1 < $0) } ? file.pins : file.pins.sorted()
      firsts = []
      firsts.reserveCapacity(pins.count)
      for pin in pins where firsts.last?.name != pin.name { firsts.append(pin) }
    }
  }

  /// `1.2.3` for exact pins, the specifier for ranges, `*` for a bare name.
  static func describe(_ pin: Pin) -> String { pin.version ?? pin.specifier ?? "*" }

  static func environment(_ baseline: Snapshot, _ current: Snapshot) -> [Change] {
    var changes: [Change] = []
    let old = Dictionary(baseline.environment.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let new = Dictionary(current.environment.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    for (name, variable) in old {
      if let now = new[name] {
        if now.value != variable.value {
          changes.append(Change(kind: .envRetargeted, area: .environment, subject: name, before: variable.value, after: now.value))
        } else if let a = variable.target?.certificates, let b = now.target?.certificates {
          changes += rootChanges(source: name, area: .environment, a, b)
        }
      } else {
        changes.append(Change(kind: .envUnset, area: .environment, subject: name, before: variable.value))
      }
    }
    for (name, variable) in new where old[name] == nil {
      changes.append(Change(kind: .envSet, area: .environment, subject: name, after: variable.value))
    }
    return changes
  }

  static func proxy(_ baseline: Snapshot, _ current: Snapshot) -> [Change] {
    let old = Dictionary(baseline.proxy.variables.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    let new = Dictionary(current.proxy.variables.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    return Set(old.keys).union(new.keys).compactMap { name in
      old[name] == new[name] ? nil : Change(kind: .proxyChanged, area: .proxy, subject: name, before: old[name], after: new[name])
    }
  }

  static func trust(_ baseline: Snapshot, _ current: Snapshot) -> [Change] {
    let old = Dictionary(baseline.effectiveTrust.map { ($0.client, $0) }, uniquingKeysWith: { a, _ in a })
    return current.effectiveTrust.compactMap { now in
      guard let before = old[now.client] else { return nil }
      guard before.source != now.source || before.path != now.path || before.status != now.status else { return nil }
      return Change(
        kind: .trustSourceChanged, area: .environment, subject: now.client, before: describe(before), after: describe(now))
    }
  }

  static func describe(_ trust: ClientTrust) -> String {
    var text = trust.source
    if let path = trust.path, path != trust.source { text += " \(path)" }
    if let roots = trust.roots { text += " (\(roots) roots)" }
    if trust.status != .ok { text += " [\(trust.status.rawValue)]" }
    return text
  }
}

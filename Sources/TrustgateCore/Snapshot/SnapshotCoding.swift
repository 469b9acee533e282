import FoundationEssentials

/// Snapshot JSON: sorted keys and stable formatting so the same environment gives the same bytes.
public enum SnapshotCoding {
  public static func encode<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return "{}\n" }
    return JSONText.inert(String(decoding: data, as: UTF8.self)) + "\n"
  }

  public enum DecodeError: Error, CustomStringConvertible {
    case notJSON(path: String, detail: String)
    case wrongSchema(path: String, found: String?)
    public var description: String {
      switch self {
      case .notJSON(let path, let detail):
        return "\(path): not a trustgate snapshot (\(detail)); record one with `trustgate baseline --output \(path)`"
      case .wrongSchema(let path, let found):
        return
          "\(path): schema \(found.map { "'\($0)'" } ?? "missing"), expected '\(Snapshot.schemaID)'; re-record it with `trustgate baseline`"
      }
    }
  }

  public static func decode(_ bytes: [UInt8], path: String) throws(DecodeError) -> Snapshot {
    struct Header: Decodable { var schema: String? }
    let data = Data(bytes)
    let header: Header
    do { header = try JSONDecoder().decode(Header.self, from: data) } catch {
      throw .notJSON(path: path, detail: "invalid JSON")
    }
    guard header.schema == Snapshot.schemaID else { throw .wrongSchema(path: path, found: header.schema) }
    do { return try JSONDecoder().decode(Snapshot.self, from: data) } catch {
      throw .notJSON(path: path, detail: "fields do not match \(Snapshot.schemaID): \(error)")
    }
  }
}

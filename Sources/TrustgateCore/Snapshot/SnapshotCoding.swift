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

  /// The snapshot these bytes hold. The whole document is decoded first, and its schema checked after: a header
  /// decoded on its own first would scan the whole text a second time (JSONDecoder scans a document whole before
  /// decoding any of it: ~5 ms for a 650 KB baseline). Only when the whole does not decode is the header read, to
  /// tell a file of another schema, or not JSON at all, from one whose fields do not match.
  public static func decode(_ bytes: [UInt8], path: String) throws(DecodeError) -> Snapshot {
    struct Header: Decodable { var schema: String? }
    let data = Data(bytes)
    let whole: Result<Snapshot, any Error>
    do { whole = .success(try JSONDecoder().decode(Snapshot.self, from: data)) } catch { whole = .failure(error) }
    if case .success(let snapshot) = whole, snapshot.schema == Snapshot.schemaID { return snapshot }
    let header: Header
    do { header = try JSONDecoder().decode(Header.self, from: data) } catch {
      throw .notJSON(path: path, detail: "invalid JSON")
    }
    guard header.schema == Snapshot.schemaID, case .failure(let error) = whole else {
      throw .wrongSchema(path: path, found: header.schema)
    }
    throw .notJSON(path: path, detail: "fields do not match \(Snapshot.schemaID): \(error)")
  }
}

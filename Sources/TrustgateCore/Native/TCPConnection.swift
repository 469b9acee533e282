import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Why a connection step failed, in words a user can act on (`connection refused`, `timed out after 10 s`).
public struct NetworkError: Error, Sendable, CustomStringConvertible {
  public var description: String
  init(_ description: String) { self.description = description }

  static func errno(_ what: String, _ code: Int32 = Glibc.errno) -> NetworkError {
    NetworkError("\(what): \(String(cString: strerror(code)))")
  }
}

/// A point in time on the monotonic clock after which every wait gives up.
struct Deadline: Sendable {
  let milliseconds: Int64
  /// The timeout as the user gave it, for messages.
  let seconds: Double

  init(seconds: Double) {
    self.seconds = seconds
    milliseconds = Self.now() + Int64(seconds * 1000)
  }

  static func now() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
  }

  var remaining: Int32 { Int32(clamping: max(0, milliseconds - Self.now())) }

  func expired(_ what: String) -> NetworkError {
    let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    return NetworkError("timed out after \(shown) s \(what)")
  }
}

/// An IPv4 or IPv6 socket address as `getaddrinfo` gives it, with its numeric text (`127.0.0.1`, `::1`).
public struct SocketAddress: Sendable, Hashable {
  let storage: [UInt8]
  public let family: Int32
  public let text: String

  /// `text` bracketed when IPv6, for `address:port` forms.
  public var bracketed: String { family == AF_INET6 ? "[\(text)]" : text }

  init?(_ address: UnsafePointer<sockaddr>, length: socklen_t) {
    family = Int32(address.pointee.sa_family)
    guard family == AF_INET || family == AF_INET6 else { return nil }
    storage = Array(UnsafeRawBufferPointer(start: address, count: Int(length)))
    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return nil }
    text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

/// Name resolution through the C library (`/etc/hosts`, DNS, as every client here resolves), bounded by a deadline.
enum NameResolution {
  /// Every IPv4 and IPv6 address `host` resolves to for TCP, in `getaddrinfo`'s order (RFC 6724), without
  /// duplicates. `getaddrinfo` cannot be interrupted: it runs on its own thread and is abandoned at the deadline.
  static func addresses(of host: String, port: Int, deadline: Deadline) throws(NetworkError) -> [SocketAddress] {
    let outcome = Mutex<Result<[SocketAddress], NetworkError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      let result = resolve(host, port: port)
      outcome.withLock { $0 = result }
      done.signal()
    }
    guard done.wait(timeout: .now() + .milliseconds(Int(deadline.remaining))) == .success,
      let result = outcome.withLock({ $0 })
    else { throw deadline.expired("resolving \(host)") }
    return try result.get()
  }

  private static func resolve(_ host: String, port: Int) -> Result<[SocketAddress], NetworkError> {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    // No AI_ADDRCONFIG: it drops ::1 on hosts whose only IPv6 address is the loopback, which clients still reach.
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0 else {
      return .failure(NetworkError("cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
    }
    defer { freeaddrinfo(list) }
    var found: [SocketAddress] = []
    var entry = list
    while let current = entry {
      if let address = current.pointee.ai_addr, let parsed = SocketAddress(address, length: current.pointee.ai_addrlen),
        !found.contains(parsed)
      {
        found.append(parsed)
      }
      entry = current.pointee.ai_next
    }
    return found.isEmpty ? .failure(NetworkError("\(host) resolves to no IPv4 or IPv6 address")) : .success(found)
  }
}

/// A TCP connection whose every wait (connect, send, receive) is a `poll` bounded by a deadline: the socket is
/// non-blocking from the start. Owned and closed here.
final class TCPConnection {
  let descriptor: Int32

  init(to address: SocketAddress, deadline: Deadline) throws(NetworkError) {
    _ = Self.ignoringBrokenPipes
    let socketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    let descriptor = socket(address.family, socketType, 0)
    guard descriptor >= 0 else { throw .errno("cannot open a socket") }
    self.descriptor = descriptor
    let status = address.storage.withUnsafeBytes { raw in
      connect(descriptor, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
    }
    if status != 0 {
      guard errno == EINPROGRESS else { throw Self.connectError(errno) }
      try wait(for: Int16(POLLOUT), deadline: deadline, doing: "connecting")
      var code: Int32 = 0
      var length = socklen_t(MemoryLayout<Int32>.size)
      guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { throw .errno("connect") }
      if code != 0 { throw Self.connectError(code) }
    }
  }

  deinit { close(descriptor) }

  /// libssl writes to the socket with plain `write`: a server that closes mid-handshake would raise SIGPIPE and kill
  /// the process. Ignored once, on the first connection (only `--connect` makes one); the write fails with EPIPE.
  private static let ignoringBrokenPipes: Bool = {
    signal(SIGPIPE, SIG_IGN)
    return true
  }()

  private static func connectError(_ code: Int32) -> NetworkError {
    switch code {
    case ECONNREFUSED: NetworkError("connection refused (nothing listens on that port)")
    case ENETUNREACH, EHOSTUNREACH: NetworkError("unreachable (\(String(cString: strerror(code))))")
    default: .errno("cannot connect", code)
    }
  }

  /// Waits until the socket can be read (or written), or throws at the deadline.
  func wait(readable: Bool, deadline: Deadline, doing what: String) throws(NetworkError) {
    try wait(for: Int16(readable ? POLLIN : POLLOUT), deadline: deadline, doing: what)
  }

  /// Waits until the socket is ready for `events` (`POLLIN`, `POLLOUT`), or throws at the deadline.
  func wait(for events: Int16, deadline: Deadline, doing what: String) throws(NetworkError) {
    while true {
      var entry = pollfd(fd: descriptor, events: events, revents: 0)
      let remaining = deadline.remaining
      if remaining == 0 { throw deadline.expired(what) }
      let ready = poll(&entry, 1, remaining)
      if ready > 0 { return }
      if ready == 0 { throw deadline.expired(what) }
      if errno != EINTR { throw .errno(what) }
    }
  }

  func send(_ bytes: [UInt8], deadline: Deadline, doing what: String) throws(NetworkError) {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if sent > 0 {
        offset += sent
      } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
        try wait(for: Int16(POLLOUT), deadline: deadline, doing: what)
      } else {
        throw .errno(what)
      }
    }
  }

  /// Up to `limit` bytes; empty when the peer closed the connection.
  func receive(limit: Int, deadline: Deadline, doing what: String) throws(NetworkError) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: limit)
    while true {
      let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count >= 0 { return Array(buffer.prefix(count)) }
      if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
        try wait(for: Int16(POLLIN), deadline: deadline, doing: what)
      } else {
        throw .errno(what)
      }
    }
  }
}

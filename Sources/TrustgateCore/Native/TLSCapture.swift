import COpenSSL

/// The chain a server sent in a TLS handshake: leaf first, as served.
public struct ServedChain: Sendable, Equatable {
  /// Each certificate's DER.
  public var der: [[UInt8]]
  /// The same certificates as PEM blocks (`openssl s_client -showcerts` prints the same text).
  public var pem: String
  /// The protocol the handshake agreed (`TLSv1.3`).
  public var protocolVersion: String
}

/// A TLS client handshake that only captures the peer's chain, through libssl opened on first use.
///
/// Verification is off in the handshake (`SSL_VERIFY_NONE`) and the security level 0, so that any chain a server
/// sends is captured: the verdict is trustgate's per-client verification afterwards, not libssl's.
enum TLSCapture {
  /// At most this many certificates, and this many bytes of DER in all, are taken from a server.
  static let certificateLimit = 32
  static let byteLimit = 1 << 20

  /// libssl's functions, loaded once; nil when the library is not installed.
  nonisolated(unsafe) static let library: UnsafePointer<tg_ssl_api>? = tg_ssl_open()

  /// Runs the handshake over `connection` (already connected, through a proxy tunnel or not) and returns the chain.
  /// `serverName` goes out as SNI (DNS names only: RFC 6066 allows no IP literal there).
  static func peerChain(over connection: TCPConnection, serverName: String?, deadline: Deadline)
    throws(NetworkError) -> ServedChain
  {
    guard let library else {
      throw NetworkError(
        "cannot load \(String(cString: tg_ssl_soname())) (libssl), which --connect needs for the TLS handshake; "
          + "install it (Debian/Ubuntu: apt-get install libssl3)")
    }
    let api = library.pointee
    ERR_clear_error()
    guard let method = api.TLS_client_method(), let context = api.SSL_CTX_new(method) else {
      throw NetworkError(OpenSSLError.drain("creating a TLS context").description)
    }
    defer { api.SSL_CTX_free(context) }
    api.SSL_CTX_set_verify(context, tg_ssl_verify_none(), nil)
    api.SSL_CTX_set_security_level(context, 0)
    guard let ssl = api.SSL_new(context) else {
      throw NetworkError(OpenSSLError.drain("creating a TLS connection").description)
    }
    defer { api.SSL_free(ssl) }
    guard api.SSL_set_fd(ssl, connection.descriptor) == 1 else {
      throw NetworkError(OpenSSLError.drain("attaching the socket").description)
    }
    if let serverName {
      guard serverName.withCString({ tg_ssl_set_host_name(library, ssl, $0) }) == 1 else {
        throw NetworkError(OpenSSLError.drain("setting the server name (SNI)").description)
      }
    }
    while true {
      let status = api.SSL_connect(ssl)
      if status == 1 { break }
      let code = api.SSL_get_error(ssl, status)
      if code == tg_ssl_want_read() {
        try connection.wait(readable: true, deadline: deadline, doing: "in the TLS handshake")
      } else if code == tg_ssl_want_write() {
        try connection.wait(readable: false, deadline: deadline, doing: "in the TLS handshake")
      } else {
        let error = OpenSSLError.drain("the TLS handshake")
        ERR_clear_error()
        throw NetworkError(
          error.messages.isEmpty
            ? "the TLS handshake failed: the server closed the connection (is it TLS?)"
            : error.description)
      }
    }
    defer {
      // close_notify, once, without waiting for the server's.
      _ = api.SSL_shutdown(ssl)
      ERR_clear_error()
    }
    guard let stack = api.SSL_get_peer_cert_chain(ssl), tg_chain_count(stack) > 0 else {
      throw NetworkError("the server sent no certificate")
    }
    let count = Int(tg_chain_count(stack))
    guard count <= certificateLimit else {
      throw NetworkError("the server sent \(count) certificates; at most \(certificateLimit) are read")
    }
    var chain = ServedChain(
      der: [], pem: "", protocolVersion: api.SSL_get_version(ssl).map { String(cString: $0) } ?? "unknown")
    var total = 0
    for index in 0..<count {
      guard let certificate = tg_chain_value(stack, Int32(index)) else { continue }
      let length = i2d_X509(certificate, nil)
      guard length > 0 else { throw NetworkError(OpenSSLError.drain("encoding a served certificate").description) }
      total += Int(length)
      guard total <= byteLimit else {
        throw NetworkError("the server's certificates exceed \(byteLimit >> 20) MiB; that much is not read")
      }
      var der = [UInt8](repeating: 0, count: Int(length))
      let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
        var cursor = buffer.baseAddress
        return i2d_X509(certificate, &cursor)
      }
      guard written == length else { throw NetworkError("cannot encode a served certificate") }
      chain.der.append(der)
      var pemLength = 0
      guard let text = tg_x509_pem(certificate, &pemLength) else {
        throw NetworkError(OpenSSLError.drain("writing a served certificate as PEM").description)
      }
      chain.pem += String(decoding: UnsafeRawBufferPointer(start: text, count: pemLength), as: UTF8.self)
      tg_openssl_free(text)
    }
    return chain
  }
}

/// CA bundles that packages ship inside site-packages, read as trust sources of their own. One row per known
/// location: the distribution that ships it, the path inside site-packages, and where the fact comes from.
///
/// certifi and pip's vendored certifi are read separately (`PythonEnvironment.certifi` / `.pipCertifi`).
struct VendoredBundleLocation: Sendable {
  var package: String
  var path: String
  var source: String
}

let vendoredBundleLocations: [VendoredBundleLocation] = [
  // httplib2 ships Mozilla roots and loads them unless `ca_certs=` is given (github.com/httplib2/httplib2).
  .init(
    package: "httplib2", path: "httplib2/cacerts.txt", source: "httplib2 source tree, python3/httplib2/cacerts.txt"),
  // botocore falls back to its own bundle when certifi is not importable (botocore httpsession.get_cert_path).
  .init(package: "botocore", path: "botocore/cacert.pem", source: "botocore wheel contents"),
  // ShotGrid's API vendors httplib2 with a 2019 bundle (shotgunsoftware/python-api docs/advanced.rst; seed case).
  .init(
    package: "shotgun-api3", path: "shotgun_api3/lib/httplib2/cacerts.txt", source: "python-api docs, advanced.rst"),
  .init(
    package: "shotgun-api3", path: "shotgun_api3/lib/certifi/cacert.pem", source: "python-api lib/certifi vendoring"),
  // gRPC C-core falls back to roots.pem bundled in grpcio (grpc etc/roots.pem, Chromium Root Store).
  .init(package: "grpcio", path: "grpc/_cython/_credentials/roots.pem", source: "grpcio wheel contents"),
  // requests before 2.16 ("Unvendor ALL the things!") shipped its own cacert.pem.
  .init(package: "requests", path: "requests/cacert.pem", source: "requests HISTORY.md 2.16.0"),
  // pip before 10 vendored requests with that bundle.
  .init(package: "pip", path: "pip/_vendor/requests/cacert.pem", source: "pip 9 wheel contents"),
]

/// Where certifi's bundle and pip's vendored copy sit inside site-packages.
enum CertifiLocation {
  static let certifi = "certifi/cacert.pem"
  static let certifiCore = "certifi/core.py"
  static let pipCertifi = "pip/_vendor/certifi/cacert.pem"
}

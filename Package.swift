// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "trustgate",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "trustgate", targets: ["trustgate"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
  ],
  targets: [
    .systemLibrary(
      name: "COpenSSL",
      // libcrypto only: libssl is opened with dlopen by `verify --connect` alone (see the shim), so no other run
      // loads it.
      pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
    ),
    .systemLibrary(
      name: "CGit2",
      // No pkgConfig: its link flags would load libgit2 at start-up; the shim opens it on first use (headers are in
      // the default include path).
      providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
    ),
    .systemLibrary(name: "CLinux"),
    .target(
      name: "TrustgateCore",
      dependencies: [
        "COpenSSL", "CGit2", "CLinux",
        .product(name: "Yams", package: "Yams"),
        .product(name: "CompressNIO", package: "compress-nio"),
      ]
    ),
    .executableTarget(
      name: "trustgate",
      dependencies: [
        "TrustgateCore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(
      name: "image-bench",
      dependencies: ["TrustgateCore"],
      path: "Sources/ImageBench"
    ),
    // libFuzzer target for every parser of user files (FUZZ_TARGET picks one): scripts/fuzz.sh builds it with
    // -sanitize=fuzzer,address -DFUZZING; a plain build replays inputs.
    .executableTarget(
      name: "fuzz-parsers",
      dependencies: ["TrustgateCore"]
    ),
    .testTarget(
      name: "TrustgateCoreTests",
      // Yams: the CI template tests parse the templates' YAML.
      dependencies: ["TrustgateCore", .product(name: "Yams", package: "Yams")]
    ),
  ]
)

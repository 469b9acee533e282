// Benchmark for the image reader: opens one image and prints what it found and how long it took.
// Run in release mode under `/usr/bin/time -v` for peak memory:
//   swift build -c release --product image-bench
//   /usr/bin/time -v .build/release/image-bench BIG.tar
import TrustgateCore

#if canImport(Glibc)
  import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
  print("usage: image-bench IMAGE")
  exit(2)
}
var start = timespec()
clock_gettime(CLOCK_MONOTONIC, &start)
do {
  let image = try ContainerImage.open(path: arguments[1])
  var end = timespec()
  clock_gettime(CLOCK_MONOTONIC, &end)
  let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
  let bytes = image.files.nodes.values.reduce(0) { total, node in
    if case .file(let content) = node { return total + content.count }
    return total
  }
  print("layers \(image.layers.count), entries kept \(image.files.nodes.count), file bytes \(bytes)")
  print("removals \(image.removals.count), warnings \(image.warnings.count)")
  print("open took \((seconds * 1000).rounded() / 1000) s")
} catch {
  print(error)
  exit(2)
}

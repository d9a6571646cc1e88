// swift-tools-version: 6.0
import PackageDescription

// Native libraries come from Debian's -dev packages (see .ci/setup.sh) and are found
// through pkg-config. The C targets hold only module maps and `static inline` shims.
let package = Package(
    name: "InfoPlane",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "infoplane", targets: ["infoplane"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // Header-only: kernels for instruction sets beyond the baseline, chosen at run time.
        .systemLibrary(name: "CIntrinsics"),

        .target(name: "Support"),
        .target(name: "Randomness"),
        .target(name: "Learning", dependencies: ["Randomness", "COpenBLAS", "CZlib", "Support"]),
        .target(name: "Estimators", dependencies: ["Randomness", "COpenBLAS", "CIntrinsics", "Support"]),
        .target(name: "Storage", dependencies: ["CHDF5"]),
        .target(name: "Config", dependencies: ["Support", .product(name: "Yams", package: "Yams")]),
        .target(name: "Files", dependencies: ["Storage", "Config", "Learning", "Estimators", "Support"]),
        .target(name: "Analysis", dependencies: ["Estimators", "Files", "Config", "Support"]),
        .target(name: "Training", dependencies: ["Learning", "Config", "Files", "Analysis", "Estimators", "Support"]),
        .target(name: "Cluster", dependencies: ["CMPI", "Support"]),
        .target(name: "Pipeline", dependencies: ["Analysis", "Cluster", "Config", "Estimators", "Files", "Training", "Learning", "Support"]),
        .executableTarget(name: "infoplane", dependencies: [
            "Analysis", "Cluster", "Config", "Estimators", "Files", "Learning", "Pipeline", "Support", "Training",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "Randomness", "Support"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "EstimatorsTests", dependencies: ["Estimators", "Randomness", "Support"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "Support"]),
        .testTarget(name: "FilesTests", dependencies: ["Files", "Config", "Learning", "Storage", "Support"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Config", "Estimators", "Files", "Randomness", "Storage", "Support"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Analysis", "Config", "Estimators", "Files", "Learning", "Support"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Analysis", "Cluster", "Config", "Estimators", "Files", "Randomness", "Storage", "Support"]),
        .testTarget(name: "StructureTests"),
        .testTarget(name: "CommandLineTests", dependencies: ["Storage"]),
    ],
    swiftLanguageModes: [.v6]
)

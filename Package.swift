// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Bulletin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bulletin", targets: ["bulletin"]),
        .executable(name: "bulletin-serve", targets: ["bulletin-serve"]),
        .library(name: "BulletinKit", targets: ["BulletinKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // libxml2 (libxml2-dev), loaded with dlopen by the import command only (its header says
        // why): its headers are wanted to compile, its library not to link, which a systemLibrary
        // with pkg-config would do.
        .target(
            name: "CLibXML2",
            cSettings: [.unsafeFlags(["-I/usr/include/libxml2"])]
        ),
        .systemLibrary(
            name: "CMimalloc",
            providers: [.apt(["libmimalloc-dev"])]
        ),
        .target(name: "CBulletinSystem"),
        .target(
            name: "BulletinKit",
            dependencies: [
                "CCmark",
                "CYAML",
                "CLibXML2",
                "CBulletinSystem",
            ]
        ),
        .target(
            name: "BulletinServer",
            dependencies: [
                "BulletinKit",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // What the two executables share: the options and how a command line is run.
        .target(
            name: "BulletinCommand",
            dependencies: [
                "BulletinKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // build, check, import; serve runs bulletin-serve, so that the server's libraries are
        // not loaded by every build.
        .executableTarget(
            name: "bulletin",
            dependencies: [
                "BulletinKit",
                "BulletinCommand",
                "CMimalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "bulletin-serve",
            dependencies: [
                "BulletinKit",
                "BulletinServer",
                "BulletinCommand",
                "CMimalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "BulletinTestSupport",
            path: "Tests/Support"
        ),
        .testTarget(
            name: "BulletinKitTests",
            dependencies: ["BulletinKit", "BulletinTestSupport", .product(name: "Mustache", package: "swift-mustache")],
            exclude: ["Golden", "FuzzRegressions", "MustacheSpec", "ImportFixtures", "SearchTokenVectors.json"]
        ),
        .testTarget(
            name: "BulletinServerTests",
            dependencies: ["BulletinServer", "BulletinKit", "BulletinTestSupport"]
        ),
        .testTarget(
            name: "bulletinTests",
            dependencies: ["BulletinKit", "BulletinTestSupport"],
            exclude: ["Fixtures"]
        ),
    ]
)

// libFuzzer targets (Fuzz/README.md), only when BULLETIN_FUZZ is set, so that normal builds, tests
// and CI never see them; build and run them with Fuzz/run.sh. Their code paths and checks are
// Tests/BulletinKitTests/FuzzHarness.swift, which FuzzRegressionTests runs too.
if Context.environment["BULLETIN_FUZZ"] != nil {
    package.targets += [
        .systemLibrary(name: "CFuzzDriver", path: "Fuzz/CFuzzDriver"),
        .target(name: "FuzzHarness", dependencies: ["BulletinKit"], path: "Tests/BulletinKitTests", sources: ["FuzzHarness.swift"]),
        .target(name: "FuzzDriver", dependencies: ["CFuzzDriver"], path: "Fuzz/FuzzDriver"),
    ]
    // The harness is then a module of its own; the tests use it from there.
    for target in package.targets where target.name == "BulletinKitTests" {
        target.exclude.append("FuzzHarness.swift")
        target.dependencies.append("FuzzHarness")
    }
    for (product, target) in [
        ("fuzz-front-matter", "FuzzFrontMatter"),
        ("fuzz-post-decoder", "FuzzPostDecoder"),
        ("fuzz-date", "FuzzDate"),
        ("fuzz-markdown", "FuzzMarkdown"),
    ] {
        package.targets.append(.executableTarget(name: target, dependencies: ["FuzzDriver", "FuzzHarness"], path: "Fuzz/\(target)"))
        package.products.append(.executable(name: product, targets: [target]))
    }
}

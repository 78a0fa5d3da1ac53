// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Bulletin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bulletin", targets: ["bulletin"]),
        .library(name: "BulletinKit", targets: ["BulletinKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
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
        .target(name: "CSystem"),
        .target(
            name: "BulletinKit",
            dependencies: [
                "CCmark",
                "CYAML",
                "CSystem",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .executableTarget(
            name: "bulletin",
            dependencies: [
                "BulletinKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "BulletinTestSupport",
            path: "Tests/Support"
        ),
        .testTarget(
            name: "BulletinKitTests",
            dependencies: ["BulletinKit", "BulletinTestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "bulletinTests",
            dependencies: ["BulletinKit", "BulletinTestSupport"],
            exclude: ["Fixtures"]
        ),
    ]
)

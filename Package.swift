// swift-tools-version: 6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6)
]

let package = Package(
    name: "Bosun",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bosun", targets: ["Console"]),
        .executable(name: "bosun-agent", targets: ["Agent"]),
        .executable(name: "bosun-bench", targets: ["Bench"]),
        .executable(name: "bosun-fuzz", targets: ["Fuzz"]),
        .library(name: "Shared", targets: ["Shared"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Long-lived parts as Services in one ServiceGroup, graceful shutdown on SIGTERM/SIGINT (Foundation-free).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The central's Prometheus metrics (bosun --metrics ADDR): swift-metrics' API, swift-prometheus' format,
        // FlyingFox's sockets (FlyingSocks, without its HTTP server, which links FoundationNetworking and libcurl)
        // serving them. The console only: the agent stays without them.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CNATS",
            pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "CCrypto",
            linkerSettings: [.linkedLibrary("sodium"), .linkedLibrary("crypto")]
        ),
        // libcurl for the agent's httpGet, loaded on first use (dlopen): typed wrappers over its variadic
        // curl_easy_setopt and curl_easy_getinfo. Headers from libcurl4-openssl-dev; at run time libcurl4.
        .target(name: "CCurl"),
        // The agent's child processes: posix_spawn's GNU file actions and flags, pidfd, epoll and eventfd, which
        // Swift's Glibc module does not declare (swift-subprocess keeps its own such shims internal).
        .target(name: "CSpawn"),
        .target(
            name: "CNCurses",
            linkerSettings: [.linkedLibrary("ncursesw")]
        ),
        .target(
            name: "Shared",
            dependencies: [
                "CNATS",
                "CSQLite",
                "CCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "Agent",
            dependencies: [
                "Shared",
                "CCurl",
                "CSpawn",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "Console",
            dependencies: [
                "Shared",
                "CNCurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Shared",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // libFuzzer targets for the parsers; scripts/fuzz.sh builds them with the fuzzer, a plain build replays inputs.
        .executableTarget(
            name: "Fuzz",
            dependencies: ["Shared"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: [
                "Shared", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "ConsoleTests",
            dependencies: ["Console", "Shared"],
            exclude: ["Golden"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: ["Agent", "Shared"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Shared"],
            swiftSettings: strictSwift
        ),
    ]
)

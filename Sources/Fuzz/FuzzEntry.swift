#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

import Shared

#if FUZZING
    /// The target `BOSUN_FUZZ_TARGET` names; read once, before the first input.
    private let selectedTarget: FuzzTarget = {
        guard let name = Environment.value("BOSUN_FUZZ_TARGET"), let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            print("bosun-fuzz: set BOSUN_FUZZ_TARGET to one of: \(names)")
            exit(2)
        }
        return target
    }()

    /// libFuzzer's callback: one input.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        selectedTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    private func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// The executable's entry point. SwiftPM links an executable target with `main` aliased to `<Module>_main`,
    /// so libFuzzer's own `main` is never used: this one hands the command line to libFuzzer's driver.
    @_cdecl("Fuzz_main")
    public func fuzzMain(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) -> CInt {
        var count = argc
        var arguments = argv
        return runFuzzerDriver(&count, &arguments, fuzzOneInput)
    }
#else
    /// Without the fuzzer (a plain `swift build`): replays saved inputs through a target, to reproduce a finding.
    @main
    enum FuzzReplay {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
                print("usage: bosun-fuzz \(names) FILE…  (scripts/fuzz.sh builds the libFuzzer binary)")
                exit(64)
            }
            for path in arguments.dropFirst() {
                guard let bytes = try? FileSystem.read(path) else {
                    print("bosun-fuzz: cannot read \(path)")
                    exit(66)
                }
                target.run(bytes)
                print("\(path): ok")
            }
        }
    }
#endif

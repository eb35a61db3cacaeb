import CruddurAPI
import Foundation

#if os(Linux)
    // glibc gives every thread that allocates its own malloc arena (up to eight per core); for a server
    // whose work hops across a thread pool that mostly buys resident memory. Two arenas keep RSS down
    // without measurable contention (see bench/run). `mallopt` is not in the Glibc module's headers.
    @_silgen_name("mallopt") func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
    let mallocArenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>
    _ = mallopt(mallocArenaMax, 2)
#endif

exit(
    await CruddurCommand.run(
        arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))

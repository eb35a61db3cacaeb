import CruddurBackend
import Foundation

exit(
    await CruddurCommand.run(
        arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))

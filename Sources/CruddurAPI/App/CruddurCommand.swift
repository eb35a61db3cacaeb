import CruddurRuntime
import Foundation
import Hummingbird
import Logging

/// The `cruddur` command line: `serve` (the default), `healthcheck`, `migrate`, `seed`.
public enum CruddurCommand {
    static let usage = """
        usage: cruddur [serve | healthcheck [URL] | migrate | seed]
          serve        run the HTTP server (default)
          healthcheck  exit 0 when the running server's readiness check answers 200, else 1
          migrate      apply pending database migrations to CONNECTION_URL
          seed         load the demo data into CONNECTION_URL
        Configuration comes from the environment and secret files; see README.md.
        """

    /// Runs the command and returns the process exit code.
    public static func run(arguments: [String], environment: [String: String]) async -> Int32 {
        let command = arguments.first ?? "serve"
        do {
            let settings = try await Settings.load(environment: environment)
            switch command {
            case "serve":
                let configuration = try AppConfiguration(settings)
                let logger = bootstrapLogging(configuration)
                defer { LogOutput.standard.flush() }
                try await ServeCommand.run(configuration: configuration, logger: logger)
                return 0
            case "migrate", "seed":
                let configuration = try AppConfiguration(settings)
                let logger = bootstrapLogging(configuration)
                try await DatabaseCommands.run(command, configuration: configuration, logger: logger)
                return 0
            case "healthcheck":
                return await HealthCheckCommand.run(url: arguments.dropFirst().first, settings: settings)
            case "-h", "--help", "help":
                print(usage)
                return 0
            default:
                FileHandle.standardError.write(Data("unknown command \"\(command.prefix(40))\"\n\(usage)\n".utf8))
                return 2
            }
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            return 2
        } catch {
            FileHandle.standardError.write(Data("cruddur \(command): \(error)\n".utf8))
            return 1
        }
    }

    static func bootstrapLogging(_ configuration: AppConfiguration) -> Logger {
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = TextLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return Logger(label: "cruddur")
    }
}

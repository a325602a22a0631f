import LighterOCI
import LighterSystem

/// `version` and `info` against an Engine API: the daemon's documents in the local commands' layouts.
enum RemoteSystem {
    /// `version`: this client's section and the daemon's `/version` as the Server section.
    static func version(_ command: VersionCommand, host: RemoteHost) throws(LighterError) -> Int32 {
        let client = try EngineAPIClient(host: host)
        var server = try client.document("/version").members
        // Docker's older daemons leave out what they do not have.
        for key in ["Experimental"] where server[key] == nil { server[key] = .bool(false) }
        for key in ["MinAPIVersion", "GitCommit", "GoVersion", "KernelVersion", "BuildTime"] where server[key] == nil { server[key] = .string("") }
        if server["Platform"] == nil { server["Platform"] = .object(["Name": .string("")]) }
        if server["Components"] == nil { server["Components"] = .array([]) }
        var report = VersionReport.current()
        report.Server = try JSON.decode(VersionReport.ServerSection.self, from: JSONNode.object(server).serialized(), what: "the daemon's /version")
        report.Client.ApiVersion = client.version
        report.Client.Context = host.text
        try VersionCommand.print(report, format: command.format)
        return 0
    }

    /// `info`: the daemon's `/info`, in `info`'s text layout when it has Docker's keys, else as JSON.
    static func info(_ command: InfoCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let bytes = try client.bytes("GET", "/info")
        switch command.format {
        case nil, "", "text":
            if let report = try? JSON.decode(SystemInfo.self, from: bytes, what: "the daemon's /info") {
                Console.out(String(report.text.dropLast()))
                for warning in report.Warnings { Console.error("WARNING: \(warning)") }
            } else {
                let value = try JSON.decode(JSONValue.self, from: bytes, what: "the daemon's /info")
                Console.out("Server (\(client.host.text)):")
                Console.out(String(decoding: try JSON.encode(value, pretty: true), as: UTF8.self))
            }
        case "json":
            Console.out(String(decoding: try JSONNode.parse(bytes, what: "the daemon's /info").serialized(), as: UTF8.self))
        case let template?:
            Console.out(try JSONTemplate.render(template, value: bytes, missingKeyIsError: true))
        }
        return 0
    }
}

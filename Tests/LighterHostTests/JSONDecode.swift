#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import LighterHost

enum HostJSONDecode {
    static func report(_ text: String) throws -> CheckConfigReport {
        try JSONDecoder().decode(CheckConfigReport.self, from: Data(text.utf8))
    }

    static func info(_ text: String) throws -> HostInfo {
        try JSONDecoder().decode(HostInfo.self, from: Data(text.utf8))
    }
}

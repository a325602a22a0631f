import LighterSystem

/// One build stage: `FROM base [AS name]` and the instructions up to the next FROM.
public struct BuildStage: Sendable, Equatable {
    public var index: Int
    /// The stage's name, lower case (`AS Builder` names it "builder"), or nil.
    public var name: String?
    /// The FROM instruction (its base is expanded with the build's meta ARGs by the executor).
    public var from: Instruction
    /// The base as written (before substitution).
    public var base: String
    public var instructions: [Instruction]
}

extension Dockerfile {
    /// The ARGs before the first FROM (`metaArgs`) and the stages. Anything but ARG before the first
    /// FROM is an error, as is a file without FROM or two stages of one name.
    public func stages() throws(LighterError) -> (metaArgs: [Instruction], stages: [BuildStage]) {
        var metaArgs: [Instruction] = []
        var stages: [BuildStage] = []
        var names: Set<String> = []
        for instruction in instructions {
            if instruction.keyword == "FROM" {
                let words = instruction.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                var name: String?
                let position = SourcePosition(file: self.name, line: instruction.line, column: 1)
                switch words.count {
                case 1: break
                case 3 where words[1].lowercased() == "as":
                    let lowered = words[2].lowercased()
                    guard Self.isValidStageName(lowered) else {
                        throw position.error("invalid stage name \"\(words[2])\": use letters, digits, '-', '_' and '.', starting with a letter")
                    }
                    guard names.insert(lowered).inserted else {
                        throw position.error("the stage name \"\(words[2])\" is used twice")
                    }
                    name = lowered
                default:
                    throw position.error("FROM takes an image and optionally AS and a stage name, not \"\(instruction.text)\"")
                }
                stages.append(BuildStage(index: stages.count, name: name, from: instruction, base: words[0], instructions: []))
            } else if stages.isEmpty {
                guard instruction.keyword == "ARG" else {
                    throw SourcePosition(file: name, line: instruction.line, column: 1)
                        .error("\(instruction.keyword) before the first FROM: only ARG may come before FROM")
                }
                metaArgs.append(instruction)
            } else {
                stages[stages.count - 1].instructions.append(instruction)
            }
        }
        guard !stages.isEmpty else {
            throw SourcePosition(file: name, line: max(1, instructions.last?.line ?? 1), column: 1)
                .error(instructions.isEmpty ? "the file has no instructions" : "no FROM instruction: a build needs at least one stage")
        }
        return (metaArgs, stages)
    }

    static func isValidStageName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}

import LighterCLI

LighterCommand.runMain()

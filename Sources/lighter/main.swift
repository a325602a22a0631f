import LighterCLI

LighterCommand.main()

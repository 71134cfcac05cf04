print("assay-provider-emulator: not yet wired")

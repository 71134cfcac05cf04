print("assay-kube-emulator: not yet wired")

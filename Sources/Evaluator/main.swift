import Common

print("assay-evaluator: not yet wired")

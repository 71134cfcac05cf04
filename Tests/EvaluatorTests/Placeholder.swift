import Testing

@Test("the evaluator module links") func evaluatorModuleLinks() { #expect(Bool(true)) }

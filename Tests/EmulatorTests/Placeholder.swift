import Testing

@Test("the emulator test target links") func emulatorTargetLinks() { #expect(Bool(true)) }

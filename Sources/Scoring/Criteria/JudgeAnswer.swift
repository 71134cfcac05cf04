/// A judge's reply to an `llmJudge` criterion, obtained before scoring.
package enum JudgeAnswer: Sendable, Equatable {
    /// The judge chain answered with `text` (to be parsed), through `provider`.
    case answered(text: String, provider: String)
    /// No judge could answer; `reason` lists each attempt.
    case unavailable(reason: String)
}

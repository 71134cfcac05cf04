/// McNemar's exact test on paired pass/fail outcomes (Q. McNemar, 1947; the exact conditional
/// form). Only the discordant cases carry information about a difference: under the hypothesis
/// that both targets pass equally often, each of the `discordant` cases is equally likely to be
/// one that only a passed or one that only b passed, so `onlyA` ~ Binomial(discordant, 1/2).
package struct McNemarTest: Sendable, Equatable {
    /// Cases a passed and b failed.
    package var onlyA: Int
    /// Cases b passed and a failed.
    package var onlyB: Int

    package init(onlyA: Int, onlyB: Int) {
        precondition(onlyA >= 0 && onlyB >= 0, "counts must not be negative")
        self.onlyA = onlyA
        self.onlyB = onlyB
    }

    package var discordant: Int { onlyA + onlyB }

    private var null: BinomialDistribution { BinomialDistribution(trials: discordant, probability: 0.5) }

    /// The two-sided p-value, as statsmodels' `mcnemar([[_, onlyA], [onlyB, _]], exact=True)`:
    /// twice the smaller tail, capped at 1. With no discordant case it is 1: nothing tells the
    /// two targets apart.
    package var pValue: Double {
        min(1, 2 * null.atMost(min(onlyA, onlyB)))
    }

    /// The one-sided p-value for "b passes less often than a" (b regressed against a baseline a):
    /// P(onlyA or more of the discordant cases go a's way), as
    /// `scipy.stats.binomtest(onlyA, discordant, 0.5, alternative="greater")`. 1 with no
    /// discordant case (scipy refuses that case).
    package var pValueBWorse: Double {
        null.atLeast(onlyA)
    }

    /// The one-sided p-value for "b passes more often than a", as
    /// `binomtest(onlyA, discordant, 0.5, alternative="less")`.
    package var pValueBBetter: Double {
        null.atMost(onlyA)
    }
}

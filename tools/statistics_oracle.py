#!/usr/bin/env python3
"""Reference values for the statistics in Sources/Scoring/Statistics.

Reads one JSON request on standard input and prints one JSON answer, each list in the order of
the request's:

- normalQuantile: [p]              -> scipy.stats.norm.ppf(p)
- normalCDF: [x]                   -> scipy.stats.norm.cdf(x)
- binomial: [{k, n, p}]            -> {atMost: binom.cdf(k, n, p), atLeast: binom.sf(k - 1, n, p),
                                       probability: binom.pmf(k, n, p)}
- wilson: [{successes, trials, level}]
                                   -> statsmodels proportion_confint(method="wilson") as {low, high}
- means: [{values, minus?, clusters?, level}]
                                   -> statsmodels OLS of values (less minus, for a paired
                                      difference) on a constant: {estimate, standardError, low,
                                      high}; with clusters, fit(cov_type="cluster") with its
                                      default small-sample correction (G/(G-1) x (N-1)/(N-K));
                                      without, fit(use_t=False) (the normal, not Student t,
                                      interval); null below 2 values or 2 clusters
- paired: [{both, onlyA, onlyB, neither, level}]  (a 2x2 table of paired pass/fail outcomes)
                                   -> {pValue: statsmodels mcnemar(table, exact=True),
                                       pValueBWorse: scipy binomtest(onlyA, discordant, 0.5,
                                       alternative="greater") (null with no discordant case),
                                       newcombe: {low, high}}
- pairedCluster: [{level, cases: [{a: [passed...], b: [passed...], cluster?}]}]
                                   (every repeat of every case on both sides)
                                   -> per-case pass fractions f_a, f_b and d = f_a - f_b:
                                      {estimate, rateA, rateB, standardError, low, high,
                                       pValue, pValueBWorse, tStatistic}: statsmodels OLS of d on
                                      a constant, fit(cov_type="cluster") with each case its own
                                      cluster unless it names one; pValue its two-sided normal
                                      p-value, pValueBWorse scipy norm.sf of its z, the interval
                                      its conf_int clipped to [-1, 1]; tStatistic (no named
                                      clusters) scipy ttest_rel(f_a, f_b).statistic. Below 2
                                      clusters: p 1 and [-1, 1]; a standard error of 0: p 1 when
                                      d is 0, else scipy binomtest over the clusters (the sign
                                      test), and the point interval.

Newcombe's paired interval (method 10, 1998) is in neither package; it is written out here from
the paper's formulas over statsmodels' Wilson limits, a second implementation to compare with
on random tables (the Swift tests also check it against published worked examples).

Run by the ScoringTests statistics suites through .venv/bin/python (bin/setup installs the
packages from tools/requirements-test.txt).
"""

import json
import math
import sys

import numpy as np
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint


def wilson(successes, trials, level):
    low, high = proportion_confint(successes, trials, alpha=1 - level, method="wilson")
    return float(low), float(high)


def mean_interval(item):
    values = np.asarray(item["values"], dtype=float)
    if item.get("minus") is not None:
        values = values - np.asarray(item["minus"], dtype=float)
    level = item["level"]
    exog = np.ones((len(values), 1))
    if len(values) < 2:
        return None
    if item.get("clusters") is not None:
        _, groups = np.unique(np.asarray(item["clusters"], dtype=str), return_inverse=True)
        if groups.max() < 1:
            return None
        fit = sm.OLS(values, exog).fit(cov_type="cluster", cov_kwds={"groups": groups})
    else:
        fit = sm.OLS(values, exog).fit(use_t=False)
    low, high = fit.conf_int(alpha=1 - level)[0]
    return {
        "estimate": float(fit.params[0]),
        "standardError": float(fit.bse[0]),
        "low": float(low),
        "high": float(high),
    }


def newcombe(both, only_a, only_b, neither, level):
    n = both + only_a + only_b + neither
    p1, p2 = (both + only_a) / n, (both + only_b) / n
    l1, u1 = wilson(both + only_a, n, level)
    l2, u2 = wilson(both + only_b, n, level)
    margins = [both + only_a, only_b + neither, both + only_b, only_a + neither]
    phi = 0.0
    if min(margins) > 0:
        cross = both * neither - only_a * only_b
        corrected = cross - n / 2 if cross > n / 2 else min(cross, 0)
        phi = corrected / math.sqrt(math.prod(float(m) for m in margins))
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    upper = d + math.sqrt((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2)
    return {"low": max(-1.0, lower), "high": min(1.0, upper)}


def paired(item):
    both, only_a, only_b, neither = item["both"], item["onlyA"], item["onlyB"], item["neither"]
    discordant = only_a + only_b
    worse = None
    if discordant > 0:
        worse = float(stats.binomtest(only_a, discordant, 0.5, alternative="greater").pvalue)
    return {
        "pValue": float(mcnemar([[both, only_a], [only_b, neither]], exact=True).pvalue),
        "pValueBWorse": worse,
        "newcombe": newcombe(both, only_a, only_b, neither, item["level"]),
    }


# A standard error this small is rounding in a mean of equal differences (per-case fractions
# are multiples of 1/repeats, so a real one is above 1e-9 for any run that fits in memory).
NO_SPREAD = 1e-12


def paired_cluster(item):
    cases, level = item["cases"], item["level"]
    rates_a = np.array([np.mean(c["a"]) for c in cases], dtype=float)
    rates_b = np.array([np.mean(c["b"]) for c in cases], dtype=float)
    d = rates_a - rates_b
    labels = [c["cluster"] if c.get("cluster") is not None else "\0case%d" % i for i, c in enumerate(cases)]
    _, groups = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
    clusters = int(groups.max()) + 1
    estimate = float(d.mean())
    answer = {"estimate": estimate, "rateA": float(rates_a.mean()), "rateB": float(rates_b.mean())}
    if clusters < 2:
        answer.update(pValue=1.0, pValueBWorse=1.0, low=-1.0, high=1.0, standardError=None)
        return answer
    fit = sm.OLS(d, np.ones((len(d), 1))).fit(cov_type="cluster", cov_kwds={"groups": groups})
    se = float(fit.bse[0])
    answer["standardError"] = se
    if se <= NO_SPREAD:
        answer["standardError"] = 0.0
        if estimate == 0:
            answer.update(pValue=1.0, pValueBWorse=1.0)
        else:
            toward_a = clusters if estimate > 0 else 0
            answer["pValue"] = float(stats.binomtest(toward_a, clusters, 0.5).pvalue)
            answer["pValueBWorse"] = float(stats.binomtest(toward_a, clusters, 0.5, alternative="greater").pvalue)
        answer.update(low=estimate, high=estimate)
        return answer
    low, high = fit.conf_int(alpha=1 - level)[0]
    answer.update(
        pValue=float(fit.pvalues[0]),
        pValueBWorse=float(stats.norm.sf(fit.tvalues[0])),
        low=max(-1.0, float(low)),
        high=min(1.0, float(high)),
    )
    if all(c.get("cluster") is None for c in cases):
        answer["tStatistic"] = float(stats.ttest_rel(rates_a, rates_b).statistic)
    return answer


def main():
    request = json.load(sys.stdin)
    answer = {
        "normalQuantile": [float(stats.norm.ppf(p)) for p in request.get("normalQuantile", [])],
        "normalCDF": [float(stats.norm.cdf(x)) for x in request.get("normalCDF", [])],
        "binomial": [
            {
                "atMost": float(stats.binom.cdf(c["k"], c["n"], c["p"])),
                "atLeast": float(stats.binom.sf(c["k"] - 1, c["n"], c["p"])),
                "probability": float(stats.binom.pmf(c["k"], c["n"], c["p"])),
            }
            for c in request.get("binomial", [])
        ],
        "wilson": [
            dict(zip(("low", "high"), wilson(c["successes"], c["trials"], c["level"])))
            for c in request.get("wilson", [])
        ],
        "means": [mean_interval(c) for c in request.get("means", [])],
        "paired": [paired(c) for c in request.get("paired", [])],
        "pairedCluster": [paired_cluster(c) for c in request.get("pairedCluster", [])],
    }
    json.dump(answer, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

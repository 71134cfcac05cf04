#!/usr/bin/env python3
"""Reference scores for the evaluator's similarity metrics.

Reads the pairs in Tests/EvaluatorTests/Fixtures/similarity-pairs.json (or the file given as
the first argument) and prints a JSON object mapping each pair's id to
{"tokenF1", "rougeL", "bleu"}, computed by the reference implementations:

- tokenF1: the SQuAD v1.1 evaluation script's normalisation and F1 (written out here, as the
  script itself is not a package);
- rougeL: rouge-score's RougeScorer(["rougeL"], use_stemmer=False) F-measure;
- bleu: sacrebleu.sentence_bleu with its defaults, divided by 100.

Run by SimilarityOracleTests through .venv/bin/python (bin/setup installs the packages from
tools/requirements-test.txt).
"""

import collections
import json
import re
import string
import sys
from pathlib import Path

import sacrebleu
from rouge_score import rouge_scorer

DEFAULT_PAIRS = Path(__file__).resolve().parent.parent / "Tests/EvaluatorTests/Fixtures/similarity-pairs.json"


def squad_normalize(text):
    """Lowercase, drop punctuation, drop the articles a/an/the, collapse whitespace."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def squad_f1(prediction, ground_truth):
    prediction_tokens = squad_normalize(prediction).split()
    truth_tokens = squad_normalize(ground_truth).split()
    common = collections.Counter(prediction_tokens) & collections.Counter(truth_tokens)
    shared = sum(common.values())
    if shared == 0:
        return 0.0
    precision = 1.0 * shared / len(prediction_tokens)
    recall = 1.0 * shared / len(truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PAIRS
    pairs = json.loads(path.read_text(encoding="utf-8"))["pairs"]
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    scores = {}
    for pair in pairs:
        reference, candidate = pair["reference"], pair["candidate"]
        scores[pair["id"]] = {
            "tokenF1": squad_f1(candidate, reference),
            "rougeL": scorer.score(reference, candidate)["rougeL"].fmeasure,
            "bleu": sacrebleu.sentence_bleu(candidate, [reference]).score / 100,
        }
    json.dump(scores, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

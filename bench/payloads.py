"""Deterministic request bodies for POST /v1/evaluate: realistic model output (markdown with headings,
fenced code blocks full of quotes and backslashes, bullet lists, text in several scripts, emoji),
so that a JSON decoder meets the escapes and multi-byte UTF-8 that real traffic carries.

Two kinds of output:
  json      (default) the model was asked for structured output: a JSON document whose string fields
            hold the markdown. Every criterion does full work: `contains` and `regex` scan the whole
            output, `jsonSchema` parses it (escapes inside escapes) and validates it, and passes.
  markdown  the output is the markdown itself: `jsonSchema` fails at once (not JSON), as it would for
            a chat answer checked against a schema.
Criteria: contains + regex + jsonSchema. The phrase they look for sits at the very end of the output.

Usage: python payloads.py OUT_DIR [--kind json|markdown]  → writes body-1k.json and body-1m.json.
"""

import argparse
import json
import os
import random

SIZES = {"1k": 1024, "1m": 1024 * 1024}
SEED = 20260101
CONCLUSION = "Conclusion: verified 2026"

HEADINGS = [
    "Overview", "How the cache works", "Résumé des résultats", "Überblick über die Größenordnung",
    "Производительность", "性能と遅延", "Σύνοψη", "Edge cases", "Migration steps", "नतीजे",
]

PARAGRAPHS = [
    'The service answers in "constant" time: a request that carries a 1 MB body is parsed once, and '
    "every criterion reads the same buffer. That's the whole trick; the rest is bookkeeping.",
    "Note the path `C:\\Program Files\\Assay\\config.yaml` on Windows and `/etc/assay/config.yaml` elsewhere; "
    'both accept a "quoted" value with a backslash (\\) in it.',
    "Die Größe des Zwischenspeichers hängt von der Anzahl der Kriterien ab — typischerweise genügen "
    "„zwölf Einträge“ für übliche Prüfungen. Straße, Maß und Fuß bleiben unverändert.",
    "Le modèle a répondu « correctement » dans 97 % des cas ; les échecs concernent surtout les "
    "expressions régulières trop gourmandes. Voilà pourquoi l'évaluateur impose une limite.",
    "Ответ модели проверяется по нескольким критериям: «содержит», регулярное выражение и JSON-схема. "
    "Задержка остаётся ниже двадцати миллисекунд.",
    "評価器はリクエストごとに基準を順番に適用します。「正規表現」は事前にコンパイルされ、"
    "キャッシュから再利用されます。🚀 速度は十分です。",
    "模型输出通常包含代码块、引号和换行符。解析器必须正确处理转义序列，例如 \\n 和 \\\"。✅",
    "Η απάντηση του μοντέλου ελέγχεται με κριτήρια· η «βαθμολογία» είναι ο σταθμισμένος μέσος όρος.",
    "التقييم يتم لكل معيار على حدة، ثم يُحسب المتوسط الموزون للنتيجة النهائية. 📊",
    "मॉडल का उत्तर कई मानदंडों पर जाँचा जाता है, और अंतिम अंक भारित औसत होता है। 🎯",
    "Emoji survive the round trip too: 🧪 tests, 📦 packages, 👩‍💻 developers, 🇩🇪 flags, and ❤️ with a "
    "variation selector.",
    'He said: "Don\'t trust a benchmark you didn\'t break yourself." Then he ran it again, with '
    "tabs\tand a trailing backslash \\",
]

BULLETS = [
    "- **contains** — a plain substring search (`\"needle\"` in the output)",
    "- *regex* — PCRE-style, e.g. `\\d{3}-\\d{4}` or `^\\s*#+\\s`",
    "- `jsonSchema` — draft 2020-12, `{\"type\": \"object\"}` and friends",
    "- Größe: 1 MiB ≈ 1 048 576 Bytes",
    "- 日本語の箇条書き：評価、採点、報告",
    "- ✔️ passed / ❌ failed / ⚠️ skipped",
    "1. Parse the body\n2. Decode the criteria\n3. Score each criterion\n4. Write the response",
    "> Quoted reply: \"the output must be valid JSON\" — and it was.",
]

CODE_BLOCKS = [
    '```python\nimport re\n\nPATTERN = re.compile(r"^(?P<key>[\\w.-]+)\\s*=\\s*\\"(?P<value>[^\\"]*)\\"$")\n'
    "def parse(line: str) -> dict:\n    match = PATTERN.match(line)\n"
    '    return match.groupdict() if match else {"error": f"bad line: {line!r}"}\n```',
    '```json\n{\n  "output": "Line one\\nLine two with a \\"quote\\"",\n  "criteria": [\n'
    '    {"type": "regex", "pattern": "\\\\d+"},\n    {"type": "contains", "value": "ünïcödé"}\n  ]\n}\n```',
    '```bash\nfor f in ./data/*.jsonl; do\n  echo "processing \\"$f\\"" >&2\n'
    "  jq -c 'select(.score > 0.5)' \"$f\" | tee -a results.jsonl\ndone\n"
    'printf "%s\\t%s\\n" "path\\\\to\\\\file" "ok"\n```',
    "```swift\nlet pattern = #\"\\d{4}-\\d{2}-\\d{2}\"#\n"
    'let message = "Hello, \\(name)! Path: C:\\\\Users\\\\me"\nprint(message)\n```',
    "```sql\nSELECT name, \"score\" FROM results WHERE note LIKE '%\\_%' ESCAPE '\\\\';\n```",
    "```text\nC:\\Windows\\System32\\drivers\\etc\\hosts\n\\\\server\\share\\folder\n```",
]

SCHEMA = {
    "type": "object",
    "required": ["title", "sections", "conclusion"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "sections": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["heading", "body"],
                "additionalProperties": False,
                "properties": {"heading": {"type": "string"}, "body": {"type": "string", "minLength": 1}},
            },
        },
        "conclusion": {"type": "string", "pattern": "^Conclusion: "},
    },
}

CRITERIA = [
    {"type": "contains", "value": CONCLUSION},
    {"type": "regex", "pattern": "[Cc]onclusion: [a-z]+ [0-9]{4}"},
    {"type": "jsonSchema", "schema": SCHEMA},
]


def blocks(count: int) -> list[str]:
    """The first `count` markdown blocks of the deterministic stream."""
    rng = random.Random(SEED)
    pools = [PARAGRAPHS] * 5 + [BULLETS] * 3 + [CODE_BLOCKS] * 2
    return [rng.choice(rng.choice(pools)) for _ in range(count)]


def output_for(count: int, kind: str) -> str:
    chosen = blocks(count)
    # A new section every 8 blocks, with a heading from the list.
    sections = []
    for start in range(0, max(count, 1), 8):
        heading = HEADINGS[(start // 8) % len(HEADINGS)]
        sections.append({"heading": heading, "body": "\n\n".join(chosen[start : start + 8]) or "—"})
    if kind == "markdown":
        parts = [f"# Evaluation report\n"]
        for section in sections:
            parts.append(f"## {section['heading']}\n\n{section['body']}\n")
        parts.append(CONCLUSION)
        return "\n".join(parts)
    document = {"title": "Evaluation report ✨", "sections": sections, "conclusion": CONCLUSION}
    return json.dumps(document, ensure_ascii=False, indent=2)


def body_for(count: int, kind: str) -> bytes:
    # Raw UTF-8 (ensure_ascii=False), as most clients send it.
    request = {"output": output_for(count, kind), "criteria": CRITERIA}
    return json.dumps(request, ensure_ascii=False).encode("utf-8")


def body_of_size(target: int, kind: str) -> bytes:
    """The largest body of whole blocks not above `target` bytes (at least one block)."""
    low, high = 1, 2
    while len(body_for(high, kind)) <= target:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if len(body_for(middle, kind)) <= target:
            low = middle
        else:
            high = middle
    return body_for(low, kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--kind", choices=["json", "markdown"], default="json")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for name, size in SIZES.items():
        body = body_of_size(size, args.kind)
        with open(os.path.join(args.out_dir, f"body-{name}.json"), "wb") as file:
            file.write(body)
        print(f"body-{name}.json: {len(body)} bytes ({args.kind})")


if __name__ == "__main__":
    main()

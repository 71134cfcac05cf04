"""Benchmark peer: the same POST /v1/evaluate endpoint in FastAPI, as the service looked before it
was rewritten. Used only as the comparison point of bench/http.py; not part of the product.

Request:  {"output": str, "input"?: str, "reference"?: str, "criteria": [criterion, ...]}
Response: {"passed": bool, "score": float, "results": [{"criterion", "type", "passed", "score", "reason"}]}

Criteria (each may carry "name" and "weight", default 1):
  equals {value, caseSensitive?}        contains / notContains / startsWith / endsWith {value, caseSensitive?}
  containsAll / containsAny {values, caseSensitive?}
  regex {pattern}                       isJSON {}
  jsonSchema {schema}                   numeric {min?, max?}  (the output parsed as a number)
  length {min?, max?}                   (in characters)
The overall score is the weight-averaged criterion score; passed means every criterion passed.
"""

import asyncio
import json
import re
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, HTTPException
from jsonschema import Draft202012Validator
from pydantic import BaseModel

app = FastAPI(title="assay-reference")


class EvaluateRequest(BaseModel):
    output: str
    input: str | None = None
    reference: str | None = None
    criteria: list[dict[str, Any]]


@lru_cache(maxsize=1024)
def compiled_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=256)
def schema_validator(schema_json: str) -> Draft202012Validator:
    schema = json.loads(schema_json)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def fold(text: str, criterion: dict[str, Any]) -> str:
    return text if criterion.get("caseSensitive", True) else text.casefold()


def verdict(ok: bool, reason: str) -> tuple[bool, float, str]:
    return ok, 1.0 if ok else 0.0, reason


def score_one(output: str, criterion: dict[str, Any]) -> tuple[bool, float, str]:
    kind = criterion.get("type")
    if kind in ("equals", "contains", "notContains", "startsWith", "endsWith"):
        value = criterion.get("value")
        if not isinstance(value, str):
            raise ValueError(f"{kind} needs a string 'value'")
        text, needle = fold(output, criterion), fold(value, criterion)
        if kind == "equals":
            return verdict(text == needle, "output equals value" if text == needle else "output differs from value")
        if kind == "contains":
            return verdict(needle in text, "value found" if needle in text else "value not found")
        if kind == "notContains":
            return verdict(needle not in text, "value not found" if needle not in text else "value found")
        if kind == "startsWith":
            ok = text.startswith(needle)
            return verdict(ok, "output starts with value" if ok else "output does not start with value")
        ok = text.endswith(needle)
        return verdict(ok, "output ends with value" if ok else "output does not end with value")
    if kind in ("containsAll", "containsAny"):
        values = criterion.get("values")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError(f"{kind} needs 'values', a list of strings")
        text = fold(output, criterion)
        found = sum(1 for v in values if fold(v, criterion) in text)
        if kind == "containsAny":
            return verdict(found > 0, f"{found} of {len(values)} values found")
        score = found / len(values) if values else 1.0
        return found == len(values), score, f"{found} of {len(values)} values found"
    if kind == "regex":
        pattern = criterion.get("pattern")
        if not isinstance(pattern, str):
            raise ValueError("regex needs a string 'pattern'")
        match = compiled_regex(pattern).search(output)
        return verdict(match is not None, "pattern matched" if match else "pattern did not match")
    if kind == "isJSON":
        try:
            json.loads(output)
        except ValueError as error:
            return verdict(False, f"output is not JSON: {error}")
        return verdict(True, "output is JSON")
    if kind == "jsonSchema":
        schema = criterion.get("schema")
        if not isinstance(schema, (dict, bool)):
            raise ValueError("jsonSchema needs a 'schema' object")
        validator = schema_validator(json.dumps(schema, sort_keys=True))
        try:
            document = json.loads(output)
        except ValueError as error:
            return verdict(False, f"output is not JSON: {error}")
        error = next(iter(validator.iter_errors(document)), None)
        if error is None:
            return verdict(True, "output matches the schema")
        path = "/" + "/".join(str(p) for p in error.absolute_path)
        return verdict(False, f"{path}: {error.message}")
    if kind == "numeric":
        try:
            number = float(output.strip())
        except ValueError:
            return verdict(False, "output is not a number")
        low, high = criterion.get("min"), criterion.get("max")
        ok = (low is None or number >= low) and (high is None or number <= high)
        return verdict(ok, f"{number} is {'within' if ok else 'outside'} [{low}, {high}]")
    if kind == "length":
        count = len(output)
        low, high = criterion.get("min"), criterion.get("max")
        ok = (low is None or count >= low) and (high is None or count <= high)
        return verdict(ok, f"length {count} is {'within' if ok else 'outside'} [{low}, {high}]")
    raise ValueError(f"unknown criterion type {kind!r}")


@app.post("/v1/evaluate")
def evaluate(request: EvaluateRequest) -> dict[str, Any]:
    if not request.criteria:
        raise HTTPException(status_code=400, detail="criteria must not be empty")
    results = []
    total_weight = weighted = 0.0
    for index, criterion in enumerate(request.criteria):
        try:
            passed, score, reason = score_one(request.output, criterion)
        except (ValueError, re.error) as error:
            raise HTTPException(status_code=400, detail=f"criteria[{index}]: {error}") from error
        weight = float(criterion.get("weight", 1))
        total_weight += weight
        weighted += weight * score
        results.append(
            {
                "criterion": criterion.get("name") or f"{criterion.get('type')}#{index}",
                "type": criterion.get("type"),
                "passed": passed,
                "score": score,
                "reason": reason,
            }
        )
    overall = weighted / total_weight if total_weight > 0 else 0.0
    return {"passed": all(r["passed"] for r in results), "score": overall, "results": results}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    # The loop's module tells which event loop uvicorn picked (asyncio or uvloop).
    return {"status": "ok", "loop": type(asyncio.get_running_loop()).__module__}

"""The peer's side of the suite benchmark: an Inspect AI task over the same cases as ours.

`inspect eval bench/suites/inspect_task.py --model openai/emulator --model-base-url http://127.0.0.1:P/v1
-M responses_api=false --max-connections 64 -T dataset=OUT_DIR/inspect.jsonl` (OPENAI_API_KEY=dummy):
one `generate()` per case through the OpenAI provider's Chat Completions API, scored by `includes()`
(the target string in the output, as our `contains`).
"""

from inspect_ai import Task, task
from inspect_ai.dataset import json_dataset
from inspect_ai.scorer import includes
from inspect_ai.solver import generate


@task
def suite_bench(dataset: str = "inspect.jsonl"):
    return Task(dataset=json_dataset(dataset), solver=generate(), scorer=includes())

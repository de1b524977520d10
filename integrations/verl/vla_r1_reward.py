"""VLA-R1 verifiable reward for verl, computed by the `vla-r1 serve reward` service.

Standard library only (urllib). Plug it into verl with

    custom_reward_function.path=/path/to/integrations/verl/vla_r1_reward.py
    custom_reward_function.name=compute_score            # verl's default "naive" reward manager
  or
    reward_model.reward_manager=batch
    custom_reward_function.name=compute_score_batch      # one HTTP request per batch

and start the service next to the trainer:  vla-r1 serve reward --port 5000

Environment:
    VLA_R1_REWARD_URL      base URL of the service (default http://127.0.0.1:5000); several, comma-separated,
                           spread the load: single calls take turns, a batch is split across them, and a
                           failed attempt moves on to the next URL
    VLA_R1_REWARD_TOKEN    bearer token, when the service was started with one
    VLA_R1_REWARD_TIMEOUT  seconds per HTTP attempt (default 60)
    VLA_R1_REWARD_RETRIES  attempts on connection errors, 429 and 5xx (default 5; backoff 0.5 s, 1 s, 2 s, ...)

`extra_info` may override the official ALAF weights with `lambda_theta` (default 0.25) and
`lambda_ratio` (default 0.10), the names the official `robot_bbox_traj_norm.py` reads.

Every result has the same keys: score, format_score, task_score, iou, giou, alaf, dfd, and the
official diagnostic name os_frechet_norm (= alaf). Values that the mode does not define are NaN, as
in the official code (verl collects the keys into reward_extra_info; they must be numbers).
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import math
import os
import time
import urllib.error
import urllib.request

__all__ = ["compute_score", "compute_score_batch", "score_items", "RewardServiceError"]

DEFAULT_URL = "http://127.0.0.1:5000"
_RETRY_STATUS = {429, 500, 502, 503, 504}
_NUMERIC_KEYS = ("score", "format_score", "task_score", "iou", "giou", "alaf", "dfd")


class RewardServiceError(RuntimeError):
    """The service refused the request (4xx) or stayed unreachable after every retry."""


def _config():
    urls = [u.strip().rstrip("/") for u in os.environ.get("VLA_R1_REWARD_URL", DEFAULT_URL).split(",") if u.strip()]
    token = os.environ.get("VLA_R1_REWARD_TOKEN") or None
    timeout = float(os.environ.get("VLA_R1_REWARD_TIMEOUT", "60"))
    retries = max(1, int(os.environ.get("VLA_R1_REWARD_RETRIES", "5")))
    return urls or [DEFAULT_URL], token, timeout, retries


_next_url = itertools.count()


def _options(extra_info):
    """Reward options for the service from verl's extra_info (official key names)."""
    options = {}
    if isinstance(extra_info, dict):
        if extra_info.get("lambda_theta") is not None:
            options["lambdaAngle"] = float(extra_info["lambda_theta"])
        if extra_info.get("lambda_ratio") is not None:
            options["lambdaLength"] = float(extra_info["lambda_ratio"])
    return options


def _post_json(path, payload, first=None):
    """POST with retries; with several URLs, start at `first` (default: the next one in turn) and move on to
    the next URL after each failed attempt."""
    urls, token, timeout, retries = _config()
    start = next(_next_url) if first is None else first
    data = json.dumps(payload).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    last_error = None
    url = urls[start % len(urls)]
    for attempt in range(retries):
        url = urls[(start + attempt) % len(urls)]
        if attempt > 0:
            time.sleep(min(8.0, 0.5 * 2 ** (attempt - 1)))
        request = urllib.request.Request(url + path, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            try:
                message = json.loads(body).get("error", body)
            except (ValueError, AttributeError):
                message = body
            if error.code not in _RETRY_STATUS:
                raise RewardServiceError(f"{url}{path}: HTTP {error.code}: {message}") from None
            last_error = f"HTTP {error.code}: {message}"
        except (urllib.error.URLError, OSError) as error:  # refused, reset, timeout
            last_error = str(getattr(error, "reason", error))
    raise RewardServiceError(f"{url}{path}: no answer after {retries} attempt(s): {last_error}")


def _number(value):
    return float("nan") if value is None else float(value)


def _to_result(item):
    result = {key: _number(item.get(key)) for key in _NUMERIC_KEYS}
    result["os_frechet_norm"] = result["alaf"]
    return result


def _score_shard(items, first=None):
    results = _post_json("/v1/reward", items, first)
    if not isinstance(results, list) or len(results) != len(items):
        raise RewardServiceError(f"unexpected answer from the service: {str(results)[:200]}")
    return results


def score_items(items):
    """Score [{"response", "ground_truth", "options"?}]; returns the service's dicts, in order.

    With several URLs in VLA_R1_REWARD_URL (comma-separated), the items are split into one contiguous shard
    per URL, sent in parallel.
    """
    if not items:
        return []
    urls = _config()[0]
    if len(urls) == 1 or len(items) == 1:
        return _score_shard(items)
    size = -(-len(items) // len(urls))
    shards = [items[i : i + size] for i in range(0, len(items), size)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(shards)) as pool:
        parts = pool.map(_score_shard, shards, range(len(shards)))
        return [result for part in parts for result in part]


def _item(solution_str, ground_truth, extra_info):
    item = {"response": solution_str, "ground_truth": ground_truth}
    options = _options(extra_info)
    if options:
        item["options"] = options
    return item


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    """verl's custom reward entry point: one response against its ground-truth answer.

    Returns {"score", "format_score", "task_score", "iou", "giou", "alaf", "dfd", "os_frechet_norm"}.
    """
    del data_source  # every VLA-R1 record is scored the same way
    return _to_result(score_items([_item(solution_str, ground_truth, extra_info)])[0])


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, **kwargs):
    """Entry point for verl's batch reward manager: one HTTP request for the whole batch."""
    del data_sources, kwargs
    if extra_infos is None:
        extra_infos = [None] * len(solution_strs)
    items = [_item(s, g, e) for s, g, e in zip(solution_strs, ground_truths, extra_infos)]
    return [_to_result(r) for r in score_items(items)]


if __name__ == "__main__":  # smoke check: python3 vla_r1_reward.py
    gt = '<think>ok</think> so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}</output>'
    print(json.dumps(compute_score("custom/vla_r1", gt, gt), default=lambda v: None))
    assert math.isclose(compute_score("custom/vla_r1", gt, gt)["score"], 1.0, abs_tol=1e-6)

#!/usr/bin/env python3
"""VLA-R1 ShareGPT records -> OpenRLHF (>= 0.10) VLM prompt dataset, JSONL. Standard library only.

Input: a VLA-R1 record file, a JSON array or JSONL of
    {"image": "path" | ["path"], "conversations": [{"from": "human", "value": ...}, {"from": "gpt", "value": ...}]}
Output, one line per record:
    {"prompt": [{"role": "user", "content": [{"type": "text", "text": <instruction + official suffix>}, {"type": "image"}]}],
     "images": [<absolute image path>],
     "label": <the full gpt answer, CoT included>}

The text comes before the image, as in VLA-R1 (the human turn ends with "\\n<image>"; that marker is removed and the
image placed after the text). Relative image paths are resolved against the input file's folder.

Use with:  --data.prompt_dataset out.jsonl --data.input_key prompt --data.label_key label --data.image_key images
           --data.apply_chat_template --reward.remote_url http://127.0.0.1:5000/get_reward

Usage: python3 sharegpt_to_openrlhf.py INPUT OUTPUT
"""

from __future__ import annotations

import json
import os
import sys

IMAGE_TOKEN = "<image>"


def load_records(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    stripped = text.lstrip()
    if stripped.startswith("["):
        records = json.loads(text)
        return [(i + 1, r, "record") for i, r in enumerate(records)]
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            out.append((n, json.loads(line), "line"))
    return out


def convert(record, base_dir, where):
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected an object")
    conversations = record.get("conversations")
    if not isinstance(conversations, list) or len(conversations) < 2:
        raise ValueError(f"{where}: conversations: expected [human, gpt]")
    human = next((t for t in conversations if t.get("from") == "human"), None)
    gpt = next((t for t in reversed(conversations) if t.get("from") == "gpt"), None)
    if human is None or gpt is None:
        raise ValueError(f"{where}: conversations: needs a human and a gpt turn")
    text = str(human["value"])
    if text.endswith("\n" + IMAGE_TOKEN):
        text = text[: -len(IMAGE_TOKEN) - 1]
    elif text.startswith(IMAGE_TOKEN + "\n"):
        text = text[len(IMAGE_TOKEN) + 1 :]
    images = record.get("image")
    if isinstance(images, str):
        images = [images]
    if not isinstance(images, list) or not images or not all(isinstance(p, str) for p in images):
        raise ValueError(f"{where}: image: expected a path or a list of paths")
    images = [p if os.path.isabs(p) else os.path.normpath(os.path.join(base_dir, p)) for p in images]
    content = [{"type": "text", "text": text}] + [{"type": "image"} for _ in images]
    return {"prompt": [{"role": "user", "content": content}], "images": images, "label": str(gpt["value"])}


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    source, target = argv[1], argv[2]
    base_dir = os.path.dirname(os.path.abspath(source))
    rows = []
    for n, record, unit in load_records(source):
        try:
            rows.append(convert(record, base_dir, f"{source}: {unit} {n}"))
        except (ValueError, KeyError, TypeError) as error:
            print(f"sharegpt_to_openrlhf: {error}", file=sys.stderr)
            return 2
    tmp = target + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, target)
    print(f"wrote {len(rows)} prompts to {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

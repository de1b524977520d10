#!/usr/bin/env python3
"""Plain-Python reference of the VLA-R1 verifiable reward (DESIGN.md section 3), for the benchmarks.

Standard library only (json, re, math, sys, time). Written the way a Python user would write it, from the
design text, so that `npm run bench` can compare our TypeScript reward against the language the official
release is written in, and check that both give the same scores.

Modes:
  reward_reference.py [--input FILE] [--output FILE] [--lambda-angle A] [--lambda-length L]
      JSONL in ({"response" | "solution_str", "ground_truth"}), JSONL out, one line per input line:
      {"score", "format_score", "task_score", "mode", "iou", "giou", "alaf", "dfd"}; a bad line gives
      {"error": "line N: ..."}. The same contract as `vla-r1 reward`.
  reward_reference.py --time FILE [--min-seconds S]
      Score every pair of FILE in a loop for at least S seconds (default 1) in-process and print
      {"pairs": n, "calls": c, "seconds": t, "per_second": c / t, "cpu_seconds": u, "per_cpu_second": c / u}
      as one JSON line (u = CPU time of the process, the fair measure on a shared machine).
"""

import json
import math
import re
import sys
import time

OUTPUT_RE = re.compile(r"<output>\s*(.*?)\s*</output>", re.IGNORECASE | re.DOTALL)
THINK_RE = re.compile(r"<think>\s*.*?\s*</think>", re.IGNORECASE | re.DOTALL)
EPS = 1e-12
BOX_KEYS = ("x", "y", "width", "height")


def extract_output(text):
    """First <output>...</output> payload parsed as JSON, or None."""
    m = OUTPUT_RE.search(text)
    if m is None:
        return None
    try:
        return json.loads(m.group(1).strip())
    except ValueError:
        return None


def clip01(v):
    return min(1.0, max(0.0, v))


def is_box(obj):
    return isinstance(obj, dict) and all(k in obj for k in BOX_KEYS)


def is_trajectory(obj):
    return isinstance(obj, list) and all(isinstance(p, list) and len(p) == 2 for p in obj)


def box_corners(b):
    x, y, w, h = (float(b[k]) for k in BOX_KEYS)
    w, h = abs(w), abs(h)
    return (clip01(x - w / 2), clip01(y - h / 2), clip01(x + w / 2), clip01(y + h / 2))


def box_iou_giou(a, b):
    ax1, ay1, ax2, ay2 = a
    bx1, by1, bx2, by2 = b
    iw = max(0.0, min(ax2, bx2) - max(ax1, bx1))
    ih = max(0.0, min(ay2, by2) - max(ay1, by1))
    inter = iw * ih
    area_a = max(0.0, ax2 - ax1) * max(0.0, ay2 - ay1)
    area_b = max(0.0, bx2 - bx1) * max(0.0, by2 - by1)
    union = area_a + area_b - inter
    iou = inter / union if union > 0 else 0.0
    c = (max(ax2, bx2) - min(ax1, bx1)) * (max(ay2, by2) - min(ay1, by1))
    if c <= 0:
        c = EPS
    u = max(EPS, union)
    giou = iou - (c - u) / c
    return iou, max(-1.0, min(1.0, giou))


def unit(dx, dy):
    n = math.hypot(dx, dy)
    if n < EPS:
        return (0.0, 0.0)
    return (dx / n, dy / n)


def directions(pts):
    n = len(pts)
    if n == 1:
        return [(0.0, 0.0)]
    out = []
    for i in range(n):
        if i == 0:
            out.append(unit(pts[1][0] - pts[0][0], pts[1][1] - pts[0][1]))
        elif i == n - 1:
            out.append(unit(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]))
        else:
            ui = unit(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1])
            uo = unit(pts[i + 1][0] - pts[i][0], pts[i + 1][1] - pts[i][1])
            sx, sy = ui[0] + uo[0], ui[1] + uo[1]
            s = math.hypot(sx, sy)
            out.append(ui if s < EPS else (sx / s, sy / s))
    return out


def lengths(pts):
    n = len(pts)
    if n == 1:
        return [0.0]
    out = []
    for i in range(n - 1):
        out.append(math.hypot(pts[i + 1][0] - pts[i][0], pts[i + 1][1] - pts[i][1]))
    out.append(math.hypot(pts[n - 1][0] - pts[n - 2][0], pts[n - 1][1] - pts[n - 2][1]))
    return out


def angle(a, b):
    na = math.hypot(a[0], a[1])
    nb = math.hypot(b[0], b[1])
    if na < EPS or nb < EPS:
        return 0.0
    c = (a[0] * b[0] + a[1] * b[1]) / (na * nb)
    return math.acos(max(-1.0, min(1.0, c)))


def frechet(m, n, cost):
    """Discrete Frechet over an m x n cost function, row by row."""
    prev = [0.0] * n
    for i in range(m):
        row = [0.0] * n
        for j in range(n):
            c = cost(i, j)
            if i == 0 and j == 0:
                row[j] = c
            elif i == 0:
                row[j] = max(row[j - 1], c)
            elif j == 0:
                row[j] = max(prev[j], c)
            else:
                row[j] = max(min(prev[j], prev[j - 1], row[j - 1]), c)
        prev = row
    return prev[n - 1]


def to_points(traj):
    return [(clip01(float(p[0])), clip01(float(p[1]))) for p in traj]


def trajectory_scores(gt, pred, lam_a, lam_l):
    P = to_points(gt)
    Q = to_points(pred)
    if not P or not Q:
        raise ValueError("empty trajectory")
    tp, tq = directions(P), directions(Q)
    lp, lq = lengths(P), lengths(Q)

    def alaf_cost(i, j):
        d = math.hypot(P[i][0] - Q[j][0], P[i][1] - Q[j][1])
        a, b = lp[i], lq[j]
        if a > EPS and b > EPS:
            r = abs(math.log(a / b))
        else:
            r = abs(math.log((a + EPS) / (b + EPS)))
        return d + lam_a * angle(tp[i], tq[j]) + lam_l * r

    def plain_cost(i, j):
        return math.hypot(P[i][0] - Q[j][0], P[i][1] - Q[j][1])

    denom = math.sqrt(2) + lam_a * math.pi + lam_l * math.log(10)
    alaf = min(1.0, frechet(len(P), len(Q), alaf_cost) / denom)
    dfd = frechet(len(P), len(Q), plain_cost) / math.sqrt(2)
    return alaf, dfd


def compute_score(response, ground_truth, lam_a=0.25, lam_l=0.1):
    pred = extract_output(response)
    gt = extract_output(ground_truth)
    fmt = 1.0 if (THINK_RE.search(response) is not None and pred is not None) else 0.0
    out = {"score": 0.0, "format_score": fmt, "task_score": 0.0, "mode": "none",
           "iou": None, "giou": None, "alaf": None, "dfd": None}
    task = 0.0
    if is_box(pred) and is_box(gt):
        out["mode"] = "box"
        try:
            iou, giou = box_iou_giou(box_corners(pred), box_corners(gt))
            task = (giou + 1.0) / 2.0
            out["iou"], out["giou"] = iou, giou
        except (TypeError, ValueError, OverflowError):
            task = 0.0
    elif is_trajectory(pred) and is_trajectory(gt):
        out["mode"] = "trajectory"
        try:
            alaf, dfd = trajectory_scores(gt, pred, lam_a, lam_l)
            task = 1.0 - alaf
            out["alaf"], out["dfd"] = alaf, dfd
        except (TypeError, ValueError, OverflowError):
            task = 0.0
    out["task_score"] = task
    out["score"] = 0.9 * task + 0.1 * fmt
    return out


def read_pair(line):
    obj = json.loads(line)
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    response = obj.get("response", obj.get("solution_str"))
    if not isinstance(response, str):
        raise ValueError("response: expected a string")
    gt = obj.get("ground_truth")
    if not isinstance(gt, str):
        raise ValueError("ground_truth: expected a string")
    return response, gt


def stream(inp, out, lam_a, lam_l):
    failed = 0
    for n, line in enumerate(inp, 1):
        try:
            response, gt = read_pair(line)
            out.write(json.dumps(compute_score(response, gt, lam_a, lam_l)) + "\n")
        except ValueError as e:
            failed += 1
            out.write(json.dumps({"error": "line %d: %s" % (n, e)}) + "\n")
    return failed


def time_file(path, min_seconds):
    with open(path, encoding="utf-8") as f:
        pairs = [read_pair(line) for line in f if line.strip()]
    calls = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    while True:
        for response, gt in pairs:
            compute_score(response, gt)
        calls += len(pairs)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            break
    cpu = time.process_time() - cpu_start
    print(json.dumps({"pairs": len(pairs), "calls": calls, "seconds": elapsed, "per_second": calls / elapsed,
                      "cpu_seconds": cpu, "per_cpu_second": calls / cpu}))


def main(argv):
    opts = {"--input": None, "--output": None, "--lambda-angle": "0.25", "--lambda-length": "0.1",
            "--time": None, "--min-seconds": "1"}
    i = 0
    while i < len(argv):
        if argv[i] not in opts or i + 1 >= len(argv):
            sys.stderr.write("usage: reward_reference.py [--input F] [--output F] [--time F] ...\n")
            return 2
        opts[argv[i]] = argv[i + 1]
        i += 2
    if opts["--time"] is not None:
        time_file(opts["--time"], float(opts["--min-seconds"]))
        return 0
    lam_a, lam_l = float(opts["--lambda-angle"]), float(opts["--lambda-length"])
    inp = open(opts["--input"], encoding="utf-8") if opts["--input"] else sys.stdin
    out = open(opts["--output"], "w", encoding="utf-8") if opts["--output"] else sys.stdout
    failed = stream(inp, out, lam_a, lam_l)
    out.flush()
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

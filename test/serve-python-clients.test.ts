/**
 * The reward service as Python trainers see it: an OpenRLHF-format client (urllib, like OpenRLHF's
 * `--reward.remote_url`) and verl's `compute_score` module (integrations/verl/vla_r1_reward.py), both run
 * under python3 with the standard library only, against a real service on a free port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPrompt } from '../src/protocol/prompts.js';
import { computeScore } from '../src/rewards/index.js';
import { startRewardServer } from '../src/serve/reward-server.js';
import type { RewardServer } from '../src/serve/reward-server.js';

interface Case {
  response: string;
  ground_truth: string;
  score: number;
}

const cases: Case[] = readFileSync(new URL('./fixtures/reward-official-400.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Case);

const verlDir = fileURLToPath(new URL('../integrations/verl/', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
const TOKEN = 'py-client-token';
const prompt = `<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n${buildPrompt(
  'put the spoon into the bowl.',
  'trajectory',
)}<|vision_start|><|image_pad|><|vision_end|><|im_end|>\n<|im_start|>assistant\n`;

const PYTHON_CLIENT = String.raw`
import json, math, os, sys, urllib.request
spec = json.load(sys.stdin)
sys.path.insert(0, spec["verl_dir"])
import vla_r1_reward as verl

def clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value

def post(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())

cases, prompt = spec["cases"], spec["prompt"]
url = spec["url"] + "/get_reward?token=" + spec["token"]
# OpenRLHF's single-turn executor: one sample per call, query = prompt + response (+ the EOS token kept)
single = [post(url, {"query": [prompt + c["response"] + "<|im_end|>"], "prompts": [prompt], "labels": [c["ground_truth"]]}) for c in cases]
# and a whole batch in one call
batch = post(url, {"query": [prompt + c["response"] for c in cases], "prompts": [prompt] * len(cases), "labels": [c["ground_truth"] for c in cases]})

os.environ["VLA_R1_REWARD_URL"] = spec["url"]
os.environ["VLA_R1_REWARD_TOKEN"] = spec["token"]
verl_single = [verl.compute_score("custom/vla_r1", c["response"], c["ground_truth"]) for c in cases]
verl_batch = verl.compute_score_batch(["custom/vla_r1"] * len(cases), [c["response"] for c in cases], [c["ground_truth"] for c in cases], [{"index": i} for i in range(len(cases))])
verl_lambda = verl.compute_score("custom/vla_r1", cases[0]["response"], cases[0]["ground_truth"], {"lambda_theta": 1.0, "lambda_ratio": 0.5})
# two URLs, the first one dead: the batch is split in two shards and the dead one's shard fails over
os.environ["VLA_R1_REWARD_URL"] = spec["dead_url"] + "," + spec["url"]
os.environ["VLA_R1_REWARD_RETRIES"] = "3"
verl_failover = verl.compute_score_batch(["custom/vla_r1"] * len(cases), [c["response"] for c in cases], [c["ground_truth"] for c in cases])
os.environ["VLA_R1_REWARD_URL"] = spec["url"]

errors = {}
os.environ["VLA_R1_REWARD_TOKEN"] = "wrong"
try:
    verl.compute_score("custom/vla_r1", "a", "b")
except verl.RewardServiceError as error:
    errors["wrong_token"] = str(error)
os.environ["VLA_R1_REWARD_URL"] = spec["dead_url"]
os.environ["VLA_R1_REWARD_RETRIES"] = "2"
try:
    verl.compute_score("custom/vla_r1", "a", "b")
except verl.RewardServiceError as error:
    errors["dead"] = str(error)

json.dump(clean({"single": single, "batch": batch, "verl_single": verl_single, "verl_batch": verl_batch, "verl_lambda": verl_lambda, "verl_failover": verl_failover, "errors": errors}), sys.stdout)
`;

function runPython(input: unknown): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', PYTHON_CLIENT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(JSON.stringify(input));
  });
}

interface VerlResult {
  score: number;
  format_score: number;
  task_score: number;
  iou: number | null;
  giou: number | null;
  alaf: number | null;
  dfd: number | null;
  os_frechet_norm: number | null;
}

interface PythonOutput {
  single: { rewards: number[]; scores: number[]; extra_logs: { format_score: number[]; task_score: number[] } }[];
  batch: { rewards: number[]; scores: number[] };
  verl_single: VerlResult[];
  verl_batch: VerlResult[];
  verl_lambda: VerlResult;
  verl_failover: VerlResult[];
  errors: { wrong_token?: string; dead?: string };
}

function expectedVerl(c: Case, options = {}): VerlResult {
  const r = computeScore(c.response, c.ground_truth, options);
  return {
    score: r.score,
    format_score: r.formatScore,
    task_score: r.taskScore,
    iou: r.iou,
    giou: r.giou,
    alaf: r.alaf,
    dfd: r.dfd,
    os_frechet_norm: r.alaf,
  };
}

describe.skipIf(!hasPython)('Python clients of the reward service', () => {
  let service: RewardServer;
  let out: PythonOutput;

  beforeAll(async () => {
    service = await startRewardServer({ port: 0, token: TOKEN });
    const dead = await startRewardServer({ port: 0 });
    const deadUrl = dead.url;
    await dead.close();
    const result = await runPython({ url: service.url, token: TOKEN, dead_url: deadUrl, verl_dir: verlDir, cases, prompt });
    if (result.code !== 0) throw new Error(`python3 failed (${String(result.code)}): ${result.stderr}`);
    out = JSON.parse(result.stdout) as PythonOutput;
  });
  afterAll(async () => {
    await service?.close(100);
  });

  it('OpenRLHF format, one sample per call: rewards and scores identical to computeScore', () => {
    expect(out.single.map((r) => r.rewards[0])).toEqual(cases.map((c) => computeScore(c.response, c.ground_truth).score));
    expect(out.single.map((r) => r.scores[0])).toEqual(cases.map((c) => computeScore(c.response, c.ground_truth).score));
    expect(out.single.map((r) => r.extra_logs.format_score[0])).toEqual(cases.map((c) => computeScore(c.response, c.ground_truth).formatScore));
  });

  it('OpenRLHF format, the whole batch in one call: identical to computeScore', () => {
    expect(out.batch.rewards).toEqual(cases.map((c) => computeScore(c.response, c.ground_truth).score));
    expect(out.batch.scores).toEqual(out.batch.rewards);
  });

  it('verl compute_score and compute_score_batch: every key identical to computeScore', () => {
    const expected = cases.map((c) => expectedVerl(c));
    expect(out.verl_single).toEqual(expected);
    expect(out.verl_batch).toEqual(expected);
  });

  it('verl client with two URLs, one dead: the batch is sharded, the dead shard fails over, results in order', () => {
    expect(out.verl_failover).toEqual(cases.map((c) => expectedVerl(c)));
  });

  it('verl extra_info lambda_theta / lambda_ratio reach the reward', () => {
    const first = cases[0] as Case;
    expect(out.verl_lambda).toEqual(expectedVerl(first, { lambdaAngle: 1, lambdaLength: 0.5 }));
  });

  it('the rewards Python receives agree with the official code to 1e-9', () => {
    const worst = Math.max(...out.verl_single.map((r, i) => Math.abs(r.score - (cases[i] as Case).score)));
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('verl client: a 401 is not retried and names the status; a dead service fails after the retries', () => {
    expect(out.errors.wrong_token).toMatch(/\/v1\/reward: HTTP 401: missing or wrong bearer token/);
    expect(out.errors.dead).toMatch(/no answer after 2 attempt\(s\)/);
  });
});

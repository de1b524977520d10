#!/usr/bin/env bash
# GRPO for VLA-R1 on OpenRLHF (>= 0.10, the first release with VLM support and dotted flags) with the rewards of
# `vla-r1 serve reward` through OpenRLHF's remote reward URL.
#
# Hyperparameters follow the official VLA-R1 verl script (see README.md for the mapping): group 5, lr 3e-5,
# KL loss 0.01 with the k3 estimator (verl's low_var_kl), 512 prompts per step, 640 samples (= 128 prompts x 5) per
# optimiser step, 2048 new tokens, 50 passes over the data.
#
# Usage:  DATA=data/train.openrlhf.jsonl MODEL=path/to/sft-checkpoint bash integrations/openrlhf/train_vla_r1_grpo.sh [extra flags...]
#         (make DATA with: python3 integrations/openrlhf/sharegpt_to_openrlhf.py data/train.json data/train.openrlhf.jsonl)
set -euo pipefail

DATA=${DATA:?set DATA to the OpenRLHF prompt JSONL (sharegpt_to_openrlhf.py)}
MODEL=${MODEL:?set MODEL to the CoT-SFT checkpoint (initial policy and reference)}
SAVE=${SAVE:-checkpoints/vla_r1_grpo_openrlhf}
GPUS=${GPUS:-2}
REWARD_URL=${REWARD_URL:-http://127.0.0.1:5000/get_reward}
# OpenRLHF cannot send headers: with a token, pass it in the URL (…/get_reward?token=…) and keep the URL private.
if [[ -n "${VLA_R1_REWARD_TOKEN:-}" && "${REWARD_URL}" != *"token="* ]]; then
  REWARD_URL="${REWARD_URL}?token=${VLA_R1_REWARD_TOKEN}"
fi

# Fail fast when the reward service is not up (start it with: vla-r1 serve reward --port 5000).
python3 - "${REWARD_URL}" <<'PY'
import sys, urllib.parse, urllib.request
parts = urllib.parse.urlsplit(sys.argv[1])
health = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/health", "", ""))
try:
    urllib.request.urlopen(health, timeout=5).read()
except Exception as error:  # noqa: BLE001
    sys.exit(f"reward service not reachable at {health}: {error}\nstart it with: vla-r1 serve reward --port 5000")
PY

set -x
python3 -m openrlhf.cli.train_ppo_ray \
   --actor.model_name_or_path "${MODEL}" \
   --actor.num_nodes 1 \
   --actor.num_gpus_per_node "${GPUS}" \
   --ref.num_nodes 1 \
   --ref.num_gpus_per_node "${GPUS}" \
   --vllm.num_engines 1 \
   --vllm.tensor_parallel_size "${GPUS}" \
   --vllm.gpu_memory_utilization 0.6 \
   --train.colocate_all \
   --vllm.enable_sleep \
   --vllm.sync_backend nccl \
   --algo.advantage.estimator group_norm \
   --algo.advantage.gamma 1.0 \
   --algo.kl.init_coef 0.01 \
   --algo.kl.use_loss \
   --algo.kl.estimator k3 \
   --actor.adam.lr 3e-5 \
   --rollout.n_samples_per_prompt 5 \
   --rollout.batch_size 512 \
   --rollout.micro_batch_size 20 \
   --rollout.max_new_tokens 2048 \
   --train.batch_size 640 \
   --train.micro_batch_size 10 \
   --train.num_episodes 50 \
   --data.max_len 4096 \
   --data.prompt_dataset "${DATA}" \
   --data.input_key prompt \
   --data.label_key label \
   --data.image_key images \
   --data.max_images_per_prompt 1 \
   --data.apply_chat_template \
   --reward.remote_url "${REWARD_URL}" \
   --actor.gradient_checkpointing_enable \
   --ckpt.output_dir "${SAVE}" \
   --ckpt.path "${SAVE}/ckpt" \
   --ckpt.save_hf \
   --ckpt.save_steps 10 \
   "$@"

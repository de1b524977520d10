#!/usr/bin/env bash
# GRPO for VLA-R1 on verl with the rewards of `vla-r1 serve reward`.
#
# The hyperparameters are those of the official launch script (GigaAI-research/VLA-R1,
# RFT_training/train_utils/run_vla_r1_3b.sh, verl 0.5.0.dev): group 5, lr 3e-5, KL loss 0.01 low_var_kl,
# 512 prompts per step, mini-batch 128 prompts, 2048/2048 tokens, 50 epochs, 2 GPUs.
# Only the reward changes: verl calls integrations/verl/vla_r1_reward.py, which asks the service.
#
# Usage:  TRAIN=data/train.parquet VAL=data/val.parquet MODEL=path/to/sft-checkpoint \
#           bash integrations/verl/run_vla_r1_grpo.sh [vllm|sglang] [extra hydra overrides...]
set -euo pipefail
ENGINE=${1:-vllm}
shift || true

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRAIN=${TRAIN:?set TRAIN to the training parquet (vla-r1 data convert --from vla-r1 --to verl-parquet --absolute-images IN OUT)}
VAL=${VAL:?set VAL to the validation parquet}
MODEL=${MODEL:?set MODEL to the CoT-SFT checkpoint (initial policy and reference)}
SAVE=${SAVE:-checkpoints/vla_r1_grpo}
export VLA_R1_REWARD_URL=${VLA_R1_REWARD_URL:-http://127.0.0.1:5000}

# Fail fast when the reward service is not up (start it with: vla-r1 serve reward --port 5000).
python3 - <<'PY'
import os, sys, urllib.request
url = os.environ["VLA_R1_REWARD_URL"].rstrip("/") + "/health"
try:
    urllib.request.urlopen(url, timeout=5).read()
except Exception as error:  # noqa: BLE001
    sys.exit(f"reward service not reachable at {url}: {error}\nstart it with: vla-r1 serve reward --port 5000")
PY

set -x
python3 -m verl.trainer.main_ppo \
    algorithm.adv_estimator=grpo \
    data.train_files="${TRAIN}" \
    data.val_files="${VAL}" \
    data.train_batch_size=512 \
    data.max_prompt_length=2048 \
    data.max_response_length=2048 \
    data.filter_overlong_prompts=True \
    data.truncation='error' \
    data.image_key=images \
    reward_model.enable=False \
    custom_reward_function.path="${HERE}/vla_r1_reward.py" \
    custom_reward_function.name=compute_score \
    actor_rollout_ref.model.path="${MODEL}" \
    actor_rollout_ref.actor.optim.lr=3e-5 \
    actor_rollout_ref.model.use_remove_padding=True \
    actor_rollout_ref.actor.ppo_mini_batch_size=128 \
    actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=10 \
    actor_rollout_ref.actor.use_kl_loss=True \
    actor_rollout_ref.actor.kl_loss_coef=0.01 \
    actor_rollout_ref.actor.kl_loss_type=low_var_kl \
    actor_rollout_ref.actor.entropy_coeff=0 \
    actor_rollout_ref.model.enable_gradient_checkpointing=True \
    actor_rollout_ref.actor.fsdp_config.param_offload=False \
    actor_rollout_ref.actor.fsdp_config.optimizer_offload=False \
    actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=20 \
    actor_rollout_ref.rollout.tensor_model_parallel_size=2 \
    actor_rollout_ref.rollout.name="${ENGINE}" \
    +actor_rollout_ref.rollout.engine_kwargs.vllm.disable_mm_preprocessor_cache=True \
    actor_rollout_ref.rollout.gpu_memory_utilization=0.6 \
    actor_rollout_ref.rollout.enable_chunked_prefill=False \
    actor_rollout_ref.rollout.enforce_eager=False \
    actor_rollout_ref.rollout.free_cache_engine=True \
    actor_rollout_ref.rollout.n=5 \
    actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=20 \
    actor_rollout_ref.ref.fsdp_config.param_offload=True \
    algorithm.use_kl_in_reward=False \
    trainer.critic_warmup=0 \
    trainer.logger='["console","tensorboard"]' \
    trainer.default_local_dir="${SAVE}" \
    trainer.project_name='vla_r1' \
    trainer.experiment_name='vla_r1_grpo' \
    trainer.n_gpus_per_node=2 \
    trainer.nnodes=1 \
    trainer.save_freq=10 \
    trainer.test_freq=5 \
    trainer.total_epochs=50 "$@"

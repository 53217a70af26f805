#!/usr/bin/env bash
# 100 crash trials: type k answers on piped stdin, SIGKILL the run while it waits for the
# next one, resume, and check the record holds exactly those k answers. Prints how many
# trials lost anything; it must be 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo test --release --test lib -- --ignored --nocapture sigkill_hundred_trials 2>&1 \
  | grep -E 'trials lost an answer|^  k='

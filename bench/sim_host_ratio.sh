#!/bin/bash
# Issue 3 (b): the simulator's wall time divided by the host device's on the
# same model, as docs/benchmarks.md measures it on the 12-layer encoder.
#
# Runs, ROUNDS times and one after another so that both see the same
# machine state: (optionally) a base build's sim run, this build's sim run,
# and the host device's run, each `ipu-run PLAN --device=D --random-inputs
# --seed 1 --quiet --timing`, and prints each run's phases and wall time and
# the sim ÷ host ratio of the round. Take medians over rounds: this machine's
# speed drifts by up to 1.5x within minutes.
#
# usage: bench/sim_host_ratio.sh SIM_PLAN HOST_PLAN [ROUNDS]
#   env IPU_RUN       the ipu-run to measure (default build/bin/ipu-run)
#   env BASE_IPU_RUN, BASE_SIM_PLAN   a base build and its plan, run first
#                     in each round (both or neither)
#   env PAUSE         seconds to sleep before each run (default 3). On a VM
#                     a process that follows a big one right away gets its
#                     just-freed pages, which are much cheaper to touch than
#                     pages the host has taken back (docs/benchmarks.md,
#                     stop 14): the pause makes every run start alike.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
SIM_PLAN=$1
HOST_PLAN=$2
ROUNDS=${3:-3}
IPU_RUN=${IPU_RUN:-$(dirname "$0")/../build/bin/ipu-run}

# Prints "load+verify set-up run wall" of one run.
run() {
  local out
  sleep "${PAUSE:-3}"
  out=$({ /usr/bin/time -f "WALL %e" "$1" "$2" --device="$3" --random-inputs \
          --seed 1 --quiet --timing; } 2>&1) || {
    echo "$out" >&2
    exit 1
  }
  echo "$out" | awk '/^  load\+verify/{l=$2} /^  set-up/{s=$2} /^  run/{r=$2}
                     /^WALL/{w=$2} END{print l, s, r, w}'
}

echo "round  run   load+verify  set-up  run  wall (s)   sim/host"
for i in $(seq 1 "$ROUNDS"); do
  if [ -n "${BASE_IPU_RUN:-}" ]; then
    read -r l s r w < <(run "$BASE_IPU_RUN" "$BASE_SIM_PLAN" sim)
    echo "$i      base  $l  $s  $r  $w"
  fi
  read -r l s r simWall < <(run "$IPU_RUN" "$SIM_PLAN" sim)
  echo "$i      sim   $l  $s  $r  $simWall"
  read -r l s r hostWall < <(run "$IPU_RUN" "$HOST_PLAN" host)
  echo "$i      host  $l  $s  $r  $hostWall   $(awk -v a="$simWall" -v b="$hostWall" 'BEGIN{printf "%.2f", a/b}')"
done

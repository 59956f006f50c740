//===- LrSchedule.cpp - Learning rate per training step ------------------===//

#include "ipuc/train/LrSchedule.h"

#include <fmt/format.h>

#include <cmath>

namespace ipuc::train {

bool validate(const LrSchedule &s, std::string &error) {
  if (s.kind != "constant" && s.kind != "step" && s.kind != "cosine" &&
      s.kind != "linear") {
    error = fmt::format("unknown --lr-schedule '{}': expected constant, "
                        "step, cosine or linear",
                        s.kind);
    return false;
  }
  if (s.warmup < 0) {
    error = "--warmup must be at least 0";
    return false;
  }
  if (s.kind == "step" && (s.stepSize < 1 || s.gamma <= 0.0)) {
    error = "--lr-schedule=step needs --lr-step-size >= 1 and --lr-gamma > 0";
    return false;
  }
  if ((s.kind == "cosine" || s.kind == "linear") && s.totalSteps <= s.warmup) {
    error = fmt::format("--lr-schedule={} needs --total-steps greater than "
                        "--warmup ({})",
                        s.kind, s.warmup);
    return false;
  }
  return true;
}

double learningRate(const LrSchedule &s, int64_t step) {
  // LinearLR(start_factor -> 0, total_iters = warmup): lr * t / warmup.
  if (step < s.warmup)
    return s.lr * double(step) / double(s.warmup);
  // SequentialLR restarts the main schedule at the milestone.
  int64_t t = step - s.warmup;
  if (s.kind == "step")
    return s.lr * std::pow(s.gamma, double(t / s.stepSize));
  int64_t span = s.totalSteps - s.warmup;
  if (s.kind == "cosine")
    // CosineAnnealingLR's closed form (it keeps following the cosine past
    // T_max, as torch's does).
    return s.lrMin + (s.lr - s.lrMin) *
                         (1.0 + std::cos(M_PI * double(t) / double(span))) /
                         2.0;
  if (s.kind == "linear") {
    // LinearLR(1, lrMin / lr, span) holds its end factor after span steps.
    double f = double(std::min(t, span)) / double(span);
    return s.lr + (s.lrMin - s.lr) * f;
  }
  return s.lr;
}

} // namespace ipuc::train

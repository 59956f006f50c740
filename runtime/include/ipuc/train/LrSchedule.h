//===- LrSchedule.h - Learning rate per training step -----------*- C++ -*-===//
//
// The schedules ipuc --lr-schedule records in a plan's Training table, with
// torch.optim.lr_scheduler's semantics so that runs are comparable with
// PyTorch's: an optional linear warm-up from 0 (LinearLR, chained by
// SequentialLR), then the main schedule counted from the end of the warm-up.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_TRAIN_LRSCHEDULE_H
#define IPUC_TRAIN_LRSCHEDULE_H

#include <cstdint>
#include <string>

namespace ipuc::train {

struct LrSchedule {
  /// "constant", "step", "cosine" or "linear".
  std::string kind = "constant";
  double lr = 0.0;
  /// Steps of linear warm-up from 0 to lr (0: none).
  int64_t warmup = 0;
  /// step: lr * gamma^floor(t / stepSize) (StepLR).
  int64_t stepSize = 1;
  double gamma = 0.1;
  /// cosine: CosineAnnealingLR(T_max = totalSteps - warmup, eta_min = lrMin);
  /// linear: LinearLR from lr to lrMin over totalSteps - warmup steps.
  double lrMin = 0.0;
  int64_t totalSteps = 0;
};

/// Checks the parameters; false with a message naming the bad option.
bool validate(const LrSchedule &schedule, std::string &error);

/// The learning rate of step `step` (0-based: the first step is 0).
double learningRate(const LrSchedule &schedule, int64_t step);

} // namespace ipuc::train

#endif // IPUC_TRAIN_LRSCHEDULE_H

//===- EmitHostPlan.h - Serialize linalg into a host plan -------*- C++ -*-===//
//
// The host plan runs one kernel per (fused) op over whole tensors. The input
// module holds a `func.func @main` (or a single function) in
// linalg-on-tensors + tensor + arith as left by the ipuc-host-pipeline; the
// result is a verified FlatBuffer following runtime/plan/plan.fbs.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_EMITHOSTPLAN_H
#define IPUC_COMPILER_PLAN_EMITHOSTPLAN_H

#include "compiler/Plan/Device.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ipuc {

struct PlanOptions {
  /// The model path recorded in the plan header.
  std::string source;
  /// "ipuc <version>".
  std::string producer;
  DeviceDescription device;
  /// Initial values of inputs that a training loop carries from step to
  /// step (parameters and optimizer state), by input name. They are written
  /// as the data of those Input tensors, which ipu-run's training loop binds
  /// before the first step; a plain run ignores them.
  std::map<std::string, mlir::Attribute> initialValues;
  /// For a training step: the update rule and learning rate it applies
  /// (recorded in the plan's Training table; empty optimizer: none).
  std::string optimizer;
  double lr = 0.0;
  /// The lr schedule the loop follows (see train::LrSchedule), feeding each
  /// step's rate to the input `lrInput` (empty: lr is baked in).
  std::string lrSchedule = "constant";
  int64_t warmup = 0;
  int64_t lrStepSize = 1;
  double lrGamma = 0.1;
  double lrMin = 0.0;
  int64_t totalSteps = 0;
  std::string lrInput;
  /// The trained parameters' input names, each with its optimizer state's
  /// input names (the plan's Training table lists them).
  std::vector<std::pair<std::string, std::vector<std::string>>>
      trainedParameters;
};

/// The producer string ipuc records ("ipuc <version>").
std::string defaultProducer();

/// Builds the host plan of `module` into `out`. Every failure is reported as
/// an error at the location of the offending op and yields failure().
mlir::LogicalResult emitHostPlan(mlir::ModuleOp module,
                                 const PlanOptions &options,
                                 std::vector<uint8_t> &out);

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_EMITHOSTPLAN_H

//===- StepReruns.h - Steps the plan writes as reruns -----------*- C++ -*-===//
//
// The memory planner gives the activations of a model's identical layers
// identical tiles and addresses, so most of a transformer's compute sets
// and exchanges do, but for tensor names, what an earlier one does: the
// same vertices or copies over the same bytes of tile memory. The plan
// writes such a step as a Rerun of the earlier one (plan.fbs), as a Poplar
// program calls one compute set from several places, so that it is not
// written, checked and decoded once per layer.
//
// A step reruns an earlier one when their bodies are equivalent op by op
// (attributes, boxes, vertex bodies; locations aside) and each tensor one
// uses stands, consistently, for a tensor of the other with the same type,
// role and tile mapping (MappingAttr is uniqued, so equal mappings are the
// same attribute).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_STEPRERUNS_H
#define IPUC_COMPILER_PLAN_STEPRERUNS_H

#include "dialects/Bsp/IR/BspOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <utility>

namespace ipuc {

/// A compute set or exchange that reruns an earlier one: `target` is the
/// earlier step's position in the serialized steps' pre-order (bsp.tensor
/// and bsp.sync are not steps), `renames` each tensor the target uses and
/// the one this step uses in its place.
struct StepRerun {
  uint32_t target = 0;
  llvm::SmallVector<std::pair<mlir::Value, mlir::Value>> renames;
};

/// The steps written as reruns, by op.
using StepReruns = llvm::DenseMap<mlir::Operation *, StepRerun>;

/// The reruns among `program`'s compute sets and exchanges, each naming
/// the first step of its content.
StepReruns findStepReruns(bsp::ProgramOp program);

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_STEPRERUNS_H

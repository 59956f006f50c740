//===- BspToPlan.h - Serialize a bsp.program into the plan ------*- C++ -*-===//
//
// The bsp dialect mirrors the tile program of runtime/plan/plan.fbs, so
// serialization is a walk: one plan tensor and mapping per bsp.tensor, one
// step per compute set, exchange, repeat and host stream (bsp.sync is
// dropped: the plan implies a sync before every exchange).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_BSPTOPLAN_H
#define IPUC_COMPILER_PLAN_BSPTOPLAN_H

#include "compiler/Plan/Device.h"
#include "compiler/Plan/EmitHostPlan.h"
#include "dialects/Bsp/IR/BspOps.h"

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace ipuc {

/// The #bsp.device attribute of a device description, and back. Fields the
/// attribute does not carry (chips, chip links) come from `base`.
bsp::DeviceAttr getDeviceAttr(mlir::MLIRContext *context,
                              const DeviceDescription &device);
DeviceDescription getDeviceDescription(bsp::DeviceAttr attr,
                                       const DeviceDescription &base = {});

/// Serializes `program` into a finished Plan (target "ipu") in `fbb`: its
/// tensors with roles, dtypes and constant data, the host bindings of its
/// host_write/host_read ops, and the tile program. The device recorded is
/// the program's #bsp.device over `options.device`. The finished buffer is
/// checked with the FlatBuffers verifier. Errors are reported at the
/// offending op.
mlir::LogicalResult serializeBspProgram(bsp::ProgramOp program,
                                        const PlanOptions &options,
                                        flatbuffers::FlatBufferBuilder &fbb);

/// serializeBspProgram in two parts, for a caller that checks the finished
/// buffer while it does something else with it (ipuc writes it meanwhile):
/// the plan without the FlatBuffers verifier, the verifier (with the limits
/// a large tile plan needs), and its error, reported at `program`.
mlir::LogicalResult buildBspPlan(bsp::ProgramOp program,
                                 const PlanOptions &options,
                                 flatbuffers::FlatBufferBuilder &fbb);
/// buildBspPlan into a builder it makes in `fbb`, sized by
/// estimateTilePlanBytes and allocating through `allocator`: made once the
/// generic codelets are being prepared on another thread, so that the
/// estimate's walk of the program runs beside them.
mlir::LogicalResult
buildBspPlan(bsp::ProgramOp program, const PlanOptions &options,
             flatbuffers::Allocator *allocator,
             std::optional<flatbuffers::FlatBufferBuilder> &fbb);
bool verifyTilePlanBuffer(llvm::ArrayRef<uint8_t> plan);
mlir::LogicalResult reportUnverifiedTilePlan(bsp::ProgramOp program);

/// A guess of the bytes serializeBspProgram writes for `program`, to size
/// the FlatBufferBuilder up front: growing it by doubling copied the plan
/// so far each time (hundreds of MB for a large model) and held both copies
/// at once. Its constants' bytes plus an allowance per op; the builder
/// fills its buffer from the end, so pages of an overestimate are never
/// touched.
size_t estimateTilePlanBytes(bsp::ProgramOp program);

/// As above, copied into `out`.
mlir::LogicalResult serializeBspProgram(bsp::ProgramOp program,
                                        const PlanOptions &options,
                                        std::vector<uint8_t> &out);

/// Registers the test pass --ipuc-print-bsp-plan (PrintBspPlan.cpp).
void registerPrintBspPlanPass();

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_BSPTOPLAN_H

//===- PlanWriting.h - Pieces every plan writer needs -----------*- C++ -*-===//
//
// The host-plan emitter and the bsp serializer both embed constant data, the
// device table and the plan header; they share these so both plans encode
// them one way.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_PLANWRITING_H
#define IPUC_COMPILER_PLAN_PLANWRITING_H

#include "compiler/Plan/Device.h"
#include "compiler/Plan/EmitHostPlan.h"
#include "ipuc/plan/plan_generated.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ipuc {

/// Row-major bytes of a dense (or dense resource) constant of `type`; splats
/// are expanded and i1 takes one byte per element. Errors are reported at
/// `at`.
mlir::LogicalResult getConstantBytes(mlir::Attribute attr,
                                     mlir::ShapedType type, plan::DType dtype,
                                     mlir::Operation *at,
                                     std::vector<uint8_t> &out);

/// getConstantBytes in two parts, for a writer that puts the bytes straight
/// where they go (the tile plan's builder): a 12-layer encoder's weights are
/// 340 MB, and a temporary vector per constant copied them once more and
/// faulted in fresh pages for each. The first checks the constant and
/// returns how many bytes it has (errors reported at `at`); the second,
/// only for a constant the first accepted, writes them to `out`.
mlir::FailureOr<size_t> getConstantByteSize(mlir::Attribute attr,
                                            mlir::ShapedType type,
                                            plan::DType dtype,
                                            mlir::Operation *at);
void writeConstantBytes(mlir::Attribute attr, mlir::ShapedType type,
                        plan::DType dtype, uint8_t *out);

/// The plan's Device table for a device description.
flatbuffers::Offset<plan::Device>
createDeviceTable(flatbuffers::FlatBufferBuilder &fbb,
                  const DeviceDescription &d);

/// A model input or output: its name and plan tensor index.
using PlanBindingList = std::vector<std::pair<std::string, uint32_t>>;

/// Finishes `fbb` with the Plan root: the header (format version, schema
/// hash, producer, source, `target`), the device table, the bindings and
/// whichever program the target has.
void finishPlan(flatbuffers::FlatBufferBuilder &fbb, const PlanOptions &options,
                const char *target, const DeviceDescription &device,
                const std::vector<flatbuffers::Offset<plan::Tensor>> &tensors,
                const PlanBindingList &inputs, const PlanBindingList &outputs,
                const std::vector<flatbuffers::Offset<plan::Kernel>> *hostProgram,
                flatbuffers::Offset<plan::TileProgram> tileProgram);

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_PLANWRITING_H

//===- PlanWriting.h - Pieces every plan writer needs -----------*- C++ -*-===//
//
// The host-plan emitter and the bsp serializer both embed constant data and
// the device table; they share these so both plans encode them one way.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_PLANWRITING_H
#define IPUC_COMPILER_PLAN_PLANWRITING_H

#include "compiler/Plan/Device.h"
#include "ipuc/plan/plan_generated.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <vector>

namespace ipuc {

/// Row-major bytes of a dense (or dense resource) constant of `type`; splats
/// are expanded and i1 takes one byte per element. Errors are reported at
/// `at`.
mlir::LogicalResult getConstantBytes(mlir::Attribute attr,
                                     mlir::ShapedType type, plan::DType dtype,
                                     mlir::Operation *at,
                                     std::vector<uint8_t> &out);

/// The plan's Device table for a device description.
flatbuffers::Offset<plan::Device>
createDeviceTable(flatbuffers::FlatBufferBuilder &fbb,
                  const DeviceDescription &d);

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_PLANWRITING_H

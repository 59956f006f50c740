//===- HostPlanEmitter.h - The host-plan emitter's class --------*- C++ -*-===//
//
// Internal to compiler/Plan: the emitter that EmitHostPlan.h's emitHostPlan
// runs, shared by HostPlanEmitter.cpp (tensors, the common kernels, the walk)
// and HostPlanMarkedKernels.cpp (the generics that host-only rewrites marked
// for a dedicated kernel).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_HOSTPLANEMITTER_H
#define IPUC_COMPILER_PLAN_HOSTPLANEMITTER_H

#include "compiler/Plan/EmitHostPlan.h"
#include "compiler/Plan/HostPlanSupport.h"
#include "compiler/Plan/LocationString.h"

#include "ipuc/plan/Plan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseMap.h"

#include <flatbuffers/flatbuffers.h>

#include <string>
#include <utility>
#include <vector>

namespace ipuc::host_plan {
using namespace mlir;
namespace fb = flatbuffers;
namespace plan = ipuc::plan;
using plan::DType;
using plan::TensorRole;

struct PlanTensor {
  std::string name;
  DType dtype;
  SmallVector<int64_t> shape;
  TensorRole role;
  std::vector<uint8_t> data;
  /// The SSA value that created the tensor (aliases map to it too).
  Value owner;
};

class HostPlanEmitter {
public:
  explicit HostPlanEmitter(const ipuc::PlanOptions &options)
      : options(options) {}

  LogicalResult run(ModuleOp module, std::vector<uint8_t> &out);

private:
  // --- tensors ---------------------------------------------------------
  uint32_t addTensor(Value owner, Type type, TensorRole role,
                     std::string name = "") {
    auto shaped = cast<ShapedType>(type);
    PlanTensor tensor;
    tensor.dtype = *ipuc::getPlanDType(shaped.getElementType());
    tensor.shape.assign(shaped.getShape().begin(), shaped.getShape().end());
    tensor.role = role;
    tensor.owner = owner;
    uint32_t index = tensors.size();
    tensor.name = name.empty() ? "t" + std::to_string(index) : std::move(name);
    tensors.push_back(std::move(tensor));
    if (owner)
      tensorOf[owner] = index;
    return index;
  }
  /// A fresh intermediate tensor for an op result.
  uint32_t addResult(Value result) {
    return addTensor(result, result.getType(), TensorRole::Intermediate);
  }
  FailureOr<uint32_t> getTensor(Value value, Operation *user);
  /// As getTensor, but a reshaped alias is first copied into a tensor of the
  /// value's own shape: Extract indexes with the plan tensor's shape.
  FailureOr<uint32_t> getTensorWithOwnShape(Value value, Operation *user);
  LogicalResult addConstant(Value value, Attribute attr, Operation *at);

  // --- kernels ---------------------------------------------------------
  template <typename T>
  void addKernel(Operation *op, fb::Offset<T> body, StringRef name = "") {
    std::string kernelName =
        name.empty() ? op->getName().getStringRef().str() : name.str();
    std::string loc = ipuc::formatLocation(op->getLoc());
    kernels.push_back(plan::CreateKernelDirect(
        fbb, kernelName.c_str(), loc.c_str(),
        plan::KernelBodyTraits<T>::enum_value, body.Union()));
  }
  void addCopy(Operation *op, uint32_t src, uint32_t dst,
               ArrayRef<int64_t> sizes, int64_t srcOffset,
               ArrayRef<int64_t> srcStrides, int64_t dstOffset,
               ArrayRef<int64_t> dstStrides, StringRef name = "") {
    std::vector<int64_t> sizesV(sizes.begin(), sizes.end());
    std::vector<int64_t> srcV(srcStrides.begin(), srcStrides.end());
    std::vector<int64_t> dstV(dstStrides.begin(), dstStrides.end());
    addKernel(op,
              plan::CreateCopyDirect(fbb, src, dst, &sizesV, srcOffset, &srcV,
                                     dstOffset, &dstV),
              name);
  }
  /// Copies a whole row-major tensor of `shape` from src to dst.
  void addWholeCopy(Operation *op, uint32_t src, uint32_t dst,
                    ArrayRef<int64_t> shape, StringRef name = "") {
    SmallVector<int64_t> strides = ipuc::getRowMajorStrides(shape);
    addCopy(op, src, dst, shape, 0, strides, 0, strides, name);
  }

  LogicalResult emitOp(Operation *op);
  LogicalResult emitFill(linalg::FillOp op);
  LogicalResult emitGeneric(linalg::LinalgOp op);
  FailureOr<bool> emitMatMul(linalg::LinalgOp op);
  FailureOr<bool> emitConv(linalg::Conv2DNhwcFhwcOp op);
  /// A generic marked for a dedicated kernel: true when emitted as it,
  /// false (unmarked, or not that kernel's form) to run it as Generic.
  FailureOr<bool> emitMarkedGeneric(linalg::GenericOp generic);
  FailureOr<bool> emitConvBackwardFilter(linalg::GenericOp op);
  FailureOr<bool> emitMaxPoolBackward(linalg::GenericOp op);
  FailureOr<bool> emitConvBackwardData(linalg::GenericOp op);
  LogicalResult emitPad(tensor::PadOp op);
  LogicalResult emitExtractSlice(tensor::ExtractSliceOp op);
  LogicalResult emitInsertSlice(tensor::InsertSliceOp op);
  LogicalResult emitConcat(tensor::ConcatOp op);
  LogicalResult emitAlias(Operation *op, Value source);
  LogicalResult emitReturn(func::FuncOp func, func::ReturnOp op);
  /// Init tensor for an output whose previous value is read, or -1.
  FailureOr<int32_t> getInit(Value init, Operation *user, bool read);

  const ipuc::PlanOptions &options;
  fb::FlatBufferBuilder fbb{1 << 16};
  std::vector<PlanTensor> tensors;
  llvm::DenseMap<Value, uint32_t> tensorOf;
  std::vector<fb::Offset<plan::Kernel>> kernels;
  std::vector<std::pair<std::string, uint32_t>> inputs, outputs;
};

/// A zero pad that the Conv2DBackwardData kernel reading it applies itself
/// needs no kernel of its own (see HostPlanMarkedKernels.cpp).
bool isFoldedIntoBackwardData(tensor::PadOp pad);

} // namespace ipuc::host_plan

#endif // IPUC_COMPILER_PLAN_HOSTPLANEMITTER_H

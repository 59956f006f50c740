//===- HostPlanEmitter.cpp - linalg-on-tensors -> FlatBuffers host plan --===//
//
// One plan tensor per SSA tensor value (reshapes alias their source), one
// kernel per op: linalg structured ops become Generic kernels unless they are
// a matmul or an NHWC/FHWC convolution with a dedicated kernel; tensor data
// movement becomes Copy and Fill kernels.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/BodyCompiler.h"
#include "compiler/Plan/ConvBackwardData.h"
#include "compiler/Plan/ConvBackwardFilter.h"
#include "compiler/Plan/EmitHostPlan.h"
#include "compiler/Plan/HostPlanSupport.h"
#include "compiler/Plan/PlanWriting.h"
#include "compiler/Plan/LocationString.h"
#include "compiler/Plan/MaxPoolBackward.h"

#include "ipuc/plan/Plan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <flatbuffers/flatbuffers.h>

using namespace mlir;
namespace fb = flatbuffers;
namespace plan = ipuc::plan;
using plan::DType;
using plan::TensorRole;

#ifndef IPUC_VERSION
#define IPUC_VERSION "0.1.0"
#endif

std::string ipuc::defaultProducer() { return "ipuc " IPUC_VERSION; }

namespace {
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
} // namespace

LogicalResult HostPlanEmitter::addConstant(Value value, Attribute attr,
                                           Operation *at) {
  Type type = value.getType();
  if (!isa<ShapedType>(type)) {
    // A scalar operand of a structured op becomes a rank-0 constant tensor.
    auto tensorType = RankedTensorType::get({}, type);
    if (auto typed = dyn_cast<TypedAttr>(attr))
      attr = DenseElementsAttr::get(tensorType, typed);
    else
      return at->emitError() << "unsupported scalar constant " << attr;
    type = tensorType;
  }
  uint32_t index =
      addTensor(value, type, TensorRole::Constant,
                "c" + std::to_string(tensors.size()));
  return ipuc::getConstantBytes(attr, cast<ShapedType>(type), tensors[index].dtype,
                          at, tensors[index].data);
}

FailureOr<uint32_t> HostPlanEmitter::getTensor(Value value, Operation *user) {
  auto it = tensorOf.find(value);
  if (it != tensorOf.end())
    return it->second;
  // tensor.empty is materialized only when something reads it (zeroed).
  if (value.getDefiningOp<tensor::EmptyOp>())
    return addResult(value);
  Attribute attr;
  if (matchPattern(value, m_Constant(&attr))) {
    if (failed(addConstant(value, attr, user)))
      return failure();
    return tensorOf[value];
  }
  return user->emitError() << "'" << user->getName()
                           << "' reads a value the host plan has no tensor "
                              "for (run ipuc-legalize-host-plan first)";
}

FailureOr<uint32_t> HostPlanEmitter::getTensorWithOwnShape(Value value,
                                                          Operation *user) {
  FailureOr<uint32_t> tensor = getTensor(value, user);
  if (failed(tensor))
    return failure();
  ArrayRef<int64_t> shape = cast<ShapedType>(value.getType()).getShape();
  if (ArrayRef<int64_t>(tensors[*tensor].shape) == shape)
    return tensor;
  uint32_t copy = addResult(value);
  addWholeCopy(value.getDefiningOp() ? value.getDefiningOp() : user, *tensor,
               copy, shape);
  return copy;
}

FailureOr<int32_t> HostPlanEmitter::getInit(Value init, Operation *user,
                                            bool read) {
  if (!read || init.getDefiningOp<tensor::EmptyOp>())
    return -1;
  FailureOr<uint32_t> tensor = getTensor(init, user);
  if (failed(tensor))
    return failure();
  return (int32_t)*tensor;
}

/// Whether `op` is a matmul the MatMul kernel runs.
static bool isMatMulKernel(Operation *op) {
  return isa<linalg::MatmulOp, linalg::MatmulTransposeAOp,
             linalg::MatmulTransposeBOp, linalg::BatchMatmulOp,
             linalg::BatchMatmulTransposeAOp, linalg::BatchMatmulTransposeBOp>(
             op) &&
         ipuc::hasUniformFloatElements(op);
}

/// A +0 fill read only as the accumulator of MatMul kernels needs no tensor:
/// each of them starts from zero (init -1), which is what copying the fill
/// gave, without a fill kernel and a copy of it per matmul every run (a
/// weight gradient's accumulator is the size of the weight). -0 is kept: an
/// accumulator of -0 plus a product of -0 is -0, not +0.
static bool isZeroMatMulAccumulator(linalg::FillOp fill) {
  Value result = fill->getResult(0);
  return matchPattern(fill.value(), m_PosZeroFloat()) && !result.use_empty() &&
         llvm::all_of(result.getUses(), [](OpOperand &use) {
           auto linalgOp = dyn_cast<linalg::LinalgOp>(use.getOwner());
           return linalgOp && isMatMulKernel(use.getOwner()) &&
                  linalgOp.isDpsInit(&use);
         });
}

LogicalResult HostPlanEmitter::emitFill(linalg::FillOp op) {
  if (isZeroMatMulAccumulator(op))
    return success();
  Attribute attr;
  if (!matchPattern(op.value(), m_Constant(&attr)))
    return op->emitError("'linalg.fill' must fill with a constant for the "
                         "host plan");
  uint32_t dst = addResult(op->getResult(0));
  double fimm = 0;
  int64_t iimm = 0;
  if (auto floatAttr = dyn_cast<FloatAttr>(attr)) {
    fimm = floatAttr.getValueAsDouble();
  } else if (auto intAttr = dyn_cast<IntegerAttr>(attr)) {
    APInt value = intAttr.getValue();
    iimm = value.getBitWidth() == 1 ? value.getZExtValue()
                                    : value.getSExtValue();
  } else {
    return op->emitError() << "unsupported fill value " << attr;
  }
  addKernel(op, plan::CreateFill(fbb, dst, fimm, iimm));
  return success();
}

LogicalResult HostPlanEmitter::emitGeneric(linalg::LinalgOp op) {
  ipuc::CompiledBody body;
  if (failed(ipuc::compileBody(op, body)))
    return failure();

  std::vector<int64_t> loopBounds;
  for (int64_t bound : op.getStaticLoopRanges())
    loopBounds.push_back(bound);
  std::vector<uint8_t> reductionDims;
  for (utils::IteratorType type : op.getIteratorTypesArray())
    reductionDims.push_back(type == utils::IteratorType::reduction);

  auto makeOperand = [&](OpOperand &operand, uint32_t tensor,
                         ArrayRef<int64_t> shape)
      -> FailureOr<fb::Offset<plan::Operand>> {
    SmallVector<int64_t> strides;
    int64_t offset;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (failed(ipuc::foldIndexingMap(map, shape, strides, offset)))
      return op->emitError()
             << "'" << op->getName() << "' operand #"
             << operand.getOperandNumber() << " has indexing map " << AffineMapAttr::get(map)
             << ", which is not a linear combination of loop dimensions plus "
                "a constant";
    std::vector<int64_t> stridesV(strides.begin(), strides.end());
    return plan::CreateOperandDirect(fbb, tensor, offset, &stridesV);
  };
  auto shapeOf = [](Type type) -> ArrayRef<int64_t> {
    if (auto shaped = dyn_cast<ShapedType>(type))
      return shaped.getShape();
    return {};
  };

  std::vector<fb::Offset<plan::Operand>> inputOperands, outputOperands;
  for (OpOperand *operand : op.getDpsInputOperands()) {
    FailureOr<uint32_t> tensor = getTensor(operand->get(), op);
    if (failed(tensor))
      return failure();
    auto fbOperand =
        makeOperand(*operand, *tensor, shapeOf(operand->get().getType()));
    if (failed(fbOperand))
      return failure();
    inputOperands.push_back(*fbOperand);
  }
  std::vector<int32_t> inits;
  Block *block = op.getBlock();
  unsigned numInputs = op.getNumDpsInputs();
  for (OpOperand &init : op.getDpsInitsMutable()) {
    unsigned i = init.getOperandNumber() - numInputs;
    FailureOr<int32_t> initTensor = getInit(
        init.get(), op, !block->getArgument(numInputs + i).use_empty());
    if (failed(initTensor))
      return failure();
    inits.push_back(*initTensor);
    Value result = op->getResult(i);
    uint32_t tensor = addResult(result);
    auto fbOperand = makeOperand(init, tensor, shapeOf(result.getType()));
    if (failed(fbOperand))
      return failure();
    outputOperands.push_back(*fbOperand);
  }
  std::vector<uint32_t> captured;
  for (Value value : body.captured) {
    FailureOr<uint32_t> tensor = getTensorWithOwnShape(value, op);
    if (failed(tensor))
      return failure();
    captured.push_back(*tensor);
  }
  addKernel(op, plan::CreateGenericDirect(
                    fbb, &loopBounds, &reductionDims, &inputOperands,
                    &outputOperands, &inits, &captured, &body.program,
                    body.numRegisters),
            "");
  return success();
}

/// A transpose read only by tensor.pad ops (the importer's NCHW <-> NHWC
/// change before a padded convolution) needs no kernel of its own: each pad
/// already copies its source, and the copy can read the transpose's input
/// through permuted strides. That saves a pass over the tensor.
static bool isFoldedIntoPads(linalg::TransposeOp op) {
  Value result = op->getResult(0);
  return !result.use_empty() &&
         llvm::all_of(result.getUses(), [](OpOperand &use) {
           auto pad = dyn_cast<tensor::PadOp>(use.getOwner());
           return pad && use.getOperandNumber() == 0;
         });
}

/// Returns true when the matmul was emitted as a MatMul kernel, false when it
/// should fall back to Generic (mixed or integer element types).
FailureOr<bool> HostPlanEmitter::emitMatMul(linalg::LinalgOp op) {
  Operation *operation = op;
  bool transposeLhs = isa<linalg::MatmulTransposeAOp,
                          linalg::BatchMatmulTransposeAOp>(operation);
  bool transposeRhs = isa<linalg::MatmulTransposeBOp,
                          linalg::BatchMatmulTransposeBOp>(operation);
  bool batched = isa<linalg::BatchMatmulOp, linalg::BatchMatmulTransposeAOp,
                     linalg::BatchMatmulTransposeBOp>(operation);
  Value lhs = op.getDpsInputOperand(0)->get();
  Value rhs = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  if (!ipuc::hasUniformFloatElements(operation))
    return false;
  ArrayRef<int64_t> lhsShape = cast<ShapedType>(lhs.getType()).getShape();
  ArrayRef<int64_t> rhsShape = cast<ShapedType>(rhs.getType()).getShape();
  ArrayRef<int64_t> resultShape =
      cast<ShapedType>(operation->getResult(0).getType()).getShape();
  unsigned b = batched ? 1 : 0;
  int64_t batch = batched ? resultShape[0] : 1;
  int64_t m = resultShape[b], n = resultShape[b + 1];
  int64_t k = transposeLhs ? lhsShape[b] : lhsShape[b + 1];

  FailureOr<uint32_t> lhsTensor = getTensor(lhs, op);
  FailureOr<uint32_t> rhsTensor = getTensor(rhs, op);
  auto fill = init.getDefiningOp<linalg::FillOp>();
  FailureOr<int32_t> initTensor = fill && isZeroMatMulAccumulator(fill)
                                      ? FailureOr<int32_t>(-1)
                                      : getInit(init, op, /*read=*/true);
  if (failed(lhsTensor) || failed(rhsTensor) || failed(initTensor))
    return failure();
  uint32_t result = addResult(operation->getResult(0));
  int64_t lhsBatchStride = batched ? lhsShape[1] * lhsShape[2] : 0;
  int64_t rhsBatchStride = batched ? rhsShape[1] * rhsShape[2] : 0;
  addKernel(op, plan::CreateMatMul(fbb, *lhsTensor, *rhsTensor, *initTensor,
                                   result, batch, m, n, k, transposeLhs,
                                   transposeRhs, lhsBatchStride,
                                   rhsBatchStride));
  return true;
}

FailureOr<bool> HostPlanEmitter::emitConv(linalg::Conv2DNhwcFhwcOp op) {
  Value input = op.getDpsInputOperand(0)->get();
  Value filter = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  if (!ipuc::hasUniformFloatElements(op))
    return false;
  ArrayRef<int64_t> in = cast<ShapedType>(input.getType()).getShape();
  ArrayRef<int64_t> fl = cast<ShapedType>(filter.getType()).getShape();
  ArrayRef<int64_t> res =
      cast<ShapedType>(op->getResult(0).getType()).getShape();
  auto strides = llvm::to_vector(op.getStrides().getValues<int64_t>());
  auto dilations = llvm::to_vector(op.getDilations().getValues<int64_t>());
  FailureOr<uint32_t> inputTensor = getTensor(input, op);
  FailureOr<uint32_t> filterTensor = getTensor(filter, op);
  FailureOr<int32_t> initTensor = getInit(init, op, /*read=*/true);
  if (failed(inputTensor) || failed(filterTensor) || failed(initTensor))
    return failure();
  uint32_t result = addResult(op->getResult(0));
  addKernel(op, plan::CreateConv2D(fbb, *inputTensor, *filterTensor,
                                   *initTensor, result, in[0], in[1], in[2],
                                   in[3], fl[0], fl[1], fl[2], res[1], res[2],
                                   strides[0], strides[1], dilations[0],
                                   dilations[1], /*groups=*/1));
  return true;
}

/// The per-loop element strides of each of `op`'s operands (inputs, then
/// inits), for the host's strided kernels: false unless every operand's
/// indexing map folds to strides from the operand's first element (offset
/// 0), none of them negative.
static bool
getNonNegativeLoopStrides(linalg::GenericOp op,
                          SmallVectorImpl<SmallVector<int64_t>> &loopStrides) {
  for (OpOperand &operand : op->getOpOperands()) {
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(ipuc::foldIndexingMap(
            op.getMatchingIndexingMap(&operand),
            cast<ShapedType>(operand.get().getType()).getShape(), strides,
            offset)) ||
        offset != 0 || llvm::any_of(strides, [](int64_t s) { return s < 0; }))
      return false;
    loopStrides.push_back(strides);
  }
  return true;
}

/// Whether the body of `op` is result += in1 * in0 (in either order).
static bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block &body = *op.getBody();
  if (body.getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(body.front());
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!mul || !add)
    return false;
  Value x = body.getArgument(0), g = body.getArgument(1);
  Value acc = body.getArgument(2), product = mul.getResult();
  bool mulOk = (mul.getLhs() == x && mul.getRhs() == g) ||
               (mul.getLhs() == g && mul.getRhs() == x);
  bool addOk = (add.getLhs() == acc && add.getRhs() == product) ||
               (add.getLhs() == product && add.getRhs() == acc);
  return mulOk && addOk;
}

/// Emits a generic marked by ipuc-host-conv-backward-filter as the
/// Conv2DBackwardFilter kernel; returns false (run it as Generic) unless its
/// body, zero init and operand strides are exactly that kernel's.
FailureOr<bool>
HostPlanEmitter::emitConvBackwardFilter(linalg::GenericOp op) {
  auto params = op->getAttrOfType<DenseI64ArrayAttr>(
      ipuc::kConvBackwardFilterAttr);
  if (!params || params.size() != 4 || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 ||
      op.getNumLoops() != ipuc::kNumConvBackwardFilterLoops ||
      !ipuc::hasUniformFloatElements(op) || !isMultiplyAccumulate(op))
    return false;
  Type elementType = getElementTypeOrSelf(op->getResult(0).getType());
  if (!elementType.isF32() && !elementType.isF64())
    return false;
  Value init = op.getDpsInitOperand(0)->get();
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill || !matchPattern(fill.value(), m_AnyZeroFloat()))
    return false;
  for (auto [i, type] : llvm::enumerate(op.getIteratorTypesArray()))
    if ((type == utils::IteratorType::reduction) != (i >= ipuc::kLoopN))
      return false;
  // Per-loop element strides of each operand; every loop an operand does
  // not index must have stride 0 in it.
  SmallVector<SmallVector<int64_t>> loopStrides;
  if (!getNonNegativeLoopStrides(op, loopStrides))
    return false;
  ArrayRef<int64_t> p = params.asArrayRef();
  int64_t strideH = p[0], strideW = p[1], dilationH = p[2], dilationW = p[3];
  if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1)
    return false;
  const SmallVector<int64_t> &xs = loopStrides[0], &gs = loopStrides[1],
                             &rs = loopStrides[2];
  using namespace ipuc;
  // The input's h (w) stride, as the ky (kx) loop steps it by the dilation
  // and the oy (ox) loop by the stride.
  if (xs[kLoopKy] % dilationH || xs[kLoopKx] % dilationW)
    return false;
  int64_t inH = xs[kLoopKy] / dilationH, inW = xs[kLoopKx] / dilationW;
  if (xs[kLoopO] != 0 || xs[kLoopOy] != inH * strideH ||
      xs[kLoopOx] != inW * strideW)
    return false;
  for (unsigned loop : {kLoopKy, kLoopKx, kLoopC})
    if (gs[loop] != 0)
      return false;
  for (unsigned loop : {kLoopN, kLoopOy, kLoopOx})
    if (rs[loop] != 0)
      return false;
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  FailureOr<uint32_t> inputTensor =
      getTensor(op.getDpsInputOperand(0)->get(), op);
  FailureOr<uint32_t> gradTensor =
      getTensor(op.getDpsInputOperand(1)->get(), op);
  if (failed(inputTensor) || failed(gradTensor))
    return failure();
  uint32_t result = addResult(op->getResult(0));
  // The smallest input extent the loops reach (the verifier checks it).
  int64_t h = bounds[kLoopOy] == 0 || bounds[kLoopKy] == 0
                  ? 0
                  : (bounds[kLoopOy] - 1) * strideH +
                        (bounds[kLoopKy] - 1) * dilationH + 1;
  int64_t w = bounds[kLoopOx] == 0 || bounds[kLoopKx] == 0
                  ? 0
                  : (bounds[kLoopOx] - 1) * strideW +
                        (bounds[kLoopKx] - 1) * dilationW + 1;
  std::vector<int64_t> inputStrides = {xs[kLoopN], inH, inW, xs[kLoopC]};
  std::vector<int64_t> gradStrides = {gs[kLoopN], gs[kLoopOy], gs[kLoopOx],
                                      gs[kLoopO]};
  std::vector<int64_t> resultStrides = {rs[kLoopO], rs[kLoopKy], rs[kLoopKx],
                                        rs[kLoopC]};
  addKernel(op,
            plan::CreateConv2DBackwardFilterDirect(
                fbb, *inputTensor, *gradTensor, result, bounds[kLoopN], h, w,
                bounds[kLoopC], bounds[kLoopO], bounds[kLoopKy],
                bounds[kLoopKx], bounds[kLoopOy], bounds[kLoopOx], strideH,
                strideW, dilationH, dilationW, &inputStrides, &gradStrides,
                &resultStrides),
            "linalg.generic (conv backward filter)");
  return true;
}

/// Emits a generic marked by ipuc-host-max-pool-backward as the
/// MaxPool2DBackward kernel; returns false (run it as Generic) unless its
/// body is that kernel's, its loops are the six parallel ones and every
/// operand is read at non-negative strides from its start, the pooled ones
/// not stepping with the window loops.
FailureOr<bool> HostPlanEmitter::emitMaxPoolBackward(linalg::GenericOp op) {
  std::optional<ipuc::MaxPoolBackwardBody> roles =
      ipuc::matchMaxPoolBackwardBody(op);
  if (!roles || op.getNumLoops() != ipuc::kNumMaxPoolBackwardLoops ||
      op.getNumParallelLoops() != op.getNumLoops())
    return false;
  SmallVector<SmallVector<int64_t>> loopStrides;
  if (!getNonNegativeLoopStrides(op, loopStrides))
    return false;
  auto pooled = [&](unsigned operand) {
    return loopStrides[operand][ipuc::kPoolKh] == 0 &&
           loopStrides[operand][ipuc::kPoolKw] == 0;
  };
  // The equality is symmetric: its pooled side is the max.
  unsigned input = roles->input, max = roles->max;
  if (!pooled(max))
    std::swap(input, max);
  if (!pooled(max) || !pooled(roles->grad))
    return false;
  // The plan verifier takes the kernel only if it writes each result
  // element once (its batch is split over threads); a generic that writes
  // some twice keeps the Generic's last-write order instead.
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  SmallVector<std::pair<int64_t, int64_t>> steps;
  for (auto [stride, extent] :
       llvm::zip(loopStrides[op.getNumDpsInputs()], bounds))
    if (extent != 1)
      steps.emplace_back(stride, extent);
  llvm::sort(steps);
  int64_t span = 1;
  for (auto [stride, extent] : steps) {
    if (stride < span)
      return false;
    span = stride * extent;
  }
  auto tensorOfInput = [&](unsigned i) {
    return getTensor(op.getDpsInputOperand(i)->get(), op);
  };
  FailureOr<uint32_t> inputTensor = tensorOfInput(input);
  FailureOr<uint32_t> maxTensor = tensorOfInput(max);
  FailureOr<uint32_t> gradTensor = tensorOfInput(roles->grad);
  FailureOr<uint32_t> maskTensor =
      roles->mask ? tensorOfInput(*roles->mask) : FailureOr<uint32_t>(0);
  if (failed(inputTensor) || failed(maxTensor) || failed(gradTensor) ||
      failed(maskTensor))
    return failure();
  uint32_t result = addResult(op->getResult(0));
  auto fine = [&](unsigned operand) {
    return std::vector<int64_t>(loopStrides[operand].begin(),
                                loopStrides[operand].end());
  };
  auto coarse = [&](unsigned operand) {
    return std::vector<int64_t>(loopStrides[operand].begin(),
                                loopStrides[operand].begin() + ipuc::kPoolKh);
  };
  std::vector<int64_t> inputStrides = fine(input), maxStrides = coarse(max),
                       gradStrides = coarse(roles->grad),
                       resultStrides = fine(op.getNumDpsInputs());
  std::vector<int64_t> maskStrides =
      roles->mask ? fine(*roles->mask) : std::vector<int64_t>();
  ArrayRef<int64_t> b = bounds;
  using namespace ipuc;
  addKernel(op,
            plan::CreateMaxPool2DBackwardDirect(
                fbb, *inputTensor, *maxTensor, *gradTensor,
                roles->mask ? static_cast<int32_t>(*maskTensor) : -1, result,
                b[kPoolN], b[kPoolOh], b[kPoolOw], b[kPoolC], b[kPoolKh],
                b[kPoolKw], &inputStrides, &maxStrides, &gradStrides,
                roles->mask ? &maskStrides : nullptr, &resultStrides),
            "linalg.generic (max-pool backward)");
  return true;
}

namespace {
/// How a generic marked by ipuc-host-conv-backward-data runs as the
/// Conv2DBackwardData kernel: `grad` is the tensor it reads, a zero pad's
/// source when that pad (folded into the kernel) feeds only this generic,
/// else the generic's own gradient operand; `low` the folded pad's top and
/// left padding.
struct BackwardDataForm {
  Value grad;
  int64_t low[2] = {0, 0};
};
} // namespace

/// The kernel form of `op`, or nullopt (run it as Generic) unless its body,
/// zero init, loops and indexing maps are exactly the kernel's.
static std::optional<BackwardDataForm>
matchBackwardDataForm(linalg::GenericOp op) {
  auto dilations =
      op->getAttrOfType<DenseI64ArrayAttr>(ipuc::kConvBackwardDataAttr);
  if (!dilations || dilations.size() != 2 || dilations[0] < 1 ||
      dilations[1] < 1 || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 ||
      op.getNumLoops() != ipuc::kNumConvBackwardDataLoops ||
      !ipuc::hasUniformFloatElements(op) || !isMultiplyAccumulate(op) ||
      !ipuc::isZeroTensor(op.getDpsInitOperand(0)->get()))
    return std::nullopt;
  Type elementType = getElementTypeOrSelf(op->getResult(0).getType());
  if (!elementType.isF32() && !elementType.isF64())
    return std::nullopt;
  for (auto [i, type] : llvm::enumerate(op.getIteratorTypesArray()))
    if ((type == utils::IteratorType::reduction) != (i >= ipuc::kDataLoopKy))
      return std::nullopt;
  auto filterType = cast<ShapedType>(op.getDpsInputOperand(1)->get().getType());
  if (filterType.getRank() != 4 || !filterType.hasStaticShape())
    return std::nullopt;
  // Compared simplified: a map parsed from text need not be built alike.
  SmallVector<AffineMap> maps =
      llvm::map_to_vector(op.getIndexingMapsArray(),
                          [](AffineMap m) { return simplifyAffineMap(m); });
  SmallVector<AffineMap, 3> expected = ipuc::getConvBackwardDataMaps(
      op.getContext(), filterType.getDimSize(1), filterType.getDimSize(2),
      dilations[0], dilations[1]);
  if (ArrayRef<AffineMap>(maps) != ArrayRef<AffineMap>(expected))
    return std::nullopt;
  BackwardDataForm form;
  form.grad = op.getDpsInputOperand(0)->get();
  // A zero pad read by this kernel alone: the kernel pads itself. (Not one
  // whose source is a transpose folded into pads: that has no tensor.)
  auto pad = form.grad.getDefiningOp<tensor::PadOp>();
  if (!pad || !form.grad.hasOneUse() ||
      pad.getSource().getDefiningOp<linalg::TransposeOp>())
    return form;
  std::optional<SmallVector<int64_t>> lo =
      ipuc::getConstantPadding(pad.getMixedLowPad());
  std::optional<SmallVector<int64_t>> hi =
      ipuc::getConstantPadding(pad.getMixedHighPad());
  Value padValue = pad.getConstantPaddingValue();
  if (!lo || !hi || !padValue || !matchPattern(padValue, m_AnyZeroFloat()) ||
      (*lo)[0] || (*hi)[0] || (*lo)[3] || (*hi)[3] ||
      llvm::any_of(*lo, [](int64_t v) { return v < 0; }) ||
      llvm::any_of(*hi, [](int64_t v) { return v < 0; }))
    return form;
  form.grad = pad.getSource();
  form.low[0] = (*lo)[1];
  form.low[1] = (*lo)[2];
  return form;
}

/// A zero pad that the Conv2DBackwardData kernel reading it applies itself
/// needs no kernel of its own (see matchBackwardDataForm).
static bool isFoldedIntoBackwardData(tensor::PadOp pad) {
  Value result = pad->getResult(0);
  if (!result.hasOneUse())
    return false;
  auto generic = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!generic || !generic->hasAttr(ipuc::kConvBackwardDataAttr))
    return false;
  std::optional<BackwardDataForm> form = matchBackwardDataForm(generic);
  return form && form->grad == pad.getSource();
}

/// Emits a generic marked by ipuc-host-conv-backward-data as the
/// Conv2DBackwardData kernel; returns false (run it as Generic) unless
/// matchBackwardDataForm accepts it.
FailureOr<bool> HostPlanEmitter::emitConvBackwardData(linalg::GenericOp op) {
  std::optional<BackwardDataForm> form = matchBackwardDataForm(op);
  if (!form)
    return false;
  Value filter = op.getDpsInputOperand(1)->get();
  FailureOr<uint32_t> gradTensor = getTensor(form->grad, op);
  FailureOr<uint32_t> filterTensor = getTensor(filter, op);
  if (failed(gradTensor) || failed(filterTensor))
    return failure();
  uint32_t result = addResult(op->getResult(0));
  ArrayRef<int64_t> g = cast<ShapedType>(form->grad.getType()).getShape();
  ArrayRef<int64_t> f = cast<ShapedType>(filter.getType()).getShape();
  ArrayRef<int64_t> r = cast<ShapedType>(op->getResult(0).getType()).getShape();
  ArrayRef<int64_t> dilations =
      op->getAttrOfType<DenseI64ArrayAttr>(ipuc::kConvBackwardDataAttr)
          .asArrayRef();
  // The correlation reads the padded gradient at y + ky * dilation for the
  // flipped tap ky, so gradient row oy feeds input row
  // oy + low - (kh - 1 - ky) * dilation: the forward padding is
  // (kh - 1) * dilation - low.
  int64_t padTop = (f[1] - 1) * dilations[0] - form->low[0];
  int64_t padLeft = (f[2] - 1) * dilations[1] - form->low[1];
  std::vector<int64_t> gradStrides, filterStrides, resultStrides;
  for (int64_t s : ipuc::getRowMajorStrides(g))
    gradStrides.push_back(s);
  for (int64_t s : ipuc::getRowMajorStrides(f))
    filterStrides.push_back(s);
  for (int64_t s : ipuc::getRowMajorStrides(r))
    resultStrides.push_back(s);
  addKernel(op,
            plan::CreateConv2DBackwardDataDirect(
                fbb, *gradTensor, *filterTensor, result, g[0], g[1], g[2], g[3],
                f[1], f[2], f[3], r[1], r[2], /*stride_h=*/1,
                /*stride_w=*/1, dilations[0], dilations[1], padTop, padLeft,
                &gradStrides, &filterStrides, &resultStrides),
            "linalg.generic (conv backward data)");
  return true;
}

LogicalResult HostPlanEmitter::emitPad(tensor::PadOp op) {
  Value padValue = op.getConstantPaddingValue();
  Attribute attr;
  if (!padValue || !matchPattern(padValue, m_Constant(&attr)))
    return op->emitError("'tensor.pad' must pad with a constant for the host "
                         "plan");
  // The source box is read row-major, or through the permuted strides of a
  // transpose that was folded into this copy (see isFoldedIntoPads).
  ArrayRef<int64_t> srcShape = op.getSourceType().getShape();
  SmallVector<int64_t> srcStrides = ipuc::getRowMajorStrides(srcShape);
  Value sourceValue = op.getSource();
  if (auto transpose = sourceValue.getDefiningOp<linalg::TransposeOp>();
      transpose && isFoldedIntoPads(transpose)) {
    sourceValue = transpose.getInput();
    SmallVector<int64_t> inputStrides = ipuc::getRowMajorStrides(
        cast<ShapedType>(sourceValue.getType()).getShape());
    for (auto [i, dim] : llvm::enumerate(transpose.getPermutation()))
      srcStrides[i] = inputStrides[dim];
  }
  FailureOr<uint32_t> source = getTensor(sourceValue, op);
  if (failed(source))
    return failure();
  std::optional<SmallVector<int64_t>> low =
      ipuc::getConstantPadding(op.getMixedLowPad());
  std::optional<SmallVector<int64_t>> high =
      ipuc::getConstantPadding(op.getMixedHighPad());
  if (!low || !high)
    return op->emitError("'tensor.pad' with non-constant padding is not "
                         "supported by the host plan");
  if (llvm::any_of(*low, [](int64_t v) { return v < 0; }) ||
      llvm::any_of(*high, [](int64_t v) { return v < 0; }))
    return op->emitError("'tensor.pad' with negative padding is not "
                         "supported by the host plan");
  uint32_t result = addResult(op.getResult());
  double fimm = 0;
  int64_t iimm = 0;
  if (auto floatAttr = dyn_cast<FloatAttr>(attr))
    fimm = floatAttr.getValueAsDouble();
  else if (auto intAttr = dyn_cast<IntegerAttr>(attr))
    iimm = intAttr.getValue().getBitWidth() == 1
               ? intAttr.getValue().getZExtValue()
               : intAttr.getValue().getSExtValue();
  addKernel(op, plan::CreateFill(fbb, result, fimm, iimm));
  SmallVector<int64_t> dstStrides =
      ipuc::getRowMajorStrides(op.getResultType().getShape());
  int64_t dstOffset = 0;
  for (auto [l, stride] : llvm::zip(*low, dstStrides))
    dstOffset += l * stride;
  addCopy(op, *source, result, srcShape, 0, srcStrides, dstOffset,
          dstStrides);
  return success();
}

/// Offset and strides of a static slice box within a row-major tensor.
static void sliceLayout(ArrayRef<int64_t> shape, ArrayRef<int64_t> offsets,
                        ArrayRef<int64_t> sliceStrides, int64_t &offset,
                        SmallVectorImpl<int64_t> &strides) {
  SmallVector<int64_t> rowMajor = ipuc::getRowMajorStrides(shape);
  offset = 0;
  strides.clear();
  for (unsigned i = 0; i < shape.size(); ++i) {
    offset += offsets[i] * rowMajor[i];
    strides.push_back(sliceStrides[i] * rowMajor[i]);
  }
}

LogicalResult HostPlanEmitter::emitExtractSlice(tensor::ExtractSliceOp op) {
  FailureOr<uint32_t> source = getTensor(op.getSource(), op);
  if (failed(source))
    return failure();
  uint32_t result = addResult(op.getResult());
  ArrayRef<int64_t> sizes = op.getStaticSizes();
  int64_t srcOffset;
  SmallVector<int64_t> srcStrides;
  sliceLayout(op.getSourceType().getShape(), op.getStaticOffsets(),
              op.getStaticStrides(), srcOffset, srcStrides);
  // A rank-reducing slice drops unit dims, which keeps the row-major layout
  // of the full-rank box.
  addCopy(op, *source, result, sizes, srcOffset, srcStrides, 0,
          ipuc::getRowMajorStrides(sizes));
  return success();
}

LogicalResult HostPlanEmitter::emitInsertSlice(tensor::InsertSliceOp op) {
  FailureOr<uint32_t> source = getTensor(op.getSource(), op);
  if (failed(source))
    return failure();
  uint32_t result = addResult(op.getResult());
  ArrayRef<int64_t> destShape = op.getDestType().getShape();
  // An empty destination has no defined contents to preserve.
  if (!op.getDest().getDefiningOp<tensor::EmptyOp>()) {
    FailureOr<uint32_t> dest = getTensor(op.getDest(), op);
    if (failed(dest))
      return failure();
    addWholeCopy(op, *dest, result, destShape);
  }
  ArrayRef<int64_t> sizes = op.getStaticSizes();
  int64_t dstOffset;
  SmallVector<int64_t> dstStrides;
  sliceLayout(destShape, op.getStaticOffsets(), op.getStaticStrides(),
              dstOffset, dstStrides);
  addCopy(op, *source, result, sizes, 0, ipuc::getRowMajorStrides(sizes),
          dstOffset, dstStrides);
  return success();
}

LogicalResult HostPlanEmitter::emitConcat(tensor::ConcatOp op) {
  uint32_t result = addResult(op.getResult());
  SmallVector<int64_t> dstStrides =
      ipuc::getRowMajorStrides(op.getResultType().getShape());
  uint64_t dim = op.getDim();
  int64_t position = 0;
  for (Value input : op.getInputs()) {
    FailureOr<uint32_t> source = getTensor(input, op);
    if (failed(source))
      return failure();
    ArrayRef<int64_t> shape = cast<ShapedType>(input.getType()).getShape();
    addCopy(op, *source, result, shape, 0, ipuc::getRowMajorStrides(shape),
            position * dstStrides[dim], dstStrides);
    position += shape[dim];
  }
  return success();
}

LogicalResult HostPlanEmitter::emitAlias(Operation *op, Value source) {
  // Reshapes keep the row-major element order, so the result shares the
  // source's storage; readers index it with the result's own shape.
  FailureOr<uint32_t> tensor = getTensor(source, op);
  if (failed(tensor))
    return failure();
  tensorOf[op->getResult(0)] = *tensor;
  return success();
}

LogicalResult HostPlanEmitter::emitReturn(func::FuncOp func,
                                          func::ReturnOp op) {
  for (auto [i, value] : llvm::enumerate(op.getOperands())) {
    std::string name = "output" + std::to_string(i);
    if (auto attr = func.getResultAttrOfType<StringAttr>(i, "ipuc.name"))
      name = attr.getValue().str();
    for (const auto &output : outputs)
      if (output.first == name)
        return op->emitError() << "two outputs are named '" << name << "'";
    FailureOr<uint32_t> tensor = getTensor(value, op);
    if (failed(tensor))
      return failure();
    PlanTensor &planTensor = tensors[*tensor];
    if (planTensor.role == TensorRole::Intermediate &&
        planTensor.owner == value) {
      planTensor.role = TensorRole::Output;
      planTensor.name = name;
      outputs.emplace_back(name, *tensor);
      continue;
    }
    // A reshaped view of an intermediate is returned in place: the tensor
    // takes the returned shape (reshapes keep the row-major order, and its
    // kernels address it by offsets and strides), so no copy is made. The
    // optimizer's updated weights come out of fusion this way, behind the
    // collapse of the unit batch dimension the importer adds to matmuls.
    if (planTensor.role == TensorRole::Intermediate) {
      auto type = cast<ShapedType>(value.getType());
      planTensor.role = TensorRole::Output;
      planTensor.name = name;
      planTensor.shape.assign(type.getShape().begin(), type.getShape().end());
      outputs.emplace_back(name, *tensor);
      continue;
    }
    // Inputs, constants and other outputs get their own copy so that every
    // output binding owns its tensor.
    uint32_t copy = addTensor(Value(), value.getType(), TensorRole::Output,
                              name);
    addWholeCopy(op, *tensor, copy,
                 cast<ShapedType>(value.getType()).getShape(),
                 "output copy");
    outputs.emplace_back(name, copy);
  }
  return success();
}

LogicalResult HostPlanEmitter::emitOp(Operation *op) {
  if (failed(ipuc::checkHostPlanSupport(op)))
    return failure();
  Attribute attr;
  if (matchPattern(op, m_Constant(&attr))) {
    // Scalar constants are materialized where they are used.
    if (isa<ShapedType>(op->getResult(0).getType()))
      return addConstant(op->getResult(0), attr, op);
    return success();
  }
  if (isa<tensor::EmptyOp>(op))
    return success();
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return emitFill(fill);
  if (isMatMulKernel(op)) {
    FailureOr<bool> done = emitMatMul(cast<linalg::LinalgOp>(op));
    if (failed(done))
      return failure();
    if (*done)
      return success();
  }
  if (auto conv = dyn_cast<linalg::Conv2DNhwcFhwcOp>(op)) {
    FailureOr<bool> done = emitConv(conv);
    if (failed(done))
      return failure();
    if (*done)
      return success();
  }
  // A generic that a host-only rewrite marked for a dedicated kernel; the
  // emitter returns false when the marked form does not fit its kernel, and
  // the generic then runs as Generic.
  using MarkedEmitter = FailureOr<bool> (HostPlanEmitter::*)(linalg::GenericOp);
  static const std::pair<llvm::StringLiteral, MarkedEmitter> kMarkedKernels[] =
      {{ipuc::kConvBackwardFilterAttr,
        &HostPlanEmitter::emitConvBackwardFilter},
       {ipuc::kMaxPoolBackwardAttr, &HostPlanEmitter::emitMaxPoolBackward},
       {ipuc::kConvBackwardDataAttr, &HostPlanEmitter::emitConvBackwardData}};
  if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
    for (const auto &[attr, emit] : kMarkedKernels) {
      if (!generic->hasAttr(attr))
        continue;
      FailureOr<bool> done = (this->*emit)(generic);
      if (failed(done))
        return failure();
      if (*done)
        return success();
    }
  }
  // Applied by the Conv2DBackwardData kernel that reads it.
  if (auto pad = dyn_cast<tensor::PadOp>(op);
      pad && isFoldedIntoBackwardData(pad))
    return success();
  // Emitted by its readers instead (as their copy's strides).
  if (auto transpose = dyn_cast<linalg::TransposeOp>(op);
      transpose && isFoldedIntoPads(transpose))
    return success();
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return emitGeneric(linalgOp);
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](tensor::PadOp pad) { return emitPad(pad); })
      .Case([&](tensor::ExtractSliceOp s) { return emitExtractSlice(s); })
      .Case([&](tensor::InsertSliceOp s) { return emitInsertSlice(s); })
      .Case([&](tensor::ConcatOp c) { return emitConcat(c); })
      .Case([&](tensor::ExpandShapeOp r) { return emitAlias(r, r.getSrc()); })
      .Case(
          [&](tensor::CollapseShapeOp r) { return emitAlias(r, r.getSrc()); })
      .Case([&](tensor::ReshapeOp r) { return emitAlias(r, r.getSource()); })
      .Case([&](tensor::CastOp c) { return emitAlias(c, c.getSource()); })
      .Default([&](Operation *other) {
        return other->emitError() << "'" << other->getName()
                                  << "' is not supported by the host plan";
      });
}

/// The function to emit: @main, or the only function of the module.
static FailureOr<func::FuncOp> getEntryFunction(ModuleOp module) {
  if (auto main = module.lookupSymbol<func::FuncOp>("main"))
    return main;
  auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
  if (funcs.size() == 1)
    return funcs.front();
  return module.emitError()
         << "the host plan needs a function named 'main' (or exactly one "
            "function); found "
         << funcs.size() << " functions";
}

LogicalResult HostPlanEmitter::run(ModuleOp module,
                                   std::vector<uint8_t> &out) {
  FailureOr<func::FuncOp> entry = getEntryFunction(module);
  if (failed(entry))
    return failure();
  func::FuncOp func = *entry;
  if (func.isExternal())
    return func.emitError("the entry function has no body");
  if (!func.getBody().hasOneBlock())
    return func.emitError("the entry function must have a single block");

  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape() ||
        !ipuc::getPlanDType(type.getElementType()))
      return func.emitError() << "argument #" << arg.getArgNumber()
                              << " of type " << arg.getType()
                              << " is not supported by the host plan (needs "
                                 "a statically shaped tensor)";
    std::string name = "input" + std::to_string(arg.getArgNumber());
    if (auto attr =
            func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "ipuc.name"))
      name = attr.getValue().str();
    for (const auto &input : inputs)
      if (input.first == name)
        return func.emitError() << "two inputs are named '" << name << "'";
    uint32_t index = addTensor(arg, type, TensorRole::Input, name);
    inputs.emplace_back(name, index);
    auto initial = options.initialValues.find(name);
    if (initial != options.initialValues.end() &&
        failed(ipuc::getConstantBytes(initial->second, type,
                                      tensors[index].dtype, func,
                                      tensors[index].data)))
      return failure();
  }
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      if (failed(emitReturn(func, ret)))
        return failure();
      continue;
    }
    if (failed(emitOp(&op)))
      return failure();
  }

  // Tensors are serialized last: outputs are only known at the return.
  std::vector<fb::Offset<plan::Tensor>> tensorOffsets;
  for (const PlanTensor &tensor : tensors) {
    auto name = fbb.CreateString(tensor.name);
    auto shape = fbb.CreateVector(tensor.shape.data(), tensor.shape.size());
    fb::Offset<fb::Vector<uint8_t>> data;
    if (tensor.role == TensorRole::Constant ||
        tensor.role == TensorRole::Parameter ||
        (tensor.role == TensorRole::Input && !tensor.data.empty())) {
      fbb.ForceVectorAlignment(tensor.data.size(), sizeof(uint8_t), 16);
      data = fbb.CreateVector(tensor.data);
    }
    tensorOffsets.push_back(
        plan::CreateTensor(fbb, name, tensor.dtype, shape, tensor.role, data));
  }
  ipuc::finishPlan(fbb, options, "host", options.device, tensorOffsets, inputs,
                   outputs, &kernels, /*tileProgram=*/0);

  fb::Verifier verifier(fbb.GetBufferPointer(), fbb.GetSize(),
                        /*max_depth=*/64, /*max_tables=*/100000000);
  if (!plan::VerifyPlanBuffer(verifier))
    return module.emitError("internal error: the emitted plan does not pass "
                            "the FlatBuffers verifier");
  out.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return success();
}

LogicalResult ipuc::emitHostPlan(ModuleOp module, const PlanOptions &options,
                                 std::vector<uint8_t> &out) {
  return HostPlanEmitter(options).run(module, out);
}

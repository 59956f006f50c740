//===- HostPlanEmitter.cpp - linalg-on-tensors -> FlatBuffers host plan --===//
//
// One plan tensor per SSA tensor value (reshapes alias their source), one
// kernel per op: linalg structured ops become Generic kernels unless they are
// a matmul or an NHWC/FHWC convolution with a dedicated kernel (or a generic
// marked for one: HostPlanMarkedKernels.cpp); tensor data movement becomes
// Copy and Fill kernels.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/HostPlanEmitter.h"
#include "compiler/Plan/BodyCompiler.h"
#include "compiler/Plan/PlanWriting.h"

#include "ipuc/plan/Plan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ipuc::host_plan;

#ifndef IPUC_VERSION
#define IPUC_VERSION "0.1.0"
#endif

std::string ipuc::defaultProducer() { return "ipuc " IPUC_VERSION; }

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
  if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
    FailureOr<bool> done = emitMarkedGeneric(generic);
    if (failed(done))
      return failure();
    if (*done)
      return success();
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

  // The loader's check, with its limits.
  if (!plan::verifyPlanStructure(fbb.GetBufferPointer(), fbb.GetSize()))
    return module.emitError("internal error: the emitted plan does not pass "
                            "the FlatBuffers verifier");
  out.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return success();
}

LogicalResult ipuc::emitHostPlan(ModuleOp module, const PlanOptions &options,
                                 std::vector<uint8_t> &out) {
  return HostPlanEmitter(options).run(module, out);
}

//===- HostPlanSupport.cpp - What the host plan can express --------------===//

#include "compiler/Plan/HostPlanSupport.h"
#include "compiler/Plan/BodyCompiler.h"
#include "dialects/Bsp/IR/BspOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using ipuc::plan::DType;

std::optional<DType> ipuc::getPlanDType(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isF64())
    return DType::F64;
  if (type.isIndex())
    return DType::I64;
  if (auto intType = dyn_cast<IntegerType>(type)) {
    switch (intType.getWidth()) {
    case 1:
      return DType::I1;
    case 8:
      return DType::I8;
    case 16:
      return DType::I16;
    case 32:
      return DType::I32;
    case 64:
      return DType::I64;
    default:
      return std::nullopt;
    }
  }
  return std::nullopt;
}

SmallVector<int64_t> ipuc::getRowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Accumulates `multiplier * expr` into per-dim coefficients and a constant;
/// fails on anything that is not linear in the dims.
static LogicalResult decompose(AffineExpr expr, int64_t multiplier,
                               MutableArrayRef<int64_t> coeffs,
                               int64_t &constant) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
    coeffs[dim.getPosition()] += multiplier;
    return success();
  }
  if (auto cst = dyn_cast<AffineConstantExpr>(expr)) {
    constant += multiplier * cst.getValue();
    return success();
  }
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return failure();
  if (expr.getKind() == AffineExprKind::Add)
    return success(
        succeeded(decompose(binary.getLHS(), multiplier, coeffs, constant)) &&
        succeeded(decompose(binary.getRHS(), multiplier, coeffs, constant)));
  if (expr.getKind() == AffineExprKind::Mul) {
    if (auto cst = dyn_cast<AffineConstantExpr>(binary.getRHS()))
      return decompose(binary.getLHS(), multiplier * cst.getValue(), coeffs,
                       constant);
    if (auto cst = dyn_cast<AffineConstantExpr>(binary.getLHS()))
      return decompose(binary.getRHS(), multiplier * cst.getValue(), coeffs,
                       constant);
  }
  return failure();
}

LogicalResult ipuc::foldIndexingMap(AffineMap map, ArrayRef<int64_t> shape,
                                    SmallVectorImpl<int64_t> &strides,
                                    int64_t &offset) {
  if (map.getNumResults() != shape.size() || map.getNumSymbols() != 0)
    return failure();
  SmallVector<int64_t> rowMajor = getRowMajorStrides(shape);
  strides.assign(map.getNumDims(), 0);
  offset = 0;
  for (auto [r, expr] : llvm::enumerate(map.getResults())) {
    SmallVector<int64_t> coeffs(map.getNumDims(), 0);
    int64_t constant = 0;
    if (failed(decompose(expr, 1, coeffs, constant)))
      return failure();
    for (unsigned d = 0; d < coeffs.size(); ++d)
      strides[d] += coeffs[d] * rowMajor[r];
    offset += constant * rowMajor[r];
  }
  return success();
}

std::optional<SmallVector<int64_t>>
ipuc::getConstantPadding(ArrayRef<OpFoldResult> values) {
  SmallVector<int64_t> result;
  for (OpFoldResult value : values) {
    std::optional<int64_t> constant = getConstantIntValue(value);
    if (!constant)
      return std::nullopt;
    result.push_back(*constant);
  }
  return result;
}

static bool isStaticTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() &&
         ipuc::getPlanDType(tensor.getElementType());
}

LogicalResult ipuc::checkBodyOpSupport(Operation *op,
                                       Operation *structuredOp) {
  for (Type type : op->getResultTypes())
    if (!getPlanDType(type))
      return op->emitError() << "'" << op->getName() << "' in the body of '"
                             << structuredOp->getName() << "' produces "
                             << type << ", which the host plan cannot hold";
  if (matchPattern(op, m_Constant()) || isa<linalg::IndexOp, ipuc::bsp::IndexOp>(op) ||
      isa<arith::CmpFOp, arith::CmpIOp, arith::IndexCastOp,
          arith::IndexCastUIOp>(op) ||
      getSimpleOpcode(op))
    return success();
  if (auto extract = dyn_cast<tensor::ExtractOp>(op)) {
    Value tensor = extract.getTensor();
    // A bsp vertex reads its gathered inputs through body arguments.
    bool gatheredInput = isa<BlockArgument>(tensor) &&
                         isa<ipuc::bsp::GenericVertexOp>(structuredOp);
    if (!gatheredInput &&
        structuredOp->getRegion(0).isAncestor(tensor.getParentRegion()))
      return op->emitError() << "'tensor.extract' from a tensor defined in the "
                                "body of '"
                             << structuredOp->getName()
                             << "' is not supported by the host plan";
    if (!isStaticTensor(tensor.getType()))
      return op->emitError() << "'tensor.extract' from " << tensor.getType()
                             << " is not supported by the host plan "
                                "(needs a static shape)";
    return success();
  }
  return op->emitError() << "'" << op->getName() << "' in the body of '"
                         << structuredOp->getName()
                         << "' is not supported by the host plan";
}

static LogicalResult checkStatic(Operation *op, ArrayRef<int64_t> values,
                                 StringRef what) {
  if (llvm::any_of(values, ShapedType::isDynamic))
    return op->emitError() << "'" << op->getName() << "' with dynamic " << what
                           << " is not supported by the host plan";
  return success();
}

static LogicalResult checkLinalgOp(linalg::LinalgOp linalgOp) {
  Operation *op = linalgOp;
  if (!linalgOp.hasPureTensorSemantics())
    return op->emitError() << "'" << op->getName()
                           << "' on memrefs is not supported by the host plan";
  for (OpOperand &operand : op->getOpOperands()) {
    Type type = operand.get().getType();
    if (isa<ShapedType>(type)) {
      if (!isStaticTensor(type))
        return op->emitError()
               << "'" << op->getName() << "' operand #"
               << operand.getOperandNumber() << " of type " << type
               << " is not supported by the host plan (needs a static shape "
                  "and a plan dtype)";
      SmallVector<int64_t> strides;
      int64_t offset;
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      if (failed(ipuc::foldIndexingMap(
              map, cast<ShapedType>(type).getShape(), strides, offset)))
        return op->emitError()
               << "'" << op->getName() << "' operand #"
               << operand.getOperandNumber() << " has indexing map " << AffineMapAttr::get(map)
               << ", which is not a linear combination of loop dimensions "
                  "plus a constant (mod, floordiv and ceildiv are not "
                  "supported by the host plan)";
    } else if (!matchPattern(operand.get(), m_Constant())) {
      return op->emitError() << "'" << op->getName() << "' scalar operand #"
                             << operand.getOperandNumber()
                             << " must be a constant for the host plan";
    } else if (!ipuc::getPlanDType(type)) {
      return op->emitError() << "'" << op->getName() << "' scalar operand #"
                             << operand.getOperandNumber() << " of type "
                             << type << " has no plan dtype";
    }
  }
  if (failed(checkStatic(op, linalgOp.getStaticLoopRanges(), "loop bounds")))
    return failure();
  for (Operation &bodyOp : linalgOp.getBlock()->without_terminator())
    if (failed(ipuc::checkBodyOpSupport(&bodyOp, op)))
      return failure();
  return success();
}

bool ipuc::hasUniformFloatElements(Operation *op) {
  auto linalgOp = cast<linalg::LinalgOp>(op);
  Type elementType =
      getElementTypeOrSelf(linalgOp.getDpsInitOperand(0)->get().getType());
  return isa<FloatType>(elementType) &&
         llvm::all_of(linalgOp.getDpsInputOperands(), [&](OpOperand *in) {
           return getElementTypeOrSelf(in->get().getType()) == elementType;
         });
}

LogicalResult ipuc::checkHostPlanSupport(Operation *op) {
  if (isa<func::ReturnOp>(op))
    return success();
  for (Type type : op->getResultTypes()) {
    if (isa<ShapedType>(type) && !isStaticTensor(type))
      return op->emitError() << "'" << op->getName() << "' result of type "
                             << type
                             << " is not supported by the host plan (needs a "
                                "statically shaped tensor of f32, f16, bf16, "
                                "f64, i1, i8, i16, i32 or i64)";
  }
  Attribute value;
  if (matchPattern(op, m_Constant(&value))) {
    if (isa<ShapedType>(op->getResult(0).getType()) &&
        !isa<DenseElementsAttr, DenseResourceElementsAttr>(value))
      return op->emitError() << "constant attribute " << value
                             << " is not supported by the host plan";
    return success();
  }
  if (isa<tensor::EmptyOp, tensor::ExpandShapeOp, tensor::CollapseShapeOp,
          tensor::ReshapeOp, tensor::CastOp, tensor::ConcatOp>(op))
    return success();
  if (auto pad = dyn_cast<tensor::PadOp>(op)) {
    // tosa-to-tensor pads by constant SSA values, which count as static.
    if (!ipuc::getConstantPadding(pad.getMixedLowPad()) ||
        !ipuc::getConstantPadding(pad.getMixedHighPad()))
      return op->emitError() << "'tensor.pad' with non-constant padding "
                                "is not supported by the host plan";
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || !matchPattern(padValue, m_Constant()))
      return op->emitError() << "'tensor.pad' must pad with a constant for the "
                                "host plan";
    return success();
  }
  if (auto slice = dyn_cast<OffsetSizeAndStrideOpInterface>(op)) {
    if (!isa<tensor::ExtractSliceOp, tensor::InsertSliceOp>(op))
      return op->emitError() << "'" << op->getName()
                             << "' is not supported by the host plan";
    if (failed(checkStatic(op, slice.getStaticOffsets(), "offsets")) ||
        failed(checkStatic(op, slice.getStaticSizes(), "sizes")) ||
        failed(checkStatic(op, slice.getStaticStrides(), "strides")))
      return failure();
    return success();
  }
  if (auto fill = dyn_cast<linalg::FillOp>(op)) {
    if (!matchPattern(fill.value(), m_Constant()))
      return op->emitError() << "'linalg.fill' must fill with a constant for "
                                "the host plan";
  }
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return checkLinalgOp(linalgOp);
  return op->emitError() << "'" << op->getName()
                         << "' is not supported by the host plan";
}

bool ipuc::isZeroTensor(Value value) {
  if (matchPattern(value, m_AnyZeroFloat()))
    return true;
  Operation *op = value.getDefiningOp();
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(op))
    return matchPattern(fill.value(), m_AnyZeroFloat());
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 0 ||
      generic.getNumResults() != 1)
    return false;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  return matchPattern(yield.getValues()[0], m_AnyZeroFloat());
}

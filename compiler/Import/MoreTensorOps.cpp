//===- MoreTensorOps.cpp - More data-movement op converters ---------------===//
//
// Dropout (inference), Tile, Pad, Split, CastLike, GatherElements,
// DepthToSpace, SpaceToDepth, Trilu and CumSum. Shape-like operands (repeats,
// pads, split sizes, k, axis) must be constants: every tensor in ipuc has a
// static shape. Most are tosa; GatherElements and CumSum, which tosa cannot
// express directly, are one `linalg.generic` each (an indexed read with
// `tensor.extract`, and a masked reduction).
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/ConverterUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <numeric>

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

void loadLinalg(OpBuilder &b) {
  MLIRContext *c = b.getContext();
  c->getOrLoadDialect<linalg::LinalgDialect>();
  c->getOrLoadDialect<math::MathDialect>();
  c->getOrLoadDialect<arith::ArithDialect>();
  c->getOrLoadDialect<tensor::TensorDialect>();
}

/// Slice of `value` along one axis.
Value sliceAxis(NodeContext &ctx, Value value, int64_t axis, int64_t start,
                int64_t size) {
  auto shape = shapeOf(value).getShape();
  SmallVector<int64_t> starts(shape.size(), 0), sizes(shape);
  starts[axis] = start;
  sizes[axis] = size;
  return sliceTo(ctx, value, starts, sizes);
}

Value reverseAxis(NodeContext &ctx, Value value, int64_t axis) {
  if (shapeOf(value).getDimSize(axis) == 1)
    return value;
  return ctx.builder().create<tosa::ReverseOp>(
      ctx.loc(), value.getType(), value,
      ctx.builder().getI32IntegerAttr(axis));
}

Value tileAxis(NodeContext &ctx, Value value, int64_t axis, int64_t times) {
  if (times == 1)
    return value;
  auto type = shapeOf(value);
  SmallVector<int64_t> mult(type.getRank(), 1), shape(type.getShape());
  mult[axis] = times;
  shape[axis] *= times;
  return ctx.builder().create<tosa::TileOp>(
      ctx.loc(), type.clone(shape), value,
      ctx.builder().getDenseI64ArrayAttr(mult));
}

Value concatAxis(NodeContext &ctx, ArrayRef<Value> parts, int64_t axis) {
  if (parts.size() == 1)
    return parts.front();
  auto type = shapeOf(parts.front());
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = 0;
  for (Value p : parts)
    shape[axis] += shapeOf(p).getDimSize(axis);
  return ctx.builder().create<tosa::ConcatOp>(
      ctx.loc(), type.clone(shape), parts,
      ctx.builder().getI32IntegerAttr(axis));
}

/// Float -> integer casts truncate toward zero in ONNX; tosa.cast rounds.
Value onnxCast(NodeContext &ctx, Value x, Type target) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  auto type = shapeOf(x);
  if (isa<FloatType>(type.getElementType()) && isa<IntegerType>(target) &&
      !target.isInteger(1)) {
    Value zero = constScalar(b, loc, type.getElementType(), 0.0, type.getRank());
    Value nonNeg = b.create<tosa::GreaterEqualOp>(
        loc, type.clone(b.getI1Type()), x, zero);
    x = b.create<tosa::SelectOp>(loc, type, nonNeg,
                                 b.create<tosa::FloorOp>(loc, type, x),
                                 b.create<tosa::CeilOp>(loc, type, x));
  }
  return castTo(b, loc, x, target);
}

LogicalResult convertDropout(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  if (ctx.opset() >= 12 && ctx.hasInput(2)) {
    auto training = ctx.constantInts(2);
    if (!training || training->size() != 1)
      return ctx.error("input 'training_mode' must be a constant");
    if (training->front() != 0) {
      double ratio = 0.5;
      if (ctx.hasInput(1)) {
        auto r = ctx.constantFloats(1);
        if (!r || r->size() != 1)
          return ctx.error("input 'ratio' must be a constant scalar");
        ratio = r->front();
      }
      if (ratio != 0.0)
        return ctx.error("training mode with a non-zero ratio is not "
                         "supported (inference only)");
    }
  }
  Value x = ctx.input(0);
  ctx.setResult(0, x);
  if (ctx.numOutputs() > 1 && ctx.hasOutput(1)) {
    auto type = RankedTensorType::get(shapeOf(x).getShape(),
                                      ctx.builder().getI1Type());
    ctx.setResult(1, constTensor(ctx.builder(), ctx.loc(),
                                 DenseElementsAttr::get(type, true)));
  }
  return success();
}

LogicalResult convertTile(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  FailureOr<std::vector<int64_t>> repeats = requireConstantInts(ctx, 1, "repeats");
  if (failed(repeats))
    return failure();
  auto type = ctx.inputType(0);
  if ((int64_t)repeats->size() != type.getRank())
    return ctx.error("'repeats' has " + Twine(repeats->size()) +
                     " values, the input has rank " + Twine(type.getRank()));
  SmallVector<int64_t> shape;
  for (auto [d, r] : llvm::zip(type.getShape(), *repeats)) {
    if (r < 1)
      return ctx.error("repeats must be positive (zero-sized tensors are not "
                       "supported)");
    shape.push_back(d * r);
  }
  Value x = ctx.input(0);
  if (llvm::any_of(*repeats, [](int64_t r) { return r != 1; }))
    x = ctx.builder().create<tosa::TileOp>(
        ctx.loc(), type.clone(shape), x,
        ctx.builder().getDenseI64ArrayAttr(*repeats));
  ctx.setResult(0, x);
  return success();
}

LogicalResult convertPad(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  Value x = ctx.input(0);
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  Type et = type.getElementType();
  std::string mode = ctx.attrString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return ctx.error("unsupported mode '" + mode + "'");

  std::vector<int64_t> pads;
  std::optional<double> padValue = 0.0;
  Value dynamicPadValue;
  if (ctx.opset() < 11) {
    if (!ctx.hasAttr("pads"))
      return ctx.error("missing attribute 'pads'");
    pads = ctx.attrInts("pads", {});
    padValue = ctx.attrFloat("value", 0.0f);
  } else {
    FailureOr<std::vector<int64_t>> p = requireConstantInts(ctx, 1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (ctx.hasInput(2)) {
      if (shapeOf(ctx.input(2)).getNumElements() != 1)
        return ctx.error("'constant_value' must hold one element");
      if (shapeOf(ctx.input(2)).getElementType() != et)
        return ctx.error("'constant_value' has a different element type");
      auto v = ctx.constantFloats(2);
      if (v && v->size() == 1)
        padValue = v->front();
      else {
        padValue.reset();
        dynamicPadValue = ctx.input(2);
      }
    }
    if (ctx.hasInput(3)) {
      FailureOr<std::vector<int64_t>> axes = requireConstantInts(ctx, 3, "axes");
      if (failed(axes))
        return failure();
      if (pads.size() != 2 * axes->size())
        return ctx.error("'pads' must have twice as many values as 'axes'");
      std::vector<int64_t> full(2 * rank, 0);
      for (auto [i, a] : llvm::enumerate(*axes)) {
        int64_t axis = normalizeAxis(a, rank);
        if (axis < 0)
          return ctx.error("axis " + Twine(a) + " out of range");
        full[axis] = pads[i];
        full[axis + rank] = pads[i + axes->size()];
      }
      pads = full;
    }
  }
  if ((int64_t)pads.size() != 2 * rank)
    return ctx.error("'pads' has " + Twine(pads.size()) +
                     " values, expected " + Twine(2 * rank));

  // Negative pads crop first.
  SmallVector<int64_t> starts(rank), sizes(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t lo = std::min<int64_t>(pads[d], 0);
    int64_t hi = std::min<int64_t>(pads[d + rank], 0);
    starts[d] = -lo;
    sizes[d] = type.getDimSize(d) + lo + hi;
    if (sizes[d] <= 0)
      return ctx.error("negative pads remove the whole of axis " + Twine(d));
  }
  x = sliceTo(ctx, x, starts, sizes);
  SmallVector<int64_t> lo(rank), hi(rank), outShape(rank);
  for (int64_t d = 0; d < rank; ++d) {
    lo[d] = std::max<int64_t>(pads[d], 0);
    hi[d] = std::max<int64_t>(pads[d + rank], 0);
    outShape[d] = sizes[d] + lo[d] + hi[d];
  }
  if (llvm::all_of(lo, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(hi, [](int64_t v) { return v == 0; })) {
    ctx.setResult(0, x);
    return success();
  }

  if (mode == "constant") {
    SmallVector<int64_t> padding;
    for (int64_t d = 0; d < rank; ++d) {
      padding.push_back(lo[d]);
      padding.push_back(hi[d]);
    }
    auto padType = RankedTensorType::get({rank, 2}, b.getI64Type());
    Value padTensor =
        constTensor(b, loc, DenseIntElementsAttr::get(padType, padding));
    Value padConst =
        constScalar(b, loc, et, padValue ? *padValue : 0.0, /*rank=*/0);
    Value padded = b.create<tosa::PadOp>(loc, type.clone(outShape), x,
                                         padTensor, padConst);
    if (dynamicPadValue) {
      // Where the pad is, take the runtime value: a constant mask selects.
      auto maskType = RankedTensorType::get(sizes, b.getI1Type());
      Value ones = constTensor(b, loc, DenseElementsAttr::get(maskType, true));
      Value mask = b.create<tosa::PadOp>(
          loc, RankedTensorType::get(outShape, b.getI1Type()), ones, padTensor,
          constScalar(b, loc, b.getI1Type(), 0.0, 0));
      Value v = reshapeTo(b, loc, dynamicPadValue,
                          SmallVector<int64_t>(rank, 1));
      padded = b.create<tosa::SelectOp>(loc, type.clone(outShape), mask,
                                        padded, v);
    }
    ctx.setResult(0, padded);
    return success();
  }

  // reflect / edge: build each axis from slices, reversed or tiled.
  for (int64_t d = 0; d < rank; ++d) {
    if (lo[d] == 0 && hi[d] == 0)
      continue;
    int64_t n = shapeOf(x).getDimSize(d);
    SmallVector<Value> parts;
    if (mode == "reflect") {
      if (lo[d] >= n || hi[d] >= n)
        return ctx.error("reflect pads must be smaller than the axis size "
                         "(axis " + Twine(d) + ")");
      if (lo[d] > 0)
        parts.push_back(reverseAxis(ctx, sliceAxis(ctx, x, d, 1, lo[d]), d));
      parts.push_back(x);
      if (hi[d] > 0)
        parts.push_back(
            reverseAxis(ctx, sliceAxis(ctx, x, d, n - 1 - hi[d], hi[d]), d));
    } else {
      if (lo[d] > 0)
        parts.push_back(tileAxis(ctx, sliceAxis(ctx, x, d, 0, 1), d, lo[d]));
      parts.push_back(x);
      if (hi[d] > 0)
        parts.push_back(
            tileAxis(ctx, sliceAxis(ctx, x, d, n - 1, 1), d, hi[d]));
    }
    x = concatAxis(ctx, parts, d);
  }
  ctx.setResult(0, x);
  return success();
}

LogicalResult convertSplit(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (axis < 0)
    return ctx.error("axis out of range");
  int64_t dim = type.getDimSize(axis);
  std::vector<int64_t> sizes;
  if (ctx.opset() >= 13 && ctx.hasInput(1)) {
    FailureOr<std::vector<int64_t>> s = requireConstantInts(ctx, 1, "split");
    if (failed(s))
      return failure();
    sizes = *s;
  } else if (ctx.opset() < 13 && ctx.hasAttr("split")) {
    sizes = ctx.attrInts("split", {});
  } else {
    int64_t n = ctx.hasAttr("num_outputs") ? ctx.attrInt("num_outputs", 1)
                                           : (int64_t)ctx.numOutputs();
    if (n < 1)
      return ctx.error("needs at least one output");
    if ((int64_t)ctx.numOutputs() != n)
      return ctx.error("'num_outputs' is " + Twine(n) + " but the node has " +
                       Twine(ctx.numOutputs()) + " outputs");
    int64_t chunk = (dim + n - 1) / n;
    if (!ctx.hasAttr("num_outputs") && dim % n != 0)
      return ctx.error("axis size " + Twine(dim) +
                       " does not split evenly into " + Twine(n) + " outputs");
    for (int64_t i = 0, left = dim; i < n; ++i) {
      sizes.push_back(std::min(chunk, left));
      left -= sizes.back();
    }
  }
  if (sizes.size() != ctx.numOutputs())
    return ctx.error("'split' has " + Twine(sizes.size()) +
                     " sizes but the node has " + Twine(ctx.numOutputs()) +
                     " outputs");
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 1)
      return ctx.error("split sizes must be positive (zero-sized tensors are "
                       "not supported)");
    total += s;
  }
  if (total != dim)
    return ctx.error("split sizes sum to " + Twine(total) +
                     ", the axis has size " + Twine(dim));
  int64_t start = 0;
  for (auto [i, s] : llvm::enumerate(sizes)) {
    if (ctx.hasOutput(i))
      ctx.setResult(i, sliceAxis(ctx, ctx.input(0), axis, start, s));
    start += s;
  }
  return success();
}

LogicalResult convertCastLike(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  ctx.setResult(0, onnxCast(ctx, ctx.input(0),
                            ctx.inputType(1).getElementType()));
  return success();
}

LogicalResult convertGatherElements(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  auto dataType = ctx.inputType(0);
  auto idxType = ctx.inputType(1);
  int64_t rank = dataType.getRank();
  if (idxType.getRank() != rank)
    return ctx.error("indices must have the rank of the data");
  if (!isa<IntegerType>(idxType.getElementType()) ||
      idxType.getElementType().isInteger(1))
    return ctx.error("indices must be integers");
  if (rank == 0)
    return ctx.error("data must have rank >= 1");
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (axis < 0)
    return ctx.error("axis out of range");
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && idxType.getDimSize(d) > dataType.getDimSize(d))
      return ctx.error("indices dimension " + Twine(d) +
                       " is larger than the data's");
  OpBuilder &b = ctx.builder();
  loadLinalg(b);
  Location loc = ctx.loc();
  Value data = ctx.input(0);
  Type it = idxType.getElementType();
  int64_t dim = dataType.getDimSize(axis);
  MLIRContext *mctx = b.getContext();
  Value init =
      b.create<tensor::EmptyOp>(loc, idxType.getShape(), dataType.getElementType());
  SmallVector<AffineMap> maps(2, AffineMap::getMultiDimIdentityMap(rank, mctx));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{init.getType()}, ValueRange{ctx.input(1)},
      ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value idx = args[0];
        Value zero = nb.create<arith::ConstantOp>(l, nb.getIntegerAttr(it, 0));
        Value dimV =
            nb.create<arith::ConstantOp>(l, nb.getIntegerAttr(it, dim));
        Value neg = nb.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt,
                                             idx, zero);
        idx = nb.create<arith::SelectOp>(
            l, neg, nb.create<arith::AddIOp>(l, idx, dimV), idx);
        // Out-of-range indices are clamped rather than read out of bounds.
        idx = nb.create<arith::MaxSIOp>(l, idx, zero);
        idx = nb.create<arith::MinSIOp>(
            l, idx,
            nb.create<arith::ConstantOp>(l, nb.getIntegerAttr(it, dim - 1)));
        SmallVector<Value> indices;
        for (int64_t d = 0; d < rank; ++d)
          indices.push_back(
              d == axis
                  ? nb.create<arith::IndexCastOp>(l, nb.getIndexType(), idx)
                        .getResult()
                  : nb.create<linalg::IndexOp>(l, d).getResult());
        Value v = nb.create<tensor::ExtractOp>(l, data, indices);
        nb.create<linalg::YieldOp>(l, v);
      });
  ctx.setResult(0, generic.getResult(0));
  return success();
}

LogicalResult convertDepthToSpace(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  auto type = ctx.inputType(0);
  if (type.getRank() != 4)
    return ctx.error("expects a 4-D NCHW input");
  int64_t bs = ctx.attrInt("blocksize", 0);
  if (bs < 1)
    return ctx.error("attribute 'blocksize' must be positive");
  std::string mode = ctx.attrString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD")
    return ctx.error("unsupported mode '" + mode + "'");
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  if (c % (bs * bs) != 0)
    return ctx.error("channels must be divisible by blocksize^2");
  int64_t c2 = c / (bs * bs);
  OpBuilder &b = ctx.builder();
  Value x;
  if (mode == "DCR") {
    x = reshapeTo(b, ctx.loc(), ctx.input(0), {n, bs, bs, c2, h, w});
    x = transposeBy(b, ctx.loc(), x, {0, 3, 4, 1, 5, 2});
  } else {
    x = reshapeTo(b, ctx.loc(), ctx.input(0), {n, c2, bs, bs, h, w});
    x = transposeBy(b, ctx.loc(), x, {0, 1, 4, 2, 5, 3});
  }
  ctx.setResult(0, reshapeTo(b, ctx.loc(), x, {n, c2, h * bs, w * bs}));
  return success();
}

LogicalResult convertSpaceToDepth(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  auto type = ctx.inputType(0);
  if (type.getRank() != 4)
    return ctx.error("expects a 4-D NCHW input");
  int64_t bs = ctx.attrInt("blocksize", 0);
  if (bs < 1)
    return ctx.error("attribute 'blocksize' must be positive");
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  if (h % bs != 0 || w % bs != 0)
    return ctx.error("height and width must be divisible by blocksize");
  OpBuilder &b = ctx.builder();
  Value x =
      reshapeTo(b, ctx.loc(), ctx.input(0), {n, c, h / bs, bs, w / bs, bs});
  x = transposeBy(b, ctx.loc(), x, {0, 3, 5, 1, 2, 4});
  ctx.setResult(0,
                reshapeTo(b, ctx.loc(), x, {n, c * bs * bs, h / bs, w / bs}));
  return success();
}

LogicalResult convertTrilu(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 2)
    return ctx.error("expects an input of rank >= 2");
  int64_t k = 0;
  if (ctx.hasInput(1)) {
    auto v = ctx.constantInts(1);
    if (!v || v->size() != 1)
      return ctx.error("input 'k' must be a constant scalar");
    k = v->front();
  }
  bool upper = ctx.attrInt("upper", 1) != 0;
  int64_t rows = type.getDimSize(rank - 2), cols = type.getDimSize(rank - 1);
  if (type.getNumElements() == 0)
    return ctx.error("zero-sized tensors are not supported");
  std::vector<bool> keep;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      keep.push_back(upper ? j - i >= k : j - i <= k);
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  // A splat mask would let tosa.select's folder return an unbroadcast
  // operand: handle all-kept and all-cleared directly.
  if (llvm::all_of(keep, [](bool k) { return k; })) {
    ctx.setResult(0, ctx.input(0));
    return success();
  }
  if (llvm::none_of(keep, [](bool k) { return k; })) {
    Type et = type.getElementType();
    Attribute zeroAttr = isa<FloatType>(et) ? Attribute(b.getFloatAttr(et, 0.0))
                                            : Attribute(b.getIntegerAttr(et, 0));
    ctx.setResult(0, constTensor(b, loc, DenseElementsAttr::get(type, zeroAttr)));
    return success();
  }
  SmallVector<int64_t> maskShape(rank - 2, 1);
  maskShape.push_back(rows);
  maskShape.push_back(cols);
  SmallVector<bool> keepV(keep.begin(), keep.end());
  Value mask = constTensor(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get(maskShape, b.getI1Type()),
                             ArrayRef<bool>(keepV)));
  Value zero = constScalar(b, loc, type.getElementType(), 0.0, rank);
  ctx.setResult(0,
                b.create<tosa::SelectOp>(loc, type, mask, ctx.input(0), zero));
  return success();
}

LogicalResult convertCumSum(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  if (rank == 0)
    return ctx.error("expects an input of rank >= 1");
  Type et = type.getElementType();
  if (et.isInteger(1) || (!isa<FloatType>(et) && !isa<IntegerType>(et)))
    return ctx.error("expects a numeric input");
  auto axisV = ctx.constantInts(1);
  if (!axisV || axisV->size() != 1)
    return ctx.error("input 'axis' must be a constant scalar");
  int64_t axis = normalizeAxis(axisV->front(), rank);
  if (axis < 0)
    return ctx.error("axis out of range");
  bool exclusive = ctx.attrInt("exclusive", 0) != 0;
  bool reverse = ctx.attrInt("reverse", 0) != 0;
  bool isF = isa<FloatType>(et);
  OpBuilder &b = ctx.builder();
  loadLinalg(b);
  Location loc = ctx.loc();
  MLIRContext *mctx = b.getContext();
  // Loops d0..d{rank-1} over the output, d{rank} (reduction) over the axis.
  SmallVector<AffineExpr> inExprs;
  for (int64_t d = 0; d < rank; ++d)
    inExprs.push_back(getAffineDimExpr(d == axis ? rank : d, mctx));
  SmallVector<AffineExpr> outExprs;
  for (int64_t d = 0; d < rank; ++d)
    outExprs.push_back(getAffineDimExpr(d, mctx));
  SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, inExprs, mctx),
                                 AffineMap::get(rank + 1, 0, outExprs, mctx)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  TypedAttr zeroAttr = isF ? TypedAttr(b.getFloatAttr(et, 0.0))
                           : TypedAttr(b.getIntegerAttr(et, 0));
  Value zero = b.create<arith::ConstantOp>(loc, zeroAttr);
  Value empty = b.create<tensor::EmptyOp>(loc, type.getShape(), et);
  Value init = b.create<linalg::FillOp>(loc, zero, empty).getResult(0);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{type}, ValueRange{ctx.input(0)}, ValueRange{init}, maps,
      iters, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value j = nb.create<linalg::IndexOp>(l, axis);
        Value k = nb.create<linalg::IndexOp>(l, rank);
        arith::CmpIPredicate pred =
            reverse ? (exclusive ? arith::CmpIPredicate::sgt
                                 : arith::CmpIPredicate::sge)
                    : (exclusive ? arith::CmpIPredicate::slt
                                 : arith::CmpIPredicate::sle);
        Value take = nb.create<arith::CmpIOp>(l, pred, k, j);
        Value z = nb.create<arith::ConstantOp>(l, zeroAttr);
        Value v = nb.create<arith::SelectOp>(l, take, args[0], z);
        Value sum = isF ? nb.create<arith::AddFOp>(l, args[1], v).getResult()
                        : nb.create<arith::AddIOp>(l, args[1], v).getResult();
        nb.create<linalg::YieldOp>(l, sum);
      });
  ctx.setResult(0, generic.getResult(0));
  return success();
}

} // namespace

void registerMoreTensorConverters(ConverterRegistry &r) {
  r["Dropout"] = {convertDropout, 7};
  r["Tile"] = {convertTile, 6};
  r["Pad"] = {convertPad, 2};
  r["Split"] = {convertSplit, 2};
  r["CastLike"] = {convertCastLike, 15};
  r["GatherElements"] = {convertGatherElements, 11};
  r["DepthToSpace"] = {convertDepthToSpace, 1};
  r["SpaceToDepth"] = {convertSpaceToDepth, 1};
  r["Trilu"] = {convertTrilu, 14};
  r["CumSum"] = {convertCumSum, 11};
}

} // namespace ipuc::onnx_import

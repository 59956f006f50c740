//===- TensorOps.cpp - Shape and data-movement op converters --------------===//
//
// Constants, shape queries, reshapes, transposes, concatenation, slicing,
// gathering, one-hot and expand. Shape-like operands (Reshape's shape,
// Slice's starts, ...) must be constants: every tensor in ipuc has a static
// shape.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/ConverterUtils.h"

#include "compiler/Import/OnnxTensor.h"

#include <cmath>
#include <numeric>

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

Value i64Const(NodeContext &ctx, ArrayRef<int64_t> shape,
               ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, ctx.builder().getI64Type());
  return constTensor(ctx.builder(), ctx.loc(),
                     DenseIntElementsAttr::get(type, values));
}

LogicalResult convertIdentity(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  ctx.setResult(0, ctx.input(0));
  return success();
}

LogicalResult convertConstant(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  const onnx::NodeProto &node = ctx.node();
  if (node.attribute_size() != 1)
    return ctx.error("expects exactly one value attribute");
  const onnx::AttributeProto &attr = node.attribute(0);
  DenseElementsAttr value;
  std::string name = attr.name();
  if (name == "value") {
    std::string error;
    value = convertTensorProto(*b.getContext(), attr.t(), error);
    if (!value)
      return ctx.error("attribute 'value': " + error);
  } else if (name == "value_float") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   attr.f());
  } else if (name == "value_floats") {
    std::vector<float> v(attr.floats().begin(), attr.floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getF32Type()),
        ArrayRef<float>(v));
  } else if (name == "value_int") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   static_cast<int64_t>(attr.i()));
  } else if (name == "value_ints") {
    std::vector<int64_t> v(attr.ints().begin(), attr.ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()),
        ArrayRef<int64_t>(v));
  } else {
    return ctx.error("unsupported attribute '" + name + "'");
  }
  ctx.setResult(0, constTensor(b, ctx.loc(), value));
  return success();
}

LogicalResult convertShape(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size();
  // Opset 15 added start/end, clamped like Python slicing.
  auto clampIndex = [&](int64_t i) {
    if (i < 0)
      i += rank;
    return std::clamp<int64_t>(i, 0, rank);
  };
  int64_t start = clampIndex(ctx.attrInt("start", 0));
  int64_t end = clampIndex(ctx.attrInt("end", rank));
  std::vector<int64_t> dims;
  for (int64_t i = start; i < end; ++i)
    dims.push_back(shape[i]);
  ctx.setResult(0, i64Const(ctx, {(int64_t)dims.size()}, dims));
  return success();
}

LogicalResult convertSize(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  ctx.setResult(0, i64Const(ctx, {}, {product(ctx.inputType(0).getShape())}));
  return success();
}

LogicalResult convertConstantOfShape(NodeContext &ctx) {
  FailureOr<std::vector<int64_t>> shape = requireConstantInts(ctx, 0, "input");
  if (failed(shape))
    return failure();
  OpBuilder &b = ctx.builder();
  DenseElementsAttr value = ctx.attrTensor("value");
  if (ctx.hasAttr("value") && (!value || value.getNumElements() != 1))
    return ctx.error("attribute 'value' must be a one-element tensor of a "
                     "supported dtype");
  if (!value)
    value = DenseElementsAttr::get(RankedTensorType::get({1}, b.getF32Type()),
                                   0.0f);
  for (int64_t d : *shape)
    if (d < 0)
      return ctx.error("negative dimension in shape");
  auto type = RankedTensorType::get(*shape, value.getElementType());
  ctx.setResult(0, constTensor(b, ctx.loc(),
                               DenseElementsAttr::get(
                                   type, value.getValues<Attribute>()[0])));
  return success();
}

LogicalResult convertReshape(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  FailureOr<std::vector<int64_t>> target = requireConstantInts(ctx, 1, "shape");
  if (failed(target))
    return failure();
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  bool allowZero = ctx.attrInt("allowzero", 0) != 0;
  SmallVector<int64_t> shape;
  int64_t inferred = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !allowZero) {
      if (i >= in.size())
        return ctx.error("shape copies dimension " + Twine(i) +
                         " which the input does not have");
      d = in[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return ctx.error("shape has more than one -1");
      inferred = i;
      shape.push_back(1);
      continue;
    }
    if (d < 0)
      return ctx.error("invalid dimension " + Twine(d) + " in shape");
    shape.push_back(d);
    known *= d;
  }
  int64_t total = product(in);
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return ctx.error("cannot infer the -1 dimension");
    shape[inferred] = total / known;
  } else if (known != total) {
    return ctx.error("shape has " + Twine(known) + " elements, input has " +
                     Twine(total));
  }
  if (total == 0)
    return ctx.error("zero-sized tensors are not supported");
  ctx.setResult(0, reshapeTo(ctx.builder(), ctx.loc(), ctx.input(0), shape));
  return success();
}

LogicalResult convertFlatten(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  int64_t rank = in.size();
  int64_t axis = ctx.attrInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return ctx.error("axis out of range");
  SmallVector<int64_t> shape = {product(in.take_front(axis)),
                                product(in.drop_front(axis))};
  ctx.setResult(0, reshapeTo(ctx.builder(), ctx.loc(), ctx.input(0), shape));
  return success();
}

LogicalResult convertTranspose(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  int64_t rank = ctx.inputType(0).getRank();
  std::vector<int64_t> reversed(rank);
  std::iota(reversed.rbegin(), reversed.rend(), 0);
  std::vector<int64_t> perm = ctx.attrInts("perm", reversed);
  std::vector<bool> seen(rank, false);
  if (static_cast<int64_t>(perm.size()) != rank)
    return ctx.error("perm has the wrong length");
  for (int64_t &p : perm) {
    p = normalizeAxis(p, rank);
    if (p < 0 || seen[p])
      return ctx.error("perm is not a permutation");
    seen[p] = true;
  }
  ctx.setResult(0, transposeBy(ctx.builder(), ctx.loc(), ctx.input(0), perm));
  return success();
}

/// Axes of Squeeze/Unsqueeze: an input from opset 13, an attribute before.
FailureOr<std::vector<int64_t>> squeezeAxes(NodeContext &ctx, bool required) {
  if (ctx.opset() >= 13) {
    if (!ctx.hasInput(1)) {
      if (required)
        return ctx.error("missing input 'axes'");
      return std::vector<int64_t>{};
    }
    return requireConstantInts(ctx, 1, "axes");
  }
  if (required && !ctx.hasAttr("axes"))
    return ctx.error("missing attribute 'axes'");
  return ctx.attrInts("axes", {});
}

LogicalResult convertSqueeze(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  FailureOr<std::vector<int64_t>> axes = squeezeAxes(ctx, false);
  if (failed(axes))
    return failure();
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  std::vector<bool> drop(in.size(), false);
  for (int64_t a : *axes) {
    a = normalizeAxis(a, in.size());
    if (a < 0 || in[a] != 1)
      return ctx.error("cannot squeeze axis " + Twine(a) +
                       ": out of range or not of size 1");
    drop[a] = true;
  }
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(in))
    if (!(axes->empty() ? d == 1 : drop[i]))
      shape.push_back(d);
  ctx.setResult(0, reshapeTo(ctx.builder(), ctx.loc(), ctx.input(0), shape));
  return success();
}

LogicalResult convertUnsqueeze(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  FailureOr<std::vector<int64_t>> axes = squeezeAxes(ctx, true);
  if (failed(axes))
    return failure();
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  int64_t outRank = in.size() + axes->size();
  std::vector<bool> isNew(outRank, false);
  for (int64_t a : *axes) {
    a = normalizeAxis(a, outRank);
    if (a < 0 || isNew[a])
      return ctx.error("invalid or repeated axis");
    isNew[a] = true;
  }
  SmallVector<int64_t> shape;
  size_t next = 0;
  for (int64_t i = 0; i < outRank; ++i)
    shape.push_back(isNew[i] ? 1 : in[next++]);
  ctx.setResult(0, reshapeTo(ctx.builder(), ctx.loc(), ctx.input(0), shape));
  return success();
}

/// Concatenation of small constants, or null.
DenseElementsAttr foldConcat(ArrayRef<Value> inputs, int64_t axis,
                             ArrayRef<int64_t> shape) {
  SmallVector<SmallVector<Attribute>> values;
  for (Value v : inputs) {
    DenseElementsAttr attr = smallConstant(v);
    if (!attr)
      return {};
    values.push_back(llvm::to_vector(attr.getValues<Attribute>()));
  }
  // Walk the result as [outer, axis, inner] and copy each input's rows.
  int64_t outer = product(shape.take_front(axis));
  int64_t inner = product(shape.drop_front(axis + 1));
  SmallVector<Attribute> out;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [v, input] : llvm::zip(values, inputs)) {
      int64_t rows = shapeOf(input).getDimSize(axis) * inner;
      for (int64_t r = 0; r < rows; ++r)
        out.push_back(v[o * rows + r]);
    }
  return DenseElementsAttr::get(
      RankedTensorType::get(shape, shapeOf(inputs[0]).getElementType()), out);
}

LogicalResult convertConcat(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  RankedTensorType first = ctx.inputType(0);
  int64_t rank = first.getRank();
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (!ctx.hasAttr("axis") || axis < 0)
    return ctx.error("missing or out-of-range attribute 'axis'");
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  SmallVector<Value> inputs;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    if (!ctx.hasInput(i))
      return ctx.error("empty input name");
    RankedTensorType t = ctx.inputType(i);
    if (t.getRank() != rank || t.getElementType() != first.getElementType())
      return ctx.error("inputs differ in rank or element type");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t.getDimSize(d) != first.getDimSize(d))
        return ctx.error("inputs differ in a non-concatenated dimension");
    shape[axis] += t.getDimSize(axis);
    // Zero-sized pieces contribute nothing and tosa.concat rejects them.
    if (t.getDimSize(axis) != 0)
      inputs.push_back(ctx.input(i));
  }
  if (inputs.size() == 1) {
    ctx.setResult(0, inputs.front());
    return success();
  }
  if (DenseElementsAttr folded = foldConcat(inputs, axis, shape)) {
    ctx.setResult(0, constTensor(ctx.builder(), ctx.loc(), folded));
    return success();
  }
  if (inputs.empty())
    inputs.push_back(ctx.input(0));
  ctx.setResult(0, ctx.builder().create<tosa::ConcatOp>(
                       ctx.loc(),
                       RankedTensorType::get(shape, first.getElementType()),
                       inputs, ctx.builder().getI32IntegerAttr(axis)));
  return success();
}

/// Takes every `step`-th of `count` elements along `axis` starting at
/// `start` (step > 1), without a strided op: slice count*step elements
/// (padding the tail if the input is too short), view that axis as
/// [count, step] and keep column 0.
Value stridedSlice(NodeContext &ctx, Value value, int64_t axis, int64_t start,
                   int64_t count, int64_t step) {
  OpBuilder &b = ctx.builder();
  auto type = shapeOf(value);
  SmallVector<int64_t> shape(type.getShape());
  int64_t rank = shape.size();
  int64_t available = shape[axis] - start;
  int64_t needed = count * step;
  SmallVector<int64_t> starts(rank, 0);
  starts[axis] = start;
  SmallVector<int64_t> sizes(shape);
  sizes[axis] = std::min(available, needed);
  value = sliceTo(ctx, value, starts, sizes);
  if (available < needed) {
    SmallVector<int64_t> padding(2 * rank, 0);
    padding[2 * axis + 1] = needed - available;
    SmallVector<int64_t> padded(sizes);
    padded[axis] = needed;
    auto padType = RankedTensorType::get({rank, 2}, b.getI64Type());
    Value pads = constTensor(b, ctx.loc(),
                             DenseIntElementsAttr::get(padType, padding));
    value = b.create<tosa::PadOp>(
        ctx.loc(), RankedTensorType::get(padded, type.getElementType()), value,
        pads);
  }
  SmallVector<int64_t> split;
  for (int64_t d = 0; d < rank; ++d) {
    if (d == axis) {
      split.push_back(count);
      split.push_back(step);
    } else {
      split.push_back(shape[d]);
    }
  }
  value = reshapeTo(b, ctx.loc(), value, split);
  SmallVector<int64_t> colStart(rank + 1, 0), colSize(split);
  colSize[axis + 1] = 1;
  value = sliceTo(ctx, value, colStart, colSize);
  SmallVector<int64_t> out(shape);
  out[axis] = count;
  return reshapeTo(b, ctx.loc(), value, out);
}

LogicalResult convertSlice(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 3)))
    return failure();
  FailureOr<std::vector<int64_t>> starts = requireConstantInts(ctx, 1, "starts");
  FailureOr<std::vector<int64_t>> ends = requireConstantInts(ctx, 2, "ends");
  if (failed(starts) || failed(ends))
    return failure();
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  int64_t rank = in.size();
  std::vector<int64_t> axes(starts->size()), steps(starts->size(), 1);
  std::iota(axes.begin(), axes.end(), 0);
  if (ctx.hasInput(3)) {
    FailureOr<std::vector<int64_t>> a = requireConstantInts(ctx, 3, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  }
  if (ctx.hasInput(4)) {
    FailureOr<std::vector<int64_t>> s = requireConstantInts(ctx, 4, "steps");
    if (failed(s))
      return failure();
    steps = *s;
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size())
    return ctx.error("starts, ends, axes and steps differ in length");

  // Per-axis start and element count on the (possibly reversed) input.
  SmallVector<int64_t> start(rank, 0), count(in), step(rank, 1);
  SmallVector<bool> reverse(rank, false), seen(rank, false);
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t axis = normalizeAxis(axes[k], rank);
    if (axis < 0 || seen[axis])
      return ctx.error("invalid or repeated axis");
    seen[axis] = true;
    int64_t dim = in[axis], s = (*starts)[k], e = (*ends)[k], st = steps[k];
    if (st == 0)
      return ctx.error("step must not be 0");
    if (s < 0)
      s += dim;
    if (e < 0)
      e += dim;
    // Clamping as the ONNX spec: [0, dim] going forward, [-1, dim-1] back.
    int64_t n;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      n = e > s ? (e - s + st - 1) / st : 0;
    } else {
      s = std::clamp<int64_t>(s, -1, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      n = s > e ? (s - e - st - 1) / -st : 0;
      // Element s - k|st| is element (dim-1-s) + k|st| of the reversal.
      reverse[axis] = n > 0;
      s = dim - 1 - s;
      st = -st;
    }
    start[axis] = n > 0 ? s : 0;
    count[axis] = n;
    step[axis] = st;
  }
  OpBuilder &b = ctx.builder();
  Value value = ctx.input(0);
  if (llvm::is_contained(count, 0))
    return ctx.error("slices to an empty tensor, which is not supported");
  if (DenseElementsAttr attr = smallConstant(value)) {
    SmallVector<SmallVector<int64_t>> picks(rank);
    for (int64_t d = 0; d < rank; ++d)
      for (int64_t k = 0; k < count[d]; ++k) {
        int64_t i = start[d] + k * step[d];
        picks[d].push_back(reverse[d] ? in[d] - 1 - i : i);
      }
    ctx.setResult(0, constTensor(b, ctx.loc(), pickConstant(attr, picks)));
    return success();
  }
  for (int64_t d = 0; d < rank; ++d) {
    if (!reverse[d])
      continue;
    value = b.create<tosa::ReverseOp>(ctx.loc(), value.getType(), value,
                                      b.getI32IntegerAttr(d));
  }
  // Unit steps (and single elements) are one plain slice; the rest one
  // strided slice per axis.
  SmallVector<int64_t> plainStart(rank, 0), plainSize(in);
  for (int64_t d = 0; d < rank; ++d) {
    if (step[d] == 1 || count[d] <= 1) {
      plainStart[d] = start[d];
      plainSize[d] = count[d];
    }
  }
  value = sliceTo(ctx, value, plainStart, plainSize);
  for (int64_t d = 0; d < rank; ++d)
    if (step[d] != 1 && count[d] > 1)
      value = stridedSlice(ctx, value, d, start[d], count[d], step[d]);
  ctx.setResult(0, value);
  return success();
}

LogicalResult convertGather(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 2)))
    return failure();
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  RankedTensorType dataType = ctx.inputType(0);
  ArrayRef<int64_t> data = dataType.getShape();
  int64_t rank = data.size();
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (axis < 0)
    return ctx.error("axis out of range");
  if (!isa<IntegerType>(ctx.inputType(1).getElementType()))
    return ctx.error("indices must be integers");
  ArrayRef<int64_t> idxShape = ctx.inputType(1).getShape();
  int64_t k = data[axis], w = product(idxShape);

  // Indices: normalize negatives (at compile time when constant) to i32.
  Value indices;
  if (auto values = ctx.constantInts(1)) {
    std::vector<int32_t> norm;
    for (int64_t v : *values) {
      if (v < -k || v >= k)
        return ctx.error("index " + Twine(v) + " out of range");
      norm.push_back(static_cast<int32_t>(v < 0 ? v + k : v));
    }
    if (DenseElementsAttr attr = smallConstant(ctx.input(0))) {
      SmallVector<SmallVector<int64_t>> picks(rank);
      SmallVector<int64_t> outShape;
      for (int64_t d = 0; d < rank; ++d) {
        if (d == axis) {
          picks[d].assign(norm.begin(), norm.end());
          llvm::append_range(outShape, idxShape);
          continue;
        }
        for (int64_t i = 0; i < data[d]; ++i)
          picks[d].push_back(i);
        outShape.push_back(data[d]);
      }
      DenseElementsAttr picked = pickConstant(attr, picks);
      ctx.setResult(0, constTensor(b, loc,
                                   picked.reshape(picked.getType().clone(
                                       outShape))));
      return success();
    }
    indices = constTensor(
        b, loc,
        DenseIntElementsAttr::get(
            RankedTensorType::get({1, w}, b.getI32Type()), ArrayRef(norm)));
  } else {
    Value idx = castTo(b, loc, ctx.input(1), b.getI32Type());
    idx = reshapeTo(b, loc, idx, {1, w});
    Value zero = constScalar(b, loc, b.getI32Type(), 0, 2);
    Value neg = b.create<tosa::GreaterOp>(
        loc, RankedTensorType::get({1, w}, b.getI1Type()), zero, idx);
    Value shifted = b.create<tosa::AddOp>(
        loc, idx.getType(), idx, constScalar(b, loc, b.getI32Type(), k, 2));
    indices = b.create<tosa::SelectOp>(loc, idx.getType(), neg, shifted, idx);
  }

  // Move the gathered axis first so the rest flattens into tosa's C.
  SmallVector<int64_t> perm = {axis};
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      perm.push_back(d);
  Value values = transposeBy(b, loc, ctx.input(0), perm);
  int64_t c = k == 0 ? 0 : product(data) / k;
  values = reshapeTo(b, loc, values, {1, k, c});
  Value gathered = b.create<tosa::GatherOp>(
      loc, RankedTensorType::get({1, w, c}, dataType.getElementType()), values,
      indices);
  // [indices..., data[:axis]..., data[axis+1:]...] then restore the order.
  SmallVector<int64_t> shape(idxShape);
  int64_t ir = idxShape.size();
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      shape.push_back(data[d]);
  gathered = reshapeTo(b, loc, gathered, shape);
  SmallVector<int64_t> outPerm;
  for (int64_t d = 0; d < axis; ++d)
    outPerm.push_back(ir + d);
  for (int64_t d = 0; d < ir; ++d)
    outPerm.push_back(d);
  for (int64_t d = axis + 1; d < rank; ++d)
    outPerm.push_back(ir + d - 1);
  ctx.setResult(0, transposeBy(b, loc, gathered, outPerm));
  return success();
}

LogicalResult convertExpand(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 1)))
    return failure();
  FailureOr<std::vector<int64_t>> target = requireConstantInts(ctx, 1, "shape");
  if (failed(target))
    return failure();
  auto shape = broadcastShape(ctx.inputType(0).getShape(), *target);
  if (!shape)
    return ctx.error("shape is not broadcast-compatible with the input");
  OpBuilder &b = ctx.builder();
  Value x = expandToRank(b, ctx.loc(), ctx.input(0), shape->size());
  SmallVector<int64_t> multiples;
  for (auto [have, want] : llvm::zip(shapeOf(x).getShape(), *shape))
    multiples.push_back(have == want ? 1 : want);
  if (llvm::any_of(multiples, [](int64_t m) { return m != 1; }))
    x = b.create<tosa::TileOp>(
        ctx.loc(), RankedTensorType::get(*shape, shapeOf(x).getElementType()),
        x, b.getDenseI64ArrayAttr(multiples));
  ctx.setResult(0, x);
  return success();
}

LogicalResult convertOneHot(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 3)))
    return failure();
  auto depthValues = ctx.constantFloats(1);
  if (!depthValues || depthValues->size() != 1)
    return ctx.error("input 'depth' must be a one-element constant");
  int64_t depth = static_cast<int64_t>(std::floor(depthValues->front()));
  if (depth <= 0)
    return ctx.error("depth must be positive");
  RankedTensorType valuesType = ctx.inputType(2);
  if (valuesType.getNumElements() != 2)
    return ctx.error("input 'values' must hold [off, on]");
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  int64_t outRank = in.size() + 1;
  int64_t axis = normalizeAxis(ctx.attrInt("axis", -1), outRank);
  if (axis < 0)
    return ctx.error("axis out of range");
  SmallVector<int64_t> outShape(in), idxShape(in), iotaShape(outRank, 1);
  outShape.insert(outShape.begin() + axis, depth);
  idxShape.insert(idxShape.begin() + axis, 1);
  iotaShape[axis] = depth;

  // Indices in [-depth, depth) select a class, negatives counted from the
  // end; float indices are truncated like a cast.
  Value idx = ctx.input(0);
  if (isa<FloatType>(shapeOf(idx).getElementType()))
    idx = b.create<tosa::FloorOp>(loc, idx.getType(), idx);
  idx = reshapeTo(b, loc, castTo(b, loc, idx, b.getI32Type()), idxShape);
  auto i1Type = RankedTensorType::get(idxShape, b.getI1Type());
  Value zero = constScalar(b, loc, b.getI32Type(), 0, outRank);
  Value neg = b.create<tosa::GreaterOp>(loc, i1Type, zero, idx);
  Value shifted = b.create<tosa::AddOp>(
      loc, idx.getType(), idx,
      constScalar(b, loc, b.getI32Type(), depth, outRank));
  idx = b.create<tosa::SelectOp>(loc, idx.getType(), neg, shifted, idx);

  std::vector<int32_t> iota(depth);
  std::iota(iota.begin(), iota.end(), 0);
  Value classes = constTensor(
      b, loc,
      DenseIntElementsAttr::get(RankedTensorType::get(iotaShape, b.getI32Type()),
                                ArrayRef(iota)));
  Value hit = b.create<tosa::EqualOp>(
      loc, RankedTensorType::get(outShape, b.getI1Type()), idx, classes);

  Value values = reshapeTo(b, loc, ctx.input(2), {2});
  SmallVector<int64_t> ones(outRank, 1);
  auto pick = [&](int64_t i) {
    Value v = sliceTo(ctx, values, {i}, {1});
    return reshapeTo(b, loc, v, ones);
  };
  ctx.setResult(0, b.create<tosa::SelectOp>(
                       loc,
                       RankedTensorType::get(outShape,
                                             valuesType.getElementType()),
                       hit, pick(1), pick(0)));
  return success();
}

LogicalResult convertRange(NodeContext &ctx) {
  if (failed(requireInputs(ctx, 3)))
    return failure();
  auto start = ctx.constantFloats(0), limit = ctx.constantFloats(1),
       delta = ctx.constantFloats(2);
  if (!start || !limit || !delta || start->size() != 1 ||
      limit->size() != 1 || delta->size() != 1)
    return ctx.error("start, limit and delta must be scalar constants");
  double s = start->front(), l = limit->front(), d = delta->front();
  if (d == 0)
    return ctx.error("delta must not be 0");
  int64_t n = std::max<int64_t>(
      static_cast<int64_t>(std::ceil((l - s) / d)), 0);
  Type et = ctx.inputType(0).getElementType();
  auto type = RankedTensorType::get({n}, et);
  DenseElementsAttr attr;
  if (auto ft = dyn_cast<FloatType>(et)) {
    // ONNX accumulates start + i*delta in the input type.
    SmallVector<APFloat> v;
    for (int64_t i = 0; i < n; ++i) {
      APFloat x(static_cast<float>(s + i * d));
      bool loses;
      x.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &loses);
      v.push_back(x);
    }
    attr = DenseElementsAttr::get(type, v);
  } else {
    SmallVector<APInt> v;
    for (int64_t i = 0; i < n; ++i)
      v.push_back(APInt(64, static_cast<int64_t>(s) + i * static_cast<int64_t>(d),
                        true)
                      .trunc(et.getIntOrFloatBitWidth()));
    attr = DenseElementsAttr::get(type, v);
  }
  ctx.setResult(0, constTensor(ctx.builder(), ctx.loc(), attr));
  return success();
}

} // namespace

void registerTensorConverters(ConverterRegistry &r) {
  r["Identity"] = {convertIdentity, 1};
  r["Constant"] = {convertConstant, 1};
  r["Shape"] = {convertShape, 1};
  r["Size"] = {convertSize, 1};
  r["ConstantOfShape"] = {convertConstantOfShape, 9};
  r["Reshape"] = {convertReshape, 5};
  r["Flatten"] = {convertFlatten, 1};
  r["Transpose"] = {convertTranspose, 1};
  r["Squeeze"] = {convertSqueeze, 1};
  r["Unsqueeze"] = {convertUnsqueeze, 1};
  r["Concat"] = {convertConcat, 4};
  r["Slice"] = {convertSlice, 10};
  r["Gather"] = {convertGather, 1};
  r["Expand"] = {convertExpand, 8};
  r["OneHot"] = {convertOneHot, 9};
  r["Range"] = {convertRange, 11};
}

} // namespace ipuc::onnx_import

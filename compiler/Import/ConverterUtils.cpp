//===- ConverterUtils.cpp - Helpers shared by this folder's converters ----===//
//
// Constant folding for the small integer tensors that exported models use
// to compute shapes (Shape -> Gather -> Concat -> Reshape): folding them keeps
// every shape static without a separate folding pass over the graph.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/ConverterUtils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace ipuc::onnx_import {

FailureOr<std::vector<int64_t>> requireConstantInts(NodeContext &ctx, size_t i,
                                                    llvm::StringRef what) {
  if (!ctx.hasInput(i))
    return ctx.error("missing input '" + what + "'");
  auto v = ctx.constantInts(i);
  if (!v)
    return ctx.error("input '" + what +
                     "' must be a constant (static shapes only)");
  return *v;
}

Value sliceTo(NodeContext &ctx, Value value, ArrayRef<int64_t> start,
              ArrayRef<int64_t> size) {
  auto type = shapeOf(value);
  if (llvm::all_of(start, [](int64_t s) { return s == 0; }) &&
      type.getShape() == size)
    return value;
  return ctx.builder().create<tosa::SliceOp>(
      ctx.loc(), RankedTensorType::get(size, type.getElementType()), value,
      ctx.builder().getDenseI64ArrayAttr(start),
      ctx.builder().getDenseI64ArrayAttr(size));
}

DenseElementsAttr smallConstant(Value value) {
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) ||
      attr.getNumElements() > 4096)
    return {};
  return attr;
}

DenseElementsAttr pickConstant(DenseElementsAttr attr,
                               ArrayRef<SmallVector<int64_t>> picks) {
  auto type = cast<RankedTensorType>(attr.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> outShape, strides(rank, 1);
  for (const auto &p : picks)
    outShape.push_back(p.size());
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * type.getDimSize(d + 1);
  auto values = llvm::to_vector(attr.getValues<Attribute>());
  SmallVector<Attribute> out;
  int64_t total = 1;
  for (int64_t n : outShape)
    total *= n;
  SmallVector<int64_t> pos(rank, 0);
  for (int64_t i = 0; i < total; ++i) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += picks[d][pos[d]] * strides[d];
    out.push_back(values[src]);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++pos[d] < outShape[d])
        break;
      pos[d] = 0;
    }
  }
  return DenseElementsAttr::get(
      RankedTensorType::get(outShape, type.getElementType()), out);
}

} // namespace ipuc::onnx_import

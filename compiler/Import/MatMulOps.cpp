//===- MatMulOps.cpp - ONNX MatMul and Gemm to tosa.matmul ----------------===//
//
// tosa.matmul is strictly 3-D ([N,M,K] x [N,K,W]) without broadcasting, so
// numpy-style MatMul is rewritten: 1-D operands get a unit dimension, batch
// dimensions are broadcast (folded into M when only the left side has them,
// tiled otherwise) and flattened, and the result is reshaped back.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/ConverterUtils.h"
#include "compiler/Import/NNHelpers.h"

using namespace mlir;

namespace ipuc::onnx_import {

Value buildBatchMatMul(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  auto lt = tensorType(lhs), rt = tensorType(rhs);
  auto type = RankedTensorType::get(
      {lt.getDimSize(0), lt.getDimSize(1), rt.getDimSize(2)},
      lt.getElementType());
  return b.create<tosa::MatMulOp>(loc, type, lhs, rhs);
}

namespace {

/// Broadcasts `value` (rank = batch.size() + 2) to the batch dims `batch`.
Value tileToBatch(OpBuilder &b, Location loc, Value value,
                  ArrayRef<int64_t> batch) {
  auto t = tensorType(value);
  SmallVector<int64_t> multiples, shape;
  bool needed = false;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    int64_t target = i < (int64_t)batch.size() ? batch[i] : t.getDimSize(i);
    multiples.push_back(t.getDimSize(i) ? target / t.getDimSize(i) : 1);
    needed |= multiples.back() != 1;
    shape.push_back(target);
  }
  if (!needed)
    return value;
  return b.create<tosa::TileOp>(
      loc, RankedTensorType::get(shape, t.getElementType()), value,
      b.getDenseI64ArrayAttr(multiples));
}

LogicalResult convertMatMul(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  auto lt = tensorType(lhs), rt = tensorType(rhs);
  if (lt.getRank() == 0 || rt.getRank() == 0)
    return ctx.error("MatMul operands must have rank >= 1");
  if (!isFloatTensor(lhs) || lt.getElementType() != rt.getElementType())
    return ctx.error("only floating-point MatMul with equal operand types is "
                     "supported");
  bool lhsVector = lt.getRank() == 1, rhsVector = rt.getRank() == 1;
  if (lhsVector)
    lhs = reshapeTo(b, loc, lhs, {1, lt.getDimSize(0)});
  if (rhsVector)
    rhs = reshapeTo(b, loc, rhs, {rt.getDimSize(0), 1});
  lt = tensorType(lhs);
  rt = tensorType(rhs);
  int64_t M = lt.getDimSize(lt.getRank() - 2),
          K = lt.getDimSize(lt.getRank() - 1);
  int64_t K2 = rt.getDimSize(rt.getRank() - 2),
          N = rt.getDimSize(rt.getRank() - 1);
  if (K != K2)
    return ctx.error("inner dimensions differ: " + llvm::Twine(K) + " vs " +
                     llvm::Twine(K2));

  // Broadcast the batch dimensions (numpy rules, right-aligned).
  ArrayRef<int64_t> lb = lt.getShape().drop_back(2),
                    rb = rt.getShape().drop_back(2);
  size_t batchRank = std::max(lb.size(), rb.size());
  SmallVector<int64_t> batch(batchRank, 1);
  for (size_t i = 0; i < batchRank; ++i) {
    int64_t l = i + lb.size() >= batchRank ? lb[i + lb.size() - batchRank] : 1;
    int64_t r = i + rb.size() >= batchRank ? rb[i + rb.size() - batchRank] : 1;
    if (l != r && l != 1 && r != 1)
      return ctx.error("batch dimensions do not broadcast");
    batch[i] = std::max(l, r);
  }
  int64_t batchSize = product(batch);

  Value result;
  if (product(rb) == 1) {
    // Only the left side is batched (the common x @ W): fold batch into M.
    Value l3 = reshapeTo(
        b, loc,
        tileToBatch(b, loc, expandToRank(b, loc, lhs, batchRank + 2), batch),
        {1, batchSize * M, K});
    result = buildBatchMatMul(b, loc, l3, reshapeTo(b, loc, rhs, {1, K, N}));
  } else {
    Value l3 = reshapeTo(
        b, loc,
        tileToBatch(b, loc, expandToRank(b, loc, lhs, batchRank + 2), batch),
        {batchSize, M, K});
    Value r3 = reshapeTo(
        b, loc,
        tileToBatch(b, loc, expandToRank(b, loc, rhs, batchRank + 2), batch),
        {batchSize, K, N});
    result = buildBatchMatMul(b, loc, l3, r3);
  }
  SmallVector<int64_t> shape(batch);
  if (!lhsVector)
    shape.push_back(M);
  if (!rhsVector)
    shape.push_back(N);
  ctx.setResult(0, reshapeTo(b, loc, result, shape));
  return success();
}

/// Y = alpha * A' * B' + beta * C, with A' = transA ? A^T : A (same for B).
LogicalResult convertGemm(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  Value a = ctx.input(0), bm = ctx.input(1);
  if (tensorType(a).getRank() != 2 || tensorType(bm).getRank() != 2)
    return ctx.error("Gemm expects 2-D A and B");
  if (!isFloatTensor(a) ||
      tensorType(a).getElementType() != tensorType(bm).getElementType())
    return ctx.error("only floating-point Gemm with equal operand types is "
                     "supported");
  if (ctx.attrInt("transA", 0))
    a = transposeBy(b, loc, a, {1, 0});
  if (ctx.attrInt("transB", 0))
    bm = transposeBy(b, loc, bm, {1, 0});
  auto at = tensorType(a), bt = tensorType(bm);
  int64_t M = at.getDimSize(0), K = at.getDimSize(1), N = bt.getDimSize(1);
  if (bt.getDimSize(0) != K)
    return ctx.error("inner dimensions differ: " + llvm::Twine(K) + " vs " +
                     llvm::Twine(bt.getDimSize(0)));
  Value y = reshapeTo(b, loc,
                      buildBatchMatMul(b, loc, reshapeTo(b, loc, a, {1, M, K}),
                                       reshapeTo(b, loc, bm, {1, K, N})),
                      {M, N});
  double alpha = ctx.attrFloat("alpha", 1.0f);
  double beta = ctx.attrFloat("beta", 1.0f);
  if (alpha != 1.0)
    y = scaleBy(b, loc, y, alpha);
  if (ctx.numInputs() > 2 && ctx.hasInput(2) && beta != 0.0) {
    Value c = castTo(b, loc, ctx.input(2), at.getElementType());
    if (tensorType(c).getRank() > 2)
      return ctx.error("C must have rank <= 2");
    if (beta != 1.0)
      c = scaleBy(b, loc, c, beta);
    y = addV(b, loc, y, c);
    if (tensorType(y).getShape() != ArrayRef<int64_t>{M, N})
      return ctx.error("C does not broadcast to [M, N]");
  }
  ctx.setResult(0, y);
  return success();
}

} // namespace

void registerMatMulConverters(ConverterRegistry &registry) {
  registry["MatMul"] = {convertMatMul, 1};
  registry["Gemm"] = {convertGemm, 7};
}

} // namespace ipuc::onnx_import

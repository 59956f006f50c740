//===- FoldHostTransposes.cpp - Transposes into host matmuls and fusion ---===//
//
// The importer materialises a linalg.transpose wherever ONNX's layout differs
// from linalg's (Gemm's transB, NCHW <-> NHWC around convolutions and pools),
// and autodiff adds more (a matmul's gradients read its operands transposed).
// On the host each one is a kernel that copies a whole tensor. A matmul
// operand's matrix transpose becomes the transposed-operand matmul op, which
// the MatMul kernel runs through Eigen's transposed view, without a copy; the
// transpose itself is then dead unless something else reads it.
//
// A transposed matmul whose result is itself transposed (a weight gradient
// taken in the [in, out] layout of a [out, in] weight) swaps its operands
// instead and writes the result in the transposed layout.
//
// The importer's NCHW <-> NHWC pairs around an elementwise op (conv ->
// transpose -> relu -> transpose back -> pool) cancel: the outer transpose is
// folded into the elementwise op, which then reads the inner transpose's
// source in its own layout, so neither copy is made. Only when an operand's
// access becomes the identity: turning the other transposes into permuted
// reads inside fused kernels was measured on the CNN training step to cost
// more than the separate transposes saved.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/HostPlanSupport.h"
#include "compiler/Plan/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ipuc {
#define GEN_PASS_DEF_FOLDHOSTTRANSPOSES
#include "compiler/Plan/Passes.h.inc"
} // namespace ipuc

using namespace mlir;

namespace {

/// The source of `value` when it is a linalg.transpose that swaps its last two
/// dimensions and keeps any leading (batch) dimensions in place.
Value getMatrixTransposeSource(Value value) {
  auto transpose = value.getDefiningOp<linalg::TransposeOp>();
  if (!transpose)
    return Value();
  ArrayRef<int64_t> perm = transpose.getPermutation();
  size_t rank = perm.size();
  if (rank < 2 || perm[rank - 2] != int64_t(rank - 1) ||
      perm[rank - 1] != int64_t(rank - 2))
    return Value();
  for (size_t i = 0; i + 2 < rank; ++i)
    if (perm[i] != int64_t(i))
      return Value();
  return transpose.getInput();
}

/// As getMatrixTransposeSource, but also through the unit batch dimension
/// the importer adds for tosa.matmul: expand(transpose(w)) : [1,k,n] becomes
/// a new expand(w) : [1,n,k], which the matmul reads transposed.
Value getFoldableSource(Value value, PatternRewriter &rewriter) {
  if (Value source = getMatrixTransposeSource(value))
    return source;
  auto expand = value.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getResultType().getRank() != 3 ||
      expand.getResultType().getDimSize(0) != 1 ||
      expand.getSrcType().getRank() != 2)
    return Value();
  SmallVector<ReassociationIndices> reassociation =
      expand.getReassociationIndices();
  if (reassociation.size() != 2 || reassociation[0].size() != 2)
    return Value();
  Value source = getMatrixTransposeSource(expand.getSrc());
  if (!source)
    return Value();
  auto sourceType = cast<RankedTensorType>(source.getType());
  auto type = RankedTensorType::get(
      {1, sourceType.getDimSize(0), sourceType.getDimSize(1)},
      sourceType.getElementType());
  return rewriter.create<tensor::ExpandShapeOp>(expand.getLoc(), type, source,
                                                reassociation);
}

/// matmul(transpose(a), b) -> matmul_transpose_a(a, b) and likewise for b
/// (and the batched forms). Only one operand can be folded: linalg has no
/// op with both transposed; the lhs is preferred, the rhs tried otherwise.
template <typename MatMulOp, typename TransposeAOp, typename TransposeBOp>
struct FoldTransposeIntoMatMul : OpRewritePattern<MatMulOp> {
  using OpRewritePattern<MatMulOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    Value lhs = op.getDpsInputOperand(0)->get();
    Value rhs = op.getDpsInputOperand(1)->get();
    Value init = op.getDpsInitOperand(0)->get();
    // Only matmuls the MatMul kernel runs: the transposed ops drop the cast
    // attribute, which matters for (unsigned) integer operands.
    if (!ipuc::hasUniformFloatElements(op))
      return failure();
    if (Value source = getFoldableSource(lhs, rewriter)) {
      rewriter.replaceOpWithNewOp<TransposeAOp>(
          op, op->getResultTypes(), ValueRange{source, rhs}, ValueRange{init});
      return success();
    }
    if (Value source = getFoldableSource(rhs, rewriter)) {
      rewriter.replaceOpWithNewOp<TransposeBOp>(
          op, op->getResultTypes(), ValueRange{lhs, source}, ValueRange{init});
      return success();
    }
    return failure();
  }
};

/// matmul_transpose_b(a, transpose(b)) -> matmul(a, b), and likewise
/// matmul_transpose_a(transpose(a), b) (and the batched forms): the two
/// transposes cancel. The autodiff's input gradient of x W^T is g (W^T)^T,
/// taken through the forward's transpose of W, which otherwise stays alive
/// as a strided copy of the whole weight every step.
template <typename TransposedMatMulOp, typename MatMulOp, unsigned Operand>
struct CancelTransposedOperand : OpRewritePattern<TransposedMatMulOp> {
  using OpRewritePattern<TransposedMatMulOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposedMatMulOp op,
                                PatternRewriter &rewriter) const override {
    if (!ipuc::hasUniformFloatElements(op))
      return failure();
    Value transposed = op.getDpsInputOperand(Operand)->get();
    // Checked first: getFoldableSource creates the expand it returns.
    Value direct = transposed;
    if (auto expand = transposed.getDefiningOp<tensor::ExpandShapeOp>())
      direct = expand.getSrc();
    if (!getMatrixTransposeSource(direct))
      return failure();
    Value source = getFoldableSource(transposed, rewriter);
    if (!source)
      return failure();
    SmallVector<Value> inputs = {op.getDpsInputOperand(0)->get(),
                                 op.getDpsInputOperand(1)->get()};
    inputs[Operand] = source;
    rewriter.replaceOpWithNewOp<MatMulOp>(
        op, op->getResultTypes(), inputs,
        ValueRange{op.getDpsInitOperand(0)->get()});
    return success();
  }
};

/// transpose(matmul_transpose_a(a, b)) -> matmul_transpose_a(b, a), since
/// (A^T B)^T = B^T A, and likewise (A B^T)^T = B A^T for matmul_transpose_b
/// (and the batched forms, also read through the collapse of the unit batch
/// dimension the importer adds). A weight gradient x^T g comes out of the
/// autodiff in the [in, out] layout and is transposed into the weight's
/// [out, in]; computing it in the weight's layout saves the optimizer update
/// a strided read of the whole gradient. The accumulator must be a fill used
/// only here, so that it can be remade in the transposed shape.
template <typename TransposedMatMulOp>
struct TransposeOfTransposedMatMul : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp transpose,
                                PatternRewriter &rewriter) const override {
    if (!getMatrixTransposeSource(transpose.getResult()[0]))
      return failure();
    Value input = transpose.getInput();
    auto collapse = input.getDefiningOp<tensor::CollapseShapeOp>();
    if (collapse) {
      // Only [1, m, n] -> [m, n].
      if (collapse.getSrcType().getRank() != 3 ||
          collapse.getSrcType().getDimSize(0) != 1 ||
          collapse.getResultType().getRank() != 2 ||
          !collapse.getResult().hasOneUse())
        return failure();
      input = collapse.getSrc();
    }
    auto matmul = input.getDefiningOp<TransposedMatMulOp>();
    if (!matmul || !matmul->getResult(0).hasOneUse() ||
        !ipuc::hasUniformFloatElements(matmul))
      return failure();
    auto fill = matmul.getDpsInitOperand(0)
                    ->get()
                    .template getDefiningOp<linalg::FillOp>();
    if (!fill || !fill->getResult(0).hasOneUse())
      return failure();
    auto type = cast<RankedTensorType>(matmul->getResult(0).getType());
    SmallVector<int64_t> shape(type.getShape());
    std::swap(shape[shape.size() - 2], shape[shape.size() - 1]);
    Location loc = matmul.getLoc();
    Value empty =
        rewriter.create<tensor::EmptyOp>(loc, shape, type.getElementType());
    Value init =
        rewriter
            .create<linalg::FillOp>(fill.getLoc(),
                                    fill.getDpsInputOperand(0)->get(), empty)
            .getResult(0);
    Value lhs = matmul.getDpsInputOperand(0)->get();
    Value rhs = matmul.getDpsInputOperand(1)->get();
    Value result =
        rewriter
            .create<TransposedMatMulOp>(loc, TypeRange{init.getType()},
                                        ValueRange{rhs, lhs}, ValueRange{init})
            ->getResult(0);
    if (collapse)
      result = rewriter.create<tensor::CollapseShapeOp>(
          collapse.getLoc(), transpose.getResult()[0].getType(), result,
          collapse.getReassociationIndices());
    rewriter.replaceOp(transpose, result);
    return success();
  }
};

/// The map from the loops of `transpose`'s result to those of its input:
/// result dim i is input dim perm[i].
AffineMap getInputDimsMap(ArrayRef<int64_t> perm, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs(perm.size());
  for (auto [i, dim] : llvm::enumerate(perm))
    exprs[dim] = getAffineDimExpr(i, ctx);
  return AffineMap::get(perm.size(), 0, exprs, ctx);
}

/// transpose(elementwise(..., transpose(x), ...)) with the two permutations
/// inverse -> elementwise(..., x, ...) computed in the outer transpose's
/// layout; other operands are read through the permuted map.
struct CancelTransposesAroundElementwise
    : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp outer,
                                PatternRewriter &rewriter) const override {
    auto op = outer.getInput().getDefiningOp<linalg::GenericOp>();
    if (!op || op->getNumResults() != 1 || !op->getResult(0).hasOneUse() ||
        op.getNumParallelLoops() != op.getNumLoops() ||
        !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
        op.payloadUsesValueFromOperand(op.getDpsInitOperand(0)))
      return failure();
    MLIRContext *ctx = getContext();
    // The generic's old loops as functions of the new (outer result) ones.
    AffineMap oldLoops = getInputDimsMap(outer.getPermutation(), ctx);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    bool cancelled = false;
    for (OpOperand *operand : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(operand).compose(oldLoops);
      Value value = operand->get();
      if (auto inner = value.getDefiningOp<linalg::TransposeOp>()) {
        AffineMap throughInner =
            getInputDimsMap(inner.getPermutation(), ctx).compose(map);
        if (throughInner.isIdentity()) {
          value = inner.getInput();
          map = throughInner;
          cancelled = true;
        }
      }
      inputs.push_back(value);
      maps.push_back(map);
    }
    if (!cancelled)
      return failure();
    maps.push_back(rewriter.getMultiDimIdentityMap(oldLoops.getNumDims()));
    auto fused = rewriter.create<linalg::GenericOp>(
        op.getLoc(), outer->getResultTypes(), inputs,
        ValueRange{outer.getInit()}, maps, op.getIteratorTypesArray());
    rewriter.cloneRegionBefore(op.getRegion(), fused.getRegion(),
                               fused.getRegion().begin());
    rewriter.replaceOp(outer, fused->getResults());
    return success();
  }
};

struct FoldHostTransposesPass
    : public ipuc::impl::FoldHostTransposesBase<FoldHostTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<
        FoldTransposeIntoMatMul<linalg::MatmulOp, linalg::MatmulTransposeAOp,
                                linalg::MatmulTransposeBOp>,
        FoldTransposeIntoMatMul<linalg::BatchMatmulOp,
                                linalg::BatchMatmulTransposeAOp,
                                linalg::BatchMatmulTransposeBOp>,
        CancelTransposesAroundElementwise,
        TransposeOfTransposedMatMul<linalg::MatmulTransposeAOp>,
        TransposeOfTransposedMatMul<linalg::MatmulTransposeBOp>,
        TransposeOfTransposedMatMul<linalg::BatchMatmulTransposeAOp>,
        TransposeOfTransposedMatMul<linalg::BatchMatmulTransposeBOp>,
        CancelTransposedOperand<linalg::MatmulTransposeAOp, linalg::MatmulOp,
                                0>,
        CancelTransposedOperand<linalg::MatmulTransposeBOp, linalg::MatmulOp,
                                1>,
        CancelTransposedOperand<linalg::BatchMatmulTransposeAOp,
                                linalg::BatchMatmulOp, 0>,
        CancelTransposedOperand<linalg::BatchMatmulTransposeBOp,
                                linalg::BatchMatmulOp, 1>>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

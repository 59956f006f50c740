//===- HostConvBackwardFilter.cpp - Weight-gradient convs for the host ----===//
//
// Autodiff writes a convolution's weight gradient as another conv2d: the
// input transposed to [C, H, W, N] convolved with the output gradient
// transposed to [O, OH, OW, N], cut to the kernel and transposed back. Run as
// a forward convolution on the host, its GEMMs have the 3x3 kernel window as
// their rows and its three transposes are whole-tensor copies. A conv2d whose
// kernel window (kh * kw) is larger than its output window (oh * ow) is
// therefore rewritten, for the host only, into the loop order of the
// Conv2DBackwardFilter kernel (see ConvBackwardFilter.h): the reduction over
// the long dimension, operands read in their own layouts through the
// generic's indexing maps (the transposes around the conv fold away), the
// input put into [N, H, W, C] order by the pad copy that the convolution
// needs anyway. The decision is by shape alone, so any such conv is
// rewritten, and the rewrite is exact whatever produced it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/ConvBackwardFilter.h"
#include "compiler/Plan/HostPlanSupport.h"
#include "compiler/Plan/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ipuc {
#define GEN_PASS_DEF_HOSTCONVBACKWARDFILTER
#include "compiler/Plan/Passes.h.inc"
} // namespace ipuc

using namespace mlir;

namespace {

/// `value` as the result of permuting the dims of a source: returns the
/// source and perm with value dim i = source dim perm[i] (the identity when
/// `value` is not a linalg.transpose).
Value getPermutedSource(Value value, SmallVectorImpl<int64_t> &perm) {
  if (auto transpose = value.getDefiningOp<linalg::TransposeOp>()) {
    perm.assign(transpose.getPermutation().begin(),
                transpose.getPermutation().end());
    return transpose.getInput();
  }
  int64_t rank = cast<ShapedType>(value.getType()).getRank();
  perm.clear();
  for (int64_t i = 0; i < rank; ++i)
    perm.push_back(i);
  return value;
}

struct RewriteConvAsBackwardFilter
    : OpRewritePattern<linalg::Conv2DNhwcFhwcOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::Conv2DNhwcFhwcOp conv,
                                PatternRewriter &rewriter) const override {
    if (!ipuc::hasUniformFloatElements(conv))
      return failure();
    Value input = conv.getDpsInputOperand(0)->get();
    Value filter = conv.getDpsInputOperand(1)->get();
    Value init = conv.getDpsInitOperand(0)->get();
    auto outType = cast<RankedTensorType>(conv->getResult(0).getType());
    Type elementType = outType.getElementType();
    if (!elementType.isF32() && !elementType.isF64())
      return rewriter.notifyMatchFailure(conv, "the kernel is f32/f64 only");
    ArrayRef<int64_t> out = outType.getShape();
    ArrayRef<int64_t> fl = cast<ShapedType>(filter.getType()).getShape();
    if (fl[1] * fl[2] <= out[1] * out[2])
      return rewriter.notifyMatchFailure(
          conv, "an ordinary convolution: its window is not larger than its "
                "output");
    if (!ipuc::isZeroTensor(init))
      return rewriter.notifyMatchFailure(conv, "accumulates into a non-zero "
                                               "init");
    auto strides = llvm::to_vector(conv.getStrides().getValues<int64_t>());
    auto dilations = llvm::to_vector(conv.getDilations().getValues<int64_t>());
    Location loc = conv.getLoc();
    MLIRContext *ctx = getContext();

    // The conv's batch is the kernel's c, its output window the kernel's
    // (ky, kx), its filters o, its filter window (oy, ox), its channels n.
    SmallVector<AffineExpr> d;
    for (unsigned i = 0; i < ipuc::kNumConvBackwardFilterLoops; ++i)
      d.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineExpr> outLoops = {d[ipuc::kLoopC], d[ipuc::kLoopKy],
                                        d[ipuc::kLoopKx], d[ipuc::kLoopO]};
    SmallVector<AffineExpr> filterLoops = {d[ipuc::kLoopO], d[ipuc::kLoopOy],
                                           d[ipuc::kLoopOx], d[ipuc::kLoopN]};

    // A slice that keeps the start of the output window (rows past the
    // kernel that an uneven stride adds) and a transpose of the result are
    // absorbed: the generic computes just the slice, in the final layout.
    Operation *last = conv;
    SmallVector<int64_t> resultShape(out.begin(), out.end());
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(
            *conv->getResult(0).getUsers().begin());
        slice && conv->getResult(0).hasOneUse() &&
        slice.getSourceType().getRank() == slice.getType().getRank() &&
        slice.hasZeroOffset() && slice.hasUnitStride() &&
        slice.getType().hasStaticShape() &&
        slice.getType().getDimSize(0) == out[0] &&
        slice.getType().getDimSize(3) == out[3]) {
      last = slice;
      resultShape.assign(slice.getType().getShape().begin(),
                         slice.getType().getShape().end());
    }
    SmallVector<AffineExpr> resultExprs = outLoops;
    if (last->getResult(0).hasOneUse())
      if (auto transpose = dyn_cast<linalg::TransposeOp>(
              *last->getResult(0).getUsers().begin())) {
        SmallVector<int64_t> shape;
        SmallVector<AffineExpr> exprs;
        for (int64_t dim : transpose.getPermutation()) {
          shape.push_back(resultShape[dim]);
          exprs.push_back(resultExprs[dim]);
        }
        resultShape = shape;
        resultExprs = exprs;
        last = transpose;
      }

    // The input in the kernel's [n, h, w, c] order, padded: a transpose
    // into that order feeding a pad is folded into the pad's copy.
    SmallVector<int64_t> low(4, 0), high(4, 0);
    Value unpadded = input;
    if (auto pad = input.getDefiningOp<tensor::PadOp>()) {
      std::optional<SmallVector<int64_t>> lo =
          ipuc::getConstantPadding(pad.getMixedLowPad());
      std::optional<SmallVector<int64_t>> hi =
          ipuc::getConstantPadding(pad.getMixedHighPad());
      Value padValue = pad.getConstantPaddingValue();
      if (!lo || !hi || !padValue || !matchPattern(padValue, m_AnyZeroFloat()))
        return rewriter.notifyMatchFailure(conv, "input padding is not a "
                                                 "constant zero pad");
      low = *lo;
      high = *hi;
      unpadded = pad.getSource();
    }
    if (low[0] || high[0] || low[3] || high[3])
      return rewriter.notifyMatchFailure(conv, "pads batch or channels");
    SmallVector<int64_t> inputPerm;
    Value source = getPermutedSource(unpadded, inputPerm);
    // Kernel dim k (n, h, w, c) is conv input dim kernelToConv[k].
    const int64_t kernelToConv[4] = {3, 1, 2, 0};
    SmallVector<int64_t> toKernel;
    bool identity = true;
    for (int64_t k = 0; k < 4; ++k) {
      toKernel.push_back(inputPerm[kernelToConv[k]]);
      identity &= toKernel.back() == k;
    }
    ArrayRef<int64_t> sourceShape =
        cast<ShapedType>(source.getType()).getShape();
    SmallVector<int64_t> kernelShape;
    for (int64_t dim : toKernel)
      kernelShape.push_back(sourceShape[dim]);
    Value kernelInput = source;
    if (!identity) {
      Value empty =
          rewriter.create<tensor::EmptyOp>(loc, kernelShape, elementType);
      kernelInput =
          rewriter.create<linalg::TransposeOp>(loc, source, empty, toKernel)
              ->getResult(0);
    }
    if (llvm::any_of(low, [](int64_t v) { return v != 0; }) ||
        llvm::any_of(high, [](int64_t v) { return v != 0; })) {
      SmallVector<int64_t> kLow, kHigh;
      for (int64_t k = 0; k < 4; ++k) {
        kLow.push_back(low[kernelToConv[k]]);
        kHigh.push_back(high[kernelToConv[k]]);
      }
      SmallVector<int64_t> paddedShape = kernelShape;
      for (int64_t k = 0; k < 4; ++k)
        paddedShape[k] += kLow[k] + kHigh[k];
      auto paddedType = RankedTensorType::get(paddedShape, elementType);
      Value zero = rewriter.create<arith::ConstantOp>(
          loc, rewriter.getFloatAttr(elementType, 0.0));
      kernelInput = rewriter.create<tensor::PadOp>(
          loc, paddedType, kernelInput, getAsIndexOpFoldResult(ctx, kLow),
          getAsIndexOpFoldResult(ctx, kHigh), zero);
    }
    SmallVector<AffineExpr> inputExprs = {
        d[ipuc::kLoopN],
        d[ipuc::kLoopOy] * dilations[0] + d[ipuc::kLoopKy] * strides[0],
        d[ipuc::kLoopOx] * dilations[1] + d[ipuc::kLoopKx] * strides[1],
        d[ipuc::kLoopC]};

    // The gradient read in its own layout: gradient dim perm[i] holds
    // filter dim i.
    SmallVector<int64_t> filterPerm;
    Value grad = getPermutedSource(filter, filterPerm);
    SmallVector<AffineExpr> gradExprs(4);
    for (int64_t i = 0; i < 4; ++i)
      gradExprs[filterPerm[i]] = filterLoops[i];

    Value empty =
        rewriter.create<tensor::EmptyOp>(loc, resultShape, elementType);
    Value zero = rewriter.create<arith::ConstantOp>(
        loc, rewriter.getFloatAttr(elementType, 0.0));
    Value zeros =
        rewriter.create<linalg::FillOp>(loc, zero, empty)->getResult(0);
    unsigned numLoops = ipuc::kNumConvBackwardFilterLoops;
    SmallVector<AffineMap> maps = {
        AffineMap::get(numLoops, 0, inputExprs, ctx),
        AffineMap::get(numLoops, 0, gradExprs, ctx),
        AffineMap::get(numLoops, 0, resultExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators.append(3, utils::IteratorType::reduction);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{zeros.getType()}, ValueRange{kernelInput, grad},
        ValueRange{zeros}, maps, iterators,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value product = b.create<arith::MulFOp>(l, args[1], args[0]);
          Value sum = b.create<arith::AddFOp>(l, args[2], product);
          b.create<linalg::YieldOp>(l, sum);
        });
    generic->setAttr(ipuc::kConvBackwardFilterAttr,
                     rewriter.getDenseI64ArrayAttr(
                         {dilations[0], dilations[1], strides[0], strides[1]}));
    rewriter.replaceOp(last, generic->getResults());
    return success();
  }
};

struct HostConvBackwardFilterPass
    : public ipuc::impl::HostConvBackwardFilterBase<
          HostConvBackwardFilterPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RewriteConvAsBackwardFilter>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

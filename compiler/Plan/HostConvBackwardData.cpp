//===- HostConvBackwardData.cpp - Input-gradient convs for the host -------===//
//
// Autodiff writes a convolution's input gradient as a stride-1 conv2d of the
// (spread and padded) output gradient by the filter flipped in both spatial
// axes (two tosa.reverse, lowered to index-computing generics) and
// transposed to [c, kh, kw, o]. Run as written, the host copies the filter
// three times and pads the whole gradient. A conv2d whose filter is exactly
// such a transposed double flip is therefore rewritten, for the host only,
// into a generic that reads the unflipped filter, the flip moved into the
// gradient's indexing map (see ConvBackwardData.h), marked for the host's
// Conv2DBackwardData kernel; the emitter folds a zero pad of the gradient
// into that kernel too. The rewrite is exact whatever produced the conv.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/ConvBackwardData.h"
#include "compiler/Plan/HostPlanSupport.h"
#include "compiler/Plan/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ipuc {
#define GEN_PASS_DEF_HOSTCONVBACKWARDDATA
#include "compiler/Plan/Passes.h.inc"
} // namespace ipuc

using namespace mlir;

llvm::SmallVector<AffineMap, 3>
ipuc::getConvBackwardDataMaps(MLIRContext *ctx, int64_t kh, int64_t kw,
                              int64_t dilationH, int64_t dilationW) {
  SmallVector<AffineExpr> d;
  for (unsigned i = 0; i < kNumConvBackwardDataLoops; ++i)
    d.push_back(getAffineDimExpr(i, ctx));
  unsigned loops = kNumConvBackwardDataLoops;
  // The flip is on the gradient's side so that every loop is some
  // operand's plain dimension, as linalg needs to infer the loop ranges.
  AffineExpr y = d[kDataLoopY] + ((kh - 1) - d[kDataLoopKy]) * dilationH;
  AffineExpr x = d[kDataLoopX] + ((kw - 1) - d[kDataLoopKx]) * dilationW;
  auto map = [&](ArrayRef<AffineExpr> exprs) {
    return simplifyAffineMap(AffineMap::get(loops, 0, exprs, ctx));
  };
  return {map({d[kDataLoopN], y, x, d[kDataLoopO]}),
          map({d[kDataLoopO], d[kDataLoopKy], d[kDataLoopKx], d[kDataLoopC]}),
          map({d[kDataLoopN], d[kDataLoopY], d[kDataLoopX], d[kDataLoopC]})};
}

namespace {

/// If `value` is a 4-D tensor.reverse as tosa-to-linalg writes it -- a
/// generic without inputs whose body yields tensor.extract of a source at
/// the loop indices, one of them (k) read as (size - 1 - index) -- returns
/// the source and sets `axis` to k.
Value matchReverse(Value value, int64_t &axis) {
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 0 ||
      generic.getNumDpsInits() != 1 || generic.getNumLoops() != 4 ||
      generic.getNumParallelLoops() != 4 ||
      !generic.getIndexingMapsArray()[0].isIdentity())
    return nullptr;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  auto extract = yield.getValues()[0].getDefiningOp<tensor::ExtractOp>();
  if (!extract || extract->getBlock() != generic.getBody())
    return nullptr;
  Value source = extract.getTensor();
  auto sourceType = cast<RankedTensorType>(source.getType());
  if (sourceType != value.getType() ||
      (source.getParentBlock() == generic.getBody()))
    return nullptr;
  auto loopIndex = [](Value v) -> std::optional<int64_t> {
    if (auto index = v.getDefiningOp<linalg::IndexOp>())
      return index.getDim();
    return std::nullopt;
  };
  axis = -1;
  for (auto [dim, index] : llvm::enumerate(extract.getIndices())) {
    if (loopIndex(index) == int64_t(dim))
      continue;
    auto sub = index.getDefiningOp<arith::SubIOp>();
    APInt last;
    if (axis >= 0 || !sub || loopIndex(sub.getRhs()) != int64_t(dim) ||
        !matchPattern(sub.getLhs(), m_ConstantInt(&last)) ||
        last.getSExtValue() != sourceType.getDimSize(dim) - 1)
      return nullptr;
    axis = dim;
  }
  return axis >= 0 ? source : nullptr;
}

/// The [o, kh, kw, c] filter whose spatial double flip, transposed by
/// [3, 1, 2, 0], is `filter`; null if `filter` is not that.
Value matchFlippedFilter(Value filter) {
  auto transpose = filter.getDefiningOp<linalg::TransposeOp>();
  if (!transpose ||
      transpose.getPermutation() != ArrayRef<int64_t>({3, 1, 2, 0}))
    return nullptr;
  int64_t outerAxis, innerAxis;
  Value once = matchReverse(transpose.getInput(), outerAxis);
  if (!once)
    return nullptr;
  Value source = matchReverse(once, innerAxis);
  if (!source || outerAxis == innerAxis ||
      std::min(outerAxis, innerAxis) != 1 ||
      std::max(outerAxis, innerAxis) != 2)
    return nullptr;
  return source;
}

struct RewriteConvAsBackwardData : OpRewritePattern<linalg::Conv2DNhwcFhwcOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::Conv2DNhwcFhwcOp conv,
                                PatternRewriter &rewriter) const override {
    if (!ipuc::hasUniformFloatElements(conv))
      return failure();
    Type elementType =
        cast<ShapedType>(conv->getResult(0).getType()).getElementType();
    if (!elementType.isF32() && !elementType.isF64())
      return rewriter.notifyMatchFailure(conv, "the kernel is f32/f64 only");
    if (!llvm::all_of(conv.getStrides().getValues<int64_t>(),
                      [](int64_t s) { return s == 1; }))
      return rewriter.notifyMatchFailure(conv, "not a stride-1 correlation");
    Value init = conv.getDpsInitOperand(0)->get();
    if (!ipuc::isZeroTensor(init))
      return rewriter.notifyMatchFailure(conv, "accumulates into a non-zero "
                                               "init");
    Value filter = matchFlippedFilter(conv.getDpsInputOperand(1)->get());
    if (!filter)
      return rewriter.notifyMatchFailure(
          conv, "the filter is not a transposed spatial flip");
    auto dilations = llvm::to_vector(conv.getDilations().getValues<int64_t>());
    ArrayRef<int64_t> fl = cast<ShapedType>(filter.getType()).getShape();
    Location loc = conv.getLoc();
    SmallVector<AffineMap, 3> maps = ipuc::getConvBackwardDataMaps(
        getContext(), fl[1], fl[2], dilations[0], dilations[1]);
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators.append(3, utils::IteratorType::reduction);
    auto generic = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{init.getType()},
        ValueRange{conv.getDpsInputOperand(0)->get(), filter}, ValueRange{init},
        maps, iterators, [](OpBuilder &b, Location l, ValueRange args) {
          Value product = b.create<arith::MulFOp>(l, args[0], args[1]);
          Value sum = b.create<arith::AddFOp>(l, args[2], product);
          b.create<linalg::YieldOp>(l, sum);
        });
    generic->setAttr(ipuc::kConvBackwardDataAttr,
                     rewriter.getDenseI64ArrayAttr(dilations));
    rewriter.replaceOp(conv, generic->getResults());
    return success();
  }
};

struct HostConvBackwardDataPass
    : public ipuc::impl::HostConvBackwardDataBase<HostConvBackwardDataPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RewriteConvAsBackwardData>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

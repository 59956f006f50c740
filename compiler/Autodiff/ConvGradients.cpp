//===- ConvGradients.cpp - Gradients of tosa convolution and pooling -----===//
//
// tosa.conv2d is NHWC with OHWI weights. Both of its gradients are again
// conv2d: the input gradient correlates the output gradient, spread out by
// the stride, with the spatially flipped, IO-swapped weights; the weight
// gradient correlates the input with the output gradient, batch and channels
// swapped, the forward stride becoming the dilation. Pooling gradients are
// supported for non-overlapping windows without padding (kernel == stride), the
// form CNNs use, by upsampling the output gradient onto the windows.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/GradientRules.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;

namespace ipuc::autodiff {

/// [N, OH, OW, C] -> [N, OH * kh, OW * kw, C], each element repeated over
/// its window.
static Value upsample(TosaBuild &t, Value x, int64_t kh, int64_t kw) {
  ArrayRef<int64_t> s = shapeOf(x);
  Value six = t.reshape(x, {s[0], s[1], 1, s[2], 1, s[3]});
  Value tiled = t.tile(six, {1, 1, kh, 1, kw, 1});
  return t.reshape(tiled, {s[0], s[1] * kh, s[2] * kw, s[3]});
}

/// [N, OH, OW, C] -> [N, (OH - 1) * sy + 1, (OW - 1) * sx + 1, C] with
/// sy - 1 (sx - 1) zero rows (columns) between the original ones.
static Value dilateByStride(TosaBuild &t, Value x, int64_t sy, int64_t sx) {
  if (sy == 1 && sx == 1)
    return x;
  ArrayRef<int64_t> s = shapeOf(x);
  Value six = t.reshape(x, {s[0], s[1], 1, s[2], 1, s[3]});
  Value padded = t.pad(six, {0, 0, 0, 0, 0, 0}, {0, 0, sy - 1, 0, sx - 1, 0});
  Value flat = t.reshape(padded, {s[0], s[1] * sy, s[2] * sx, s[3]});
  return t.slice(flat, {0, 0, 0, 0},
                 {s[0], (s[1] - 1) * sy + 1, (s[2] - 1) * sx + 1, s[3]});
}

/// Whether a pool's windows tile its input exactly.
template <typename PoolOp>
static LogicalResult checkTilingWindows(PoolOp pool) {
  ArrayRef<int64_t> kernel = pool.getKernel(), stride = pool.getStride();
  ArrayRef<int64_t> in = shapeOf(pool.getInput());
  ArrayRef<int64_t> out = shapeOf(pool.getOutput());
  bool padded = llvm::any_of(pool.getPad(), [](int64_t p) { return p != 0; });
  if (kernel != stride || padded || in[1] != out[1] * kernel[0] ||
      in[2] != out[2] * kernel[1])
    return pool.emitError("ipuc-autodiff: the gradient of '")
           << pool->getName()
           << "' needs non-overlapping windows that tile the input "
              "(kernel == stride, no padding)";
  return success();
}

void addConvGradients(GradientRules &rules) {
  rules[tosa::Conv2DOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                 ValueRange g) -> Grads {
    auto conv = cast<tosa::Conv2DOp>(op);
    if (conv.getQuantizationInfo())
      return op->emitError(
          "ipuc-autodiff: quantized 'tosa.conv2d' has no gradient");
    ArrayRef<int64_t> pad = conv.getPad(), stride = conv.getStride();
    ArrayRef<int64_t> dilation = conv.getDilation();
    Value x = conv.getInput(), w = conv.getWeight();
    ArrayRef<int64_t> xs = shapeOf(x), ws = shapeOf(w);
    // The input gradient is a stride-1 correlation of the output gradient,
    // spread out by the stride (zeros between its rows and columns), padded
    // by the dilated kernel's reach less the forward padding in front and by
    // whatever makes the result as large as the input behind.
    Value spread = dilateByStride(t, g[0], stride[0], stride[1]);
    ArrayRef<int64_t> ss = shapeOf(spread);
    SmallVector<int64_t> inputPad;
    for (int i = 0; i < 2; ++i) {
      inputPad.push_back(dilation[i] * (ws[1 + i] - 1) - pad[2 * i]);
      inputPad.push_back(xs[1 + i] - ss[1 + i] + pad[2 * i]);
    }
    if (llvm::any_of(inputPad, [](int64_t p) { return p < 0; }))
      return op->emitError("ipuc-autodiff: the gradient of 'tosa.conv2d' "
                           "needs padding within the dilated kernel");
    Value flipped = t.reverse(t.reverse(w, 1), 2);
    Value dx = t.conv2d(spread, t.transpose(flipped, {3, 1, 2, 0}), inputPad,
                        {1, 1}, dilation);
    // dW[o, ky, kx, c] = sum over n, oy, ox of g[n, oy, ox, o] *
    // x[n, oy - pt + ky * dy, ox - pl + kx * dx, c]: a conv2d of x as
    // [C, H, W, N] by g as [O, OH, OW, N] with stride = dilation and
    // dilation = stride, cut to the kernel (rows past KH, which a stride
    // that does not divide the input evenly adds, are never read).
    Value xt = t.transpose(x, {3, 1, 2, 0});
    Value gt = t.transpose(g[0], {3, 1, 2, 0});
    Value dwt = t.conv2d(xt, gt, pad, /*stride=*/dilation, /*dilation=*/stride);
    dwt = t.slice(dwt, {0, 0, 0, 0}, {xs[3], ws[1], ws[2], ws[0]});
    Value dw = t.transpose(dwt, {3, 1, 2, 0});
    Value db = t.reshape(t.reduceSum(t.reduceSum(t.reduceSum(g[0], 0), 1), 2),
                         {ws[0]});
    return SmallVector<Value>{dx, dw, db};
  };

  // The gradient goes to the elements equal to their window's maximum.
  rules[tosa::MaxPool2dOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                    ValueRange g) -> Grads {
    auto pool = cast<tosa::MaxPool2dOp>(op);
    if (failed(checkTilingWindows(pool)))
      return failure();
    ArrayRef<int64_t> k = pool.getKernel();
    Value mask =
        t.equalMask(pool.getInput(), upsample(t, pool.getOutput(), k[0], k[1]));
    return SmallVector<Value>{t.mul(mask, upsample(t, g[0], k[0], k[1]))};
  };
  rules[tosa::AvgPool2dOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                    ValueRange g) -> Grads {
    auto pool = cast<tosa::AvgPool2dOp>(op);
    if (failed(checkTilingWindows(pool)))
      return failure();
    if (pool.getQuantizationInfo())
      return op->emitError(
          "ipuc-autodiff: quantized 'tosa.avg_pool2d' has no gradient");
    ArrayRef<int64_t> k = pool.getKernel();
    Value up = upsample(t, g[0], k[0], k[1]);
    return SmallVector<Value>{
        t.mul(up, t.scalarLike(up, 1.0 / double(k[0] * k[1])))};
  };
}

} // namespace ipuc::autodiff

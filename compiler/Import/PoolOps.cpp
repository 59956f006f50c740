//===- PoolOps.cpp - ONNX pooling to tosa pools and reductions -----------===//
//
// MaxPool and AveragePool become tosa.max_pool2d / tosa.avg_pool2d on an NHWC
// view of the input. tosa's average pool never counts padding, so
// count_include_pad=1 pads the input with explicit zeros first. Global pools
// are plain reductions over the spatial axes, which works for any rank.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/NNHelpers.h"

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

/// Checks the input and reads kernel_shape; fills kH/kW.
LogicalResult readPoolKernel(NodeContext &ctx, int64_t &kH, int64_t &kW) {
  auto xt = ctx.inputType(0);
  if (xt.getRank() != 4)
    return ctx.error("only 2-D pooling is supported (input has rank " +
                     llvm::Twine(xt.getRank()) + ")");
  std::vector<int64_t> kernel = ctx.attrInts("kernel_shape", {});
  if (kernel.size() != 2 || kernel[0] < 1 || kernel[1] < 1)
    return ctx.error("kernel_shape must hold two positive values");
  kH = kernel[0];
  kW = kernel[1];
  return success();
}

/// tosa.pad of an NHWC tensor with zeros on H and W.
Value padSpatial(OpBuilder &b, Location loc, Value x, int64_t top,
                 int64_t bottom, int64_t left, int64_t right) {
  if (top == 0 && bottom == 0 && left == 0 && right == 0)
    return x;
  auto t = tensorType(x);
  auto padType = RankedTensorType::get({4, 2}, b.getI32Type());
  SmallVector<int32_t> pads = {
      0, 0, (int32_t)top, (int32_t)bottom, (int32_t)left, (int32_t)right, 0, 0};
  Value padding =
      constTensor(b, loc, DenseIntElementsAttr::get(padType, ArrayRef(pads)));
  auto type =
      RankedTensorType::get({t.getDimSize(0), t.getDimSize(1) + top + bottom,
                             t.getDimSize(2) + left + right, t.getDimSize(3)},
                            t.getElementType());
  return b.create<tosa::PadOp>(loc, type, x, padding);
}

LogicalResult convertPool(NodeContext &ctx, bool isMax) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  int64_t kH = 0, kW = 0;
  if (failed(readPoolKernel(ctx, kH, kW)))
    return failure();
  if (isMax && ctx.numOutputs() > 1 && ctx.hasOutput(1))
    return ctx.error("the Indices output of MaxPool is not supported");
  std::vector<int64_t> dilations = ctx.attrInts("dilations", {1, 1});
  if (llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    return ctx.error("pooling with dilations other than 1 is not supported");
  bool ceilMode = ctx.attrInt("ceil_mode", 0) != 0;

  Value x = ctx.input(0);
  auto xt = tensorType(x);
  Type elt = xt.getElementType();
  int64_t N = xt.getDimSize(0), C = xt.getDimSize(1), H = xt.getDimSize(2),
          W = xt.getDimSize(3);
  Window2D win;
  if (failed(readWindow2D(ctx, H, W, kH, kW, ceilMode, win)))
    return failure();
  Value xn = toNHWC(b, loc, x);

  bool countPad = !isMax && ctx.attrInt("count_include_pad", 0) != 0;
  if (countPad) {
    // Make the ONNX padding real zeros so that tosa counts them; only the
    // ceil-mode overhang (beyond ONNX's pads) stays implicit and uncounted,
    // which is what ONNX Runtime and PyTorch do.
    std::vector<int64_t> pads = ctx.attrInts("pads", {0, 0, 0, 0});
    if (ctx.attrString("auto_pad", "NOTSET") != "NOTSET")
      pads = {win.h.padBegin, win.w.padBegin, win.h.padEnd, win.w.padEnd};
    xn = padSpatial(b, loc, xn, pads[0], pads[2], pads[1], pads[3]);
    H += pads[0] + pads[2];
    W += pads[1] + pads[3];
    if (!resolveWindowDim(H, kH, win.strides[0], 1, 0, 0, "NOTSET", ceilMode,
                          win.h) ||
        !resolveWindowDim(W, kW, win.strides[1], 1, 0, 0, "NOTSET", ceilMode,
                          win.w))
      return ctx.error("the kernel is larger than the padded input");
  }
  xn = sliceV(b, loc, xn, {0, 0, 0, 0}, {N, win.h.keep, win.w.keep, C});

  auto type = RankedTensorType::get({N, win.h.out, win.w.out, C}, elt);
  auto kernel = b.getDenseI64ArrayAttr({kH, kW});
  auto stride = b.getDenseI64ArrayAttr(win.strides);
  auto pad = b.getDenseI64ArrayAttr(win.tosaPad());
  Value result;
  if (isMax) {
    result = b.create<tosa::MaxPool2dOp>(loc, type, xn, kernel, stride, pad);
  } else {
    Type acc;
    if (elt.isF32() || elt.isF16() || elt.isBF16())
      acc = b.getF32Type();
    else if (elt.isInteger(8) || elt.isInteger(16))
      acc = b.getI32Type();
    else
      return ctx.error("AveragePool supports f32/f16/bf16/i8/i16 inputs only");
    result = b.create<tosa::AvgPool2dOp>(loc, type, xn, kernel, stride, pad,
                                         TypeAttr::get(acc));
  }
  ctx.setResult(0, toNCHW(b, loc, result));
  return success();
}

LogicalResult convertGlobalPool(NodeContext &ctx, bool isMax) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  Value x = ctx.input(0);
  auto xt = tensorType(x);
  if (xt.getRank() < 3)
    return ctx.error("expects an input of rank >= 3 (N, C, spatial...)");
  SmallVector<int64_t> axes;
  int64_t count = 1;
  for (int64_t i = 2; i < xt.getRank(); ++i) {
    axes.push_back(i);
    count *= xt.getDimSize(i);
  }
  if (isMax) {
    ctx.setResult(0, reduceAxes<tosa::ReduceMaxOp>(b, loc, x, axes));
    return success();
  }
  if (!isFloatTensor(x))
    return ctx.error("GlobalAveragePool supports floating-point inputs only");
  Value sum = reduceAxes<tosa::ReduceSumOp>(b, loc, x, axes);
  ctx.setResult(0, scaleBy(b, loc, sum, 1.0 / static_cast<double>(count)));
  return success();
}

} // namespace

void registerPoolConverters(ConverterRegistry &registry) {
  registry["MaxPool"] = {[](NodeContext &c) { return convertPool(c, true); },
                         1};
  registry["AveragePool"] = {
      [](NodeContext &c) { return convertPool(c, false); }, 1};
  registry["GlobalAveragePool"] = {
      [](NodeContext &c) { return convertGlobalPool(c, false); }, 1};
  registry["GlobalMaxPool"] = {
      [](NodeContext &c) { return convertGlobalPool(c, true); }, 1};
}

} // namespace ipuc::onnx_import

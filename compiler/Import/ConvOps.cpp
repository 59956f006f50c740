//===- ConvOps.cpp - ONNX Conv to tosa.conv2d / depthwise_conv2d ----------===//
//
// ONNX convolutions are NCHW with OIHW filters; tosa's are NHWC with OHWI
// (conv2d) or HWCM (depthwise_conv2d) filters, so the converter transposes
// around the op. Grouped convolutions that are neither plain nor depthwise are
// split into one conv2d per group and concatenated on the channel axis.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/NNHelpers.h"

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

Value buildConv2D(OpBuilder &b, Location loc, Value input, Value weightOHWI,
                  Value bias, const Window2D &win) {
  auto it = tensorType(input), wt = tensorType(weightOHWI);
  auto type = RankedTensorType::get(
      {it.getDimSize(0), win.h.out, win.w.out, wt.getDimSize(0)},
      it.getElementType());
  return b.create<tosa::Conv2DOp>(loc, type, input, weightOHWI, bias,
                                  b.getDenseI64ArrayAttr(win.tosaPad()),
                                  b.getDenseI64ArrayAttr(win.strides),
                                  b.getDenseI64ArrayAttr(win.dilations));
}

LogicalResult convertConv(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  if (ctx.numInputs() < 2)
    return ctx.error("expects inputs X and W");
  Value x = ctx.input(0), w = ctx.input(1);
  auto xt = tensorType(x), wt = tensorType(w);
  if (xt.getRank() != 4 || wt.getRank() != 4)
    return ctx.error("only 2-D Conv is supported (input has rank " +
                     llvm::Twine(xt.getRank()) + ")");
  if (!isFloatTensor(x) || wt.getElementType() != xt.getElementType())
    return ctx.error("only floating-point Conv with matching X/W types is "
                     "supported");
  int64_t N = xt.getDimSize(0), C = xt.getDimSize(1), H = xt.getDimSize(2),
          W = xt.getDimSize(3);
  int64_t M = wt.getDimSize(0), Cg = wt.getDimSize(1), kH = wt.getDimSize(2),
          kW = wt.getDimSize(3);
  int64_t group = ctx.attrInt("group", 1);
  if (group < 1 || C % group != 0 || M % group != 0 || Cg * group != C)
    return ctx.error("group=" + llvm::Twine(group) +
                     " does not match input channels " + llvm::Twine(C) +
                     ", filter shape [" + llvm::Twine(M) + "," +
                     llvm::Twine(Cg) + ",...]");
  std::vector<int64_t> kernel = ctx.attrInts("kernel_shape", {kH, kW});
  if (kernel.size() != 2 || kernel[0] != kH || kernel[1] != kW)
    return ctx.error("kernel_shape does not match the filter's shape");

  Window2D win;
  if (failed(readWindow2D(ctx, H, W, kH, kW, /*ceilMode=*/false, win)))
    return failure();

  Type elt = xt.getElementType();
  Value bias;
  if (ctx.numInputs() > 2 && ctx.hasInput(2)) {
    bias = ctx.input(2);
    if (tensorType(bias).getRank() != 1 || tensorType(bias).getDimSize(0) != M)
      return ctx.error("bias B must have shape [" + llvm::Twine(M) + "]");
  } else {
    auto biasType = RankedTensorType::get({M}, elt);
    bias = constTensor(b, loc,
                       DenseElementsAttr::get(biasType, b.getZeroAttr(elt)));
  }

  Value xn = toNHWC(b, loc, x);
  xn = sliceV(b, loc, xn, {0, 0, 0, 0}, {N, win.h.keep, win.w.keep, C});

  Value result;
  if (group == 1) {
    result = buildConv2D(b, loc, xn, transposeBy(b, loc, w, {0, 2, 3, 1}), bias,
                         win);
  } else if (Cg == 1) {
    // Depthwise: output channel c*mult+j reads input channel c, which is the
    // order of tosa's HWCM filter once W is viewed as [C, mult, kH, kW].
    int64_t mult = M / C;
    Value whwcm = transposeBy(b, loc, reshapeTo(b, loc, w, {C, mult, kH, kW}),
                              {2, 3, 0, 1});
    auto type = RankedTensorType::get({N, win.h.out, win.w.out, M}, elt);
    result = b.create<tosa::DepthwiseConv2DOp>(
        loc, type, xn, whwcm, bias, b.getDenseI64ArrayAttr(win.tosaPad()),
        b.getDenseI64ArrayAttr(win.strides),
        b.getDenseI64ArrayAttr(win.dilations));
  } else {
    int64_t Mg = M / group;
    Value wOHWI = transposeBy(b, loc, w, {0, 2, 3, 1});
    SmallVector<Value> parts;
    for (int64_t g = 0; g < group; ++g) {
      Value xg = sliceV(b, loc, xn, {0, 0, 0, g * Cg},
                        {N, win.h.keep, win.w.keep, Cg});
      Value wg = sliceV(b, loc, wOHWI, {g * Mg, 0, 0, 0}, {Mg, kH, kW, Cg});
      Value bg = sliceV(b, loc, bias, {g * Mg}, {Mg});
      parts.push_back(buildConv2D(b, loc, xg, wg, bg, win));
    }
    auto type = RankedTensorType::get({N, win.h.out, win.w.out, M}, elt);
    result = b.create<tosa::ConcatOp>(loc, type, parts, b.getI32IntegerAttr(3));
  }
  ctx.setResult(0, toNCHW(b, loc, result));
  return success();
}

} // namespace

void registerConvConverters(ConverterRegistry &registry) {
  registry["Conv"] = {convertConv, 1};
}

} // namespace ipuc::onnx_import

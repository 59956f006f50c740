//===- NNHelpers.h - Builders shared by the NN and reduction converters -*- C++
//-*-//
//
// Private to the NN-family converter files (NNOps.cpp, ConvOps.cpp,
// PoolOps.cpp, NormOps.cpp, MatMulOps.cpp, EinsumOp.cpp, ReductionOps.cpp).
// Every builder here gives its op an explicit static result type, computed
// with numpy broadcasting, so converters never depend on shape inference.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_IMPORT_NNHELPERS_H
#define IPUC_COMPILER_IMPORT_NNHELPERS_H

#include "compiler/Import/NodeImporter.h"
#include "compiler/Import/TosaHelpers.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <algorithm>

namespace ipuc::onnx_import {

// The NN family is split by op kind; NNOps.cpp registers them all.
void registerConvConverters(ConverterRegistry &registry);
void registerPoolConverters(ConverterRegistry &registry);
void registerNormConverters(ConverterRegistry &registry);
void registerMatMulConverters(ConverterRegistry &registry);
void registerEinsumConverter(ConverterRegistry &registry);

/// tosa.matmul of [N,M,K] x [N,K,W] (defined in MatMulOps.cpp).
mlir::Value buildBatchMatMul(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value lhs, mlir::Value rhs);

inline mlir::RankedTensorType tensorType(mlir::Value v) {
  return llvm::cast<mlir::RankedTensorType>(v.getType());
}

/// An elementwise binary tosa op with numpy broadcasting; the result takes the
/// element type of `lhs` (or `resultElt` when given, for comparisons).
template <typename OpTy, typename... Extra>
mlir::Value binaryOp(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                     mlir::Value rhs, Extra... extra) {
  auto [l, r] = broadcastOperands(b, loc, lhs, rhs);
  auto lt = tensorType(l), rt = tensorType(r);
  llvm::SmallVector<int64_t> shape;
  for (int64_t i = 0; i < lt.getRank(); ++i)
    shape.push_back(std::max(lt.getDimSize(i), rt.getDimSize(i)));
  auto type = mlir::RankedTensorType::get(shape, lt.getElementType());
  return b.create<OpTy>(loc, type, l, r, extra...);
}

inline mlir::Value addV(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                        mlir::Value y) {
  return binaryOp<mlir::tosa::AddOp>(b, loc, x, y);
}
inline mlir::Value subV(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                        mlir::Value y) {
  return binaryOp<mlir::tosa::SubOp>(b, loc, x, y);
}
inline mlir::Value mulV(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                        mlir::Value y) {
  return binaryOp<mlir::tosa::MulOp>(b, loc, x, y, b.getI8IntegerAttr(0));
}

/// `x * scalar` with the scalar in x's element type.
inline mlir::Value scaleBy(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value x, double scalar) {
  auto t = tensorType(x);
  return mulV(b, loc, x,
              constScalar(b, loc, t.getElementType(), scalar, t.getRank()));
}

/// A same-type unary tosa op (exp, log, rsqrt, abs, reciprocal...).
template <typename OpTy>
mlir::Value unaryOp(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x) {
  return b.create<OpTy>(loc, x.getType(), x);
}

/// A tosa reduction over one axis; tosa always keeps the reduced dimension.
template <typename OpTy>
mlir::Value reduceAxis(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       int64_t axis) {
  auto t = tensorType(x);
  llvm::SmallVector<int64_t> shape(t.getShape());
  shape[axis] = 1;
  return b.create<OpTy>(loc,
                        mlir::RankedTensorType::get(shape, t.getElementType()),
                        x, b.getI32IntegerAttr(static_cast<int32_t>(axis)));
}

/// Reduces over every axis in `axes` (normalized), keeping the dimensions.
template <typename OpTy>
mlir::Value reduceAxes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       llvm::ArrayRef<int64_t> axes) {
  for (int64_t axis : axes)
    x = reduceAxis<OpTy>(b, loc, x, axis);
  return x;
}

/// NCHW <-> NHWC for the conv and pool converters (tosa is channels-last).
inline mlir::Value toNHWC(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value x) {
  return transposeBy(b, loc, x, {0, 2, 3, 1});
}
inline mlir::Value toNCHW(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value x) {
  return transposeBy(b, loc, x, {0, 3, 1, 2});
}

/// tosa.slice with a static result type.
inline mlir::Value sliceV(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                          llvm::ArrayRef<int64_t> start,
                          llvm::ArrayRef<int64_t> size) {
  auto t = tensorType(x);
  if (llvm::all_of(start, [](int64_t s) { return s == 0; }) &&
      t.getShape() == size)
    return x;
  return b.create<mlir::tosa::SliceOp>(
      loc, mlir::RankedTensorType::get(size, t.getElementType()), x,
      b.getDenseI64ArrayAttr(start), b.getDenseI64ArrayAttr(size));
}

/// The geometry of one spatial dimension of a conv or pool window, resolved
/// so that tosa's windows tile the (padded, possibly cropped) input exactly:
/// tosa requires (in + padBegin + padEnd - effectiveKernel) to be a multiple
/// of the stride, while ONNX floors (or ceils) the output size.
struct WindowDim {
  int64_t padBegin = 0, padEnd = 0;
  /// Input elements to keep (the rest are never read by any window).
  int64_t keep = 0;
  int64_t out = 0;
};

/// Resolves one dimension from ONNX's attributes. `autoPad` is the auto_pad
/// string; returns false when no window fits.
inline bool resolveWindowDim(int64_t in, int64_t kernel, int64_t stride,
                             int64_t dilation, int64_t padBegin, int64_t padEnd,
                             llvm::StringRef autoPad, bool ceilMode,
                             WindowDim &dim) {
  int64_t effK = (kernel - 1) * dilation + 1;
  int64_t out;
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    out = (in + stride - 1) / stride;
    int64_t total = std::max<int64_t>(0, (out - 1) * stride + effK - in);
    padBegin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    padEnd = total - padBegin;
  } else {
    if (autoPad == "VALID")
      padBegin = padEnd = 0;
    int64_t span = in + padBegin + padEnd - effK;
    if (span < 0)
      return false;
    out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
    // A ceil-mode window that would start in the end padding is dropped.
    if (ceilMode && (out - 1) * stride >= in + padBegin)
      --out;
  }
  int64_t need = (out - 1) * stride + effK - in - padBegin;
  dim.padBegin = padBegin;
  dim.padEnd = std::max<int64_t>(need, 0);
  dim.keep = need < 0 ? in + need : in;
  dim.out = out;
  return true;
}

/// The attributes shared by Conv, MaxPool and AveragePool, validated for 2-D.
struct Window2D {
  WindowDim h, w;
  int64_t strides[2] = {1, 1}, dilations[2] = {1, 1};
  /// tosa order: top, bottom, left, right.
  llvm::SmallVector<int64_t> tosaPad() const {
    return {h.padBegin, h.padEnd, w.padBegin, w.padEnd};
  }
};

/// Reads pads/auto_pad/strides/dilations of a 2-D window op over an NCHW
/// input of spatial size HxW with kernel kH x kW.
inline mlir::LogicalResult readWindow2D(NodeContext &ctx, int64_t H, int64_t W,
                                        int64_t kH, int64_t kW, bool ceilMode,
                                        Window2D &win) {
  std::vector<int64_t> pads = ctx.attrInts("pads", {0, 0, 0, 0});
  std::vector<int64_t> strides = ctx.attrInts("strides", {1, 1});
  std::vector<int64_t> dilations = ctx.attrInts("dilations", {1, 1});
  std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  if (pads.size() != 4 || strides.size() != 2 || dilations.size() != 2)
    return ctx.error("pads must have 4 values and strides/dilations 2 for a "
                     "2-D window");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return ctx.error("unknown auto_pad '" + autoPad + "'");
  for (int i = 0; i < 2; ++i) {
    if (strides[i] < 1 || dilations[i] < 1)
      return ctx.error("strides and dilations must be positive");
    win.strides[i] = strides[i];
    win.dilations[i] = dilations[i];
  }
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return ctx.error("negative pads are not supported");
  // ONNX orders pads [h_begin, w_begin, h_end, w_end].
  if (!resolveWindowDim(H, kH, strides[0], dilations[0], pads[0], pads[2],
                        autoPad, ceilMode, win.h) ||
      !resolveWindowDim(W, kW, strides[1], dilations[1], pads[1], pads[3],
                        autoPad, ceilMode, win.w))
    return ctx.error("the kernel is larger than the padded input");
  return mlir::success();
}

inline bool isFloatTensor(mlir::Value v) {
  return llvm::isa<mlir::FloatType>(tensorType(v).getElementType());
}

} // namespace ipuc::onnx_import

#endif // IPUC_COMPILER_IMPORT_NNHELPERS_H

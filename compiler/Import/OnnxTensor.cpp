//===- OnnxTensor.cpp - ONNX tensor and dtype conversion ------------------===//
//
// ONNX stores tensor data either as little-endian `raw_data` or in typed
// repeated fields whose choice depends on the dtype (e.g. int8/int16/bool and
// float16 bits all live in int32_data). Both forms are decoded here.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/OnnxTensor.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/Endian.h"

#include <vector>

using namespace mlir;
using onnx::TensorProto;

namespace ipuc::onnx_import {

std::string onnxDTypeName(int32_t dtype) {
  switch (dtype) {
  case TensorProto::FLOAT: return "float32";
  case TensorProto::UINT8: return "uint8";
  case TensorProto::INT8: return "int8";
  case TensorProto::UINT16: return "uint16";
  case TensorProto::INT16: return "int16";
  case TensorProto::INT32: return "int32";
  case TensorProto::INT64: return "int64";
  case TensorProto::STRING: return "string";
  case TensorProto::BOOL: return "bool";
  case TensorProto::FLOAT16: return "float16";
  case TensorProto::DOUBLE: return "float64";
  case TensorProto::UINT32: return "uint32";
  case TensorProto::UINT64: return "uint64";
  case TensorProto::COMPLEX64: return "complex64";
  case TensorProto::COMPLEX128: return "complex128";
  case TensorProto::BFLOAT16: return "bfloat16";
  default: return "dtype#" + std::to_string(dtype);
  }
}

Type convertDType(MLIRContext &context, int32_t dtype) {
  Builder b(&context);
  switch (dtype) {
  case TensorProto::FLOAT: return b.getF32Type();
  case TensorProto::FLOAT16: return b.getF16Type();
  case TensorProto::BFLOAT16: return b.getBF16Type();
  case TensorProto::INT8: return b.getI8Type();
  case TensorProto::INT16: return b.getI16Type();
  case TensorProto::INT32: return b.getI32Type();
  case TensorProto::INT64: return b.getI64Type();
  case TensorProto::BOOL: return b.getI1Type();
  default: return {};
  }
}

/// Decodes the typed repeated fields into one APInt per element (floats as
/// their bit patterns), which DenseElementsAttr accepts for every dtype.
static bool typedFieldBits(const TensorProto &t, unsigned width,
                           std::vector<APInt> &out) {
  switch (t.data_type()) {
  case TensorProto::FLOAT:
    for (float v : t.float_data())
      out.push_back(APFloat(v).bitcastToAPInt());
    return true;
  case TensorProto::INT64:
    for (int64_t v : t.int64_data())
      out.emplace_back(64, static_cast<uint64_t>(v), /*isSigned=*/true);
    return true;
  case TensorProto::INT32:
  case TensorProto::INT16:
  case TensorProto::INT8:
  case TensorProto::BOOL:
  case TensorProto::FLOAT16:
  case TensorProto::BFLOAT16:
    // float16/bfloat16 are stored as their 16 bits in int32_data.
    for (int32_t v : t.int32_data())
      out.push_back(APInt(64, static_cast<uint64_t>(static_cast<int64_t>(v)),
                          /*isSigned=*/true)
                        .trunc(width));
    return true;
  default:
    return false;
  }
}

DenseElementsAttr convertTensorProto(MLIRContext &context,
                                     const TensorProto &t, std::string &error) {
  Type elementType = convertDType(context, t.data_type());
  if (!elementType) {
    error = "unsupported dtype " + onnxDTypeName(t.data_type());
    return {};
  }
  if (t.data_location() == TensorProto::EXTERNAL) {
    error = "external tensor data is not supported";
    return {};
  }
  if (t.has_segment()) {
    error = "segmented tensors are not supported";
    return {};
  }
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) {
      error = "negative tensor dimension";
      return {};
    }
    shape.push_back(d);
    count *= d;
  }
  auto type = RankedTensorType::get(shape, elementType);
  unsigned width = elementType.getIntOrFloatBitWidth();

  std::vector<APInt> bits;
  if (t.has_raw_data()) {
    const std::string &raw = t.raw_data();
    unsigned bytes = width == 1 ? 1 : width / 8;
    if (raw.size() != static_cast<size_t>(count) * bytes) {
      error = "raw_data holds " + std::to_string(raw.size()) +
              " bytes, expected " + std::to_string(count * bytes);
      return {};
    }
    // raw_data is little-endian and byte-aligned for every dtype but bool, so
    // on a little-endian host it already is DenseElementsAttr's buffer (splats
    // are detected there as by DenseElementsAttr::get). Going through one
    // APInt/APFloat per element cost ~10 s for a 12-layer encoder's 85 M
    // weights.
    if (width != 1 && llvm::endianness::native == llvm::endianness::little)
      return DenseElementsAttr::getFromRawBuffer(
          type, ArrayRef<char>(raw.data(), raw.size()));
    bits.reserve(count);
    for (int64_t i = 0; i < count; ++i) {
      uint64_t v = 0;
      for (unsigned k = 0; k < bytes; ++k)
        v |= static_cast<uint64_t>(static_cast<uint8_t>(raw[i * bytes + k]))
             << (8 * k);
      if (width == 1)
        v = v != 0;
      bits.emplace_back(width, v);
    }
  } else if (!typedFieldBits(t, width, bits)) {
    error = "no data for dtype " + onnxDTypeName(t.data_type());
    return {};
  }
  if (static_cast<int64_t>(bits.size()) != count) {
    error = "tensor holds " + std::to_string(bits.size()) +
            " values, its shape needs " + std::to_string(count);
    return {};
  }
  if (width == 1) {
    SmallVector<bool> values;
    for (const APInt &v : bits)
      values.push_back(!v.isZero());
    return DenseElementsAttr::get(type, values);
  }
  if (isa<FloatType>(elementType)) {
    const llvm::fltSemantics &sem =
        cast<FloatType>(elementType).getFloatSemantics();
    SmallVector<APFloat> values;
    for (const APInt &v : bits)
      values.emplace_back(sem, v);
    return DenseElementsAttr::get(type, values);
  }
  return DenseElementsAttr::get(type, bits);
}

} // namespace ipuc::onnx_import

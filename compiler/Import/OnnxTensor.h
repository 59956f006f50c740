//===- OnnxTensor.h - ONNX tensor and dtype conversion ----------*- C++ -*-===//
//
// Private to the importer: maps ONNX element types to MLIR types and ONNX
// TensorProtos (initializers, Constant values) to dense attributes.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_IMPORT_ONNXTENSOR_H
#define IPUC_COMPILER_IMPORT_ONNXTENSOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"

#include <onnx/onnx_pb.h>

#include <string>

namespace ipuc::onnx_import {

/// The ONNX name of an element type ("float32", "int64", ...).
std::string onnxDTypeName(int32_t dtype);

/// The MLIR element type for an ONNX element type, or null when tosa cannot
/// represent it (float64, strings, complex, unsigned ...).
mlir::Type convertDType(mlir::MLIRContext &context, int32_t dtype);

/// The tensor's contents as a dense attribute. On failure returns null and
/// sets `error` to a message that does not name the tensor (callers add it).
mlir::DenseElementsAttr convertTensorProto(mlir::MLIRContext &context,
                                           const onnx::TensorProto &tensor,
                                           std::string &error);

} // namespace ipuc::onnx_import

#endif // IPUC_COMPILER_IMPORT_ONNXTENSOR_H

//===- OnnxImporter.h - ONNX model to func + tosa ---------------*- C++ -*-===//
//
// Public entry point of the ONNX importer. A model (binary .onnx or ONNX's
// textual format, .onnxtxt) becomes a module holding one `func.func @main`
// whose body is tosa (plus arith/tensor where tosa has no op).
//
// Naming contract with the rest of the compiler: every argument of @main has
// an `ipuc.name` string attribute holding the ONNX graph input name, every
// result an `ipuc.name` result attribute holding the graph output name.
// Every op's location is NameLoc("<node name> (<OpType>)", FileLineColLoc(
// <model path>, <node index + 1>, 0)) so later errors point at the node.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_IMPORT_ONNXIMPORTER_H
#define IPUC_COMPILER_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ipuc {

struct OnnxImportOptions {
  /// Shapes that replace dynamic (or symbolic) input dimensions, by input name.
  llvm::StringMap<std::vector<int64_t>> inputShapes;
  /// Training: float initializers become arguments of @main marked
  /// `ipuc.param`, named like the initializer and carrying its data as the
  /// `ipuc.initial` argument attribute, instead of constants. Rank-0
  /// initializers stay constants (exporters store exponents, epsilons and
  /// clip bounds that way, and converters need them as constants), as do
  /// those whose name matches `freeze`.
  bool trainableInitializers = false;
  /// A regular expression (llvm::Regex syntax) over initializer names.
  std::string freeze;
  /// When non-empty, @main returns these tensors (any tensor of the graph,
  /// by name) instead of the graph outputs.
  std::vector<std::string> outputs;
};

/// Imports the model at `path`. Errors (unreadable file, malformed model,
/// unsupported op, dynamic shape) are reported through the context's
/// diagnostic engine with a location, and a null module is returned.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(mlir::MLIRContext &context, llvm::StringRef path,
                const OnnxImportOptions &options = {});

/// Parses "NAME=2x3x4" into options.inputShapes; false on malformed text.
bool parseInputShapeOption(llvm::StringRef text, OnnxImportOptions &options,
                           std::string &error);

} // namespace ipuc

#endif // IPUC_COMPILER_IMPORT_ONNXIMPORTER_H

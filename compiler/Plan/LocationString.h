//===- LocationString.h - Human-readable source locations -------*- C++ -*-===//
//
// Plans and diagnostics refer back to the model with short strings such as
// "model.onnx: node 'conv1' (Conv)" (from the importer's NameLoc convention)
// or "net.mlir:12:5".
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_LOCATIONSTRING_H
#define IPUC_COMPILER_PLAN_LOCATIONSTRING_H

#include "mlir/IR/Location.h"

#include <string>

namespace ipuc {

/// Renders `loc` for a user: NameLoc "n (T)" over a file becomes
/// "file: node 'n' (T)"; FileLineColLoc "file:line:col"; a FusedLoc joins the
/// distinct parts. Returns "" for an unknown location.
std::string formatLocation(mlir::Location loc);

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_LOCATIONSTRING_H

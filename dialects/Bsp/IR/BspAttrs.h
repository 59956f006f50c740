//===- BspAttrs.h - bsp dialect attributes and types ------------*- C++ -*-===//
#ifndef IPUC_DIALECTS_BSP_IR_BSPATTRS_H
#define IPUC_DIALECTS_BSP_IR_BSPATTRS_H

#include "dialects/Bsp/IR/BspDialect.h"
#include "dialects/Bsp/IR/Interval.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace ipuc::bsp {
/// A double parameter of #bsp.device: integers print without a fraction.
mlir::FailureOr<llvm::APFloat> parseDouble(mlir::AsmParser &parser);
void printDouble(mlir::AsmPrinter &printer, double value);
/// `[1, 2, 3]`, possibly empty.
mlir::ParseResult parseDimList(mlir::AsmParser &parser,
                               llvm::SmallVector<int64_t> &dims);
void printDimList(mlir::AsmPrinter &printer, llvm::ArrayRef<int64_t> dims);
/// A mapping's intervals in `#bsp.interval` syntax: `[#bsp.interval<t, b,
/// e, a>, ...]`, possibly empty (the form `bsp.tensor` prints; parsed by
/// parseMappingList below).
void printIntervalList(mlir::AsmPrinter &printer,
                       llvm::ArrayRef<Interval> intervals);
/// Bytes an element of `type` occupies in tile memory (i1 takes a byte).
int64_t getElementBytes(mlir::Type type);
/// Calls `fn(begin, length)` for each contiguous row-major run of the box
/// (`offsets`, `sizes`) in a tensor of `shape`, coalescing trailing dims the
/// box spans completely (a rank-0 box is the run (0, 1)). Stops early when
/// `fn` returns false; returns false then.
bool forEachBoxRun(llvm::ArrayRef<int64_t> shape,
                   llvm::ArrayRef<int64_t> offsets,
                   llvm::ArrayRef<int64_t> sizes,
                   llvm::function_ref<bool(int64_t, int64_t)> fn);
} // namespace ipuc::bsp

#include "dialects/Bsp/IR/BspEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Bsp/IR/BspAttrs.h.inc"

namespace ipuc::bsp {
/// A #bsp.mapping from its bare interval list (printIntervalList's form),
/// checked; null once an error has been reported. Serves the attribute's
/// own parser and bsp.tensor's `mapping` directive.
MappingAttr parseMappingList(mlir::AsmParser &parser);
} // namespace ipuc::bsp

#define GET_TYPEDEF_CLASSES
#include "dialects/Bsp/IR/BspTypes.h.inc"

#endif // IPUC_DIALECTS_BSP_IR_BSPATTRS_H

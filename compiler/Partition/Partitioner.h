//===- Partitioner.h - State of the linalg -> bsp partitioner ---*- C++ -*-===//
//
// The partitioner walks the entry function once, in order, and turns each op
// into bsp tensors, exchanges and compute sets. Vertices read their operand
// boxes wherever those live (the program is marked `remote_operands`);
// ipuc-insert-exchanges (InsertExchanges.cpp) gathers the remote ones onto
// the vertices' tiles afterwards. The exchanges made here are the copies an
// op itself means (pad, concat, insert_slice, inits, outputs). The state (the
// bsp tensor of every SSA value, the copies waiting for the next exchange)
// is shared by the per-op-family lowerings, each in its own file:
//
//   Partitioner.cpp          tensors, exchanges, the op walk, inputs/outputs
//   PartitionMatMul.cpp      (batch) matmul on the planner's block grid
//   PartitionConv.cpp        2-D convolution on the same planner's grid
//   PartitionReduction.cpp   small-output reductions in two stages
//   PartitionStructured.cpp  other linalg ops split along their output
//   PartitionTranspose.cpp   transposes as exchanges of permuted copies
//   PartitionFill.cpp        linalg.fill
//   PartitionReshape.cpp     reshapes and casts as views of their source
//   PartitionSlice.cpp       extract_slice (on-tile copies), insert_slice
//   PartitionPad.cpp         tensor.pad with a constant value
//   PartitionConcat.cpp      tensor.concat
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PARTITION_PARTITIONER_H
#define IPUC_COMPILER_PARTITION_PARTITIONER_H

#include "compiler/Partition/BoxCache.h"
#include "compiler/Partition/MatMulPlanner.h"
#include "compiler/Partition/TileMapping.h"
#include "compiler/Plan/Device.h"

#include "dialects/Bsp/IR/BspOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <tuple>
#include <vector>

namespace ipuc::partition {
using llvm::DenseMap;
using mlir::Attribute;
using mlir::Block;
using mlir::MLIRContext;
using mlir::ModuleOp;
using mlir::OpBuilder;
namespace func = mlir::func;
namespace linalg = mlir::linalg;
using llvm::StringRef;
using mlir::FailureOr;
using mlir::Location;
using mlir::LogicalResult;
using mlir::Operation;
using mlir::Type;
using mlir::Value;

namespace bsp = ipuc::bsp;
using Shape = std::vector<int64_t>;

inline Shape shapeOf(Type type) {
  auto shaped = mlir::cast<mlir::ShapedType>(type);
  return Shape(shaped.getShape().begin(), shaped.getShape().end());
}
inline int64_t product(const Shape &s) {
  int64_t n = 1;
  for (int64_t v : s)
    n *= v;
  return n;
}

/// A bsp tensor under construction: its mapping is kept as ranges until the
/// op is built (mappings of results are known when the producer is planned).
struct Buffer {
  Value value; // the !bsp.buffer
  bsp::TensorOp op;
  std::vector<TileRange> ranges;
  /// Whether the tensor is a view (bsp.tensor `view_of`) of another one's
  /// memory, which must not be written in place (the source may be read).
  bool isView() const { return bool(bsp::TensorOp(op).getViewOf()); }
};

/// One partitioning of one module; the per-op lowerings are its members.
class Partitioner {
public:
  Partitioner(ModuleOp module, const DeviceDescription &dev, int64_t grain)
      : module(module), dev(dev), grain(grain), ctx(module.getContext()),
        b(ctx), boxes(ctx) {
    tiles = dev.totalTiles();
  }
  LogicalResult run();

  // Members are used by the per-op-family lowerings in their own files.
  // Tensors.
  Buffer &newTensor(Location loc, StringRef name, bsp::TensorRole role,
                    Type tensorType, std::vector<TileRange> ranges,
                    Attribute value = {}, Value viewOf = {});
  std::vector<TileRange> linear(const Shape &shape) {
    return linearMapping(product(shape), tiles, grain);
  }
  /// On tile 0, like every mapping the partitioner makes up (linearMapping).
  std::vector<TileRange> oneTile(const Shape &shape) {
    return linearMapping(product(shape), 1, 1);
  }
  /// The bsp tensor of `v`. A constant is created on first use, mapped by
  /// `home` when the user chooses where it lives (a matmul homes its weight
  /// on the tiles consuming it), linearly otherwise.
  FailureOr<Buffer *>
  get(Value v, Operation *user,
      llvm::function_ref<std::vector<TileRange>()> home = nullptr);
  std::string nameFor(Operation *op) {
    return op->getName().getStringRef().str() + "#" + std::to_string(opCounter);
  }
  /// The operand a vertex reads `box` of `buf` through, on whichever tile
  /// it lives: ipuc-insert-exchanges stages the box when it is remote.
  std::pair<Value, bsp::BoxAttr> readBox(Buffer &buf, const Box &box) {
    return {buf.value, boxAttr(box)};
  }
  bsp::BoxAttr boxAttr(const Box &box) {
    return boxes.get(box.offsets, box.sizes);
  }
  static Box wholeBox(const Shape &s) { return Box{Shape(s.size(), 0), s}; }

  // Steps.
  void flushExchange(Location loc, StringRef name);
  bsp::ComputeSetOp newComputeSet(Location loc, StringRef name);
  /// Opens the compute set of serial chunk `step` of a grid-planned op
  /// (matmul, conv), named by chunk and carrying the grid.
  bsp::ComputeSetOp newGridStep(Location loc, StringRef name,
                                const MatMulGrid &grid, int64_t step);

  // Ops.
  LogicalResult partitionOp(Operation *op);
  LogicalResult partitionFill(linalg::FillOp op);
  /// Creates the tensor and compute set of a deferred zero fill (see
  /// PartitionFill.cpp) before the step being built, if there is one.
  Buffer *materializeFill(Value v);
  /// A compute set setting every element of `buf` to `value` on its tiles.
  void fillBuffer(Buffer &buf, mlir::TypedAttr value, Location loc,
                  StringRef name);
  FailureOr<bool> partitionMatMul(linalg::LinalgOp op);
  FailureOr<bool> partitionConv(linalg::LinalgOp op);
  /// Whether `op` was lowered as a two-stage reduction (false: not one).
  FailureOr<bool> partitionTwoStageReduction(linalg::LinalgOp op);
  LogicalResult partitionStructured(linalg::LinalgOp op);
  /// Whether `op` was lowered as a transpose: one exchange of permuted
  /// copies into its result's mapping (false: not a pure transpose).
  FailureOr<bool> partitionTranspose(linalg::LinalgOp op);
  LogicalResult partitionReshape(Operation *op, Value src);
  LogicalResult partitionExtractSlice(mlir::tensor::ExtractSliceOp op);
  LogicalResult partitionInsertSlice(mlir::tensor::InsertSliceOp op);
  LogicalResult partitionPad(mlir::tensor::PadOp op);
  LogicalResult partitionConcat(mlir::tensor::ConcatOp op);
  /// The buffer `op` (whose result 0 is `dest` updated) may write into:
  /// `dest`'s own when nothing else reads it, else an on-tile copy of it.
  FailureOr<Buffer *> writableDest(Value dest, Operation *op);
  LogicalResult partitionReturn(func::FuncOp func, func::ReturnOp op);

  // Block grids (GridChoice.cpp).
  /// The grid of a matmul or convolution: its `ipuc.grid` attribute when it
  /// has one (an error when the grid cannot be honoured), else the planner's
  /// choice. Every choice is reported to `onGrid`.
  FailureOr<MatMulGrid> chooseGrid(Operation *op, const MatMulProblem &p);
  /// For a linalg op lowered without a grid: false, or an error when it
  /// carries an `ipuc.grid` that would otherwise be silently ignored.
  FailureOr<bool> declineGrid(Operation *op);
  /// Told every chosen grid (ipuc-plan-matmul-grids records them).
  std::function<void(Operation *, const MatMulGrid &)> onGrid;

  // Result mappings of ops split along their output (MappingChoice.cpp).
  /// The mapping of a structured op's results: its `ipuc.mapping` attribute
  /// when it has one (an error when it cannot be honoured); else, when
  /// `planMappings` is set, the cheapest candidate by the cost model; else
  /// the linear mapping (or `aliasInit`'s, the init the op accumulates in).
  FailureOr<std::vector<TileRange>> chooseMapping(linalg::LinalgOp op,
                                                  const Shape &outShape,
                                                  bool split,
                                                  Buffer *aliasInit);
  /// For an op not lowered along its output's mapping: an error when it
  /// carries an `ipuc.mapping` that would otherwise be silently ignored.
  LogicalResult declineMapping(Operation *op);
  /// Whether ops without `ipuc.mapping` get the cost model's choice
  /// (ipuc-plan-tile-mapping) rather than the linear mapping.
  bool planMappings = false;
  /// Told every planned mapping choice (ipuc-plan-tile-mapping records them).
  std::function<void(Operation *, Attribute)> onMapping;

  ModuleOp module;
  DeviceDescription dev;
  int64_t grain;
  int64_t tiles;
  int64_t opCounter = 0;
  MLIRContext *ctx;
  OpBuilder b;
  /// Every box asked for so far.
  BoxCache boxes;
  bsp::ProgramOp program;
  Block *tensorBlock = nullptr;
  Operation *tensorInsertPoint = nullptr;
  std::deque<Buffer> buffers;
  DenseMap<Value, Buffer *> bufferOf;
  struct PendingCopy {
    Value src;
    bsp::BoxAttr srcBox;
    Value dst;
    bsp::BoxAttr dstBox;
    /// A transposing copy's bsp.copy `perm`; null for a plain copy.
    mlir::DenseI64ArrayAttr perm = {};
  };
  std::vector<PendingCopy> pending;
  /// Zero fills not materialized yet: a matmul or convolution that
  /// overwrites its accumulator never asks for them.
  struct DeferredFill {
    std::vector<TileRange> ranges;
    mlir::TypedAttr value;
    Location loc;
    std::string name;
  };
  DenseMap<Value, DeferredFill> deferredFills;
  std::vector<std::function<void()>> hostReads;
};

/// The constant a value is defined by, or null.
Attribute constantValue(Value v);

/// `e` at the point `dims` (PartitionStructured.cpp).
int64_t evalExpr(mlir::AffineExpr e, llvm::ArrayRef<int64_t> dims);

// Shared by the matmul and convolution lowerings (PartitionMatMul.cpp).
/// True when `v` is zero-filled (linalg.fill of 0) or tensor.empty.
bool isZeroInit(Value v);
/// Elements of `buf` on its most loaded tile: what that tile sends when
/// every block of the tensor is gathered.
double mostElementsOnOneTile(const Buffer &buf);

} // namespace ipuc::partition

#endif // IPUC_COMPILER_PARTITION_PARTITIONER_H

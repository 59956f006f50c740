//===- MappingChoice.cpp - The tile mapping of a structured op's results -===//
//
// A structured op split along its output (PartitionStructured.cpp) runs one
// vertex per box of its result's mapping, so that mapping decides both its
// compute (the most loaded tile's elements and vertices) and its exchange
// (operand boxes not on the vertex's tile are gathered first). The mapping
// is the op's `ipuc.mapping` attribute when it has one:
//
//   ipuc.mapping = {operand = 1 : i64}   the mapping of operand #1, which is
//                                        indexed like the result (same shape
//                                        and indexing map): no exchange
//   ipuc.mapping = {tiles = 64 : i64}    balanced chunks over at most 64
//                                        tiles from tile 0
//
// (plus an informational `cycles`, the modelled cost). ipuc-plan-tile-mapping
// writes the cheapest candidate by the cost model (docs/cost-model.md,
// "Choosing a result's tile mapping"); without the attribute or the pass the
// result is mapped linearly, as it always was.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

#include "ipuc/sim/CostModel.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;

static constexpr StringLiteral kMappingAttr = "ipuc.mapping";

LogicalResult Partitioner::declineMapping(Operation *op) {
  if (!op->hasAttr(kMappingAttr))
    return success();
  return op->emitError() << "'" << kMappingAttr
                         << "' cannot be honoured: only linalg ops split "
                            "along their output are mapped by it (not "
                            "matmuls, convolutions, two-stage reductions, "
                            "fills or tensor ops)";
}

/// Instruction weight of one iteration of `body`, as the simulator weighs
/// the Generic program it lowers to (CostModel.cpp genericWeightPerIteration):
/// constants free, transcendentals kTranscendentalWeight, divides and square
/// roots kDivideWeight, everything else 1; at least 1.
static double bodyWeight(Block &body) {
  static const llvm::StringSet<> transcendental = {
      "math.exp",   "math.exp2",  "math.expm1", "math.log",  "math.log2",
      "math.log1p", "math.tanh",  "math.erf",   "math.powf", "math.fpowi",
      "math.ipowi", "math.sin",   "math.cos",   "math.tan",  "math.atan",
      "math.atan2", "math.asin",  "math.acos",  "math.sinh", "math.cosh",
      "math.asinh", "math.acosh", "math.atanh"};
  static const llvm::StringSet<> divide = {
      "arith.divf",  "arith.remf",  "arith.divsi",     "arith.divui",
      "arith.remsi", "arith.remui", "arith.ceildivsi", "arith.floordivsi",
      "math.sqrt",   "math.rsqrt"};
  double w = 0;
  for (Operation &op : body.without_terminator()) {
    if (op.hasTrait<OpTrait::ConstantLike>())
      continue;
    StringRef name = op.getName().getStringRef();
    w += transcendental.contains(name) ? sim::kTranscendentalWeight
         : divide.contains(name)       ? sim::kDivideWeight
                                       : 1.0;
  }
  return std::max(1.0, w);
}

static size_t elementBytes(Type type) {
  Type elt = getElementTypeOrSelf(type);
  return std::max<size_t>(1, (elt.getIntOrFloatBitWidth() + 7) / 8);
}

/// The modelled cycles of `op` run along `ranges` (sorted): the compute set's
/// slowest tile (its vertices' work plus launch overheads) plus the exchange
/// gathering the operand boxes that are not on their vertex's tile (the
/// busiest tile's bytes sent or received). The sync is the same whatever the
/// mapping and is left out.
static uint64_t modelCost(Partitioner &p, linalg::LinalgOp op,
                          const Shape &outShape,
                          const std::vector<TileRange> &ranges) {
  auto maps = op.getIndexingMapsArray();
  AffineMap outMap = maps[op.getNumDpsInputs()];
  Operation *operation = op;
  Block &body = operation->getRegion(0).front();
  double weight = bodyWeight(body);
  size_t eltBytes = 1;
  for (Value v : operation->getOperands())
    if (isa<ShapedType>(v.getType()))
      eltBytes = std::max(eltBytes, elementBytes(v.getType()));
  // The operands a vertex reads: tensors already on tiles whose body
  // argument is used (a constant not yet placed is placed by its first user,
  // wherever the result goes, and is left out).
  struct Read {
    Buffer *buf;
    Shape shape;
    AffineMap map;
    size_t bytes;
  };
  std::vector<Read> reads;
  for (OpOperand &operand : operation->getOpOperands()) {
    unsigned i = operand.getOperandNumber();
    if (!isa<RankedTensorType>(operand.get().getType()) ||
        body.getArgument(i).use_empty())
      continue;
    auto it = p.bufferOf.find(operand.get());
    if (it == p.bufferOf.end())
      continue;
    reads.push_back({it->second, shapeOf(operand.get().getType()), maps[i],
                     elementBytes(operand.get().getType())});
  }
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  struct TileLoad {
    double work = 0;
    size_t vertices = 0;
    uint64_t sent = 0, received = 0;
  };
  std::vector<TileLoad> load(p.tiles);
  // One box reused for every operand read (its vectors keep their storage).
  Box box;
  for (auto &[tile, outBox] : tileBoxes(outShape, ranges)) {
    SmallVector<int64_t> lo(bounds.size(), 0), hi;
    SmallVector<int64_t> sz(bounds.begin(), bounds.end());
    for (auto [r, e] : llvm::enumerate(outMap.getResults())) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      lo[d] = outBox.offsets[r];
      sz[d] = outBox.sizes[r];
    }
    int64_t iterations = 1;
    for (size_t d = 0; d < lo.size(); ++d) {
      iterations *= sz[d];
      hi.push_back(lo[d] + std::max<int64_t>(sz[d], 1) - 1);
    }
    TileLoad &here = load[tile];
    here.work += sim::genericWorkCycles(p.dev, iterations, weight, eltBytes);
    ++here.vertices;
    for (const Read &read : reads) {
      box.offsets.clear();
      box.sizes.clear();
      for (AffineExpr e : read.map.getResults()) {
        int64_t mn = evalExpr(e, lo), mx = evalExpr(e, hi);
        box.offsets.push_back(mn);
        box.sizes.push_back(mx - mn + 1);
      }
      if (boxOnTile(read.shape, read.buf->ranges, box, tile))
        continue;
      here.received += box.numElements() * read.bytes;
      const std::vector<TileRange> &src = read.buf->ranges;
      forEachBoxRun(read.shape, box, [&](int64_t begin, int64_t length) {
        int64_t end = begin + length;
        auto it = std::upper_bound(
            src.begin(), src.end(), begin,
            [](int64_t v, const TileRange &r) { return v < r.begin; });
        if (it != src.begin())
          --it;
        for (; it != src.end() && it->begin < end; ++it) {
          int64_t overlap = std::min(end, it->end) - std::max(begin, it->begin);
          if (overlap > 0)
            load[it->tile].sent += overlap * read.bytes;
        }
      });
    }
  }
  uint64_t compute = 0;
  double exchange = 0;
  bool moves = false;
  for (const TileLoad &l : load) {
    if (l.vertices)
      compute =
          std::max(compute, sim::tileComputeCycles(p.dev, l.work, l.vertices));
    exchange =
        std::max(exchange, sim::tileExchangeCycles(p.dev, l.sent, l.received));
    moves |= l.sent || l.received;
  }
  return compute + (moves ? sim::exchangePhaseCycles(p.dev, exchange) : 0);
}

static std::vector<TileRange> sortedRanges(std::vector<TileRange> ranges) {
  sortByBegin(ranges);
  return ranges;
}

/// Whether operand #i of `op` is indexed like its result: same shape and
/// indexing map, so that every result box is the same box of the operand.
static bool indexedLikeResult(linalg::LinalgOp op, unsigned i,
                              const Shape &outShape) {
  Operation *operation = op;
  Value v = operation->getOperand(i);
  if (!isa<RankedTensorType>(v.getType()) || shapeOf(v.getType()) != outShape)
    return false;
  auto maps = op.getIndexingMapsArray();
  AffineMap in = maps[i], out = maps[op.getNumDpsInputs()];
  if (in == out)
    return true;
  // A unit dim may be indexed by 0 or by a loop of one iteration (tosa
  // broadcasts a batch of 1 as `(0, d1, d2)`): the boxes are the same.
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  auto unit = [&](AffineExpr e) {
    if (auto c = dyn_cast<AffineConstantExpr>(e))
      return c.getValue() == 0;
    auto d = dyn_cast<AffineDimExpr>(e);
    return d && bounds[d.getPosition()] == 1;
  };
  if (in.getNumResults() != out.getNumResults())
    return false;
  for (unsigned r = 0; r < in.getNumResults(); ++r)
    if (in.getResult(r) != out.getResult(r) &&
        !(outShape[r] == 1 && unit(in.getResult(r)) && unit(out.getResult(r))))
      return false;
  return true;
}

/// `op`'s forced mapping, or an error saying why it cannot be honoured.
static FailureOr<std::vector<TileRange>> honourMapping(Partitioner &p,
                                                       linalg::LinalgOp op,
                                                       Attribute attr,
                                                       const Shape &outShape) {
  auto dict = dyn_cast<DictionaryAttr>(attr);
  auto bad =
      [&]() {
        return op->emitError()
               << "'" << kMappingAttr
               << "' must be a dictionary with an integer 'operand' or 'tiles' "
                  "(and optionally 'cycles'), not "
               << attr;
      };
  if (!dict)
    return bad();
  for (NamedAttribute entry : dict) {
    if (entry.getName() != "operand" && entry.getName() != "tiles" &&
        entry.getName() != "cycles")
      return bad();
    if (!isa<IntegerAttr>(entry.getValue()))
      return bad();
  }
  auto operand = dict.getAs<IntegerAttr>("operand");
  auto tiles = dict.getAs<IntegerAttr>("tiles");
  if (bool(operand) == bool(tiles))
    return bad();
  Operation *operation = op;
  if (operand) {
    int64_t i = operand.getInt();
    if (i < 0 || i >= (int64_t)operation->getNumOperands())
      return op->emitError() << "'" << kMappingAttr << "' names operand #" << i
                             << " but the op has "
                             << operation->getNumOperands() << " operands";
    if (!indexedLikeResult(op, i, outShape))
      return op->emitError()
             << "'" << kMappingAttr << "' names operand #" << i
             << ", which is not indexed like the result (it needs the "
                "result's shape and indexing map), so its mapping would not "
                "give every vertex its operand boxes";
    Value v = operation->getOperand(i);
    if (!p.bufferOf.count(v) && !constantValue(v))
      return op->emitError() << "'" << kMappingAttr << "' names operand #" << i
                             << ", which has no tile mapping (an "
                                "uninitialized tensor)";
    FailureOr<Buffer *> buf = p.get(v, op);
    if (failed(buf))
      return failure();
    return (*buf)->ranges;
  }
  int64_t count = tiles.getInt();
  if (count < 1 || count > p.tiles)
    return op->emitError() << "'" << kMappingAttr << "' asks for " << count
                           << " tiles but the device has " << p.tiles;
  return linearMapping(product(outShape), count, p.grain);
}

FailureOr<std::vector<TileRange>>
Partitioner::chooseMapping(linalg::LinalgOp op, const Shape &outShape,
                           bool split, Buffer *aliasInit) {
  if (Attribute attr = op->getAttr(kMappingAttr)) {
    if (!split)
      return op->emitError()
             << "'" << kMappingAttr
             << "' cannot be honoured: this op runs as one vertex on one "
                "tile (its indexing maps cannot be split along its output)";
    return honourMapping(*this, op, attr, outShape);
  }
  if (!split)
    return oneTile(outShape);
  if (!planMappings) {
    std::vector<TileRange> ranges = linear(outShape);
    return aliasInit ? aliasInit->ranges : ranges;
  }
  // Candidates: the mapping of every operand indexed like the result (no
  // exchange for it), then balanced chunks of at least `grain` elements over
  // the most tiles that allows (the mapping without the planner). The
  // cheapest wins; on a tie the earlier. Fewer tiles are not offered: the
  // model sees only this op, and it prefers them when an operand is
  // broadcast from a few tiles, but the result's consumers then gather it
  // from fewer senders (a matmul's operand block from one tile to a whole
  // grid row): on the 12-layer encoder that cost more cycles than it saved
  // (docs/cost-model.md).
  Operation *operation = op;
  int64_t bestOperand = -1, bestTiles = 0;
  uint64_t bestCycles = 0;
  std::vector<TileRange> best;
  auto consider = [&](std::vector<TileRange> ranges, int64_t operand,
                      int64_t count) {
    ranges = sortedRanges(std::move(ranges));
    uint64_t cycles = modelCost(*this, op, outShape, ranges);
    if (best.empty() || cycles < bestCycles) {
      best = std::move(ranges);
      bestCycles = cycles, bestOperand = operand, bestTiles = count;
    }
  };
  for (unsigned i = 0; i < operation->getNumOperands(); ++i) {
    auto it = bufferOf.find(operation->getOperand(i));
    if (it != bufferOf.end() && indexedLikeResult(op, i, outShape))
      consider(it->second->ranges, i, 0);
  }
  int64_t elements = product(outShape);
  int64_t most = std::min(tiles, (elements + std::max<int64_t>(grain, 1) - 1) /
                                     std::max<int64_t>(grain, 1));
  most = std::max<int64_t>(most, 1);
  consider(linearMapping(elements, most, grain), -1, most);
  if (onMapping) {
    Builder builder(ctx);
    NamedAttribute choice =
        bestOperand >= 0
            ? builder.getNamedAttr("operand",
                                   builder.getI64IntegerAttr(bestOperand))
            : builder.getNamedAttr("tiles",
                                   builder.getI64IntegerAttr(bestTiles));
    onMapping(op, builder.getDictionaryAttr(
                      {choice, builder.getNamedAttr(
                                   "cycles", builder.getI64IntegerAttr(
                                                 (int64_t)bestCycles))}));
  }
  return best;
}

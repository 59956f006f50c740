//===- ExchangeFusion.cpp - Exchanges run with the compute set after them -===//
//
// A matmul's gather writes each tile's operand slices into its staging
// tensors, and the compute set after it reads them. Run one after the
// other, the 12-layer encoder's gathers write ~35 MB per matmul, which is
// out of the 2 MiB L2 and mostly out of the L3 before the vertices read it:
// the vertices' operands then come from memory, and a second pass over the
// same compute sets took half the time of the first.
//
// So an exchange followed by a compute set (in the same loop body) runs
// with it, tile by tile: a thread copies one tile's incoming bytes and then
// runs that tile's vertices, whose operands are still in its cache. That
// computes what the two steps one after the other compute when
//  * the exchange is direct: no copy reads a byte another writes, so its
//    copies run in any order and on any thread (DecodedExchange::direct);
//  * every vertex touches only its own tile (checked mode), so a tile's
//    vertices see all their tile's incoming bytes and no other tile's;
//  * no vertex that runs early writes a byte that any copy reads.
// A task whose vertices may write a byte the exchange reads (its output
// reuses the memory of a tensor the exchange gathers from, which the
// memory planner allows: the tensor dies at that exchange) is late: it
// runs after all copies but the early tasks' have run. The exchange's
// sources are taken as all the bytes of its source tensors, which costs a
// range per block and only errs towards late.
//
//===----------------------------------------------------------------------===//

#include "Program.h"
#include "ThreadPool.h"

#include <algorithm>
#include <map>

namespace ipuc::sim {

namespace {

using Range = std::pair<const uint8_t *, const uint8_t *>;
using Item = FusedExchange::Item;

/// The tile of a byte of tile memory: tiles lie in the arena in order.
class TileFinder {
public:
  explicit TileFinder(const TileMemory &memory) : numTiles(memory.numTiles()) {
    for (uint32_t t = 0; t < memory.numTiles(); ++t)
      if (memory.tile(t))
        starts.push_back({memory.tile(t), t});
  }
  uint32_t of(const uint8_t *p) const {
    auto it = std::upper_bound(
        starts.begin(), starts.end(), p,
        [](const uint8_t *q, const auto &start) { return q < start.first; });
    return (it - 1)->second;
  }
  const uint32_t numTiles;

private:
  std::vector<std::pair<const uint8_t *, uint32_t>> starts;
};

/// Whether [begin, end) meets a range of sorted, disjoint `ranges`.
bool meets(const std::vector<Range> &ranges, const uint8_t *begin,
           const uint8_t *end) {
  auto it = std::partition_point(ranges.begin(), ranges.end(),
                                 [&](const Range &r) { return r.second <= begin; });
  return it != ranges.end() && it->first < end;
}

/// Every byte of the exchange's source tensors, as sorted disjoint ranges.
std::vector<Range> sourceRanges(const DecodedExchange &x,
                                const std::vector<TensorLayout> &layouts,
                                const TileMemory &memory) {
  std::vector<Range> ranges;
  for (uint32_t t : x.sourceTensors)
    layouts[t].forEachAddressRange([&](uint32_t tile, uint64_t b, uint64_t e) {
      ranges.push_back({memory.tile(tile) + b, memory.tile(tile) + e});
    });
  std::sort(ranges.begin(), ranges.end());
  std::vector<Range> merged;
  for (const Range &r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, r.second);
    else
      merged.push_back(r);
  }
  return merged;
}

/// Whether a vertex of task `t` may write a byte of `sources`.
bool writesSources(const DecodedComputeSet &cs, const TileTask &task,
                   const std::vector<Range> &sources) {
  for (uint32_t vi = task.vertexBegin; vi < task.vertexEnd; ++vi) {
    const DecodedVertex &v = cs.vertices[vi];
    for (uint32_t o = v.operandBegin; o < v.operandEnd; ++o) {
      const DecodedOperand &op = cs.operands[o];
      if (!op.written)
        continue;
      if (op.direct) {
        if (meets(sources, op.data, op.data + op.directSpan()))
          return true;
        continue;
      }
      if (op.strided >= 0) {
        // Its tile-memory side, as the span of its strides.
        const StridedCopy &c = cs.strided[op.strided];
        if (meets(sources, c.src, c.src + c.srcSpan()))
          return true;
      }
      for (uint32_t r = op.runBegin; r < op.runEnd; ++r)
        if (meets(sources, cs.runs.ptr(r), cs.runs.ptr(r) + cs.runs.length(r)))
          return true;
    }
  }
  return false;
}

/// Fills `f` for exchange `x` (its parts in `parts`) followed by `cs`;
/// false if they must run one after the other.
bool fuse(const DecodedExchange &x, const std::vector<DecodedExchange> &parts,
          const DecodedComputeSet &cs, const TileFinder &tiles,
          const std::vector<TensorLayout> &layouts, const TileMemory &memory,
          FusedExchange &f) {
  if (!x.direct || cs.tasks.empty())
    return false;
  std::vector<int32_t> taskOf(tiles.numTiles, -1);
  for (uint32_t t = 0; t < cs.tasks.size(); ++t) {
    int32_t &slot = taskOf[cs.tasks[t].tile];
    if (slot >= 0)
      return false; // one task per tile is what the decoder makes
    slot = static_cast<int32_t>(t);
  }
  std::vector<Range> sources = sourceRanges(x, layouts, memory);
  std::vector<char> late(cs.tasks.size(), 0);
  size_t numLate = 0;
  for (uint32_t t = 0; t < cs.tasks.size(); ++t)
    if (writesSources(cs, cs.tasks[t], sources))
      late[t] = 1, ++numLate;
  if (numLate == cs.tasks.size())
    return false;
  // Each direct body's work pieces, cut where their destination tile
  // changes: a piece that runs across a tile's end is not one tile's.
  std::vector<std::vector<Item>> itemsOf(cs.tasks.size());
  std::vector<uint64_t> lateBytes;
  std::vector<uint32_t> bodies;
  if (x.parts.empty())
    bodies.push_back(FusedExchange::kWhole);
  bodies.insert(bodies.end(), x.parts.begin(), x.parts.end());
  for (uint32_t body : bodies) {
    const DecodedExchange *q =
        body == FusedExchange::kWhole ? &x : &parts[body];
    size_t nr = q->moves.numRuns(), n = nr + q->strided.size();
    uint32_t begin = 0, tile = 0;
    uint64_t bytes = 0;
    auto flush = [&](uint32_t end) {
      if (end == begin)
        return;
      int32_t t = taskOf[tile];
      Item item{body, begin, end};
      if (t >= 0 && !late[t]) {
        itemsOf[t].push_back(item);
      } else {
        f.lateItems.push_back(item);
        lateBytes.push_back(bytes);
      }
      begin = end;
      bytes = 0;
    };
    for (uint32_t k = 0; k < n; ++k) {
      uint8_t *dst;
      uint64_t span;
      if (k < nr) {
        dst = q->moves.runs()[k].dst;
        span = q->moves.runs()[k].bytes;
      } else {
        dst = q->strided[k - nr].dst;
        span = q->strided[k - nr].dstSpan();
      }
      uint32_t first = tiles.of(dst);
      if (span && tiles.of(dst + span - 1) != first)
        return false;
      if (k > begin && first != tile)
        flush(k);
      tile = first;
      bytes += span;
    }
    flush(static_cast<uint32_t>(n));
  }
  for (uint32_t t = 0; t < cs.tasks.size(); ++t) {
    if (late[t]) {
      f.late.push_back(t);
      continue;
    }
    uint32_t b = static_cast<uint32_t>(f.items.size());
    f.items.insert(f.items.end(), itemsOf[t].begin(), itemsOf[t].end());
    f.early.push_back({t, b, static_cast<uint32_t>(f.items.size())});
  }
  // The late copies in chunks of about kLateChunkBytes for the pool.
  constexpr uint64_t kLateChunkBytes = 256 * 1024;
  uint64_t chunk = 0;
  f.lateChunks.push_back(0);
  for (size_t k = 0; k < f.lateItems.size(); ++k) {
    chunk += lateBytes[k];
    if (chunk >= kLateChunkBytes || k + 1 == f.lateItems.size()) {
      f.lateChunks.push_back(static_cast<uint32_t>(k + 1));
      chunk = 0;
    }
  }
  return true;
}

} // namespace

void fuseExchanges(Program &prog, const TileMemory &memory,
                   const std::vector<TensorLayout> &layouts, ThreadPool *pool) {
  // Each exchange op followed by a compute op in the same loop body, and
  // the distinct (exchange body, compute body) pairs among them.
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> pairIndex;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  std::vector<std::pair<uint32_t, uint32_t>> opPairs; // (op, pair)
  std::vector<uint32_t> loopEnds;
  for (uint32_t i = 0; i < prog.ops.size(); ++i) {
    while (!loopEnds.empty() && i >= loopEnds.back())
      loopEnds.pop_back();
    const StepOp &op = prog.ops[i];
    if (op.kind == StepOp::Kind::Repeat) {
      loopEnds.push_back(op.end);
      continue;
    }
    uint32_t bodyEnd = loopEnds.empty()
                           ? static_cast<uint32_t>(prog.ops.size())
                           : loopEnds.back();
    if (op.kind != StepOp::Kind::Exchange || i + 1 >= bodyEnd ||
        prog.ops[i + 1].kind != StepOp::Kind::Compute)
      continue;
    std::pair<uint32_t, uint32_t> key(
        prog.exchangeSteps[op.index].body,
        prog.computeSteps[prog.ops[i + 1].index].body);
    auto [it, fresh] =
        pairIndex.try_emplace(key, static_cast<uint32_t>(pairs.size()));
    if (fresh)
      pairs.push_back(key);
    opPairs.push_back({i, it->second});
  }
  TileFinder tiles(memory);
  std::vector<FusedExchange> fused(pairs.size());
  std::vector<char> ok(pairs.size(), 0);
  auto build = [&](size_t k) {
    fused[k].exchange = pairs[k].first;
    ok[k] = fuse(prog.exchanges[pairs[k].first], prog.exchangeParts,
                 prog.computeSets[pairs[k].second], tiles, layouts, memory,
                 fused[k]);
  };
  if (pool && pairs.size() > 1)
    pool->parallelFor(pairs.size(), build);
  else
    for (size_t k = 0; k < pairs.size(); ++k)
      build(k);
  std::vector<int32_t> indexOf(pairs.size(), -1);
  for (size_t k = 0; k < pairs.size(); ++k) {
    if (!ok[k])
      continue;
    indexOf[k] = static_cast<int32_t>(prog.fusions.size());
    prog.fusions.push_back(std::move(fused[k]));
  }
  for (auto [op, pair] : opPairs)
    prog.ops[op].fusion = indexOf[pair];
}

} // namespace ipuc::sim

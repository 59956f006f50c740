//===- PlanTileMemory.cpp - Liveness-based per-tile addresses ------------===//

#include "compiler/Partition/MemoryPlanner.h"
#include "compiler/Partition/Passes.h"
#include "compiler/Plan/LocationString.h"

#include "dialects/Bsp/IR/BspOps.h"

#include "mlir/IR/Threading.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <functional>

namespace ipuc {
#define GEN_PASS_DEF_PLANTILEMEMORY
#include "compiler/Partition/Passes.h.inc"
} // namespace ipuc

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

namespace {
struct PlanTileMemoryPass
    : public ipuc::impl::PlanTileMemoryBase<PlanTileMemoryPass> {
  void runOnOperation() override {
    for (auto program : getOperation().getOps<bsp::ProgramOp>())
      if (failed(plan(program)))
        return signalPassFailure();
  }

  LogicalResult plan(bsp::ProgramOp program) {
    Block &body = program.getBody().front();
    std::vector<bsp::TensorOp> tensors;
    llvm::DenseMap<Value, size_t> index;
    for (auto t : body.getOps<bsp::TensorOp>()) {
      index[t.getResult()] = tensors.size();
      tensors.push_back(t);
    }
    // Live ranges in units of top-level steps.
    std::vector<int64_t> first(tensors.size(), INT64_MAX), last(tensors.size(), -1);
    int64_t step = 0, numSteps = 0;
    for (Operation &op : body) {
      if (isa<bsp::TensorOp>(op))
        continue;
      // Vertex bodies are scalar code on block arguments and never use a
      // bsp.tensor directly, so the walk does not enter them (their ops
      // outnumber all others in a big program).
      op.walk<WalkOrder::PreOrder>([&](Operation *inner) {
        for (Value v : inner->getOperands()) {
          auto it = index.find(v);
          if (it == index.end())
            continue;
          first[it->second] = std::min(first[it->second], step);
          last[it->second] = std::max(last[it->second], step);
        }
        return isa<bsp::GenericVertexOp>(inner) ? WalkResult::skip()
                                                : WalkResult::advance();
      });
      ++step;
    }
    numSteps = step;
    // A view (`view_of`) owns no memory: its source's block covers the
    // view's live range too, and the view gets the source's addresses. A
    // view follows its source in the program, so walking backwards carries
    // a chain of views' ranges to the tensor that owns the memory.
    std::vector<int64_t> viewSource(tensors.size(), -1);
    for (size_t i = 0; i < tensors.size(); ++i) {
      if (Value src = tensors[i].getViewOf())
        viewSource[i] = index.lookup(src);
      if (tensors[i].getRole() != bsp::TensorRole::intermediate) {
        first[i] = 0;
        last[i] = std::max<int64_t>(numSteps - 1, 0);
      }
    }
    for (size_t i = tensors.size(); i-- > 0;) {
      if (viewSource[i] < 0 || last[i] < 0)
        continue;
      size_t src = viewSource[i];
      first[src] = std::min(first[src], first[i]);
      last[src] = std::max(last[src], last[i]);
    }
    std::vector<MemoryBlock> blocks;
    // A tensor's blocks are blocks[blockBegin[i], blockBegin[i + 1]).
    std::vector<size_t> blockBegin;
    std::vector<std::pair<int64_t, int64_t>> perTile;
    for (size_t i = 0; i < tensors.size(); ++i) {
      blockBegin.push_back(blocks.size());
      if (viewSource[i] >= 0)
        continue;
      bsp::TensorOp t = tensors[i];
      auto type = cast<bsp::BufferType>(t.getResult().getType());
      int64_t elementBytes = type.getElementBytes();
      bool whole = t.getRole() != bsp::TensorRole::intermediate;
      if (whole || last[i] < 0) {
        first[i] = 0;
        last[i] = std::max<int64_t>(numSteps - 1, 0);
      }
      // One block per tile, in tile order: the tensor's bytes on it. Sorted
      // rather than summed in a tree (a mapping has ~1 000 intervals).
      perTile.clear();
      for (const bsp::Interval &iv : t.getMapping())
        perTile.push_back({iv.tile, iv.size() * elementBytes});
      llvm::sort(perTile, llvm::less_first());
      for (size_t k = 0; k < perTile.size(); ++k) {
        auto [tile, bytes] = perTile[k];
        for (; k + 1 < perTile.size() && perTile[k + 1].first == tile; ++k)
          bytes += perTile[k + 1].second;
        blocks.push_back({tile, bytes, first[i], last[i], (int64_t)i, 0});
      }
    }
    blockBegin.push_back(blocks.size());
    auto device = program.getDevice();
    MLIRContext *ctx = program.getContext();
    // Tiles are planned independently, on the context's threads.
    std::vector<int64_t> peak = assignAddresses(
        blocks, device.getTiles(), /*alignment=*/8,
        [&](size_t count, const std::function<void(size_t)> &body) {
          parallelFor(ctx, 0, count, body);
        });
    // Rewrite intervals: a tensor's intervals on a tile are consecutive from
    // its block's address. The cursors are per tensor (one global map keyed
    // by tensor and tile cost a tree lookup per interval). Tensors are
    // independent, so their mappings are built (and uniqued: thread-safe) on
    // the context's threads and only set on the ops afterwards, in order.
    std::vector<bsp::MappingAttr> mappings(tensors.size());
    parallelFor(ctx, 0, tensors.size(), [&](size_t i) {
      // A view's intervals are its source's, taken below.
      if (viewSource[i] >= 0)
        return;
      bsp::TensorOp t = tensors[i];
      int64_t elementBytes =
          cast<bsp::BufferType>(t.getResult().getType()).getElementBytes();
      llvm::SmallDenseMap<int64_t, int64_t, 16> cursor;
      for (size_t j = blockBegin[i]; j < blockBegin[i + 1]; ++j)
        cursor[blocks[j].tile] = blocks[j].address;
      SmallVector<bsp::Interval> intervals(t.getMapping().getIntervals());
      // No new mapping when no address changes (every interval the first on
      // its tile, at 0).
      bool changed = false;
      for (bsp::Interval &iv : intervals) {
        int64_t &at = cursor[iv.tile];
        changed |= at != iv.address;
        iv.address = at;
        at += iv.size() * elementBytes;
      }
      mappings[i] =
          changed ? bsp::MappingAttr::get(ctx, intervals) : t.getMapping();
    });
    // The source's intervals are rewritten already (it comes first), and
    // a view's intervals are the source's.
    for (size_t i = 0; i < tensors.size(); ++i)
      tensors[i].setMappingAttr(viewSource[i] >= 0
                                    ? tensors[viewSource[i]].getMapping()
                                    : mappings[i]);
    for (size_t tile = 0; tile < peak.size(); ++tile) {
      if (peak[tile] <= device.getSramBytes())
        continue;
      std::vector<const MemoryBlock *> on;
      for (const MemoryBlock &blk : blocks)
        if (blk.tile == (int64_t)tile)
          on.push_back(&blk);
      std::sort(on.begin(), on.end(), [](auto *a, auto *c) { return a->bytes > c->bytes; });
      InFlightDiagnostic diag = program.emitError()
                                << "tile " << tile << " needs " << peak[tile]
                                << " bytes but has " << device.getSramBytes()
                                << " available; largest tensors on it:";
      for (size_t j = 0; j < on.size() && j < 5; ++j) {
        bsp::TensorOp t = tensors[on[j]->owner];
        diag << " '" << t.getName() << "' (" << on[j]->bytes << " bytes, "
             << formatLocation(t.getLoc()) << ")" << (j + 1 < std::min<size_t>(on.size(), 5) ? "," : "");
      }
      return failure();
    }
    return success();
  }
};
} // namespace

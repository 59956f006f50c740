//===- InsertExchanges.cpp - Gather remote vertex inputs by exchange ------===//
//
// ipuc-partition-to-bsp lets a vertex read an input box wherever it lives
// (the program is marked `remote_operands`), so that each op's lowering only
// says what a vertex computes on which boxes. This pass makes every input
// local: before each compute set, one exchange copies the remote boxes its
// vertices read into staging tensors on their tiles, and the vertices read
// the copies instead.
//
// Boxes of one source tensor whose sizes agree but for the first are stacked
// along dim 0 of one staging tensor per compute set, whichever tiles gather
// them: each tile's boxes are consecutive rows, one interval of the tensor's
// mapping on that tile (the partial sums a K-split matmul's reducing tiles
// gather are one tensor, not one per tile), so that tensors and their names
// grow with the compute sets and box shapes rather than with the tiles; the
// memory planner still places each tile's interval on its own. Boxes that
// continue one another (pieces of one box read by different vertices) are
// one copy, and a box read twice on one tile is copied once. A program is
// walked once and every box is located by binary search in its tensor's
// mapping: programs of a million vertices pass through here.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/BoxCache.h"
#include "compiler/Partition/Passes.h"

#include "dialects/Bsp/IR/BspOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/ThreadPool.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace ipuc {
#define GEN_PASS_DEF_INSERTEXCHANGES
#include "compiler/Partition/Passes.h.inc"
} // namespace ipuc

using namespace mlir;
using namespace ipuc;
namespace bsp = ipuc::bsp;

namespace {

/// A tensor's mapping as plain arrays, with the number of mapped elements
/// below each interval, so that both "which tile holds element x" and "is
/// every element of [b, e) mapped" are binary searches.
struct Mapping {
  std::vector<int64_t> begins, ends, tiles, mappedBefore;

  explicit Mapping(bsp::TensorOp tensor) {
    int64_t mapped = 0;
    for (const bsp::Interval &iv : tensor.getMapping()) {
      begins.push_back(iv.begin);
      ends.push_back(iv.end);
      tiles.push_back(iv.tile);
      mappedBefore.push_back(mapped);
      mapped += iv.size();
    }
  }
  /// The last interval beginning at or before `x`, or -1.
  int64_t at(int64_t x) const {
    return int64_t(std::upper_bound(begins.begin(), begins.end(), x) -
                   begins.begin()) -
           1;
  }
  /// The number of mapped elements below `x`.
  int64_t mappedBelow(int64_t x) const {
    int64_t i = at(x);
    return i < 0 ? 0 : mappedBefore[i] + std::min(x, ends[i]) - begins[i];
  }
  bool allMapped(int64_t b, int64_t e) const {
    return mappedBelow(e) - mappedBelow(b) == e - b;
  }
  /// The first element of [b, e) that no interval maps.
  int64_t firstUnmapped(int64_t b, int64_t e) const {
    while (b < e) {
      int64_t i = at(b);
      if (i < 0 || ends[i] <= b)
        return b;
      b = ends[i];
    }
    return e;
  }
  /// Whether one interval on `tile` holds all of [b, e).
  bool holds(int64_t tile, int64_t b, int64_t e) const {
    int64_t i = at(b);
    return i >= 0 && tiles[i] == tile && e <= ends[i];
  }
};

std::string boxString(bsp::BoxAttr box) {
  std::string s = "[";
  for (int64_t d = 0; d < box.getRank(); ++d)
    s += (d ? ", " : "") + std::to_string(box.getOffsets()[d]) + ":" +
         std::to_string(box.getOffsets()[d] + box.getSizes()[d]);
  return s + "]";
}

bool overlap(bsp::BoxAttr a, bsp::BoxAttr b) {
  for (int64_t d = 0; d < a.getRank(); ++d)
    if (a.getOffsets()[d] + a.getSizes()[d] <= b.getOffsets()[d] ||
        b.getOffsets()[d] + b.getSizes()[d] <= a.getOffsets()[d])
      return false;
  return true;
}

/// What the pass needs of a vertex, whatever its op.
struct Vertex {
  Operation *op;
  int64_t tile;
  OperandRange inputs, outputs;
  ArrayAttr inputBoxes, outputBoxes;
  std::function<void(ArrayAttr)> setInputBoxes;
};

std::optional<Vertex> vertexOf(Operation *op) {
  auto view = [&](auto v) -> std::optional<Vertex> {
    return Vertex{op,
                  int64_t(v.getTile()),
                  v.getInputs(),
                  v.getOutputs(),
                  v.getInputBoxes(),
                  v.getOutputBoxes(),
                  [v](ArrayAttr boxes) mutable { v.setInputBoxesAttr(boxes); }};
  };
  if (auto v = dyn_cast<bsp::GenericVertexOp>(op))
    return view(v);
  if (auto v = dyn_cast<bsp::MatMulVertexOp>(op))
    return view(v);
  if (auto v = dyn_cast<bsp::Conv2DVertexOp>(op))
    return view(v);
  if (auto v = dyn_cast<bsp::CopyVertexOp>(op))
    return view(v);
  // A fill vertex reads nothing.
  if (auto v = dyn_cast<bsp::FillVertexOp>(op))
    return Vertex{op,
                  int64_t(v.getTile()),
                  op->getOperands().take_front(0),
                  v.getOutputs(),
                  ArrayAttr::get(op->getContext(), {}),
                  v.getOutputBoxes(),
                  nullptr};
  return std::nullopt;
}

/// The gathers of one compute set, worked out without changing the IR so
/// that compute sets are planned in parallel (GatherPlanner below); the
/// Inserter then applies the plans one by one in program order.
struct GatherPlan {
  /// One staging tensor of the compute set being gathered: the runs of one
  /// source whose sizes agree but for the first (`trailing`), from every
  /// tile, stacked along dim 0. A rank-0 run has no dim to stack along and
  /// gets a stage of its own.
  struct Stage {
    bsp::TensorOp src;
    SmallVector<int64_t> trailing;
    /// Per tile holding a part of the stage, in the order the tiles first
    /// asked: the tile and its number of rows. Becomes the tile's first row
    /// once the stage is laid out.
    SmallVector<std::pair<int64_t, int64_t>> slots;
    llvm::DenseMap<int64_t, unsigned> slotOfTile;
    /// The laid-out tensor's shape and mapping, and the tensor once made.
    SmallVector<int64_t> shape;
    bsp::MappingAttr mapping;
    Value tensor;
  };
  /// A box gathered onto a tile: the union of the remote boxes that
  /// continue one another, and where it is staged (`at` is first relative
  /// to its tile's rows of the stage, then in the staging tensor).
  struct Run {
    bsp::TensorOp src;
    int64_t tile;
    SmallVector<int64_t> offsets, sizes;
    unsigned stage = 0;
    SmallVector<int64_t> at;
    /// The copy's boxes in the source and in the staging tensor.
    bsp::BoxAttr srcBox, dstBox;
  };
  /// Input `input` of `vertex` reads `box`, which run `run` holds.
  struct Request {
    Operation *vertex;
    unsigned input;
    unsigned run;
    bsp::BoxAttr box;
  };
  /// A vertex reading staged boxes: its new input boxes, and the stage each
  /// of its gathered inputs now reads.
  struct Rewire {
    Operation *vertex;
    ArrayAttr inputBoxes;
    SmallVector<std::pair<unsigned, unsigned>> stageOfInput;
  };
  std::deque<Stage> stages;
  std::vector<Run> runs;
  std::vector<Rewire> rewires;
};

/// The read-only state every compute set's plan looks at: each tensor's
/// mapping, built once before planning starts.
class Mappings {
public:
  explicit Mappings(Block &program) {
    for (Operation &op : program)
      if (auto tensor = dyn_cast<bsp::TensorOp>(op)) {
        index[tensor] = storage.size();
        storage.emplace_back(tensor);
      }
  }
  /// The mapping of `tensor`, or null when it is not one of the program's.
  const Mapping *of(bsp::TensorOp tensor) const {
    auto it = index.find(tensor);
    return it == index.end() ? nullptr : &storage[it->second];
  }

private:
  std::vector<Mapping> storage;
  llvm::DenseMap<Operation *, unsigned> index;
};

/// Plans the gathers of one compute set (GatherPlan). It only reads the IR
/// and makes attributes (which the context uniques thread-safely; `boxes` is
/// the calling thread's own cache), so that planners of different compute
/// sets run at once. With `emit` unset a
/// failure is returned without a diagnostic: the compute set is then
/// planned again with it set, in program order, so that errors are the
/// ones a sequential walk reports.
class GatherPlanner {
public:
  GatherPlanner(const Mappings &mappings, partition::BoxCache &boxes, bool emit)
      : mappings(mappings), boxes(boxes), emit(emit) {}

  LogicalResult plan(bsp::ComputeSetOp cs, GatherPlan &out) {
    MLIRContext *ctx = cs.getContext();
    Block &body = cs.getBody().front();
    // The tensors this compute set writes, for the hazard check (rare: the
    // partitioner never reads what the same compute set writes).
    llvm::DenseSet<Value> written;
    for (Operation &op : body)
      if (std::optional<Vertex> v = vertexOf(&op))
        written.insert(v->outputs.begin(), v->outputs.end());
    // All of the compute set's remote inputs are known before any is staged:
    // pieces of one box become one run first.
    for (Operation &op : body) {
      std::optional<Vertex> v = vertexOf(&op);
      if (!v || v->inputs.empty())
        continue;
      for (auto [i, value] : llvm::enumerate(v->inputs)) {
        auto box = cast<bsp::BoxAttr>(v->inputBoxes[i]);
        auto tensor = value.getDefiningOp<bsp::TensorOp>();
        if (!tensor || !mappings.of(tensor)) {
          if (emit)
            op.emitOpError()
                << "input #" << i << " is not a bsp.tensor of the program";
          return failure();
        }
        FailureOr<bool> remote = isRemote(*v, i, tensor, box);
        if (failed(remote))
          return failure();
        if (!*remote)
          continue;
        if (written.contains(value) &&
            failed(checkNotWritten(cs, *v, i, tensor, box)))
          return failure();
        requests.push_back(
            {&op, unsigned(i), request(out, tensor, box, v->tile), box});
      }
    }
    // Each stage's rows per tile are known before any is laid out, so that
    // every tile's rows are one interval.
    for (GatherPlan::Run &run : out.runs)
      assignStage(out, run);
    for (GatherPlan::Stage &s : out.stages)
      layOut(ctx, s);
    for (GatherPlan::Run &run : out.runs) {
      GatherPlan::Stage &s = out.stages[run.stage];
      if (!run.at.empty())
        run.at[0] += s.slots[s.slotOfTile[run.tile]].second;
      run.srcBox = boxes.get(run.offsets, run.sizes);
      run.dstBox = boxes.get(run.at, run.sizes);
    }
    // Vertices read their boxes from the runs' staging tensors.
    for (size_t r = 0; r < requests.size();) {
      Operation *op = requests[r].vertex;
      std::optional<Vertex> v = vertexOf(op);
      SmallVector<Attribute> inputBoxes(v->inputBoxes.begin(),
                                        v->inputBoxes.end());
      GatherPlan::Rewire rewire{op, {}, {}};
      for (; r < requests.size() && requests[r].vertex == op; ++r) {
        GatherPlan::Request &q = requests[r];
        GatherPlan::Run &run = out.runs[q.run];
        SmallVector<int64_t> at(run.at);
        for (size_t d = 0; d < at.size(); ++d)
          at[d] += q.box.getOffsets()[d] - run.offsets[d];
        rewire.stageOfInput.push_back({q.input, run.stage});
        inputBoxes[q.input] = boxes.get(at, q.box.getSizes());
      }
      rewire.inputBoxes = ArrayAttr::get(ctx, inputBoxes);
      out.rewires.push_back(std::move(rewire));
    }
    return success();
  }

private:
  /// Whether input `i` of `v` (box `box` of `tensor`) must be gathered; an
  /// error when some element of it lives on no tile.
  FailureOr<bool> isRemote(const Vertex &v, unsigned i, bsp::TensorOp tensor,
                           bsp::BoxAttr box) {
    if (box.getNumElements() == 0)
      return false;
    const Mapping &m = *mappings.of(tensor);
    ArrayRef<int64_t> shape = tensor.getType().getShape();
    ArrayRef<int64_t> offsets = box.getOffsets(), sizes = box.getSizes();
    int64_t first = 0, last = 1, stride = 1;
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      first += offsets[d] * stride;
      last += (sizes[d] - 1) * stride;
      stride *= shape[d];
    }
    last += first;
    // Most boxes lie in one interval: local with two comparisons.
    if (m.holds(v.tile, first, last))
      return false;
    // Intermediates may be mapped in part; the box's own runs must not be.
    if (!m.allMapped(first, last)) {
      int64_t unmapped = -1;
      bsp::forEachBoxRun(shape, offsets, sizes,
                         [&](int64_t begin, int64_t length) {
                           if (m.allMapped(begin, begin + length))
                             return true;
                           unmapped = m.firstUnmapped(begin, begin + length);
                           return false;
                         });
      if (unmapped >= 0) {
        if (emit)
          v.op->emitOpError()
              << "input #" << i << " box " << boxString(box) << " of '"
              << tensor.getName() << "' cannot be gathered onto tile " << v.tile
              << ": no tile holds its element " << unmapped;
        return failure();
      }
    }
    // A box whose rows all live on the tile (between other tiles' rows) is
    // read in place.
    return !bsp::forEachBoxRun(shape, offsets, sizes,
                               [&](int64_t begin, int64_t length) {
                                 return m.holds(v.tile, begin, begin + length);
                               });
  }

  /// An exchange before `cs` would copy a box's value from before the
  /// compute set: reading it remotely while a vertex of `cs` writes it has
  /// no single meaning.
  LogicalResult checkNotWritten(bsp::ComputeSetOp cs, const Vertex &v,
                                unsigned i, bsp::TensorOp tensor,
                                bsp::BoxAttr box) {
    for (Operation &op : cs.getBody().front()) {
      std::optional<Vertex> w = vertexOf(&op);
      if (!w)
        continue;
      for (auto [k, out] : llvm::enumerate(w->outputs)) {
        auto written = cast<bsp::BoxAttr>(w->outputBoxes[k]);
        if (out != tensor.getResult() || !overlap(box, written))
          continue;
        if (!emit)
          return failure();
        InFlightDiagnostic diag =
            v.op->emitOpError()
            << "input #" << i << " box " << boxString(box) << " of '"
            << tensor.getName() << "' lives on another tile and is written in "
            << "the same compute set (box " << boxString(written)
            << "): the exchange before it would copy the old value";
        diag.attachNote(op.getLoc()) << "written by this vertex";
        return diag;
      }
    }
    return success();
  }

  /// The run of this compute set's gathers that will hold box `box` of
  /// `src` on `tile`. A box that continues the last run of its source and
  /// tile along one dim (all other dims equal) extends it, so that pieces of
  /// one box read by different vertices (a matmul's A chunk, cut where the
  /// homed B rows are) are copied and staged as one box; a box inside that
  /// run, or one asked for before, is read from it.
  unsigned request(GatherPlan &out, bsp::TensorOp src, bsp::BoxAttr box,
                   int64_t tile) {
    std::vector<GatherPlan::Run> &runs = out.runs;
    auto key = std::make_tuple(src.getResult().getAsOpaquePointer(),
                               box.getAsOpaquePointer(), tile);
    auto done = runOfBox.find(key);
    if (done != runOfBox.end())
      return done->second;
    ArrayRef<int64_t> offsets = box.getOffsets(), sizes = box.getSizes();
    auto [last, isNew] = lastRun.try_emplace(
        {src.getResult().getAsOpaquePointer(), tile}, runs.size());
    if (!isNew) {
      GatherPlan::Run &run = runs[last->second];
      int64_t rank = sizes.size(), inside = 0, along = -1;
      for (int64_t d = 0; d < rank; ++d) {
        if (offsets[d] >= run.offsets[d] &&
            offsets[d] + sizes[d] <= run.offsets[d] + run.sizes[d]) {
          ++inside;
          continue;
        }
        if (offsets[d] == run.offsets[d] + run.sizes[d])
          along = d;
      }
      if (inside == rank)
        return runOfBox[key] = last->second;
      // The box continues the run in `along` and matches it elsewhere.
      if (along >= 0 && inside == rank - 1) {
        bool same = true;
        for (int64_t d = 0; d < rank; ++d)
          if (d != along &&
              (offsets[d] != run.offsets[d] || sizes[d] != run.sizes[d]))
            same = false;
        if (same) {
          run.sizes[along] += sizes[along];
          return runOfBox[key] = last->second;
        }
      }
      last->second = runs.size();
    }
    runs.push_back(GatherPlan::Run{src, tile, SmallVector<int64_t>(offsets),
                                   SmallVector<int64_t>(sizes)});
    return runOfBox[key] = runs.size() - 1;
  }

  /// Gives `run` its stage and its rows among its tile's rows of it.
  void assignStage(GatherPlan &out, GatherPlan::Run &run) {
    std::deque<GatherPlan::Stage> &stages = out.stages;
    ArrayRef<int64_t> sizes = run.sizes;
    GatherPlan::Stage *s = nullptr;
    if (!sizes.empty()) {
      SmallVector<unsigned, 1> &candidates =
          stagesOf[run.src.getResult().getAsOpaquePointer()];
      for (unsigned c : candidates)
        if (ArrayRef<int64_t>(stages[c].trailing) == sizes.drop_front()) {
          s = &stages[c];
          run.stage = c;
        }
      if (!s)
        candidates.push_back(stages.size());
    }
    if (!s) {
      run.stage = stages.size();
      ArrayRef<int64_t> trailing = sizes.empty() ? sizes : sizes.drop_front();
      s = &stages.emplace_back();
      s->src = run.src;
      s->trailing.assign(trailing.begin(), trailing.end());
    }
    auto [slot, isNew] = s->slotOfTile.try_emplace(run.tile, s->slots.size());
    if (isNew)
      s->slots.push_back({run.tile, 0});
    run.at.assign(sizes.size(), 0);
    if (!sizes.empty()) {
      int64_t &rows = s->slots[slot->second].second;
      run.at[0] = rows;
      rows += sizes[0];
    }
  }

  /// The shape and mapping of `s`'s staging tensor: its tiles' rows in tile
  /// order, one interval each (addresses come from ipuc-plan-tile-memory).
  void layOut(MLIRContext *ctx, GatherPlan::Stage &s) {
    int64_t rowElements = 1;
    for (int64_t size : s.trailing)
      rowElements *= size;
    bool scalar = s.src.getType().getShape().empty();
    llvm::sort(s.slots);
    SmallVector<bsp::Interval> mapping;
    int64_t rows = 0;
    for (auto [i, slot] : llvm::enumerate(s.slots)) {
      auto &[tile, n] = slot;
      int64_t count = scalar ? 1 : n;
      mapping.push_back(
          {tile, rows * rowElements, (rows + count) * rowElements, 0});
      s.slotOfTile[tile] = i;
      n = std::exchange(rows, rows + count);
    }
    if (!scalar) {
      s.shape.push_back(rows);
      llvm::append_range(s.shape, s.trailing);
    }
    s.mapping = bsp::MappingAttr::get(ctx, mapping);
  }

  const Mappings &mappings;
  partition::BoxCache &boxes;
  bool emit;
  std::vector<GatherPlan::Request> requests;
  llvm::DenseMap<void *, SmallVector<unsigned, 1>> stagesOf;
  llvm::DenseMap<std::pair<void *, int64_t>, unsigned> lastRun;
  llvm::DenseMap<std::tuple<void *, const void *, int64_t>, unsigned> runOfBox;
};

class Inserter {
public:
  explicit Inserter(bsp::ProgramOp program)
      : program(program), ctx(program.getContext()), b(ctx) {}

  LogicalResult run() {
    Block &body = program.getBody().front();
    for (Operation &op : body) {
      if (auto tensor = dyn_cast<bsp::TensorOp>(op)) {
        names.insert(tensor.getName());
        continue;
      }
      if (!firstStep)
        firstStep = &op;
    }
    if (firstStep) {
      SmallVector<bsp::ComputeSetOp> sets;
      collectComputeSets(body, sets);
      if (failed(gather(sets, Mappings(body))))
        return failure();
    }
    program.setRemoteOperands(false);
    return success();
  }

private:
  /// The compute sets in `block`, in program order (those of loops too).
  static void collectComputeSets(Block &block,
                                 SmallVectorImpl<bsp::ComputeSetOp> &sets) {
    for (Operation &op : block) {
      if (auto cs = dyn_cast<bsp::ComputeSetOp>(op))
        sets.push_back(cs);
      else if (auto loop = dyn_cast<bsp::RepeatOp>(op))
        collectComputeSets(loop.getBody().front(), sets);
    }
  }

  /// Calls `fn(i, worker)` for every i in [0, n) on the context's threads
  /// (or this one), `worker` numbering the callers so that each has state of
  /// its own (a box cache) that no other caller touches meanwhile.
  template <typename Fn> void forEachOnThreads(size_t n, Fn &&fn) {
    if (!ctx->isMultithreadingEnabled() || n <= 1) {
      for (size_t i = 0; i < n; ++i)
        fn(i, 0u);
      return;
    }
    llvm::ThreadPoolInterface &pool = ctx->getThreadPool();
    unsigned workers = std::min<size_t>(n, pool.getMaxConcurrency());
    std::atomic<size_t> next(0);
    llvm::ThreadPoolTaskGroup group(pool);
    for (unsigned w = 0; w < workers; ++w)
      group.async([&, w] {
        for (size_t i = next++; i < n; i = next++)
          fn(i, w);
      });
    group.wait();
  }

  /// Plans the compute sets on the context's threads, a window at a time
  /// (the plans of a whole program at once would be a second copy of its
  /// boxes), and applies each window's plans in program order, which makes
  /// the IR (names, the order of tensors) the same as a sequential walk's.
  LogicalResult gather(ArrayRef<bsp::ComputeSetOp> sets,
                       const Mappings &mappings) {
    constexpr size_t kWindow = 64;
    // A box cache per worker, kept for the whole pass: the layers of a
    // transformer read the same boxes again.
    std::deque<partition::BoxCache> boxes;
    unsigned workers = ctx->isMultithreadingEnabled()
                           ? ctx->getThreadPool().getMaxConcurrency()
                           : 1;
    for (unsigned w = 0; w < std::max(workers, 1u); ++w)
      boxes.emplace_back(ctx);
    for (size_t begin = 0; begin < sets.size(); begin += kWindow) {
      size_t end = std::min(sets.size(), begin + kWindow);
      std::vector<GatherPlan> plans(end - begin);
      std::vector<char> planned(end - begin, 0);
      forEachOnThreads(end - begin, [&](size_t i, unsigned worker) {
        planned[i] =
            succeeded(GatherPlanner(mappings, boxes[worker], /*emit=*/false)
                          .plan(sets[begin + i], plans[i]));
      });
      for (size_t i = begin; i < end; ++i) {
        if (!planned[i - begin]) {
          GatherPlan again;
          (void)GatherPlanner(mappings, boxes[0], /*emit=*/true)
              .plan(sets[i], again);
          return failure();
        }
        apply(sets[i], plans[i - begin]);
      }
    }
    return success();
  }

  /// `<compute set>.<source>.staged`, which says in errors and profiles
  /// what the tensor holds and for whom; a second stage of the same source
  /// (other trailing sizes, a scalar on another tile) or a name already
  /// taken gets a `.<n>` suffix.
  std::string stageName(bsp::ComputeSetOp cs, bsp::TensorOp src) {
    std::string base = (cs.getName() + "." + src.getName() + ".staged").str();
    if (names.insert(base).second)
      return base;
    for (int64_t n = 1;; ++n) {
      std::string name = base + "." + std::to_string(n);
      if (names.insert(name).second)
        return name;
    }
  }

  /// Makes `plan`'s staging tensors, the exchange before `cs` and the
  /// vertices' reads of the staged boxes.
  void apply(bsp::ComputeSetOp cs, GatherPlan &plan) {
    OpBuilder::InsertionGuard guard(b);
    // Before the first step: staging tensors then dominate every step, also
    // those in loops.
    b.setInsertionPoint(firstStep);
    for (GatherPlan::Stage &s : plan.stages)
      s.tensor = b.create<bsp::TensorOp>(
          cs.getLoc(),
          bsp::BufferType::get(ctx, s.shape, s.src.getType().getElementType()),
          b.getStringAttr(stageName(cs, s.src)),
          bsp::TensorRoleAttr::get(ctx, bsp::TensorRole::intermediate),
          s.mapping, ElementsAttr());
    for (GatherPlan::Rewire &rewire : plan.rewires) {
      for (auto [input, stage] : rewire.stageOfInput)
        // Inputs are the first operands.
        rewire.vertex->setOperand(input, plan.stages[stage].tensor);
      vertexOf(rewire.vertex)->setInputBoxes(rewire.inputBoxes);
    }
    if (plan.runs.empty())
      return;
    b.setInsertionPoint(cs);
    auto ex = b.create<bsp::ExchangeOp>(
        cs.getLoc(), b.getStringAttr(cs.getName() + ".gather"));
    Block *block = new Block();
    ex.getBody().push_back(block);
    b.setInsertionPointToEnd(block);
    for (GatherPlan::Run &run : plan.runs)
      b.create<bsp::CopyOp>(cs.getLoc(), run.src.getResult(), run.srcBox,
                            plan.stages[run.stage].tensor, run.dstBox,
                            /*perm=*/nullptr);
  }

  bsp::ProgramOp program;
  MLIRContext *ctx;
  OpBuilder b;
  Operation *firstStep = nullptr;
  llvm::StringSet<> names;
};

struct InsertExchangesPass
    : public ipuc::impl::InsertExchangesBase<InsertExchangesPass> {
  void runOnOperation() override {
    for (auto program : getOperation().getOps<bsp::ProgramOp>())
      if (program.getRemoteOperands() && failed(Inserter(program).run()))
        return signalPassFailure();
  }
};

} // namespace

//===- Decode.cpp - Read a plan's tile program into flat arrays -----------===//
//
// Everything the simulator needs from the plan is read here, once, when the
// device is created (see Program.h). Creating a device is on the critical
// path of every ipu-run, so this avoids per-item maps and allocations and
// formats the "where" of an error message only when there is an error.
//
//===----------------------------------------------------------------------===//

#include "Program.h"

#include "ByteMarks.h"
#include "Codelet.h"
#include "ThreadPool.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <unordered_map>
#include <utility>

namespace ipuc::sim {

using namespace plan;

namespace {

/// Below this much host work (operand bytes + FLOPs) a compute set runs on
/// the calling thread: waking the pool costs more than it saves.
constexpr double kParallelComputeWork = 64 * 1024;
/// Direct exchanges of at least this many bytes are split into chunks of
/// about this size for the thread pool.
constexpr uint64_t kExchangeChunkBytes = 256 * 1024;

std::string locOrUnknown(const std::string &loc) {
  return loc.empty() ? "unknown loc" : loc;
}

/// Decodes in two passes. The first walks the step tree in order: it lays
/// out the op list, gives each compute set and exchange table its index
/// (once, however often it is reached) and decodes host streams. The
/// second decodes the bodies of those compute sets and exchanges, which are
/// most of the work and independent of each other: each writes only its
/// own entry of the program and reads the plan, the layouts and the tile
/// memory's addresses, so they run in parallel on the device's thread pool.
/// Errors are reported as a sequential decode would: the first failing
/// step in the order steps are first reached.
class Decoder {
public:
  Decoder(const Plan &plan, const DeviceModel &dev, const SimOptions &options,
          const std::vector<TensorLayout> &layouts, TileMemory &memory,
          const host::PlanBindings &bindings, Program &program,
          ThreadPool *pool)
      : plan(plan), dev(dev), options(options), layouts(layouts),
        memory(memory), bindings(bindings), prog(program), pool(pool),
        main(dev.totalTiles()) {}

  bool decode(std::string &error);
  /// Decodes an exchange that is not a step of the plan's program (built
  /// by the device itself, e.g. the resident update).
  bool decodeExtraExchange(const Exchange &ex, uint32_t &index,
                           std::string &error) {
    reachExchange(ex, index);
    return decodeExchange(ex, prog.exchanges[index], main, error);
  }

private:
  using Steps = flatbuffers::Vector<flatbuffers::Offset<Step>>;
  using Where = std::function<std::string()>;

  /// One decoding thread's buffers. The per-tile ones are left as found
  /// after every step that decodes without error.
  struct Scratch {
    explicit Scratch(uint32_t tiles)
        : taskOfTile(tiles, -1), sent(tiles, 0), received(tiles, 0) {}
    /// The segments of the last box or tensor resolved, and of the source
    /// box of an exchange copy.
    std::vector<Segment> segs, srcSegs;
    /// A compute set's task index of a tile, an exchange's bytes sent and
    /// received per tile, and the tiles that are set.
    std::vector<int32_t> taskOfTile;
    std::vector<uint64_t> sent, received;
    std::vector<uint32_t> touched;
    /// An exchange's bytes out of and into each chip.
    std::vector<std::pair<uint64_t, uint64_t>> perChip;
    /// A compute set's grouping of vertices by task: the task of each
    /// vertex, vertex indices by task, where each task starts in them (and
    /// a fill cursor); the operands a vertex writes.
    std::vector<uint32_t> vertexTask, vertexOrder, taskStart, taskCursor;
    std::vector<bool> written;
    /// The destination bytes of the exchange being decided (chooseDirect),
    /// all unmarked between exchanges.
    ByteMarks marks;
  };
  /// A compute set or exchange reached by the walk, decoded by the second
  /// pass into prog.computeSets[index] or prog.exchanges[index]; or the
  /// data of constant or parameter tensor `index`, written into tile memory
  /// alongside (those bytes are never read while decoding).
  struct Job {
    enum class Kind : uint8_t { ComputeSet, Exchange, Constant };
    const void *table = nullptr;
    uint32_t index = 0;
    Kind kind = Kind::ComputeSet;
  };

  bool boxSegments(Scratch &s, const Box &box, const Where &where,
                   std::string &error);
  bool tensorSegments(Scratch &s, uint32_t tensor, const Where &where,
                      std::string &error);
  /// Operand `o` of the vertex at `where` has flat element `element` of
  /// `tensor` on `tile`, not on its own.
  std::string checkedModeError(const std::string &where, size_t o,
                               const TensorLayout &l, int64_t element,
                               uint32_t tensor, uint32_t tile) const {
    return fmt::format("{} (checked mode): operand {} element {} of tensor {} "
                       "lives on tile {}, not on the vertex's tile; a vertex "
                       "may only touch memory of its own tile (add an "
                       "exchange)",
                       where, o, l.elementString(element),
                       tensorLabel(plan, tensor), tile);
  }
  /// Appends `segs` as memory runs.
  void appendRuns(const std::vector<Segment> &segs,
                  std::vector<MemRun> &out) const;
  bool walkSteps(const Steps *steps, std::string &error);
  void reachComputeSet(const ComputeSet &cs, uint32_t &index);
  void reachExchange(const Exchange &ex, uint32_t &index);
  /// Runs jobs[0, n) (in parallel when there is a pool); false with the
  /// error and index of the first failing one.
  bool runJobs(size_t n, std::string &error, size_t &failedJob);
  bool decodeComputeSet(const ComputeSet &cs, DecodedComputeSet &p, Scratch &s,
                        std::string &error);
  bool decodeExchange(const Exchange &ex, DecodedExchange &p, Scratch &s,
                      std::string &error);
  /// A transposing copy whose boxes are not one strided descriptor (a box
  /// across intervals, too many dimensions): one move per destination
  /// element, found through each side's segments. Slow, and only a
  /// fallback: the partitioner's transposes split boxes at tile ranges.
  bool decodePermutedRuns(Scratch &s, const ExchangeCopy &c,
                          const std::function<std::string()> &where,
                          DecodedExchange &p, std::string &error);
  /// Makes `p` direct if that is safe, else stages its copies.
  void chooseDirect(DecodedExchange &p, Scratch &s) const;
  /// Charges `bytes` of an exchange to tiles `from` and `to` and their chips.
  void chargeCopy(Scratch &s, uint32_t from, uint32_t to, uint64_t bytes,
                  DecodedExchange &p);
  bool decodeStream(uint32_t tensor, size_t binding, const Where &where,
                    DecodedStream &out, std::string &error);
  /// Lists a job for each constant or parameter with data.
  void reachConstants();
  bool writeConstant(uint32_t tensor, Scratch &s, std::string &error);

  const Plan &plan;
  const DeviceModel &dev;
  const SimOptions &options;
  const std::vector<TensorLayout> &layouts;
  TileMemory &memory;
  const host::PlanBindings &bindings;
  Program &prog;
  ThreadPool *pool;

  /// The calling thread's scratch (the walk, constants, extra exchanges).
  Scratch main;
  std::vector<Job> jobs;
  /// Steps reached twice (shared tables) are decoded once.
  std::unordered_map<const void *, uint32_t> seenComputeSets, seenExchanges;
};

bool Decoder::boxSegments(Scratch &s, const Box &box, const Where &where,
                          std::string &error) {
  std::vector<Segment> &segs = s.segs;
  segs.clear();
  const TensorLayout &l = layouts[box.tensor()];
  if (!l.mapped)
    return (error = fmt::format("{}: tensor {} has no tile mapping; every "
                                "tensor a tile program uses must be mapped",
                                where(), tensorLabel(plan, box.tensor())),
            false);
  int64_t bad = 0;
  const int64_t *offsets = box.offsets() ? box.offsets()->data() : nullptr;
  const int64_t *sizes = box.sizes() ? box.sizes()->data() : nullptr;
  if (!l.boxSegments(offsets, sizes, segs, bad))
    return (error = fmt::format("{}: element {} of tensor {} is not mapped to "
                                "any tile",
                                where(), l.elementString(bad),
                                tensorLabel(plan, box.tensor())),
            false);
  return true;
}

bool Decoder::tensorSegments(Scratch &s, uint32_t tensor, const Where &where,
                             std::string &error) {
  std::vector<Segment> &segs = s.segs;
  segs.clear();
  const TensorLayout &l = layouts[tensor];
  if (!l.mapped)
    return (error = fmt::format("{}: tensor {} has no tile mapping; every "
                                "tensor a tile program uses must be mapped",
                                where(), tensorLabel(plan, tensor)),
            false);
  std::vector<int64_t> offsets(l.shape.size(), 0);
  int64_t bad = 0;
  if (!l.boxSegments(offsets.data(), l.shape.data(), segs, bad))
    return (error = fmt::format("{}: element {} of tensor {} is not mapped to "
                                "any tile",
                                where(), l.elementString(bad),
                                tensorLabel(plan, tensor)),
            false);
  return true;
}

void Decoder::appendRuns(const std::vector<Segment> &segs,
                         std::vector<MemRun> &out) const {
  for (const Segment &s : segs)
    out.push_back({memory.tile(s.tile) + s.address, s.bufOffset, s.bytes});
}

void Decoder::reachComputeSet(const ComputeSet &cs, uint32_t &index) {
  if (auto it = seenComputeSets.find(&cs); it != seenComputeSets.end()) {
    index = it->second;
    return;
  }
  index = static_cast<uint32_t>(prog.computeSets.size());
  seenComputeSets.emplace(&cs, index);
  prog.computeSets.emplace_back();
  DecodedComputeSet &p = prog.computeSets.back();
  p.name = cs.name() ? cs.name()->str() : "";
  p.loc = cs.loc() ? cs.loc()->str() : "";
  p.profile = prog.profile.size();
  StepProfile prof;
  prof.name = p.name;
  prof.loc = p.loc;
  prof.kind = "compute";
  prog.profile.push_back(prof);
  jobs.push_back({&cs, index, Job::Kind::ComputeSet});
}

bool Decoder::decodeComputeSet(const ComputeSet &cs, DecodedComputeSet &p,
                               Scratch &s, std::string &error) {
  std::vector<int32_t> &taskOfTile = s.taskOfTile;
  std::vector<uint32_t> &touched = s.touched;
  size_t nv = cs.vertices() ? cs.vertices()->size() : 0;
  // Tasks in order of each tile's first vertex, vertices grouped by task in
  // plan order: the same grouping the cost model charges.
  // Grouped by a counting sort into scratch (vertexOrder, taskStart), not
  // a vector per task: a compute set of a big plan has thousands of tasks.
  std::vector<uint32_t> &taskOf = s.vertexTask, &order = s.vertexOrder;
  std::vector<uint32_t> &start = s.taskStart, &cursor = s.taskCursor;
  taskOf.resize(nv);
  start.clear();
  touched.clear();
  size_t nops = 0;
  for (uint32_t vi = 0; vi < nv; ++vi) {
    const Vertex &v = *cs.vertices()->Get(vi);
    uint32_t tile = v.tile();
    nops += v.operands() ? v.operands()->size() : 0;
    if (tile >= dev.totalTiles())
      return (error = fmt::format(
                  "compute set '{}' at {}: vertex {} is on tile {}, but the "
                  "device has {} tiles",
                  p.name, locOrUnknown(p.loc), vi, tile, dev.totalTiles()),
              false);
    if (taskOfTile[tile] < 0) {
      taskOfTile[tile] = static_cast<int32_t>(start.size());
      touched.push_back(tile);
      start.push_back(0);
      TileTask t;
      t.tile = tile;
      p.tasks.push_back(t);
    }
    taskOf[vi] = static_cast<uint32_t>(taskOfTile[tile]);
    ++start[taskOf[vi]];
  }
  for (uint32_t tile : touched)
    taskOfTile[tile] = -1;
  // Counts to starts; then each task's vertices in plan order.
  uint32_t total = 0;
  for (uint32_t &c : start)
    total += std::exchange(c, total);
  start.push_back(total);
  cursor.assign(start.begin(), start.end() - 1);
  order.resize(nv);
  for (uint32_t vi = 0; vi < nv; ++vi)
    order[cursor[taskOf[vi]]++] = vi;
  // Sized up front: most operands are one run of a box of rank <= 4.
  p.vertices.reserve(nv);
  p.operands.reserve(nops);
  p.runs.reserve(nops);
  p.dims.reserve(4 * nops);

  double hostWork = 0;
  for (size_t task = 0; task < p.tasks.size(); ++task) {
    TileTask &t = p.tasks[task];
    t.vertexBegin = static_cast<uint32_t>(p.vertices.size());
    double taskWork = 0;
    for (uint32_t k = start[task]; k < start[task + 1]; ++k) {
      uint32_t vi = order[k];
      const Vertex &v = *cs.vertices()->Get(vi);
      p.vertices.emplace_back();
      DecodedVertex &dv = p.vertices.back();
      dv.vertex = &v;
      dv.index = vi;
      size_t nops = v.operands() ? v.operands()->size() : 0;
      std::vector<bool> &written = s.written;
      writtenOperands(v, nops, written);
      dv.operandBegin = static_cast<uint32_t>(p.operands.size());
      auto where = [&] {
        return fmt::format("compute set '{}' at {}: vertex {} on tile {}",
                           p.name, locOrUnknown(p.loc), vi, v.tile());
      };
      uint64_t scratch = 0;
      for (size_t o = 0; o < nops; ++o) {
        const Box &box = *v.operands()->Get(o);
        const TensorLayout &l = layouts[box.tensor()];
        int64_t n = numElements(box.sizes());
        DecodedOperand op;
        op.runBegin = static_cast<uint32_t>(p.runs.size());
        // A box on one tile (nearly all of them) is placed by arithmetic on
        // its block: one run, or one strided copy to gather and scatter it.
        // Others are resolved run by run.
        StridedCopy gather;
        BoxPlace place;
        const int64_t *offsets =
            box.offsets() ? box.offsets()->data() : nullptr;
        const int64_t *sizes = box.sizes() ? box.sizes()->data() : nullptr;
        if (l.mapped && n > 0 &&
            describePackedBox(l, offsets, sizes, gather, place)) {
          if (options.checked && place.tile != v.tile()) {
            int64_t first = 0, stride = 1;
            for (size_t d = l.shape.size(); d-- > 0;) {
              first += offsets[d] * stride;
              stride *= l.shape[d];
            }
            return (error = checkedModeError(where(), o, l, first, box.tensor(),
                                             place.tile),
                    false);
          }
          uint8_t *at = memory.tile(place.tile) + place.address;
          if (gather.rank == 0) {
            p.runs.push_back({at, 0, gather.inner});
          } else {
            gather.src = at;
            op.strided = static_cast<int32_t>(p.strided.size());
            p.strided.push_back(gather);
          }
        } else {
          if (!boxSegments(
                  s, box,
                  [&] { return fmt::format("{}, operand {}", where(), o); },
                  error))
            return false;
          if (options.checked)
            for (const Segment &seg : s.segs)
              if (seg.tile != v.tile())
                return (error = checkedModeError(where(), o, l, seg.element,
                                                 box.tensor(), seg.tile),
                        false);
          appendRuns(s.segs, p.runs);
        }
        op.runEnd = static_cast<uint32_t>(p.runs.size());
        uint64_t bytes = static_cast<uint64_t>(n) * l.elemSize;
        op.dtype = plan.tensors()->Get(box.tensor())->dtype();
        op.numElements = n;
        op.dimBegin = static_cast<uint32_t>(p.dims.size());
        op.rank = box.sizes() ? box.sizes()->size() : 0;
        if (box.sizes())
          p.dims.insert(p.dims.end(), box.sizes()->begin(), box.sizes()->end());
        op.written = written[o];
        op.scratchOffset = scratch;
        // At least one byte each, and cache-line aligned, as the kernels saw
        // them when every operand was packed.
        scratch += (std::max<uint64_t>(bytes, 1) + 63) / 64 * 64;
        hostWork += static_cast<double>(bytes);
        p.operands.push_back(op);
      }
      dv.operandEnd = static_cast<uint32_t>(p.operands.size());
      // In place where it cannot change the bytes computed: one contiguous
      // run, overlapping no other operand where either of the two is
      // written.
      for (uint32_t a = dv.operandBegin; a < dv.operandEnd; ++a) {
        DecodedOperand &oa = p.operands[a];
        if (oa.runEnd - oa.runBegin != 1)
          continue;
        const MemRun &ra = p.runs[oa.runBegin];
        bool alone = true;
        for (uint32_t b = dv.operandBegin; b < dv.operandEnd && alone; ++b) {
          const DecodedOperand &ob = p.operands[b];
          if (a == b || (!oa.written && !ob.written))
            continue;
          auto apart = [&](const uint8_t *ptr, uint64_t bytes) {
            return ptr >= ra.ptr + ra.bytes || ra.ptr >= ptr + bytes;
          };
          for (uint32_t r = ob.runBegin; r < ob.runEnd && alone; ++r)
            alone = apart(p.runs[r].ptr, p.runs[r].bytes);
          if (ob.strided >= 0)
            p.strided[ob.strided].forEachPiece(
                [&](const uint8_t *src, uint8_t *, uint64_t bytes) {
                  alone = alone && apart(src, bytes);
                });
        }
        if (!alone)
          continue;
        oa.direct = true;
      }
      t.scratchBytes = std::max(t.scratchBytes, scratch);
      VertexCost c = vertexCost(dev, plan, v);
      taskWork += c.workCycles;
      p.flops += c.flops;
      hostWork += c.flops;
    }
    t.vertexEnd = static_cast<uint32_t>(p.vertices.size());
    t.cycles = tileComputeCycles(dev, taskWork, start[task + 1] - start[task]);
    p.cycles = std::max(p.cycles, t.cycles);
  }
  p.parallel = p.tasks.size() > 1 && hostWork >= kParallelComputeWork;
  return true;
}

void Decoder::chooseDirect(DecodedExchange &p, Scratch &s) const {
  // Safe to copy straight across if no destination byte is written twice or
  // read by any copy: destinations are marked byte by byte, then sources
  // looked up, in time linear in the number of contiguous pieces. Strided
  // copies take part piece by piece, so copies that interleave (column
  // blocks of one matrix) are judged on the bytes they really touch.
  ByteMarks &marks = s.marks;
  if (!marks.covers(memory.arenaBegin()))
    marks.reset(memory.arenaBegin(), memory.allocatedBytes());
  // Calls f(ptr, bytes) on each destination piece until f returns false;
  // the number of pieces f saw.
  auto forEachDst = [&](auto &&f) {
    size_t seen = 0;
    for (const Move &m : p.moves) {
      ++seen;
      if (!f(m.dst, m.bytes))
        return seen;
    }
    for (const StridedCopy &c : p.strided) {
      bool go = true;
      c.forEachPiece([&](const uint8_t *, uint8_t *d, uint64_t n) {
        if (go) {
          ++seen;
          go = f(d, n);
        }
      });
      if (!go)
        return seen;
    }
    return seen;
  };
  // The coarsest granule exact for every range: 4-byte elements need a
  // quarter of the bitmap's cache lines.
  uint64_t alignment = 0;
  for (const Move &m : p.moves)
    alignment = marks.foldAlignment(marks.foldAlignment(alignment, m.dst, 0),
                                    m.src, m.bytes);
  for (const StridedCopy &c : p.strided) {
    alignment = marks.foldAlignment(marks.foldAlignment(alignment, c.dst, 0),
                                    c.src, c.inner);
    for (uint32_t d = 0; d < c.rank; ++d)
      alignment |= static_cast<uint64_t>(c.srcStride[d]) |
                   static_cast<uint64_t>(c.dstStride[d]);
  }
  marks.setGranule(ByteMarks::granuleShift(alignment));
  bool disjoint = true;
  size_t marked = forEachDst(
      [&](uint8_t *d, uint64_t n) { return disjoint = marks.mark(d, n); });
  if (disjoint) {
    for (const Move &m : p.moves)
      if (marks.anyMarked(m.src, m.bytes)) {
        disjoint = false;
        break;
      }
    for (size_t i = 0; disjoint && i < p.strided.size(); ++i)
      p.strided[i].forEachPiece([&](const uint8_t *src, uint8_t *, uint64_t n) {
        disjoint = disjoint && !marks.anyMarked(src, n);
      });
  }
  // Left unmarked for the next exchange this thread decodes.
  size_t cleared = 0;
  forEachDst([&](uint8_t *d, uint64_t n) {
    marks.clear(d, n);
    return ++cleared < marked;
  });
  if (!disjoint) {
    // Staged: every source into one staging buffer, in plan order.
    std::vector<uint64_t> movesAt, stridedAt;
    uint64_t offset = 0;
    size_t m = 0, k = 0;
    for (size_t span = 0; span < p.order.size(); ++span)
      for (uint32_t i = 0; i < p.order[span]; ++i) {
        if (span % 2 == 0) {
          movesAt.push_back(offset);
          offset += p.moves[m++].bytes;
        } else {
          stridedAt.push_back(offset);
          offset += p.strided[k++].bytes();
        }
      }
    p.staging.resize(offset);
    uint8_t *base = p.staging.data();
    p.src.reserve(p.moves.size());
    p.dst.reserve(p.moves.size());
    for (size_t i = 0; i < p.moves.size(); ++i) {
      const Move &mv = p.moves[i];
      p.src.push_back({const_cast<uint8_t *>(mv.src), movesAt[i], mv.bytes});
      p.dst.push_back({mv.dst, movesAt[i], mv.bytes});
    }
    for (size_t i = 0; i < p.strided.size(); ++i) {
      p.gathers.push_back(packedDestination(p.strided[i], base + stridedAt[i]));
      p.scatters.push_back(packedSource(p.strided[i], base + stridedAt[i]));
    }
    p.moves = {};
    p.strided = {};
    return;
  }
  p.direct = true;
  if (p.bytes >= 2 * kExchangeChunkBytes) {
    uint64_t acc = 0;
    size_t n = p.moves.size() + p.strided.size();
    p.chunks.push_back(0);
    for (size_t i = 0; i < n; ++i) {
      acc += i < p.moves.size() ? p.moves[i].bytes
                                : p.strided[i - p.moves.size()].bytes();
      if (acc >= kExchangeChunkBytes) {
        p.chunks.push_back(static_cast<uint32_t>(i + 1));
        acc = 0;
      }
    }
    if (p.chunks.back() != n)
      p.chunks.push_back(static_cast<uint32_t>(n));
  }
}

void Decoder::chargeCopy(Scratch &s, uint32_t from, uint32_t to, uint64_t bytes,
                         DecodedExchange &p) {
  std::vector<uint64_t> &sent = s.sent, &received = s.received;
  std::vector<uint32_t> &touched = s.touched;
  // On-tile bytes still pass through the tile's exchange port: charged as
  // sent and received (docs/cost-model.md).
  if (!sent[from] && !received[from])
    touched.push_back(from);
  sent[from] += bytes;
  if (!sent[to] && !received[to])
    touched.push_back(to);
  received[to] += bytes;
  uint32_t sc = from / dev.tilesPerChip, dc = to / dev.tilesPerChip;
  if (sc != dc) {
    s.perChip[sc].first += bytes;
    s.perChip[dc].second += bytes;
  }
  p.bytes += bytes;
}

/// Appends a contiguous move, joined to the previous one when it continues
/// it on both sides.
void appendMove(DecodedExchange &p, const uint8_t *src, uint8_t *dst,
                uint64_t bytes) {
  if (p.order.size() % 2 == 0)
    p.order.push_back(0);
  if (!p.moves.empty() && p.order.back()) {
    Move &b = p.moves.back();
    if (b.src + b.bytes == src && b.dst + b.bytes == dst) {
      b.bytes += bytes;
      return;
    }
  }
  p.moves.push_back({src, dst, bytes});
  ++p.order.back();
}

void appendStrided(DecodedExchange &p, const StridedCopy &c) {
  // Spans alternate moves, strided: an odd count means moves are open.
  if (p.order.empty())
    p.order.push_back(0);
  if (p.order.size() % 2 == 1)
    p.order.push_back(0);
  p.strided.push_back(c);
  ++p.order.back();
}

void Decoder::reachExchange(const Exchange &ex, uint32_t &index) {
  if (auto it = seenExchanges.find(&ex); it != seenExchanges.end()) {
    index = it->second;
    return;
  }
  index = static_cast<uint32_t>(prog.exchanges.size());
  seenExchanges.emplace(&ex, index);
  prog.exchanges.emplace_back();
  DecodedExchange &p = prog.exchanges.back();
  p.profile = prog.profile.size();
  StepProfile prof;
  prof.name = ex.name() ? ex.name()->str() : "";
  prof.loc = ex.loc() ? ex.loc()->str() : "";
  prof.kind = "exchange";
  prog.profile.push_back(prof);
  jobs.push_back({&ex, index, Job::Kind::Exchange});
}

bool Decoder::decodePermutedRuns(Scratch &s, const ExchangeCopy &c,
                                 const std::function<std::string()> &where,
                                 DecodedExchange &p, std::string &error) {
  const Box &sb = *c.src(), &db = *c.dst();
  if (!boxSegments(
          s, sb, [&] { return where() + " source"; }, error))
    return false;
  std::vector<Segment> srcSegs = s.segs;
  if (!boxSegments(
          s, db, [&] { return where() + " destination"; }, error))
    return false;
  const std::vector<Segment> &dstSegs = s.segs;
  const TensorLayout &sl = layouts[sb.tensor()];
  size_t rank = sl.shape.size(), elem = sl.elemSize;
  // Element k of a box (row-major) is at byte k * elem of its segments'
  // packed order (Segment::bufOffset).
  auto at = [&](const std::vector<Segment> &segs, uint64_t byte) {
    auto it = std::upper_bound(
        segs.begin(), segs.end(), byte,
        [](uint64_t v, const Segment &g) { return v < g.bufOffset; });
    const Segment &g = *std::prev(it);
    return std::pair<uint32_t, uint64_t>(g.tile,
                                         g.address + (byte - g.bufOffset));
  };
  std::vector<int64_t> srcStride(rank), j(rank, 0);
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    srcStride[d] = stride;
    stride *= sb.sizes()->Get(d);
  }
  const int64_t *perm = c.perm()->data(), *dsz = db.sizes()->data();
  int64_t total = 1;
  for (size_t d = 0; d < rank; ++d)
    total *= dsz[d];
  for (int64_t k = 0; k < total; ++k) {
    int64_t from = 0;
    for (size_t d = 0; d < rank; ++d)
      from += j[d] * srcStride[perm[d]];
    auto [st, sa] = at(srcSegs, static_cast<uint64_t>(from) * elem);
    auto [dt, da] = at(dstSegs, static_cast<uint64_t>(k) * elem);
    chargeCopy(s, st, dt, elem, p);
    appendMove(p, memory.tile(st) + sa, memory.tile(dt) + da, elem);
    for (size_t d = rank; d-- > 0;) {
      if (++j[d] < dsz[d])
        break;
      j[d] = 0;
    }
  }
  return true;
}

bool Decoder::decodeExchange(const Exchange &ex, DecodedExchange &p, Scratch &s,
                             std::string &error) {
  // The profile entry is only read here, never written: other threads
  // append to nothing while jobs run.
  const StepProfile &prof = prog.profile[p.profile];
  std::vector<Segment> &srcSegs = s.srcSegs, &segs = s.segs;
  s.perChip.assign(dev.numChips, {0, 0});
  s.touched.clear();
  size_t nc = ex.copies() ? ex.copies()->size() : 0;
  for (uint32_t ci = 0; ci < nc; ++ci) {
    const ExchangeCopy &c = *ex.copies()->Get(ci);
    auto where = [&] {
      return fmt::format("exchange '{}' at {}: copy {}", prof.name,
                         locOrUnknown(prof.loc), ci);
    };
    const Box &sb = *c.src(), &db = *c.dst();
    const TensorLayout &sl = layouts[sb.tensor()], &dl = layouts[db.tensor()];
    const int64_t *so = sb.offsets() ? sb.offsets()->data() : nullptr;
    const int64_t *ss = sb.sizes() ? sb.sizes()->data() : nullptr;
    const int64_t *dof = db.offsets() ? db.offsets()->data() : nullptr;
    const int64_t *ds = db.sizes() ? db.sizes()->data() : nullptr;
    int64_t n = 1;
    for (size_t d = 0; d < sl.shape.size(); ++d)
      n *= ss[d];
    // A transposing copy; the identity takes the paths below.
    const int64_t *perm = nullptr;
    if (c.perm())
      for (uint32_t d = 0; d < c.perm()->size(); ++d)
        if (c.perm()->Get(d) != d)
          perm = c.perm()->data();
    StridedCopy sc;
    BoxPlace sp, dp;
    if (sl.mapped && dl.mapped && n > 0 &&
        (perm ? describePermutedCopy(sl, so, ss, dl, dof, ds, perm, sc, sp, dp)
              : describeBoxCopy(sl, so, ss, dl, dof, ds, sc, sp, dp))) {
      // One tile each side: O(rank), whatever the number of runs.
      sc.src = memory.tile(sp.tile) + sp.address;
      sc.dst = memory.tile(dp.tile) + dp.address;
      chargeCopy(s, sp.tile, dp.tile, sc.bytes(), p);
      if (sc.rank)
        appendStrided(p, sc);
      else
        appendMove(p, sc.src, sc.dst, sc.inner);
      continue;
    }
    if (perm) {
      if (!decodePermutedRuns(s, c, where, p, error))
        return false;
      continue;
    }
    if (!boxSegments(
            s, sb, [&] { return where() + " source"; }, error))
      return false;
    srcSegs.swap(segs);
    if (!boxSegments(
            s, db, [&] { return where() + " destination"; }, error))
      return false;
    // Pair source and destination runs: each pair is one move, and charges
    // its bytes to the (from, to) tiles.
    size_t i = 0, j = 0;
    uint64_t pos = 0;
    while (i < srcSegs.size() && j < segs.size()) {
      const Segment &sg = srcSegs[i], &d = segs[j];
      uint64_t end = std::min(sg.bufOffset + sg.bytes, d.bufOffset + d.bytes);
      uint64_t bytes = end - pos;
      chargeCopy(s, sg.tile, d.tile, bytes, p);
      appendMove(p, memory.tile(sg.tile) + sg.address + (pos - sg.bufOffset),
                 memory.tile(d.tile) + d.address + (pos - d.bufOffset), bytes);
      pos = end;
      if (pos == sg.bufOffset + sg.bytes)
        ++i;
      if (pos == d.bufOffset + d.bytes)
        ++j;
    }
  }
  double maxTile = 0;
  for (uint32_t tile : s.touched) {
    maxTile = std::max(maxTile,
                       tileExchangeCycles(dev, s.sent[tile], s.received[tile]));
    s.sent[tile] = s.received[tile] = 0;
  }
  uint64_t maxChip = 0;
  for (auto &[out, in] : s.perChip)
    maxChip = std::max({maxChip, out, in});
  p.cycles = exchangePhaseCycles(dev, maxTile, maxChip);
  chooseDirect(p, s);
  return true;
}

bool Decoder::decodeStream(uint32_t tensor, size_t binding, const Where &where,
                           DecodedStream &out, std::string &error) {
  if (!tensorSegments(main, tensor, where, error))
    return false;
  out.binding = binding;
  appendRuns(main.segs, out.runs);
  return true;
}

bool Decoder::walkSteps(const Steps *steps, std::string &error) {
  if (!steps)
    return true;
  for (const Step *step : *steps) {
    StepOp op;
    switch (step->body_type()) {
    case StepBody::ComputeSet:
      op.kind = StepOp::Kind::Compute;
      reachComputeSet(*step->body_as_ComputeSet(), op.index);
      prog.ops.push_back(op);
      break;
    case StepBody::Exchange:
      op.kind = StepOp::Kind::Exchange;
      reachExchange(*step->body_as_Exchange(), op.index);
      prog.ops.push_back(op);
      break;
    case StepBody::Repeat: {
      op.kind = StepOp::Kind::Repeat;
      op.count = step->body_as_Repeat()->count();
      size_t at = prog.ops.size();
      prog.ops.push_back(op);
      if (!walkSteps(step->body_as_Repeat()->body(), error))
        return false;
      prog.ops[at].end = static_cast<uint32_t>(prog.ops.size());
      break;
    }
    case StepBody::HostWrite:
    case StepBody::HostRead: {
      bool write = step->body_type() == StepBody::HostWrite;
      const flatbuffers::String *name =
          write ? step->body_as_HostWrite()->binding()
                : step->body_as_HostRead()->binding();
      uint32_t tensor = write ? step->body_as_HostWrite()->tensor()
                              : step->body_as_HostRead()->tensor();
      const auto &list = write ? bindings.inputs() : bindings.outputs();
      std::string bname = name ? name->str() : "";
      size_t binding = list.size();
      for (size_t i = 0; i < list.size(); ++i)
        if (list[i].name == bname)
          binding = i;
      if (binding == list.size())
        return (error = fmt::format("host {} of tensor %{} names {} '{}', "
                                    "which the plan does not declare",
                                    write ? "write" : "read", tensor,
                                    write ? "input" : "output", bname),
                false);
      auto &streams = write ? prog.writes : prog.reads;
      op.kind = write ? StepOp::Kind::HostWrite : StepOp::Kind::HostRead;
      op.index = static_cast<uint32_t>(streams.size());
      streams.emplace_back();
      if (!decodeStream(
              tensor, binding,
              [&] {
                return fmt::format("host {} '{}'", write ? "write" : "read",
                                   bname);
              },
              streams.back(), error))
        return false;
      prog.ops.push_back(op);
      break;
    }
    default:
      return (error = "unknown tile program step", false);
    }
  }
  return true;
}

void Decoder::reachConstants() {
  for (size_t t = 0; t < layouts.size(); ++t) {
    const Tensor &ten = *plan.tensors()->Get(t);
    if (layouts[t].mapped && ten.data() &&
        (ten.role() == TensorRole::Constant ||
         ten.role() == TensorRole::Parameter))
      jobs.push_back({&ten, static_cast<uint32_t>(t), Job::Kind::Constant});
  }
}

bool Decoder::writeConstant(uint32_t tensor, Scratch &s, std::string &error) {
  if (!tensorSegments(
          s, tensor, [] { return std::string("constant"); }, error))
    return false;
  memory.scatter(s.segs, plan.tensors()->Get(tensor)->data()->data());
  return true;
}

bool Decoder::runJobs(size_t n, std::string &error, size_t &failedJob) {
  std::vector<std::string> errors(n);
  std::vector<std::exception_ptr> thrown(n);
  std::vector<char> failed(n, 0);
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  // Jobs are claimed in order and a thread stops only after one of its own
  // fails, so every job before the first failure has run to completion.
  auto work = [&](Scratch &s) {
    while (!stop.load(std::memory_order_relaxed)) {
      size_t j = next.fetch_add(1);
      if (j >= n)
        return;
      const Job &job = jobs[j];
      bool ok = false;
      try {
        switch (job.kind) {
        case Job::Kind::ComputeSet:
          ok = decodeComputeSet(*static_cast<const ComputeSet *>(job.table),
                                prog.computeSets[job.index], s, errors[j]);
          break;
        case Job::Kind::Exchange:
          ok = decodeExchange(*static_cast<const Exchange *>(job.table),
                              prog.exchanges[job.index], s, errors[j]);
          break;
        case Job::Kind::Constant:
          ok = writeConstant(job.index, s, errors[j]);
          break;
        }
      } catch (...) {
        thrown[j] = std::current_exception();
      }
      if (!ok) {
        failed[j] = 1;
        stop = true;
        return;
      }
    }
  };
  unsigned threads = pool && n > 1 ? pool->size() : 1;
  if (threads <= 1)
    work(main);
  else
    pool->parallelFor(threads, [&](size_t) {
      Scratch s(dev.totalTiles());
      work(s);
    });
  for (size_t j = 0; j < n; ++j) {
    if (!failed[j])
      continue;
    if (thrown[j])
      std::rethrow_exception(thrown[j]);
    failedJob = j;
    return (error = errors[j], false);
  }
  return true;
}

bool Decoder::decode(std::string &error) {
  // A walk error (a host stream) comes after the steps reached before it.
  std::string walkError;
  bool walked = walkSteps(plan.tile_program()->steps(), walkError);
  // Constants are written by the same jobs, after every step; an error
  // there comes after the walk's and the implicit streams', as when they
  // were written last.
  size_t stepJobs = jobs.size();
  if (walked)
    reachConstants();
  std::string constantError;
  size_t failedJob = 0;
  if (!runJobs(jobs.size(), constantError, failedJob) && failedJob < stepJobs)
    return (error = constantError, false);
  if (!walked)
    return (error = walkError, false);
  // Bindings the program never streams are streamed around the whole run.
  const auto &inputs = bindings.inputs();
  const auto &outputs = bindings.outputs();
  std::vector<bool> written(inputs.size()), read(outputs.size());
  for (const DecodedStream &s : prog.writes)
    written[s.binding] = true;
  for (const DecodedStream &s : prog.reads)
    read[s.binding] = true;
  auto implicitStreams = [&](const std::vector<host::BindingInfo> &list,
                             const std::vector<bool> &streamed,
                             const char *kind,
                             std::vector<DecodedStream> &out) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (streamed[i])
        continue;
      out.emplace_back();
      if (!decodeStream(
              list[i].tensor, i,
              [&] { return fmt::format("{} '{}'", kind, list[i].name); },
              out.back(), error))
        return false;
    }
    return true;
  };
  if (!implicitStreams(inputs, written, "input", prog.implicitWrites) ||
      !implicitStreams(outputs, read, "output", prog.implicitReads))
    return false;
  if (!constantError.empty())
    return (error = constantError, false);
  return true;
}

} // namespace

bool decodeProgram(const Plan &plan, const DeviceModel &dev,
                   const SimOptions &options,
                   const std::vector<TensorLayout> &layouts, TileMemory &memory,
                   const host::PlanBindings &bindings, Program &program,
                   ThreadPool *pool, std::string &error) {
  Decoder d(plan, dev, options, layouts, memory, bindings, program, pool);
  return d.decode(error);
}

bool decodeWholeTensorCopies(
    const Plan &plan, const DeviceModel &dev, const SimOptions &options,
    const std::vector<TensorLayout> &layouts, TileMemory &memory,
    const host::PlanBindings &bindings,
    const std::vector<std::pair<uint32_t, uint32_t>> &copies,
    const std::string &name, Program &program, uint32_t &index,
    std::string &error) {
  // Built as a plan Exchange table so that it is decoded, checked and
  // costed exactly like the exchanges the compiler emits.
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<ExchangeCopy>> list;
  for (auto [src, dst] : copies) {
    const std::vector<int64_t> &shape = layouts[src].shape;
    std::vector<int64_t> zeros(shape.size(), 0);
    auto box = [&](uint32_t tensor) {
      return CreateBox(fbb, tensor, fbb.CreateVector(zeros),
                       fbb.CreateVector(shape));
    };
    auto s = box(src);
    auto d = box(dst);
    list.push_back(CreateExchangeCopy(fbb, s, d));
  }
  auto ex = CreateExchange(fbb, fbb.CreateString(name), fbb.CreateString(""),
                           fbb.CreateVector(list));
  fbb.Finish(ex);
  Decoder decoder(plan, dev, options, layouts, memory, bindings, program,
                  nullptr);
  return decoder.decodeExtraExchange(
      *flatbuffers::GetRoot<Exchange>(fbb.GetBufferPointer()), index, error);
}

} // namespace ipuc::sim

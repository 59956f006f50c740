//===- Program.h - A tile program decoded for execution ---------*- C++ -*-===//
//
// The simulator reads the plan once, in decodeProgram() (Decode.cpp), into
// the flat arrays below; execution (SimDevice.cpp) never walks the plan's
// step tables. Keeping the two apart means a change to how the plan stores
// tile programs touches only the decoder.
//
// What decoding resolves, so that running a step is only memcpys, kernel
// calls and additions: tile addresses become host pointers into the tile
// memory arena; every compute set's and exchange's cycles (mappings never
// change); which operands a kernel can use in place; which exchanges can
// copy straight from source to destination; and the nesting of Repeat
// loops, as index ranges of one step list.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_PROGRAM_H
#define IPUC_SIM_PROGRAM_H

#include "Codelet.h"
#include "MoveList.h"
#include "OperandRuns.h"
#include "StridedCopy.h"
#include "TileMemory.h"

#include "ipuc/host/HostDevice.h"
#include "ipuc/kernels/Dispatch.h"
#include "ipuc/plan/Plan.h"
#include "ipuc/sim/CostModel.h"
#include "ipuc/sim/SimDevice.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace ipuc::sim {

/// `bytes` bytes at `ptr` in tile memory, which are bytes
/// [bufOffset, bufOffset + bytes) of a packed buffer (an operand box, the
/// staging buffer of an exchange, a host stream's array).
struct MemRun {
  uint8_t *ptr = nullptr;
  uint64_t bufOffset = 0;
  uint64_t bytes = 0;
};

inline void gatherRuns(const MemRun *begin, const MemRun *end, uint8_t *buf) {
  for (const MemRun *r = begin; r != end; ++r)
    std::memcpy(buf + r->bufOffset, r->ptr, r->bytes);
}
inline void scatterRuns(const MemRun *begin, const MemRun *end,
                        const uint8_t *buf) {
  for (const MemRun *r = begin; r != end; ++r)
    std::memcpy(r->ptr, buf + r->bufOffset, r->bytes);
}

struct DecodedOperand {
  uint32_t runBegin = 0, runEnd = 0; // in DecodedComputeSet::runs
  /// Or, with no runs, gathered into scratch (and scattered back) by
  /// DecodedComputeSet::strided[strided], whose dst is the packed buffer's
  /// offset 0.
  int32_t strided = -1;
  uint32_t rank = 0;
  union {
    /// Not direct: where it is packed in the task's scratch.
    uint64_t scratchOffset = 0;
    /// Direct: where the kernel finds it in tile memory (its run's start,
    /// or its strided gather's source). Running a vertex then reads neither
    /// the runs nor the 112-byte strided copy of an operand it uses in
    /// place: those loads were a third of the run loop's own samples, cache
    /// misses on 70 MB of decoded operands streamed once per run.
    uint8_t *data;
  };
  int64_t numElements = 0;
  /// The kernel's view of the box: its sizes are dims [dimBegin, dimBegin +
  /// rank) of DecodedComputeSet::dims, where operands of equal sizes share
  /// one entry.
  uint32_t dimBegin = 0;
  plan::DType dtype = plan::DType::F32;
  bool written = false;
  /// The kernel works on tile memory in place (InPlaceOperands.cpp): the
  /// box is one contiguous run, or the rows of a MatMul matrix `rowStride`
  /// elements apart (its strided gather's source), and no other operand of
  /// the vertex overlaps it where either is written (so in place and packed
  /// copies compute the same bytes).
  bool direct = false;
  int32_t rowStride = 0; // 0: packed rows
  uint32_t rows = 0;     // with a row stride: how many rows
  /// The tile-memory bytes of a direct operand, from `data`: its strided
  /// gather is not kept (Decoder::decodeComputeSet), being 112 bytes that
  /// running the vertex never reads.
  uint64_t directSpan() const {
    uint64_t elem = plan::dtypeSize(dtype);
    if (!rowStride || !rows)
      return static_cast<uint64_t>(numElements) * elem;
    uint64_t cols = static_cast<uint64_t>(numElements) / rows;
    return ((rows - 1) * static_cast<uint64_t>(rowStride) + cols) * elem;
  }
};

/// A vertex is only indices into its compute set's arrays: its kernel
/// tensors are filled in by the thread that runs it (SimDevice.cpp), so that
/// decoding a big plan's millions of operands allocates nothing per operand.
struct DecodedVertex {
  const plan::Vertex *vertex = nullptr;      // the codelet table
  uint32_t index = 0;                        // in the compute set, for errors
  uint32_t operandBegin = 0, operandEnd = 0; // in DecodedComputeSet::operands
  /// Its codelet's preparation, in DecodedComputeSet::codelets (or null).
  const kernels::PreparedKernel *prepared = nullptr;
};

/// The vertices of one tile, run in order by one host thread.
struct TileTask {
  uint32_t tile = 0;
  uint32_t vertexBegin = 0, vertexEnd = 0; // in DecodedComputeSet::vertices
  uint64_t scratchBytes = 0; // packed operands of its largest vertex
  uint64_t cycles = 0;       // modelled compute cycles of the tile
};

/// What a compute set decodes to. Steps of equal content (StepMemo.h) share
/// one: nothing here depends on which tensors a step names beyond their
/// layouts, and its name, location and profile entry are the step's own
/// (ProgramStep).
struct DecodedComputeSet {
  std::vector<TileTask> tasks;
  std::vector<DecodedVertex> vertices;
  std::vector<DecodedOperand> operands;
  OperandRuns runs;
  std::vector<StridedCopy> strided;
  /// Operand sizes, each distinct run of them once or a few times: the
  /// vertices of a compute set mostly repeat a few shapes, and a copy per
  /// operand was ~170 MB of fresh pages on a 12-layer encoder (and a
  /// stream of them read on every run).
  std::vector<int64_t> dims;
  PreparedCodelets codelets;
  uint64_t cycles = 0; // slowest tile
  double flops = 0;
  /// Enough host work that waking the thread pool pays for itself. Tiles
  /// are independent within a compute set, so this never changes results.
  bool parallel = false;
  /// A congruent compute set's body, copied and moved (SimOptions::
  /// relocateSteps), not decoded.
  bool relocated = false;
};

/// What an exchange decodes to; shared like DecodedComputeSet (its staging
/// buffer too: steps run one at a time).
struct DecodedExchange {
  /// No destination byte is a source byte or another copy's destination, so
  /// copying each piece straight across, in any order and on any thread,
  /// leaves what the exchange's snapshot semantics (all reads before any
  /// write) would. Otherwise it goes through `staging`.
  bool direct = false;
  /// The copies: contiguous ones (and copies whose boxes span several
  /// intervals, one move per run) as packed moves (MoveList.h), the others
  /// as strided descriptors. A move is 8 bytes, a descriptor 112, and most
  /// copies of a large exchange are moves.
  MoveList moves;
  std::vector<StridedCopy> strided;
  /// Plan order across the two lists: `count` entries from one (moves
  /// counted one by one, not by run), then the other, alternately, starting
  /// with moves. Only staging needs it.
  std::vector<uint32_t> order;
  /// Parallel chunks of move runs then strided (index i >= moves.numRuns()
  /// is strided[i - moves.numRuns()]): chunk c is [chunks[c], chunks[c + 1]).
  /// Empty when the exchange is too small to be worth splitting.
  std::vector<uint32_t> chunks;
  /// A direct body's pieces of work: one per chunk, or one in all.
  size_t numChunks() const { return chunks.empty() ? 1 : chunks.size() - 1; }
  /// Work piece `c`: move runs then strided copies [first, second).
  std::pair<size_t, size_t> chunk(size_t c) const {
    if (chunks.empty())
      return {0, moves.numRuns() + strided.size()};
    return {chunks[c], chunks[c + 1]};
  }
  /// Staged: the moves' sources are gathered into `staging` at their
  /// offsets (`src`), the strided copies' by `gathers`; then destinations
  /// are written from it in plan order (later copies win): `dst` and
  /// `scatters` interleaved as `order` says.
  std::vector<MemRun> src, dst;
  std::vector<StridedCopy> gathers, scatters;
  std::vector<uint8_t> staging;
  uint64_t cycles = 0;
  uint64_t bytes = 0;
  /// A composite exchange (Decoder::splitExchanges) holds no copies of its
  /// own: it runs these direct bodies of Program::exchangeParts one after
  /// the other, which no destination byte of one reads or writes of
  /// another, so in any order and as one exchange would.
  std::vector<uint32_t> parts;
  /// The work of its parts for the thread pool, when it is big enough to
  /// share out (kExchangeChunkBytes): (part, chunk of the part), a part
  /// without chunks as chunk 0 (the whole of it).
  std::vector<std::pair<uint32_t, uint32_t>> partChunks;
  /// A part's bytes sent and received by each tile it touches, and out of
  /// and into each chip (a multi-chip device): the charges of its copies,
  /// from which a composite's cycles are worked out as its own would be.
  struct TileBytes {
    uint32_t tile = 0;
    uint64_t sent = 0, received = 0;
  };
  std::vector<TileBytes> tileBytes;
  std::vector<std::pair<uint64_t, uint64_t>> chipBytes;
  /// A part's destination byte ranges [first, second), sorted and disjoint:
  /// each composite that runs it checks its other parts against them.
  std::vector<std::pair<const uint8_t *, const uint8_t *>> destinations;
  /// The tensors its copies read, sorted, each once (a composite's are its
  /// parts'): what fuseExchanges() takes its sources to be.
  std::vector<uint32_t> sourceTensors;
};

/// An exchange run together with the compute set after it
/// (ExchangeFusion.cpp): each tile's incoming copies right before the
/// tile's vertices, so that the vertices find their operands in cache.
struct FusedExchange {
  /// Work pieces [begin, end) of a direct body (DecodedExchange::chunk's
  /// numbering: move runs, then strided copies) that write one tile: of
  /// Program::exchangeParts[part], or of the exchange itself (kWhole).
  /// Indices, not pointers: the device may decode exchanges of its own
  /// later (decodeWholeTensorCopies), which moves the bodies.
  static constexpr uint32_t kWhole = ~0u;
  struct Item {
    uint32_t part = kWhole;
    uint32_t begin = 0, end = 0;
  };
  /// The exchange, in Program::exchanges.
  uint32_t exchange = 0;
  /// A task whose incoming copies are items [itemBegin, itemEnd).
  struct Task {
    uint32_t task = 0; // in the compute set's tasks
    uint32_t itemBegin = 0, itemEnd = 0;
  };
  /// Run first, each on one thread: the task's items, then its vertices.
  /// Their vertices write no byte that the exchange reads.
  std::vector<Task> early;
  /// Then all of `lateItems` (the late tasks' copies, and copies to tiles
  /// that compute nothing), shared out in chunks [lateChunks[c],
  /// lateChunks[c + 1]); then the late tasks' vertices, which may write
  /// bytes the exchange reads.
  std::vector<Item> items, lateItems;
  std::vector<uint32_t> lateChunks, late;
};

/// A compute set or exchange of the program: its profile entry (which holds
/// its name and source location) and the decoded body it runs.
struct ProgramStep {
  size_t profile = 0; // in Program::profile
  uint32_t body = 0;  // in Program::computeSets or Program::exchanges
};

struct DecodedStream {
  size_t binding = 0; // in PlanBindings inputs() or outputs()
  std::vector<MemRun> runs;
};

/// One entry of the flattened step tree.
struct StepOp {
  enum class Kind : uint8_t { Compute, Exchange, HostWrite, HostRead, Repeat };
  Kind kind = Kind::Compute;
  /// computeSteps, exchangeSteps, writes or reads index; unused for Repeat.
  uint32_t index = 0;
  /// Repeat: the body is ops (this, end), run `count` times.
  uint32_t end = 0;
  /// Exchange: when the op after it, in the same loop body, is a compute
  /// set, the two run as Program::fusions[fusion] (or -1: one after the
  /// other).
  int32_t fusion = -1;
  int64_t count = 0;
};

struct Program {
  std::vector<StepOp> ops;
  std::vector<ProgramStep> computeSteps, exchangeSteps;
  /// The decoded bodies, each shared by the steps of equal content.
  std::vector<DecodedComputeSet> computeSets;
  std::vector<DecodedExchange> exchanges;
  /// The parts of composite exchanges, each shared by every composite with
  /// a part of equal content.
  std::vector<DecodedExchange> exchangeParts;
  /// Exchanges run with the compute set after them (StepOp::fusion), each
  /// shared by the op pairs of equal bodies.
  std::vector<FusedExchange> fusions;
  std::vector<DecodedStream> writes, reads;
  /// Bindings the program never streams are streamed around the whole run.
  std::vector<DecodedStream> implicitWrites, implicitReads;
  /// One per compute set and exchange, in the order first reached.
  std::vector<StepProfile> profile;
};

class ThreadPool;

/// Reads the plan's tensor mappings into `layouts`, checks every interval
/// against the device (tile index, SRAM capacity), and sizes the tile memory
/// (`tileBytes`: bytes in use per tile, the union of its address ranges).
/// With a pool, mappings and tiles are processed on its threads; the result
/// and any error are the same as without.
/// Marks the operands of vertex `dv` (of `v`) that its kernel can use where
/// they lie in tile memory as `direct` (InPlaceOperands.cpp).
void chooseInPlaceOperands(DecodedComputeSet &p, const plan::Vertex &v,
                           const DecodedVertex &dv);

/// The bytes [lo, hi) that hold every piece of operand `o` of `p` (empty for
/// an empty box): a direct operand's span in tile memory, its strided
/// gather's source, or its runs' extent (InPlaceOperands.cpp).
struct OperandSpan {
  const uint8_t *lo = nullptr, *hi = nullptr;
  bool meets(const OperandSpan &o) const { return lo < o.hi && o.lo < hi; }
};
OperandSpan operandSpan(const DecodedComputeSet &p, const DecodedOperand &o);

/// Per tile of `tiles`, the bytes in use (the union of the address ranges of
/// the layouts' intervals) and the extent (their highest end); every end is
/// at most `sramBytesPerTile`. With a pool, tiles are merged on its threads.
/// A layout equal to an earlier one (`equalTo`) adds nothing to the union,
/// so it is not walked.
void tileFootprints(const std::vector<TensorLayout> &layouts, uint32_t tiles,
                    uint64_t sramBytesPerTile, ThreadPool *pool,
                    std::vector<uint64_t> &tileBytes,
                    std::vector<uint64_t> &extents);

bool buildLayouts(const plan::Plan &plan, const DeviceModel &dev,
                  std::vector<TensorLayout> &layouts,
                  std::vector<uint64_t> &tileBytes,
                  std::unique_ptr<TileMemory> &memory, ThreadPool *pool,
                  std::string &error);

/// Decodes the tile program and writes constants and parameters into tile
/// memory. Errors name the step, its source location and the tensor. With a
/// pool, compute sets and exchanges are decoded on its threads; the program
/// and any error are the same as without. With options.shareSteps, steps of
/// equal content are decoded once (StepMemo.h); running the program and any
/// error are the same as without.
bool decodeProgram(const plan::Plan &plan, const DeviceModel &dev,
                   const SimOptions &options,
                   const std::vector<TensorLayout> &layouts, TileMemory &memory,
                   const host::PlanBindings &bindings, Program &program,
                   ThreadPool *pool, std::string &error);

/// Lets each direct exchange that is followed by a compute set run with
/// it, tile by tile (ExchangeFusion.cpp), where that computes what running
/// them one after the other would: with checked operands (vertices touch
/// only their own tile), every task whose vertices write no byte the
/// exchange reads runs right after its tile's incoming copies; the others
/// after all the exchange's remaining copies. With a pool, op pairs are
/// examined on its threads.
void fuseExchanges(Program &program, const TileMemory &memory,
                   const std::vector<TensorLayout> &layouts, ThreadPool *pool);

/// How the tile image reached tile memory.
struct TileImageStats {
  uint64_t mappedBytes = 0; // pages mapped from the plan file
  uint64_t copiedBytes = 0; // copied (a plan not mapped from a file, a
                            // range's last partial page)
};

/// Writes the plan's verified tile image (plan.fbs TileImage) into tile
/// memory: each range's whole pages mapped from the plan file where the
/// plan is a mapped file and the range and its tile memory start on pages
/// (LoadedPlan::mapPagesAt), except pages that hold a byte of a tensor
/// the program may write (any in `layouts` but the image's constants),
/// which are copied with the rest. Either way the tiles then read the
/// image's bytes.
TileImageStats uploadTileImage(const plan::LoadedPlan &loaded,
                               const std::vector<TensorLayout> &layouts,
                               TileMemory &memory);

/// How much decoding shared (SimDevice::decodeStats).
SimDecodeStats decodeStats(const Program &program);

/// Decodes one exchange, not part of the plan's program, that copies each
/// (source, destination) pair of equally shaped tensors whole; it is added
/// to `program.exchangeSteps` (as `index`) and to its profile as `name`.
bool decodeWholeTensorCopies(
    const plan::Plan &plan, const DeviceModel &dev, const SimOptions &options,
    const std::vector<TensorLayout> &layouts, TileMemory &memory,
    const host::PlanBindings &bindings,
    const std::vector<std::pair<uint32_t, uint32_t>> &copies,
    const std::string &name, Program &program, uint32_t &index,
    std::string &error);

} // namespace ipuc::sim

#endif // IPUC_SIM_PROGRAM_H

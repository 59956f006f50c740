//===- Decoder.h - The simulator's plan decoder -----------------*- C++ -*-===//
//
// Internal to runtime/sim: the decoder's state and steps, shared by
// Decode.cpp (the step walk, compute sets, streams, constants, the job
// runner) and DecodeExchange.cpp (exchanges: copies to moves, the direct
// copy check, exchange cycles).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_DECODER_H
#define IPUC_SIM_DECODER_H

#include "Program.h"

#include "ByteMarks.h"
#include "StepMemo.h"
#include "ThreadPool.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace ipuc::sim::detail {

using namespace plan;

/// Below this much host work (operand bytes + FLOPs) a compute set runs on
/// the calling thread: waking the pool costs more than it saves.
constexpr double kParallelComputeWork = 64 * 1024;
/// Direct exchanges of at least this many bytes are split into chunks of
/// about this size for the thread pool.
constexpr uint64_t kExchangeChunkBytes = 256 * 1024;

inline std::string locOrUnknown(const std::string &loc) {
  return loc.empty() ? "unknown loc" : loc;
}

/// Sorts `v` and drops repeats.
inline void sortUnique(std::vector<uint32_t> &v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

/// Decodes in two passes. The first walks the step tree in order: it lays
/// out the op list, gives each compute set and exchange table its index
/// (once, however often it is reached) and decodes host streams. The
/// second decodes the bodies of those compute sets and exchanges, which are
/// most of the work and independent of each other: each writes only its
/// own entry of the program and reads the plan, the layouts and the tile
/// memory's addresses, so they run in parallel on the device's thread pool.
/// Between the two, steps equal to an earlier one (StepMemo.h) are given
/// its body and dropped from the second pass.
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
    ProgramStep &step = prog.exchangeSteps[index];
    step.body = static_cast<uint32_t>(prog.exchanges.size());
    prog.exchanges.emplace_back();
    return decodeExchange(ex, step, prog.exchanges.back(), main, error);
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
    /// A vertex's operand signature (PreparedCodelets::appendOperand).
    std::vector<int64_t> signature;
    /// The destination bytes of the exchange being decided (chooseDirect),
    /// all unmarked between exchanges.
    ByteMarks marks;
    /// The moves of the exchange being decoded, copied out at their exact
    /// size when it is done: the capacity stays for the next one, so a big
    /// plan's 15 M moves are not written twice by reallocation.
    MoveList moves;
  };
  /// A compute set or exchange reached by the walk (prog.computeSteps or
  /// exchangeSteps[index]), decoded by the second pass into body `body`
  /// of prog.computeSets or exchanges; or the data of constant or
  /// parameter tensor `index`, written into tile memory alongside (those
  /// bytes are never read while decoding).
  /// An ExchangePart job decodes part `body` of prog.exchangeParts from
  /// copyGroups[index] (of exchange `table`); a Composite job puts
  /// together composites[index] (ExchangeParts.cpp). `order` is the
  /// position of the step in the walk, for reporting errors in that order.
  struct Job {
    enum class Kind : uint8_t {
      ComputeSet,
      Exchange,
      Constant,
      ExchangePart,
      Composite,
      Relocated
    };
    const void *table = nullptr;
    uint32_t index = 0;
    uint32_t body = 0;
    Kind kind = Kind::ComputeSet;
    uint32_t order = 0;
  };
  /// The copies of an exchange whose sources are of one layout class and
  /// destinations of another, in plan order: a part that exchanges which
  /// differ elsewhere can share (a layer's activation gather beside its own
  /// weight gather).
  struct CopyGroup {
    const Exchange *ex = nullptr;
    uint32_t step = 0;      // the exchange's, in prog.exchangeSteps
    uint32_t srcTensor = 0; // the source tensor of its first copy
    std::vector<uint32_t> copies;
    uint32_t part = 0; // in prog.exchangeParts
  };
  /// An exchange body made of parts: prog.exchanges[body] runs the parts
  /// of copyGroups[groups], or, if they cannot be run as parts, is decoded
  /// whole.
  struct Composite {
    const Exchange *ex = nullptr;
    uint32_t step = 0, body = 0, order = 0;
    std::vector<uint32_t> groups;
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
  /// Gives every step job reached a body: a new one, or (options.shareSteps)
  /// the body of the first step of equal content (StepMemo.h). Leaves in
  /// `jobs` only the steps with new bodies, in the order reached.
  void assignBodies();
  /// Runs list[0, n) (in parallel when there is a pool); false with the
  /// error and index of the first failing one.
  bool runJobs(const std::vector<Job> &list, size_t n, std::string &error,
               size_t &failedJob);
  /// Turns each exchange job some of whose copy groups equal a group of
  /// another exchange into jobs for its groups not decoded yet and a
  /// composite (ExchangeParts.cpp).
  void splitExchanges(const StepKeys &keys);
  /// Decodes part `part` from copyGroups[group]; `partDirect[part]` then
  /// says whether it can run as part of a composite (decoded, direct).
  void decodePart(uint32_t group, uint32_t part, Scratch &s);
  /// Makes composite `c`'s body run its parts if they are direct and no
  /// part's destinations meet another's sources or destinations; else
  /// decodes the exchange whole.
  bool compose(const Composite &c, Scratch &s, std::string &error);
  bool partsDisjoint(const Composite &c) const;
  bool decodeComputeSet(const ComputeSet &cs, const ProgramStep &step,
                        DecodedComputeSet &p, Scratch &s, std::string &error);
  bool decodeExchange(const Exchange &ex, const ProgramStep &step,
                      DecodedExchange &p, Scratch &s, std::string &error);
  /// Copies `copies[0, count)` of `ex` (all of them, in order, when
  /// `copies` is null) as moves and strided copies into `p`, their bytes
  /// charged in the scratch (sent, received, touched, perChip). On an error
  /// the charges are cleared.
  bool decodeCopies(const Exchange &ex, const uint32_t *copies, size_t count,
                    const ProgramStep &step, DecodedExchange &p, Scratch &s,
                    std::string &error);
  /// `p.cycles` from the scratch's charges, which it clears.
  void finishCycles(Scratch &s, DecodedExchange &p) const;
  /// Clears the scratch's per-tile charges.
  static void clearCharges(Scratch &s) {
    for (uint32_t tile : s.touched)
      s.sent[tile] = s.received[tile] = 0;
    s.touched.clear();
  }
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
  /// With options.shareSteps: every tensor's layout class (StepMemo.h),
  /// and the exchanges split into parts.
  std::vector<uint32_t> classes;
  std::vector<CopyGroup> copyGroups;
  std::vector<Composite> composites;
  std::vector<char> partDirect; // per prog.exchangeParts
  /// Steps reached twice (shared tables) are decoded once.
  std::unordered_map<const void *, uint32_t> seenComputeSets, seenExchanges;
  /// The steps walked, in pre-order as a plan Rerun names them; for a
  /// compute set or exchange, its kind and its prog.computeSteps or
  /// exchangeSteps index (other steps: Kind::Repeat).
  std::vector<StepOp> walkOrder;
  /// Each rerun's step (of `kind`) and the step whose body it runs.
  struct RerunStep {
    StepOp::Kind kind;
    uint32_t step, target;
  };
  std::vector<RerunStep> reruns;
  /// A compute set whose body is a congruent earlier one's moved
  /// (SimOptions::relocateSteps): it runs after every decode job, as a job
  /// of kind Relocated with index into `relocations`.
  struct Relocation {
    const ComputeSet *cs = nullptr, *from = nullptr;
    uint32_t step = 0, body = 0, fromBody = 0, order = 0;
  };
  std::vector<Relocation> relocations;
  /// Gives `r.body` the moved copy of `r.fromBody`, or decodes it when the
  /// move is not exact (RelocateComputeSet.cpp).
  bool relocate(const Relocation &r, Scratch &s, std::string &error);
  /// `p` = `from` (the body of table `fromTable`) with every operand moved
  /// to where table `to` puts it; false, with `p` to be decoded instead, if
  /// some tensor's addresses do not move by one distance per tile or two
  /// operands of a vertex that move by different distances have meeting
  /// spans before or after the move.
  bool relocateComputeSet(const DecodedComputeSet &from,
                          const ComputeSet &fromTable, const ComputeSet &to,
                          DecodedComputeSet &p) const;
  /// Makes each rerun step run its target's body (after assignBodies).
  void assignRerunBodies() {
    for (const RerunStep &r : reruns) {
      auto &list = r.kind == StepOp::Kind::Compute ? prog.computeSteps
                                                   : prog.exchangeSteps;
      list[r.step].body = list[r.target].body;
    }
  }
  /// Adds rerun `r` as a step running the body of the walked step it names,
  /// with a profile entry of its own; false if it names no such step (the
  /// plan verifier rejects that first).
  bool reachRerun(const Rerun &r, StepOp &op, std::string &error);
};

} // namespace ipuc::sim::detail

#endif // IPUC_SIM_DECODER_H

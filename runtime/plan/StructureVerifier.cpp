//===- StructureVerifier.cpp - FlatBuffers verification on all cores ------===//
//
// A 12-layer encoder's plan has millions of tables in its tile program's
// steps, and VerifyPlanBuffer walks them on one thread (~0.35 s of ipu-run's
// load). Here the plan and tile program tables are verified as the
// generated Plan::Verify and TileProgram::Verify do, field by field, except
// that the elements of tile_program.steps go to threads, each with its own
// flatbuffers::Verifier over the same buffer.
//
// The verdict is VerifyPlanBuffer's on every buffer. That verifier's answer
// is the conjunction of its checks, each a pure function of the buffer and
// of two counters: the depth of open tables (fixed by where a table sits)
// and the number of tables entered so far (which only grows, so only its
// final value matters). So: a thread's verifier starts at depth 0 where the
// sequential one is at the steps' depth, and gets max_depth lowered by that
// depth; the tables all verifiers entered must add up to at most
// max_tables. Order does not matter for an accept/reject verdict; reads do:
// the steps' elements are only visited once the vector itself verified.
//
//===----------------------------------------------------------------------===//

#include "ipuc/plan/Plan.h"

#include "ipuc/support/OrderedJobs.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <type_traits>

// With it, VerifyBuffer also checks the highest byte every verifier reached,
// which these verifiers would have to merge.
#ifdef FLATBUFFERS_TRACK_VERIFIER_BUFFER_SIZE
#error "verifyPlanStructure does not merge the verifiers' buffer sizes"
#endif

namespace ipuc::plan {

namespace {

using flatbuffers::Offset;
using flatbuffers::String;
using flatbuffers::Vector;
using flatbuffers::Verifier;

// The mirror below must verify exactly the fields the generated code does.
// A field added to, removed from or retyped in Plan or TileProgram changes
// the signature of CreatePlan / CreateTileProgram and stops the build here:
// update verifyPlanTable / verifyTileProgram and then these lines.
// (PlanStructureTest checks attributes such as `required` that do not show
// in the signature: each field left out in turn gets the same verdict.)
using PlanFields = Offset<Plan> (*)(
    flatbuffers::FlatBufferBuilder &, uint32_t, Offset<String>, Offset<String>,
    Offset<String>, Offset<String>, Offset<Device>,
    Offset<Vector<Offset<Tensor>>>, Offset<Vector<Offset<Binding>>>,
    Offset<Vector<Offset<Binding>>>, Offset<Vector<Offset<Kernel>>>,
    Offset<TileProgram>, Offset<Training>);
static_assert(std::is_same_v<decltype(&CreatePlan), PlanFields>,
              "plan.fbs changed table Plan: update verifyPlanTable");
using TileProgramFields = Offset<TileProgram> (*)(
    flatbuffers::FlatBufferBuilder &, Offset<Vector<Offset<TensorMapping>>>,
    Offset<Vector<Offset<Step>>>, Offset<TileImage>);
static_assert(std::is_same_v<decltype(&CreateTileProgram), TileProgramFields>,
              "plan.fbs changed table TileProgram: update verifyTileProgram");

// flatbuffers::Verifier (2.0) keeps its depth and table counters private
// and has no getters. Names in an explicit instantiation are exempt from
// access checks ([temp.spec.general]/6), which lets Expose hand out pointers
// to those members; if a FlatBuffers upgrade renames them, this stops
// compiling rather than miscounting.
template <typename Tag, typename Tag::Type M> struct Expose {
  friend typename Tag::Type member(Tag) { return M; }
};
struct TablesTag {
  using Type = flatbuffers::uoffset_t Verifier::*;
  friend Type member(TablesTag);
};
struct DepthTag {
  using Type = flatbuffers::uoffset_t Verifier::*;
  friend Type member(DepthTag);
};
template struct Expose<TablesTag, &Verifier::num_tables_>;
template struct Expose<DepthTag, &Verifier::depth_>;

flatbuffers::uoffset_t tablesEntered(const Verifier &v) {
  return v.*member(TablesTag{});
}
flatbuffers::uoffset_t openTables(const Verifier &v) {
  return v.*member(DepthTag{});
}

using Steps = Vector<Offset<Step>>;

/// Where verifyTileProgram leaves the steps' elements for the threads.
struct DeferredSteps {
  const Steps *steps = nullptr;
  flatbuffers::uoffset_t depth = 0; // of the sequential verifier there
};

const flatbuffers::Table &table(const void *t) {
  return *reinterpret_cast<const flatbuffers::Table *>(t);
}

/// TileProgram::Verify, except that the steps' elements are left in `d`.
bool verifyTileProgram(const TileProgram &tp, Verifier &v, DeferredSteps &d) {
  const flatbuffers::Table &t = table(&tp);
  if (!(t.VerifyTableStart(v) && t.VerifyOffset(v, TileProgram::VT_MAPPINGS) &&
        v.VerifyVector(tp.mappings()) &&
        v.VerifyVectorOfTables(tp.mappings()) &&
        t.VerifyOffset(v, TileProgram::VT_STEPS) &&
        v.VerifyVector(tp.steps()) &&
        t.VerifyOffset(v, TileProgram::VT_IMAGE) && v.VerifyTable(tp.image())))
    return false;
  d.steps = tp.steps();
  d.depth = openTables(v);
  return v.EndTable();
}

/// Plan::Verify, with the tile program verified by verifyTileProgram.
bool verifyPlanTable(const Plan &p, Verifier &v, DeferredSteps &d) {
  const flatbuffers::Table &t = table(&p);
  return t.VerifyTableStart(v) &&
         t.VerifyField<uint32_t>(v, Plan::VT_FORMAT_VERSION, 4) &&
         t.VerifyOffset(v, Plan::VT_SCHEMA_HASH) &&
         v.VerifyString(p.schema_hash()) &&
         t.VerifyOffset(v, Plan::VT_PRODUCER) && v.VerifyString(p.producer()) &&
         t.VerifyOffset(v, Plan::VT_SOURCE) && v.VerifyString(p.source()) &&
         t.VerifyOffset(v, Plan::VT_TARGET) && v.VerifyString(p.target()) &&
         t.VerifyOffset(v, Plan::VT_DEVICE) && v.VerifyTable(p.device()) &&
         t.VerifyOffset(v, Plan::VT_TENSORS) && v.VerifyVector(p.tensors()) &&
         v.VerifyVectorOfTables(p.tensors()) &&
         t.VerifyOffset(v, Plan::VT_INPUTS) && v.VerifyVector(p.inputs()) &&
         v.VerifyVectorOfTables(p.inputs()) &&
         t.VerifyOffset(v, Plan::VT_OUTPUTS) && v.VerifyVector(p.outputs()) &&
         v.VerifyVectorOfTables(p.outputs()) &&
         t.VerifyOffset(v, Plan::VT_HOST_PROGRAM) &&
         v.VerifyVector(p.host_program()) &&
         v.VerifyVectorOfTables(p.host_program()) &&
         t.VerifyOffset(v, Plan::VT_TILE_PROGRAM) &&
         (!p.tile_program() || verifyTileProgram(*p.tile_program(), v, d)) &&
         t.VerifyOffset(v, Plan::VT_TRAINING) && v.VerifyTable(p.training()) &&
         v.EndTable();
}

/// Verifier::VerifyBufferFromStart<Plan>(PlanIdentifier(), 0).
bool verifyRoot(const uint8_t *buf, size_t size, Verifier &v,
                DeferredSteps &d) {
  using flatbuffers::soffset_t; // FLATBUFFERS_MIN_BUFFER_SIZE names them
  using flatbuffers::uoffset_t;
  if (!v.Check(size >= FLATBUFFERS_MIN_BUFFER_SIZE))
    return false;
  if (!v.Check(size >= 2 * sizeof(flatbuffers::uoffset_t) &&
               flatbuffers::BufferHasIdentifier(buf, PlanIdentifier())))
    return false;
  flatbuffers::uoffset_t o = v.VerifyOffset(0);
  return v.Check(o != 0) &&
         verifyPlanTable(*reinterpret_cast<const Plan *>(buf + o), v, d);
}

/// The deferred steps on `threads` threads, with `tables` of the budget
/// already spent by the plan's other tables.
bool verifySteps(const uint8_t *buf, size_t size,
                 const Verifier::Options &limits, const DeferredSteps &d,
                 uint64_t tables, unsigned threads) {
  Verifier::Options opts = limits;
  opts.max_depth = limits.max_depth - d.depth;
  opts.max_tables =
      static_cast<flatbuffers::uoffset_t>(limits.max_tables - tables);
  support::OrderedJobs jobs(d.steps->size());
  std::atomic<uint64_t> entered{0};
  support::runDrains(threads, [&] {
    Verifier v(buf, size, opts);
    jobs.drain([&](size_t j, std::string &) {
      return d.steps->Get(static_cast<flatbuffers::uoffset_t>(j))->Verify(v);
    });
    entered += tablesEntered(v);
  });
  std::string unused;
  return jobs.firstFailure(unused) == d.steps->size() &&
         tables + entered.load() <= limits.max_tables;
}

} // namespace

flatbuffers::Verifier::Options planVerifierLimits() {
  Verifier::Options opts;
  opts.max_tables = 100000000;
  opts.max_depth = 64;
  return opts;
}

// kParallelStructureBytes: starting and joining a thread costs ~0.05 ms
// here (2-core VM), and VerifyPlanBuffer walks a tile program at ~2 MB/ms.
// Measured on tile plans of compute sets and exchanges, medians of 300
// alternating runs (2 threads): 0.37 MB 0.22 ms sequential vs 0.26 ms
// parallel, 0.74 MB 0.41 vs 0.35 ms, 1.5 MB 1.23 vs 0.86 ms, 3 MB 3.0 vs
// 1.8 ms. 1 MiB is past the break-even; a plan that big but mostly tensor
// data (whose vectors verify in O(1)) loses at most the thread start.
bool verifyPlanStructure(const uint8_t *buf, size_t size,
                         const StructureOptions &opts) {
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return false;
  unsigned threads = opts.threads
                         ? opts.threads
                         : std::max(1u, std::thread::hardware_concurrency());
  Verifier v(buf, size, opts.limits);
  if (threads == 1 || size < opts.parallelBytes)
    return VerifyPlanBuffer(v);
  DeferredSteps d;
  if (!verifyRoot(buf, size, v, d))
    return false;
  if (!d.steps || d.steps->size() == 0)
    return true;
  threads = static_cast<unsigned>(std::min<size_t>(threads, d.steps->size()));
  return verifySteps(buf, size, opts.limits, d, tablesEntered(v), threads);
}

} // namespace ipuc::plan

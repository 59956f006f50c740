//===- Decode.cpp - Read a plan's tile program into flat arrays -----------===//
//
// Everything the simulator needs from the plan is read here, once, when the
// device is created (see Program.h). Creating a device is on the critical
// path of every ipu-run, so this avoids per-item maps and allocations and
// formats the "where" of an error message only when there is an error.
//
//===----------------------------------------------------------------------===//

#include "Decoder.h"

#include "Codelet.h"
#include "StepMemo.h"

#include "ipuc/support/OrderedJobs.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace ipuc::sim {
namespace detail {

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
  index = static_cast<uint32_t>(prog.computeSteps.size());
  seenComputeSets.emplace(&cs, index);
  prog.computeSteps.emplace_back();
  prog.computeSteps.back().profile = prog.profile.size();
  StepProfile prof;
  prof.name = cs.name() ? cs.name()->str() : "";
  prof.loc = cs.loc() ? cs.loc()->str() : "";
  prof.kind = "compute";
  prog.profile.push_back(prof);
  jobs.push_back({&cs, index, 0, Job::Kind::ComputeSet});
}

bool Decoder::reachRerun(const Rerun &r, StepOp &op, std::string &error) {
  // The walk has pushed this step already: an earlier one is below it.
  if (r.step() + size_t(1) >= walkOrder.size() ||
      walkOrder[r.step()].kind == StepOp::Kind::Repeat)
    return (error = fmt::format("rerun '{}' names step {}, not an earlier "
                                "compute set or exchange",
                                r.name() ? r.name()->str() : "", r.step()),
            false);
  const StepOp &target = walkOrder[r.step()];
  bool compute = target.kind == StepOp::Kind::Compute;
  auto &list = compute ? prog.computeSteps : prog.exchangeSteps;
  op.kind = target.kind;
  op.index = static_cast<uint32_t>(list.size());
  list.emplace_back();
  list.back().profile = prog.profile.size();
  StepProfile prof;
  prof.name = r.name() ? r.name()->str() : "";
  prof.loc = r.loc() ? r.loc()->str() : "";
  prof.kind = compute ? "compute" : "exchange";
  prog.profile.push_back(prof);
  reruns.push_back({target.kind, op.index, target.index});
  return true;
}

void Decoder::assignBodies() {
  std::vector<Job> steps = std::move(jobs);
  jobs.clear();
  // firstOf[k]: the first step job of equal content (k itself if none).
  std::vector<uint32_t> firstOf(steps.size());
  for (size_t k = 0; k < steps.size(); ++k)
    firstOf[k] = static_cast<uint32_t>(k);
  classes.clear();
  if (options.shareSteps)
    classes = layoutClasses(plan, layouts, pool);
  StepKeys keys(classes);
  if (options.shareSteps) {
    for (Job::Kind kind : {Job::Kind::ComputeSet, Job::Kind::Exchange}) {
      std::vector<uint32_t> of; // step jobs of this kind
      for (size_t k = 0; k < steps.size(); ++k)
        if (steps[k].kind == kind)
          of.push_back(static_cast<uint32_t>(k));
      bool cs = kind == Job::Kind::ComputeSet;
      auto hash = [&](size_t i) {
        const void *t = steps[of[i]].table;
        return cs ? keys.hash(*static_cast<const ComputeSet *>(t))
                  : keys.hash(*static_cast<const Exchange *>(t));
      };
      auto same = [&](size_t i, size_t j) {
        const void *a = steps[of[i]].table, *b = steps[of[j]].table;
        return cs ? keys.same(*static_cast<const ComputeSet *>(a),
                              *static_cast<const ComputeSet *>(b))
                  : keys.same(*static_cast<const Exchange *>(a),
                              *static_cast<const Exchange *>(b));
      };
      std::vector<uint32_t> first = firstOfEqual(of.size(), hash, same, pool);
      for (size_t i = 0; i < of.size(); ++i)
        firstOf[of[i]] = of[first[i]];
    }
  }
  // relocOf[k]: among compute sets with bodies of their own, the first
  // congruent one (equal but for tensors at other addresses), whose body
  // step k's is moved from (RelocateComputeSet.cpp).
  std::vector<uint32_t> relocOf(firstOf);
  if (options.shareSteps && options.relocateSteps && options.checked) {
    std::vector<uint32_t> congruence = congruenceClasses(plan, layouts, pool);
    StepKeys congruent(congruence);
    std::vector<uint32_t> of;
    for (size_t k = 0; k < steps.size(); ++k)
      if (steps[k].kind == Job::Kind::ComputeSet && firstOf[k] == k)
        of.push_back(static_cast<uint32_t>(k));
    auto table = [&](size_t i) {
      return static_cast<const ComputeSet *>(steps[of[i]].table);
    };
    std::vector<uint32_t> first = firstOfEqual(
        of.size(), [&](size_t i) { return congruent.hash(*table(i)); },
        [&](size_t i, size_t j) {
          return congruent.same(*table(i), *table(j));
        },
        pool);
    for (size_t i = 0; i < of.size(); ++i)
      relocOf[of[i]] = of[first[i]];
  }
  // A shared body is decoded by the job of its first step, which comes
  // before every step sharing it: decode errors (a step's own, before any
  // step of equal content) are the ones the walk order reports.
  for (size_t k = 0; k < steps.size(); ++k) {
    Job &job = steps[k];
    job.order = static_cast<uint32_t>(k);
    bool cs = job.kind == Job::Kind::ComputeSet;
    if (firstOf[k] == k) {
      job.body = static_cast<uint32_t>(cs ? prog.computeSets.size()
                                          : prog.exchanges.size());
      if (cs)
        prog.computeSets.emplace_back();
      else
        prog.exchanges.emplace_back();
      if (relocOf[k] != k)
        relocations.push_back(
            {static_cast<const ComputeSet *>(job.table),
             static_cast<const ComputeSet *>(steps[relocOf[k]].table),
             job.index, job.body, steps[relocOf[k]].body, job.order});
      else
        jobs.push_back(job);
    } else {
      job.body = steps[firstOf[k]].body;
    }
    (cs ? prog.computeSteps[job.index].body
        : prog.exchangeSteps[job.index].body) = job.body;
  }
  if (options.shareSteps)
    splitExchanges(keys);
}

/// Drops the strided gathers of the direct operands of `dv`, the last
/// vertex decoded: nearly every strided operand of a big plan is direct
/// (a matmul's rows read in place), and its 112-byte gather was 30 MB of
/// fresh pages on a 12-layer encoder that no run reads.
static void dropDirectStrided(DecodedComputeSet &p, const DecodedVertex &dv) {
  size_t kept = p.strided.size();
  for (uint32_t o = dv.operandBegin; o < dv.operandEnd; ++o) {
    DecodedOperand &op = p.operands[o];
    if (op.strided < 0)
      continue;
    // The vertex's gathers are the last ones, in operand order.
    kept = std::min<size_t>(kept, static_cast<size_t>(op.strided));
  }
  for (uint32_t o = dv.operandBegin; o < dv.operandEnd; ++o) {
    DecodedOperand &op = p.operands[o];
    if (op.strided < 0)
      continue;
    if (op.direct) {
      op.strided = -1;
      continue;
    }
    p.strided[kept] = p.strided[op.strided];
    op.strided = static_cast<int32_t>(kept++);
  }
  p.strided.resize(kept);
}

bool Decoder::decodeComputeSet(const ComputeSet &cs, const ProgramStep &step,
                               DecodedComputeSet &p, Scratch &s,
                               std::string &error) {
  // The profile entry is only read here, never written: other threads
  // append to nothing while jobs run.
  const StepProfile &prof = prog.profile[step.profile];
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
                  prof.name, locOrUnknown(prof.loc), vi, tile,
                  dev.totalTiles()),
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
  // Sized up front: most operands are one run.
  p.vertices.reserve(nv);
  p.operands.reserve(nops);
  p.runs.setBase(memory.arenaBegin());
  p.runs.reserve(nops);

  double hostWork = 0;
  // Filled in by describePackedBox for each operand it places; declared
  // once because zeroing a 112-byte descriptor per operand showed in
  // profiles of big plans.
  StridedCopy gather;
  BoxPlace place;
  // The last few distinct sizes stored for each operand position (the last
  // position stands for all beyond it), most recent first: an operand whose
  // sizes are among them shares their entry of p.dims.
  constexpr size_t kDimSlots = 8, kDimWays = 4;
  struct DimEntry {
    uint32_t begin = 0, rank = UINT32_MAX; // UINT32_MAX: empty
  };
  DimEntry recentDims[kDimSlots][kDimWays];
  auto internDims = [&](size_t o, const int64_t *sizes, uint32_t rank) {
    DimEntry *ways = recentDims[std::min(o, kDimSlots - 1)];
    for (size_t w = 0; w < kDimWays; ++w)
      if (ways[w].rank == rank &&
          std::equal(sizes, sizes + rank, p.dims.data() + ways[w].begin))
        return ways[w].begin;
    std::move_backward(ways, ways + kDimWays - 1, ways + kDimWays);
    ways[0] = {static_cast<uint32_t>(p.dims.size()), rank};
    p.dims.insert(p.dims.end(), sizes, sizes + rank);
    return ways[0].begin;
  };
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
                           prof.name, locOrUnknown(prof.loc), vi, v.tile());
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
            p.runs.append(at, gather.inner);
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
          for (const Segment &seg : s.segs)
            p.runs.append(memory.tile(seg.tile) + seg.address, seg.bytes);
        }
        op.runEnd = static_cast<uint32_t>(p.runs.size());
        uint64_t bytes = static_cast<uint64_t>(n) * l.elemSize;
        op.dtype = plan.tensors()->Get(box.tensor())->dtype();
        op.numElements = n;
        op.rank = box.sizes() ? box.sizes()->size() : 0;
        op.dimBegin = internDims(o, sizes, op.rank);
        op.written = written[o];
        op.scratchOffset = scratch;
        // At least one byte each, and cache-line aligned, as the kernels saw
        // them when every operand was packed.
        scratch += (std::max<uint64_t>(bytes, 1) + 63) / 64 * 64;
        hostWork += static_cast<double>(bytes);
        p.operands.push_back(op);
      }
      dv.operandEnd = static_cast<uint32_t>(p.operands.size());
      if (v.codelet_type() == KernelBody::Generic) {
        s.signature.clear();
        for (uint32_t o = dv.operandBegin; o < dv.operandEnd; ++o) {
          const DecodedOperand &op = p.operands[o];
          PreparedCodelets::appendOperand(s.signature, op.dtype,
                                          p.dims.data() + op.dimBegin, op.rank);
        }
        dv.prepared = p.codelets.get(v, s.signature);
      }
      chooseInPlaceOperands(p, v, dv);
      dropDirectStrided(p, dv);
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
    size_t at = walkOrder.size();
    walkOrder.push_back({StepOp::Kind::Repeat});
    switch (step->body_type()) {
    case StepBody::ComputeSet:
      op.kind = StepOp::Kind::Compute;
      reachComputeSet(*step->body_as_ComputeSet(), op.index);
      prog.ops.push_back(op);
      walkOrder[at] = op;
      break;
    case StepBody::Exchange:
      op.kind = StepOp::Kind::Exchange;
      reachExchange(*step->body_as_Exchange(), op.index);
      prog.ops.push_back(op);
      walkOrder[at] = op;
      break;
    case StepBody::Rerun:
      if (!reachRerun(*step->body_as_Rerun(), op, error))
        return false;
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
      jobs.push_back({&ten, static_cast<uint32_t>(t), 0, Job::Kind::Constant});
  }
}

bool Decoder::writeConstant(uint32_t tensor, Scratch &s, std::string &error) {
  if (!tensorSegments(
          s, tensor, [] { return std::string("constant"); }, error))
    return false;
  memory.scatter(s.segs, plan.tensors()->Get(tensor)->data()->data());
  return true;
}

bool Decoder::runJobs(const std::vector<Job> &list, size_t n,
                      std::string &error, size_t &failedJob) {
  support::OrderedJobs ordered(n);
  auto work = [&](Scratch &s) {
    ordered.drain([&](size_t j, std::string &jobError) {
      const Job &job = list[j];
      switch (job.kind) {
      case Job::Kind::ComputeSet:
        return decodeComputeSet(*static_cast<const ComputeSet *>(job.table),
                                prog.computeSteps[job.index],
                                prog.computeSets[job.body], s, jobError);
      case Job::Kind::Exchange:
        return decodeExchange(*static_cast<const Exchange *>(job.table),
                              prog.exchangeSteps[job.index],
                              prog.exchanges[job.body], s, jobError);
      case Job::Kind::Constant:
        return writeConstant(job.index, s, jobError);
      case Job::Kind::ExchangePart:
        decodePart(job.index, job.body, s);
        return true;
      case Job::Kind::Composite:
        return compose(composites[job.index], s, jobError);
      case Job::Kind::Relocated:
        return relocate(relocations[job.index], s, jobError);
      }
      return false;
    });
  };
  unsigned threads = pool && n > 1 ? pool->size() : 1;
  if (threads <= 1)
    work(main);
  else
    pool->parallelFor(threads, [&](size_t) {
      Scratch s(dev.totalTiles());
      work(s);
    });
  failedJob = ordered.firstFailure(error);
  return failedJob == n;
}

bool Decoder::decode(std::string &error) {
  // A walk error (a host stream) comes after the steps reached before it.
  std::string walkError;
  bool walked = walkSteps(plan.tile_program()->steps(), walkError);
  assignBodies();
  assignRerunBodies();
  // Constants are written by the same jobs, after every step; an error
  // there comes after the walk's and the implicit streams', as when they
  // were written last.
  size_t stepJobs = jobs.size();
  if (walked)
    reachConstants();
  std::string constantError;
  size_t failedJob = 0;
  partDirect.assign(prog.exchangeParts.size(), 0);
  bool ran = runJobs(jobs, jobs.size(), constantError, failedJob);
  // The jobs of a later pass, over `items` (each with a table, a body and
  // its step's walk order).
  auto passJobs = [](const auto &items, Job::Kind kind, auto table) {
    std::vector<Job> out;
    for (uint32_t i = 0; i < items.size(); ++i)
      out.push_back({table(items[i]), i, items[i].body, kind, items[i].order});
    return out;
  };
  // Then the composites, from their parts; the first error in the walk's
  // order is reported, whichever pass met it.
  std::vector<Job> composed = passJobs(composites, Job::Kind::Composite,
                                       [](const Composite &c) { return c.ex; });
  std::string composeError;
  size_t failedComposite = 0;
  if (!runJobs(composed, composed.size(), composeError, failedComposite) &&
      (ran || failedJob >= stepJobs ||
       composed[failedComposite].order < jobs[failedJob].order))
    return (error = composeError, false);
  if (!ran && failedJob < stepJobs)
    return (error = constantError, false);
  // Then the relocated compute sets, from bodies decoded above (so only
  // when all of those were). A relocation that would not be exact decodes
  // its step instead, which fails only where its congruent one did.
  if (ran) {
    std::vector<Job> relocated =
        passJobs(relocations, Job::Kind::Relocated,
                 [](const Relocation &r) { return r.cs; });
    std::string relocateError;
    size_t failedRelocation = 0;
    if (!runJobs(relocated, relocated.size(), relocateError, failedRelocation))
      return (error = relocateError, false);
  }
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


} // namespace detail

using namespace plan;
using detail::Decoder;


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

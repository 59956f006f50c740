//===- SimDevice.cpp - The BSP tile simulator -----------------------------===//
//
// Everything static is resolved once in create(), by the decoder
// (Program.h): memory runs, the cost of every compute set and exchange
// (mappings never change), and tile memory footprints. run() then only moves
// bytes, calls kernels and adds up the precomputed cycles.
//
//===----------------------------------------------------------------------===//

#include "ipuc/sim/SimDevice.h"

#include "Program.h"
#include "ThreadPool.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace ipuc::sim {

using namespace plan;

struct SimDevice::Impl {
  const LoadedPlan &loaded;
  const Plan &plan;
  SimOptions options;
  DeviceModel dev;
  std::unique_ptr<TileMemory> memory;
  TileImageStats imageStats;
  std::vector<TensorLayout> layouts;
  PlanBindings bindings;
  std::vector<std::vector<uint8_t>> inputData, outputData;
  Program prog;
  std::vector<uint64_t> tileMemoryBytes, tileBusy;
  SimSummary summary;
  std::unique_ptr<ThreadPool> pool;
  bool lastWasCompute = false;
  /// Resident inputs (by binding) are not streamed by run(), nor the
  /// outputs that update them; the resident update is the last of `ops`.
  std::vector<bool> residentInput, residentOutput;
  bool hasResidentUpdate = false;
  mutable StreamCounters streams; // readResident() is const

  Impl(const LoadedPlan &l, const SimOptions &o)
      : loaded(l), plan(l.plan()), options(o),
        dev(DeviceModel::fromPlan(l.plan().device())), bindings(l.plan()) {}

  bool setup(std::string &error);
  bool execOps(uint32_t begin, uint32_t end, std::string &error);
  struct TaskErrors;
  /// Runs the vertices of task `t` of `p`; a failing vertex's error is
  /// kept in `errors` if it is the first.
  void runTask(DecodedComputeSet &p, size_t t, const StepProfile &where,
               TaskErrors &errors);
  /// Runs items [begin, end) of `f`.
  void runItems(const FusedExchange &f, const FusedExchange::Item *begin,
                const FusedExchange::Item *end) const;
  /// Runs `p`, and with `fused` the exchange before it (FusedExchange).
  bool execComputeSet(const ProgramStep &step, DecodedComputeSet &p,
                      std::string &error, const FusedExchange *fused = nullptr);
  void execExchange(DecodedExchange &p);
  /// Adds an execution of compute step `step` to its profile.
  void countCompute(const ProgramStep &step, const DecodedComputeSet &p) {
    StepProfile &prof = prog.profile[step.profile];
    ++prof.executions;
    prof.computeCycles += p.cycles;
    prof.syncCycles += dev.syncCycles;
    prof.flops += p.flops;
    for (const TileTask &t : p.tasks)
      tileBusy[t.tile] += t.cycles;
    lastWasCompute = true;
  }
  void finishSummary();
  void streamIn(const DecodedStream &s) {
    scatterRuns(s.runs.data(), s.runs.data() + s.runs.size(),
                inputData[s.binding].data());
    streams.toDevice += inputData[s.binding].size();
  }
  void streamOut(const DecodedStream &s) {
    gatherRuns(s.runs.data(), s.runs.data() + s.runs.size(),
               outputData[s.binding].data());
    streams.fromDevice += outputData[s.binding].size();
  }
  /// A decoded stream of input binding `b` (every one covers the tensor).
  const DecodedStream *inputStream(size_t b) const {
    for (const auto *list : {&prog.writes, &prog.implicitWrites})
      for (const DecodedStream &s : *list)
        if (s.binding == b)
          return &s;
    return nullptr;
  }
};

bool SimDevice::Impl::setup(std::string &error) {
  std::string target = plan.target() ? plan.target()->str() : "";
  if (target != "ipu" || !plan.tile_program())
    return (error = fmt::format("the plan targets '{}' and has no tile "
                                "program; compile it with --target=ipu to run "
                                "on the sim device",
                                target),
            false);
  for (const BindingInfo &b : bindings.inputs())
    inputData.emplace_back(b.byteSize());
  for (const BindingInfo &b : bindings.outputs())
    outputData.emplace_back(b.byteSize());
  residentInput.assign(bindings.inputs().size(), false);
  residentOutput.assign(bindings.outputs().size(), false);
  unsigned threads = options.threads
                         ? options.threads
                         : std::max(1u, std::thread::hardware_concurrency());
  pool = std::make_unique<ThreadPool>(threads);
  if (!buildLayouts(plan, dev, layouts, tileMemoryBytes, memory, pool.get(),
                    error))
    return false;
  imageStats = uploadTileImage(loaded, layouts, *memory);
  if (!decodeProgram(plan, dev, options, layouts, *memory, bindings, prog,
                     pool.get(), error))
    return false;
  // Fusion relies on vertices touching only their own tile.
  if (options.fuseExchanges && options.checked)
    fuseExchanges(prog, *memory, layouts, pool.get());
  tileBusy.assign(dev.totalTiles(), 0);
  finishSummary();
  return true;
}

/// The first error of a compute set's tasks, which may run on any thread.
struct SimDevice::Impl::TaskErrors {
  std::mutex mutex;
  std::string first;
};

void SimDevice::Impl::runTask(DecodedComputeSet &p, size_t t,
                              const StepProfile &where, TaskErrors &errors) {
  const TileTask &task = p.tasks[t];
  // A compute set on one tile may let the Generic kernel use host threads.
  int genericThreads = p.tasks.size() == 1 ? 0 : 1;
  // Packed copies of the operands that cannot be used in place; grown,
  // never shrunk, so a run allocates nothing once warm.
  thread_local std::vector<uint8_t> scratch;
  if (scratch.size() < task.scratchBytes)
    scratch.resize(task.scratchBytes);
  // The kernel's tensors and options, refilled for each vertex: assigning
  // into vectors kept by the thread allocates nothing once warm.
  thread_local std::vector<kernels::KernelTensor> tensors;
  thread_local kernels::DispatchOptions options;
  for (uint32_t vi = task.vertexBegin; vi < task.vertexEnd; ++vi) {
    DecodedVertex &v = p.vertices[vi];
    tensors.resize(v.operandEnd - v.operandBegin);
    for (uint32_t o = v.operandBegin; o < v.operandEnd; ++o) {
      const DecodedOperand &op = p.operands[o];
      kernels::KernelTensor &kt = tensors[o - v.operandBegin];
      kt.dtype = op.dtype;
      kt.numElements = op.numElements;
      kt.shape.assign(p.dims.data() + op.dimBegin,
                      p.dims.data() + op.dimBegin + op.rank);
      kt.rowStride = op.rowStride;
      if (op.direct) {
        kt.data = op.data;
        continue;
      }
      kt.data = scratch.data() + op.scratchOffset;
      if (op.strided >= 0) {
        StridedCopy c = p.strided[op.strided];
        c.dst = kt.data;
        c.run();
      }
      p.runs.gather(op.runBegin, op.runEnd, kt.data);
    }
    if (auto *origin = v.vertex->index_origin())
      options.indexOrigin.assign(origin->begin(), origin->end());
    else
      options.indexOrigin.clear();
    options.genericThreads = genericThreads;
    std::string kernelError;
    if (!kernels::runKernelBody(v.vertex->codelet_type(), v.vertex->codelet(),
                                tensors, options, kernelError, v.prepared)) {
      std::lock_guard<std::mutex> lock(errors.mutex);
      if (errors.first.empty())
        errors.first = fmt::format(
            "compute set '{}' at {}: vertex {} on tile {}: {}", where.name,
            where.loc.empty() ? "unknown loc" : where.loc, v.index, task.tile,
            kernelError);
      return;
    }
    for (uint32_t o = v.operandBegin; o < v.operandEnd; ++o) {
      const DecodedOperand &op = p.operands[o];
      if (!op.written || op.direct)
        continue;
      uint8_t *buf = scratch.data() + op.scratchOffset;
      if (op.strided >= 0) {
        StridedCopy c = p.strided[op.strided];
        c.dst = buf;
        c.reversed().run();
      }
      p.runs.scatter(op.runBegin, op.runEnd, buf);
    }
  }
}

/// Runs work pieces [begin, end) of direct exchange body `q`
/// (DecodedExchange::chunk's numbering).
static void runPieces(const DecodedExchange &q, size_t begin, size_t end) {
  size_t nr = q.moves.numRuns();
  if (begin < nr)
    q.moves.copyRuns(begin, std::min(end, nr));
  for (size_t i = std::max(begin, nr); i < end; ++i)
    q.strided[i - nr].run();
}

void SimDevice::Impl::runItems(const FusedExchange &f,
                               const FusedExchange::Item *begin,
                               const FusedExchange::Item *end) const {
  for (const FusedExchange::Item *it = begin; it != end; ++it)
    runPieces(it->part == FusedExchange::kWhole ? prog.exchanges[f.exchange]
                                                : prog.exchangeParts[it->part],
              it->begin, it->end);
}

bool SimDevice::Impl::execComputeSet(const ProgramStep &step,
                                     DecodedComputeSet &p, std::string &error,
                                     const FusedExchange *fused) {
  // The step's name and location, for errors.
  const StepProfile &where = prog.profile[step.profile];
  TaskErrors errors;
  // Runs fn(i) for i in [0, n), on the pool when the compute set is big
  // enough, else in order until a task fails.
  auto forTasks = [&](size_t n, const std::function<void(size_t)> &fn) {
    if (p.parallel) {
      pool->parallelFor(n, fn);
      return;
    }
    for (size_t i = 0; i < n && errors.first.empty(); ++i)
      fn(i);
  };
  if (!fused) {
    forTasks(p.tasks.size(), [&](size_t t) { runTask(p, t, where, errors); });
  } else {
    const FusedExchange &f = *fused;
    forTasks(f.early.size(), [&](size_t k) {
      const FusedExchange::Task &e = f.early[k];
      runItems(f, f.items.data() + e.itemBegin, f.items.data() + e.itemEnd);
      runTask(p, e.task, where, errors);
    });
    // A failed vertex ends the run: what the late steps would write is
    // never read.
    if (errors.first.empty()) {
      forTasks(f.lateChunks.size() - 1, [&](size_t c) {
        runItems(f, f.lateItems.data() + f.lateChunks[c],
                 f.lateItems.data() + f.lateChunks[c + 1]);
      });
      forTasks(f.late.size(),
               [&](size_t k) { runTask(p, f.late[k], where, errors); });
    }
  }
  if (!errors.first.empty())
    return (error = std::move(errors.first), false);
  return true;
}

void SimDevice::Impl::execExchange(DecodedExchange &p) {
  // Runs work piece `c` of direct body `q` (DecodedExchange::chunk).
  auto runChunk = [](const DecodedExchange &q, size_t c) {
    auto [begin, end] = q.chunk(c);
    runPieces(q, begin, end);
  };
  if (!p.parts.empty()) {
    // The parts' chunks (a small part is one) all go to the pool at once.
    if (p.partChunks.size() < 2) {
      for (uint32_t part : p.parts)
        execExchange(prog.exchangeParts[part]);
      return;
    }
    pool->parallelFor(p.partChunks.size(), [&](size_t c) {
      auto [part, chunk] = p.partChunks[c];
      runChunk(prog.exchangeParts[part], chunk);
    });
    return;
  }
  if (p.direct) {
    if (p.numChunks() == 1)
      runChunk(p, 0);
    else
      pool->parallelFor(p.numChunks(), [&](size_t c) { runChunk(p, c); });
    return;
  }
  // Every copy reads before any writes: the exchange moves a snapshot of the
  // state the preceding compute phase left behind.
  gatherRuns(p.src.data(), p.src.data() + p.src.size(), p.staging.data());
  for (const StridedCopy &c : p.gathers)
    c.run();
  // Then destinations in plan order, so that later copies win.
  size_t m = 0, k = 0;
  for (size_t span = 0; span < p.order.size(); ++span) {
    uint32_t n = p.order[span];
    if (span % 2 == 0) {
      scatterRuns(p.dst.data() + m, p.dst.data() + m + n, p.staging.data());
      m += n;
    } else {
      for (uint32_t i = 0; i < n; ++i)
        p.scatters[k++].run();
    }
  }
}

bool SimDevice::Impl::execOps(uint32_t begin, uint32_t end,
                              std::string &error) {
  for (uint32_t i = begin; i < end; ++i) {
    const StepOp &op = prog.ops[i];
    switch (op.kind) {
    case StepOp::Kind::Compute: {
      const ProgramStep &step = prog.computeSteps[op.index];
      DecodedComputeSet &p = prog.computeSets[step.body];
      if (!execComputeSet(step, p, error))
        return false;
      countCompute(step, p);
      break;
    }
    case StepOp::Kind::Exchange: {
      const ProgramStep &step = prog.exchangeSteps[op.index];
      DecodedExchange &p = prog.exchanges[step.body];
      // Run with the compute set after it, which is then done too.
      bool fused = op.fusion >= 0 && i + 1 < end;
      const ProgramStep *next =
          fused ? &prog.computeSteps[prog.ops[i + 1].index] : nullptr;
      if (fused) {
        if (!execComputeSet(*next, prog.computeSets[next->body], error,
                            &prog.fusions[op.fusion]))
          return false;
      } else {
        execExchange(p);
      }
      StepProfile &prof = prog.profile[step.profile];
      ++prof.executions;
      // The sync ending a compute phase also starts the exchange after it.
      if (!lastWasCompute)
        prof.syncCycles += dev.syncCycles;
      prof.exchangeCycles += p.cycles;
      prof.exchangeBytes += p.bytes;
      lastWasCompute = false;
      if (fused) {
        countCompute(*next, prog.computeSets[next->body]);
        ++i;
      }
      break;
    }
    case StepOp::Kind::Repeat:
      for (int64_t c = 0; c < op.count; ++c)
        if (!execOps(i + 1, op.end, error))
          return false;
      i = op.end - 1;
      break;
    case StepOp::Kind::HostWrite: {
      const DecodedStream &s = prog.writes[op.index];
      if (!residentInput[s.binding])
        streamIn(s);
      lastWasCompute = false;
      break;
    }
    case StepOp::Kind::HostRead: {
      const DecodedStream &s = prog.reads[op.index];
      if (!residentOutput[s.binding])
        streamOut(s);
      lastWasCompute = false;
      break;
    }
    }
  }
  return true;
}

void SimDevice::Impl::finishSummary() {
  SimSummary s;
  s.clockHz = dev.clockHz;
  s.tiles = dev.totalTiles();
  s.sramBytesPerTile = dev.sramBytesPerTile;
  for (const StepProfile &p : prog.profile) {
    s.totalCycles += p.totalCycles();
    s.flops += p.flops;
    s.exchangeBytes += p.exchangeBytes;
  }
  s.seconds = s.clockHz > 0 ? s.totalCycles / s.clockHz : 0;
  s.flopsPerSecond = s.seconds > 0 ? s.flops / s.seconds : 0;
  double peak = dev.peakFp32FlopsPerSecond();
  s.utilization = peak > 0 ? s.flopsPerSecond / peak : 0;
  double sum = 0;
  for (uint32_t t = 0; t < tileMemoryBytes.size(); ++t) {
    uint64_t b = tileMemoryBytes[t];
    if (!b)
      continue;
    ++s.tilesUsed;
    sum += b;
    if (b > s.peakTileMemoryBytes) {
      s.peakTileMemoryBytes = b;
      s.peakTile = t;
    }
  }
  s.meanTileMemoryBytes = s.tilesUsed ? sum / s.tilesUsed : 0;
  std::vector<StepProfile> cs;
  for (const StepProfile &p : prog.profile)
    if (p.kind == "compute" && p.executions)
      cs.push_back(p);
  std::stable_sort(cs.begin(), cs.end(),
                   [](const StepProfile &a, const StepProfile &b) {
                     return a.totalCycles() > b.totalCycles();
                   });
  if (cs.size() > 5)
    cs.resize(5);
  s.topComputeSets = std::move(cs);
  summary = std::move(s);
}

// --- Public API --------------------------------------------------------------

SimDevice::SimDevice(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SimDevice::~SimDevice() = default;

std::unique_ptr<SimDevice> SimDevice::create(const LoadedPlan &plan,
                                             const SimOptions &options,
                                             std::string &error) {
  auto impl = std::make_unique<Impl>(plan, options);
  try {
    if (!impl->setup(error))
      return nullptr;
  } catch (const std::bad_alloc &) {
    error = "out of host memory while allocating tile memories";
    return nullptr;
  }
  return std::unique_ptr<SimDevice>(new SimDevice(std::move(impl)));
}

const DeviceModel &SimDevice::device() const { return impl_->dev; }
const std::vector<BindingInfo> &SimDevice::inputs() const {
  return impl_->bindings.inputs();
}
const std::vector<BindingInfo> &SimDevice::outputs() const {
  return impl_->bindings.outputs();
}

std::string SimDevice::describeInputs() const {
  return impl_->bindings.describeInputs();
}

bool SimDevice::setInput(const std::string &name, DType dtype,
                         const std::vector<int64_t> &shape, const void *data,
                         size_t bytes, std::string &error) {
  int index = impl_->bindings.checkInput(name, dtype, shape, bytes, error);
  if (index < 0)
    return false;
  std::memcpy(impl_->inputData[index].data(), data, bytes);
  impl_->bindings.markInputSet(index);
  // A resident input's home is only ever written by this stream and by the
  // resident update, so it can be written now, between runs.
  if (impl_->residentInput[index])
    impl_->streamIn(*impl_->inputStream(index));
  return true;
}

bool SimDevice::isInputSet(const std::string &name) const {
  return impl_->bindings.isInputSet(name);
}

bool SimDevice::run(std::string &error) {
  Impl &m = *impl_;
  if (!m.bindings.checkAllInputsSet(error))
    return false;
  for (StepProfile &p : m.prog.profile) {
    p.executions = p.computeCycles = p.syncCycles = p.exchangeCycles = 0;
    p.exchangeBytes = 0;
    p.flops = 0;
  }
  std::fill(m.tileBusy.begin(), m.tileBusy.end(), 0);
  m.lastWasCompute = false;
  for (const DecodedStream &s : m.prog.implicitWrites)
    if (!m.residentInput[s.binding])
      m.streamIn(s);
  bool ok = m.execOps(0, static_cast<uint32_t>(m.prog.ops.size()), error);
  if (ok)
    for (const DecodedStream &s : m.prog.implicitReads)
      if (!m.residentOutput[s.binding])
        m.streamOut(s);
  m.finishSummary();
  return ok;
}

const BindingInfo *SimDevice::findOutput(const std::string &name) const {
  return impl_->bindings.findOutput(name);
}

const void *SimDevice::outputData(const std::string &name) const {
  int i = impl_->bindings.outputIndex(name);
  return i >= 0 ? impl_->outputData[i].data() : nullptr;
}

bool SimDevice::makeResident(
    const std::vector<std::pair<std::string, std::string>> &pairs,
    std::string &error) {
  Impl &m = *impl_;
  std::vector<std::pair<uint32_t, uint32_t>> copies;
  std::vector<std::pair<int, int>> newPairs;
  for (const auto &[inName, outName] : pairs) {
    int in = m.bindings.inputIndex(inName);
    int out = m.bindings.outputIndex(outName);
    if (in < 0 || out < 0)
      return (error = fmt::format("cannot keep '{}' resident: the plan has "
                                  "no {} '{}'",
                                  inName, in < 0 ? "input" : "output",
                                  in < 0 ? inName : outName),
              false);
    const BindingInfo &i = m.bindings.inputs()[in];
    const BindingInfo &o = m.bindings.outputs()[out];
    if (i.dtype != o.dtype || i.shape != o.shape)
      return (error = fmt::format("cannot keep input {} resident: its update "
                                  "{} differs in dtype or shape",
                                  i.describe(), o.describe()),
              false);
    if (m.residentInput[in])
      continue;
    if (m.hasResidentUpdate)
      return (error = fmt::format("cannot keep '{}' resident: the resident "
                                  "set is fixed by the first makeResident",
                                  inName),
              false);
    copies.emplace_back(o.tensor, i.tensor);
    newPairs.emplace_back(in, out);
  }
  if (copies.empty())
    return true;
  // The update runs after every step of the program, as its last
  // superstep (an exchange: the updated values generally live elsewhere
  // than the inputs' homes, and on-tile bytes go through the exchange port
  // too, docs/cost-model.md).
  uint32_t index = 0;
  if (!decodeWholeTensorCopies(m.plan, m.dev, m.options, m.layouts, *m.memory,
                               m.bindings, copies, "resident update", m.prog,
                               index, error))
    return false;
  StepOp op;
  op.kind = StepOp::Kind::Exchange;
  op.index = index;
  m.prog.ops.push_back(op);
  m.hasResidentUpdate = true;
  for (auto [in, out] : newPairs) {
    m.residentInput[in] = m.residentOutput[out] = true;
    // A value set before the input became resident is only in the host
    // buffer: stream it now, as setInput would have.
    if (m.bindings.isInputSet(m.bindings.inputs()[in].name))
      m.streamIn(*m.inputStream(in));
  }
  return true;
}

bool SimDevice::readResident(const std::string &name, void *out, size_t bytes,
                             std::string &error) const {
  Impl &m = *impl_;
  int in = m.bindings.inputIndex(name);
  if (in < 0 || !m.residentInput[in])
    return (error = fmt::format("'{}' is not a resident input", name), false);
  if (bytes != m.inputData[in].size())
    return (error = fmt::format("resident input '{}' has {} bytes, not {}",
                                name, m.inputData[in].size(), bytes),
            false);
  const DecodedStream &s = *m.inputStream(in);
  gatherRuns(s.runs.data(), s.runs.data() + s.runs.size(),
             static_cast<uint8_t *>(out));
  m.streams.fromDevice += bytes;
  return true;
}

const StreamCounters &SimDevice::streamCounters() const {
  return impl_->streams;
}

const SimSummary &SimDevice::summary() const { return impl_->summary; }
const std::vector<StepProfile> &SimDevice::steps() const {
  return impl_->prog.profile;
}
const std::vector<uint64_t> &SimDevice::tileMemoryBytes() const {
  return impl_->tileMemoryBytes;
}
const std::vector<uint64_t> &SimDevice::tileBusyCycles() const {
  return impl_->tileBusy;
}
SimDecodeStats SimDevice::decodeStats() const {
  SimDecodeStats s = sim::decodeStats(impl_->prog);
  s.imageMappedBytes = impl_->imageStats.mappedBytes;
  s.imageCopiedBytes = impl_->imageStats.copiedBytes;
  return s;
}

bool SimDevice::readTensor(uint32_t tensor, std::vector<uint8_t> &out) const {
  Impl &m = *impl_;
  if (tensor >= m.layouts.size() || !m.layouts[tensor].mapped)
    return false;
  const TensorLayout &l = m.layouts[tensor];
  std::vector<Segment> segs;
  std::vector<int64_t> offsets(l.shape.size(), 0);
  int64_t bad = 0;
  if (!l.boxSegments(offsets.data(), l.shape.data(), segs, bad))
    return false;
  int64_t n = 1;
  for (int64_t d : l.shape)
    n *= d;
  out.resize(static_cast<size_t>(n) * l.elemSize);
  m.memory->gather(segs, out.data());
  return true;
}

} // namespace ipuc::sim

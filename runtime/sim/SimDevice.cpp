//===- SimDevice.cpp - The BSP tile simulator -----------------------------===//
//
// Everything static is resolved once in create(): box segments, the cost of
// every compute set and exchange (mappings never change), and tile memory
// footprints. run() then only moves bytes, calls kernels and adds up the
// precomputed cycles.
//
//===----------------------------------------------------------------------===//

#include "ipuc/sim/SimDevice.h"

#include "Codelet.h"
#include "ThreadPool.h"
#include "TileMemory.h"

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

namespace {

struct PreparedVertex {
  const Vertex *vertex = nullptr;
  uint32_t index = 0;
  std::vector<std::vector<Segment>> segments; // per operand
  std::vector<PackedOperand> operands;        // data filled per run
  std::vector<uint64_t> bytes;                // per operand
  std::vector<bool> written;
};

struct PreparedComputeSet {
  const ComputeSet *cs = nullptr;
  size_t profile = 0;
  std::vector<uint32_t> tiles;                      // one task per tile
  std::vector<std::vector<PreparedVertex>> perTile; // same order
  std::vector<uint64_t> tileCycles;                 // same order
  uint64_t cycles = 0;
  double flops = 0;
};

struct PreparedExchange {
  size_t profile = 0;
  struct Copy {
    std::vector<Segment> src, dst;
    uint64_t stagingOffset = 0;
  };
  std::vector<Copy> copies;
  std::vector<uint8_t> staging;
  uint64_t cycles = 0;
  uint64_t bytes = 0;
};

struct PreparedHostStream {
  size_t binding = 0; // index into inputs_ or outputs_
  std::vector<Segment> segments;
};

std::string tensorName(const Plan &p, uint32_t t) {
  const Tensor *ts = p.tensors()->Get(t);
  return fmt::format("%{} '{}'", t, ts->name() ? ts->name()->str() : "");
}

} // namespace

struct SimDevice::Impl {
  const LoadedPlan &loaded;
  const Plan &plan;
  SimOptions options;
  DeviceModel dev;
  std::unique_ptr<TileMemory> memory;
  std::vector<TensorLayout> layouts;
  PlanBindings bindings;
  std::vector<std::vector<uint8_t>> inputData, outputData;
  std::vector<PreparedHostStream> implicitWrites, implicitReads;
  std::unordered_map<const void *, PreparedComputeSet> computeSets;
  std::unordered_map<const void *, PreparedExchange> exchanges;
  std::unordered_map<const void *, PreparedHostStream> hostStreams;
  std::vector<StepProfile> profile;
  std::vector<uint64_t> tileMemoryBytes, tileBusy;
  SimSummary summary;
  std::unique_ptr<ThreadPool> pool;
  bool lastWasCompute = false;

  Impl(const LoadedPlan &l, const SimOptions &o)
      : loaded(l), plan(l.plan()), options(o),
        dev(DeviceModel::fromPlan(l.plan().device())), bindings(l.plan()) {}

  bool setup(std::string &error);
  bool buildLayouts(std::string &error);
  bool tensorSegments(uint32_t tensor, const std::string &where,
                      std::vector<Segment> &out, std::string &error);
  bool boxSegments(const Box &box, const std::string &where,
                   std::vector<Segment> &out, std::string &error);
  bool prepareSteps(const flatbuffers::Vector<flatbuffers::Offset<Step>> *s,
                    std::string &error);
  bool prepareComputeSet(const ComputeSet &cs, std::string &error);
  bool prepareExchange(const Exchange &ex, std::string &error);
  bool execSteps(const flatbuffers::Vector<flatbuffers::Offset<Step>> *s,
                 std::string &error);
  bool execComputeSet(PreparedComputeSet &p, std::string &error);
  void execExchange(PreparedExchange &p);
  void finishSummary();
};

bool SimDevice::Impl::buildLayouts(std::string &error) {
  const auto *tensors = plan.tensors();
  size_t n = tensors ? tensors->size() : 0;
  layouts.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Tensor &t = *tensors->Get(i);
    layouts[i].elemSize = dtypeSize(t.dtype());
    if (t.shape())
      layouts[i].shape.assign(t.shape()->begin(), t.shape()->end());
  }
  // Per tile, the address ranges in use; their union is the footprint.
  std::map<uint32_t, std::vector<std::pair<uint64_t, uint64_t>>> ranges;
  if (auto *maps = plan.tile_program()->mappings())
    for (const TensorMapping *m : *maps) {
      TensorLayout &l = layouts[m->tensor()];
      l.mapped = true;
      if (m->intervals())
        for (const TileInterval *iv : *m->intervals()) {
          uint64_t bytes =
              static_cast<uint64_t>(iv->end() - iv->begin()) * l.elemSize;
          if (iv->tile() >= dev.totalTiles() ||
              iv->address() + bytes > dev.sramBytesPerTile)
            return (error = fmt::format(
                        "tensor {} does not fit: elements [{}, {}) at address "
                        "{} need {} bytes on tile {}, which has {} bytes",
                        tensorName(plan, m->tensor()), iv->begin(), iv->end(),
                        iv->address(), bytes, iv->tile(), dev.sramBytesPerTile),
                    false);
          l.intervals.push_back(
              {iv->begin(), iv->end(), iv->tile(), iv->address()});
          if (bytes)
            ranges[iv->tile()].push_back(
                {iv->address(), iv->address() + bytes});
        }
      std::sort(l.intervals.begin(), l.intervals.end(),
                [](const Interval &a, const Interval &b) {
                  return a.begin < b.begin;
                });
    }
  tileMemoryBytes.assign(dev.totalTiles(), 0);
  // Each tile is allocated up to its highest mapped byte, which the check
  // above has kept within the device's SRAM.
  std::vector<uint64_t> extents(dev.totalTiles(), 0);
  for (auto &[tile, rs] : ranges) {
    std::sort(rs.begin(), rs.end());
    uint64_t used = 0, curB = rs[0].first, curE = rs[0].second;
    for (auto [b, e] : rs) {
      if (b > curE) {
        used += curE - curB;
        curB = b;
        curE = e;
      } else {
        curE = std::max(curE, e);
      }
    }
    used += curE - curB;
    tileMemoryBytes[tile] = used;
    for (auto [b, e] : rs)
      extents[tile] = std::max(extents[tile], e);
  }
  memory = std::make_unique<TileMemory>(extents);
  return true;
}

bool SimDevice::Impl::tensorSegments(uint32_t tensor, const std::string &where,
                                     std::vector<Segment> &out,
                                     std::string &error) {
  const TensorLayout &l = layouts[tensor];
  if (!l.mapped)
    return (error = fmt::format("{}: tensor {} has no tile mapping; every "
                                "tensor a tile program uses must be mapped",
                                where, tensorName(plan, tensor)),
            false);
  std::vector<int64_t> offsets(l.shape.size(), 0);
  int64_t bad = 0;
  if (!l.boxSegments(offsets.data(), l.shape.data(), out, bad))
    return (error = fmt::format("{}: element {} of tensor {} is not mapped to "
                                "any tile",
                                where, l.elementString(bad),
                                tensorName(plan, tensor)),
            false);
  return true;
}

bool SimDevice::Impl::boxSegments(const Box &box, const std::string &where,
                                  std::vector<Segment> &out,
                                  std::string &error) {
  const TensorLayout &l = layouts[box.tensor()];
  if (!l.mapped)
    return (error = fmt::format("{}: tensor {} has no tile mapping; every "
                                "tensor a tile program uses must be mapped",
                                where, tensorName(plan, box.tensor())),
            false);
  int64_t bad = 0;
  const int64_t *offsets = box.offsets() ? box.offsets()->data() : nullptr;
  const int64_t *sizes = box.sizes() ? box.sizes()->data() : nullptr;
  if (!l.boxSegments(offsets, sizes, out, bad))
    return (error = fmt::format("{}: element {} of tensor {} is not mapped to "
                                "any tile",
                                where, l.elementString(bad),
                                tensorName(plan, box.tensor())),
            false);
  return true;
}

bool SimDevice::Impl::prepareComputeSet(const ComputeSet &cs,
                                        std::string &error) {
  if (computeSets.count(&cs))
    return true;
  PreparedComputeSet p;
  p.cs = &cs;
  p.profile = profile.size();
  StepProfile prof;
  prof.name = cs.name() ? cs.name()->str() : "";
  prof.loc = cs.loc() ? cs.loc()->str() : "";
  prof.kind = "compute";
  profile.push_back(prof);
  std::map<uint32_t, size_t> taskOf;
  std::vector<double> work, count;
  if (cs.vertices())
    for (uint32_t vi = 0; vi < cs.vertices()->size(); ++vi) {
      const Vertex &v = *cs.vertices()->Get(vi);
      auto [it, inserted] = taskOf.emplace(v.tile(), p.tiles.size());
      if (inserted) {
        p.tiles.push_back(v.tile());
        p.perTile.emplace_back();
        work.push_back(0);
        count.push_back(0);
      }
      size_t task = it->second;
      PreparedVertex pv;
      pv.vertex = &v;
      pv.index = vi;
      size_t nops = v.operands() ? v.operands()->size() : 0;
      pv.segments.resize(nops);
      pv.operands.resize(nops);
      pv.bytes.resize(nops);
      pv.written = writtenOperands(v, nops);
      std::string where = fmt::format(
          "compute set '{}' at {}: vertex {} on tile {}", prof.name,
          prof.loc.empty() ? "unknown loc" : prof.loc, vi, v.tile());
      for (size_t o = 0; o < nops; ++o) {
        const Box &box = *v.operands()->Get(o);
        if (!boxSegments(box, fmt::format("{}, operand {}", where, o),
                         pv.segments[o], error))
          return false;
        const TensorLayout &l = layouts[box.tensor()];
        int64_t n = numElements(box.sizes());
        pv.bytes[o] = static_cast<uint64_t>(n) * l.elemSize;
        pv.operands[o].dtype = plan.tensors()->Get(box.tensor())->dtype();
        if (box.sizes())
          pv.operands[o].shape.assign(box.sizes()->begin(), box.sizes()->end());
        pv.operands[o].numElements = n;
        if (options.checked)
          for (const Segment &s : pv.segments[o])
            if (s.tile != v.tile())
              return (error = fmt::format(
                          "{} (checked mode): operand {} element {} of tensor "
                          "{} lives on tile {}, not on the vertex's tile; a "
                          "vertex may only touch memory of its own tile (add "
                          "an exchange)",
                          where, o, l.elementString(s.element),
                          tensorName(plan, box.tensor()), s.tile),
                      false);
      }
      VertexCost c = vertexCost(dev, plan, v);
      work[task] += c.workCycles;
      count[task] += 1;
      p.flops += c.flops;
      p.perTile[task].push_back(std::move(pv));
    }
  for (size_t t = 0; t < p.tiles.size(); ++t) {
    uint64_t cyc =
        tileComputeCycles(dev, work[t], static_cast<size_t>(count[t]));
    p.tileCycles.push_back(cyc);
    p.cycles = std::max(p.cycles, cyc);
  }
  computeSets.emplace(&cs, std::move(p));
  return true;
}

bool SimDevice::Impl::prepareExchange(const Exchange &ex, std::string &error) {
  if (exchanges.count(&ex))
    return true;
  PreparedExchange p;
  p.profile = profile.size();
  StepProfile prof;
  prof.name = ex.name() ? ex.name()->str() : "";
  prof.loc = ex.loc() ? ex.loc()->str() : "";
  prof.kind = "exchange";
  profile.push_back(prof);
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> perTile; // sent, received
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> perChip;
  uint64_t staging = 0;
  if (ex.copies())
    for (uint32_t ci = 0; ci < ex.copies()->size(); ++ci) {
      const ExchangeCopy &c = *ex.copies()->Get(ci);
      std::string where =
          fmt::format("exchange '{}' at {}: copy {}", prof.name,
                      prof.loc.empty() ? "unknown loc" : prof.loc, ci);
      PreparedExchange::Copy pc;
      if (!boxSegments(*c.src(), where + " source", pc.src, error) ||
          !boxSegments(*c.dst(), where + " destination", pc.dst, error))
        return false;
      pc.stagingOffset = staging;
      // Pair source and destination runs to charge each (from, to) tile.
      size_t i = 0, j = 0;
      uint64_t pos = 0;
      while (i < pc.src.size() && j < pc.dst.size()) {
        const Segment &s = pc.src[i], &d = pc.dst[j];
        uint64_t end = std::min(s.bufOffset + s.bytes, d.bufOffset + d.bytes);
        uint64_t bytes = end - pos;
        // On-tile bytes still pass through the tile's exchange port: charged
        // as sent and received (docs/cost-model.md).
        perTile[s.tile].first += bytes;
        perTile[d.tile].second += bytes;
        uint32_t sc = s.tile / dev.tilesPerChip, dc = d.tile / dev.tilesPerChip;
        if (sc != dc) {
          perChip[sc].first += bytes;
          perChip[dc].second += bytes;
        }
        p.bytes += bytes;
        pos = end;
        if (pos == s.bufOffset + s.bytes)
          ++i;
        if (pos == d.bufOffset + d.bytes)
          ++j;
      }
      staging += pos;
      p.copies.push_back(std::move(pc));
    }
  p.staging.resize(staging);
  double maxTile = 0;
  for (auto &[tile, sr] : perTile)
    maxTile = std::max(maxTile, tileExchangeCycles(dev, sr.first, sr.second));
  uint64_t maxChip = 0;
  for (auto &[chip, io] : perChip)
    maxChip = std::max({maxChip, io.first, io.second});
  p.cycles = exchangePhaseCycles(dev, maxTile, maxChip);
  exchanges.emplace(&ex, std::move(p));
  return true;
}

bool SimDevice::Impl::prepareSteps(
    const flatbuffers::Vector<flatbuffers::Offset<Step>> *steps,
    std::string &error) {
  if (!steps)
    return true;
  for (const Step *step : *steps) {
    switch (step->body_type()) {
    case StepBody::ComputeSet:
      if (!prepareComputeSet(*step->body_as_ComputeSet(), error))
        return false;
      break;
    case StepBody::Exchange:
      if (!prepareExchange(*step->body_as_Exchange(), error))
        return false;
      break;
    case StepBody::Repeat:
      if (!prepareSteps(step->body_as_Repeat()->body(), error))
        return false;
      break;
    case StepBody::HostWrite:
    case StepBody::HostRead: {
      bool write = step->body_type() == StepBody::HostWrite;
      const void *key =
          write ? static_cast<const void *>(step->body_as_HostWrite())
                : step->body_as_HostRead();
      const flatbuffers::String *name =
          write ? step->body_as_HostWrite()->binding()
                : step->body_as_HostRead()->binding();
      uint32_t tensor = write ? step->body_as_HostWrite()->tensor()
                              : step->body_as_HostRead()->tensor();
      const auto &list = write ? bindings.inputs() : bindings.outputs();
      std::string bname = name ? name->str() : "";
      PreparedHostStream hs;
      hs.binding = list.size();
      for (size_t i = 0; i < list.size(); ++i)
        if (list[i].name == bname)
          hs.binding = i;
      if (hs.binding == list.size())
        return (error = fmt::format("host {} of tensor %{} names {} '{}', "
                                    "which the plan does not declare",
                                    write ? "write" : "read", tensor,
                                    write ? "input" : "output", bname),
                false);
      if (!tensorSegments(
              tensor,
              fmt::format("host {} '{}'", write ? "write" : "read", bname),
              hs.segments, error))
        return false;
      hostStreams.emplace(key, std::move(hs));
      break;
    }
    default:
      return (error = "unknown tile program step", false);
    }
  }
  return true;
}

bool SimDevice::Impl::setup(std::string &error) {
  std::string target = plan.target() ? plan.target()->str() : "";
  if (target != "ipu" || !plan.tile_program())
    return (error = fmt::format("the plan targets '{}' and has no tile "
                                "program; compile it with --target=ipu to run "
                                "on the sim device",
                                target),
            false);
  if (!buildLayouts(error))
    return false;

  const std::vector<BindingInfo> &inputs = bindings.inputs();
  const std::vector<BindingInfo> &outputs = bindings.outputs();
  for (const BindingInfo &b : inputs)
    inputData.emplace_back(b.byteSize());
  for (const BindingInfo &b : outputs)
    outputData.emplace_back(b.byteSize());

  if (!prepareSteps(plan.tile_program()->steps(), error))
    return false;

  // Bindings the program never streams are streamed around the whole run.
  std::vector<bool> written(inputs.size()), read(outputs.size());
  std::function<void(const flatbuffers::Vector<flatbuffers::Offset<Step>> *)>
      mark = [&](auto *steps) {
        if (steps)
          for (const Step *s : *steps) {
            if (s->body_type() == StepBody::HostWrite)
              written[hostStreams.at(s->body_as_HostWrite()).binding] = true;
            else if (s->body_type() == StepBody::HostRead)
              read[hostStreams.at(s->body_as_HostRead()).binding] = true;
            else if (s->body_type() == StepBody::Repeat)
              mark(s->body_as_Repeat()->body());
          }
      };
  mark(plan.tile_program()->steps());
  // Streams every binding of `list` not marked in `streamed` into `out`.
  auto implicitStreams = [&](const std::vector<BindingInfo> &list,
                             const std::vector<bool> &streamed,
                             const char *kind,
                             std::vector<PreparedHostStream> &out) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (streamed[i])
        continue;
      PreparedHostStream hs;
      hs.binding = i;
      if (!tensorSegments(list[i].tensor,
                          fmt::format("{} '{}'", kind, list[i].name),
                          hs.segments, error))
        return false;
      out.push_back(std::move(hs));
    }
    return true;
  };
  if (!implicitStreams(inputs, written, "input", implicitWrites) ||
      !implicitStreams(outputs, read, "output", implicitReads))
    return false;

  // Constants and parameters start in tile memory.
  for (size_t t = 0; t < layouts.size(); ++t) {
    const Tensor &ten = *plan.tensors()->Get(t);
    if (!layouts[t].mapped || !ten.data() ||
        (ten.role() != TensorRole::Constant &&
         ten.role() != TensorRole::Parameter))
      continue;
    std::vector<Segment> segs;
    if (!tensorSegments(static_cast<uint32_t>(t), "constant", segs, error))
      return false;
    memory->scatter(segs, ten.data()->data());
  }

  unsigned threads = options.threads
                         ? options.threads
                         : std::max(1u, std::thread::hardware_concurrency());
  pool = std::make_unique<ThreadPool>(threads);
  tileBusy.assign(dev.totalTiles(), 0);
  finishSummary();
  return true;
}

bool SimDevice::Impl::execComputeSet(PreparedComputeSet &p,
                                     std::string &error) {
  std::mutex errorMutex;
  std::string firstError;
  // A compute set on one tile may let the Generic kernel use host threads.
  int genericThreads = p.tiles.size() == 1 ? 0 : 1;
  auto runTile = [&](size_t task) {
    thread_local std::vector<std::vector<uint8_t>> scratch;
    for (PreparedVertex &pv : p.perTile[task]) {
      size_t n = pv.segments.size();
      if (scratch.size() < n)
        scratch.resize(n);
      for (size_t o = 0; o < n; ++o) {
        scratch[o].resize(std::max<uint64_t>(pv.bytes[o], 1));
        pv.operands[o].data = scratch[o].data();
        memory->gather(pv.segments[o], scratch[o].data());
      }
      std::string kernelError;
      if (!runCodelet(*pv.vertex, pv.operands, genericThreads, kernelError)) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (firstError.empty())
          firstError =
              fmt::format("compute set '{}' at {}: vertex {} on tile {}: {}",
                          p.cs->name() ? p.cs->name()->str() : "",
                          p.cs->loc() ? p.cs->loc()->str() : "unknown loc",
                          pv.index, pv.vertex->tile(), kernelError);
        return;
      }
      for (size_t o = 0; o < n; ++o)
        if (pv.written[o])
          memory->scatter(pv.segments[o], scratch[o].data());
    }
  };
  pool->parallelFor(p.tiles.size(), runTile);
  if (!firstError.empty())
    return (error = firstError, false);
  return true;
}

void SimDevice::Impl::execExchange(PreparedExchange &p) {
  // Every copy reads before any writes: the exchange moves a snapshot of the
  // state the preceding compute phase left behind.
  for (const auto &c : p.copies)
    memory->gather(c.src, p.staging.data() + c.stagingOffset);
  for (const auto &c : p.copies)
    memory->scatter(c.dst, p.staging.data() + c.stagingOffset);
}

bool SimDevice::Impl::execSteps(
    const flatbuffers::Vector<flatbuffers::Offset<Step>> *steps,
    std::string &error) {
  if (!steps)
    return true;
  for (const Step *step : *steps) {
    switch (step->body_type()) {
    case StepBody::ComputeSet: {
      PreparedComputeSet &p = computeSets.at(step->body_as_ComputeSet());
      if (!execComputeSet(p, error))
        return false;
      StepProfile &prof = profile[p.profile];
      ++prof.executions;
      prof.computeCycles += p.cycles;
      prof.syncCycles += dev.syncCycles;
      prof.flops += p.flops;
      for (size_t t = 0; t < p.tiles.size(); ++t)
        tileBusy[p.tiles[t]] += p.tileCycles[t];
      lastWasCompute = true;
      break;
    }
    case StepBody::Exchange: {
      PreparedExchange &p = exchanges.at(step->body_as_Exchange());
      execExchange(p);
      StepProfile &prof = profile[p.profile];
      ++prof.executions;
      // The sync ending a compute phase also starts the exchange after it.
      if (!lastWasCompute)
        prof.syncCycles += dev.syncCycles;
      prof.exchangeCycles += p.cycles;
      prof.exchangeBytes += p.bytes;
      lastWasCompute = false;
      break;
    }
    case StepBody::Repeat: {
      const Repeat &r = *step->body_as_Repeat();
      for (int64_t i = 0; i < r.count(); ++i)
        if (!execSteps(r.body(), error))
          return false;
      break;
    }
    case StepBody::HostWrite: {
      const PreparedHostStream &hs = hostStreams.at(step->body_as_HostWrite());
      memory->scatter(hs.segments, inputData[hs.binding].data());
      lastWasCompute = false;
      break;
    }
    case StepBody::HostRead: {
      const PreparedHostStream &hs = hostStreams.at(step->body_as_HostRead());
      memory->gather(hs.segments, outputData[hs.binding].data());
      lastWasCompute = false;
      break;
    }
    default:
      return (error = "unknown tile program step", false);
    }
  }
  return true;
}

void SimDevice::Impl::finishSummary() {
  SimSummary s;
  s.clockHz = dev.clockHz;
  s.tiles = dev.totalTiles();
  s.sramBytesPerTile = dev.sramBytesPerTile;
  for (const StepProfile &p : profile) {
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
  for (const StepProfile &p : profile)
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
  return true;
}

bool SimDevice::isInputSet(const std::string &name) const {
  return impl_->bindings.isInputSet(name);
}

bool SimDevice::run(std::string &error) {
  Impl &m = *impl_;
  if (!m.bindings.checkAllInputsSet(error))
    return false;
  for (StepProfile &p : m.profile) {
    p.executions = p.computeCycles = p.syncCycles = p.exchangeCycles = 0;
    p.exchangeBytes = 0;
    p.flops = 0;
  }
  std::fill(m.tileBusy.begin(), m.tileBusy.end(), 0);
  m.lastWasCompute = false;
  for (const PreparedHostStream &hs : m.implicitWrites)
    m.memory->scatter(hs.segments, m.inputData[hs.binding].data());
  bool ok = m.execSteps(m.plan.tile_program()->steps(), error);
  if (ok)
    for (const PreparedHostStream &hs : m.implicitReads)
      m.memory->gather(hs.segments, m.outputData[hs.binding].data());
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

const SimSummary &SimDevice::summary() const { return impl_->summary; }
const std::vector<StepProfile> &SimDevice::steps() const {
  return impl_->profile;
}
const std::vector<uint64_t> &SimDevice::tileMemoryBytes() const {
  return impl_->tileMemoryBytes;
}
const std::vector<uint64_t> &SimDevice::tileBusyCycles() const {
  return impl_->tileBusy;
}

bool SimDevice::readTensor(uint32_t tensor, std::vector<uint8_t> &out) const {
  Impl &m = *impl_;
  if (tensor >= m.layouts.size() || !m.layouts[tensor].mapped)
    return false;
  std::vector<Segment> segs;
  std::string error;
  if (!m.tensorSegments(tensor, "readTensor", segs, error))
    return false;
  const TensorLayout &l = m.layouts[tensor];
  int64_t n = 1;
  for (int64_t d : l.shape)
    n *= d;
  out.resize(static_cast<size_t>(n) * l.elemSize);
  m.memory->gather(segs, out.data());
  return true;
}

} // namespace ipuc::sim

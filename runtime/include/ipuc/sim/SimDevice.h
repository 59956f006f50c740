//===- SimDevice.h - The BSP tile simulator ---------------------*- C++ -*-===//
//
// Runs a plan's tile program (target "ipu"): tile memories are real byte
// arrays, checked against the device's capacity and allocated up to each
// tile's highest mapped byte; compute sets run their vertices in
// parallel on host threads with the same codelet kernels as the host device,
// exchanges copy bytes between tile memories, and every superstep is charged
// cycles from the cost model (ipuc/sim/CostModel.h, docs/cost-model.md).
//
// The API mirrors host::HostDevice so tools can drive either. Errors are
// returned as strings, never thrown.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_SIMDEVICE_H
#define IPUC_SIM_SIMDEVICE_H

#include "ipuc/host/HostDevice.h"
#include "ipuc/plan/Plan.h"
#include "ipuc/sim/CostModel.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ipuc::sim {

using host::BindingInfo;
using host::PlanBindings;

struct SimOptions {
  /// Reject, when the device is created, any vertex whose operand boxes are
  /// not entirely mapped on the vertex's own tile. Without it such a vertex
  /// reads whichever tile holds the data (not something hardware can do).
  bool checked = true;
  /// Host threads for compute phases; 0 = one per core.
  unsigned threads = 0;
  /// Decode each distinct compute set and exchange once, sharing the result
  /// among steps whose tables are equal but for tensors of equal layout
  /// (identical layers). Results, cycles and errors never depend on it; off
  /// only to test that.
  bool shareSteps = true;
  /// With shareSteps and checked: a compute set equal to an earlier one but
  /// for tensors whose mappings differ only in their addresses (the
  /// weights of identical layers) gets a copy of that one's body with the
  /// pointers moved, instead of being decoded (RelocateComputeSet.cpp).
  /// Results, cycles and errors never depend on it; off only to test that.
  bool relocateSteps = true;
  /// Run each exchange that a compute set follows together with it, tile
  /// by tile, where that computes the same bytes (runtime/sim/
  /// ExchangeFusion.cpp); needs `checked`. Results, cycles and profiles
  /// never depend on it; off only to test that.
  bool fuseExchanges = true;
};

/// What set-up decoded: the program's steps, vertices and exchange pieces
/// (contiguous moves and strided copies), counted over every step and over
/// the distinct bodies actually decoded (SimOptions::shareSteps).
struct SimDecodeStats {
  uint64_t computeSteps = 0, computeSetsDecoded = 0;
  /// Compute set bodies copied from a congruent one and moved
  /// (SimOptions::relocateSteps), and their vertices; not in the decoded.
  uint64_t computeSetsRelocated = 0, verticesRelocated = 0;
  uint64_t exchangeSteps = 0, exchangesDecoded = 0;
  uint64_t vertices = 0, verticesDecoded = 0;
  uint64_t pieces = 0, piecesDecoded = 0;
  /// Of the exchange bodies decoded, the composites' parts (copy groups
  /// shared between exchanges): how many they run, and how many distinct
  /// ones were decoded.
  uint64_t exchangePartsRun = 0, exchangePartsDecoded = 0;
  /// Exchange ops run together with the compute set after them, and the
  /// distinct (exchange, compute set) bodies among them.
  uint64_t fusedExchangeOps = 0, fusions = 0;
  /// The tile image's bytes (plan.fbs TileImage): mapped from the plan
  /// file, or copied (a plan not mapped from a file, partial pages).
  uint64_t imageMappedBytes = 0, imageCopiedBytes = 0;
  /// The body each compute set and each exchange step runs (steps in the
  /// order the program first reaches them): steps that share a body share
  /// its number.
  std::vector<uint32_t> computeSetBodies, exchangeBodies;
};

/// Cycles and traffic of one static ComputeSet or Exchange step, summed over
/// all its executions in the last run().
struct StepProfile {
  std::string name, loc;
  std::string kind; // "compute" or "exchange"
  uint64_t executions = 0;
  uint64_t computeCycles = 0;
  uint64_t syncCycles = 0;
  uint64_t exchangeCycles = 0;
  double flops = 0;
  uint64_t exchangeBytes = 0;
  uint64_t totalCycles() const {
    return computeCycles + syncCycles + exchangeCycles;
  }
};

/// Bytes streamed between the host and the device since it was created:
/// inputs written onto tiles (by run() or, for resident inputs, setInput())
/// and outputs or resident tensors read off them.
struct StreamCounters {
  uint64_t toDevice = 0;
  uint64_t fromDevice = 0;
};

struct SimSummary {
  uint64_t totalCycles = 0;
  double clockHz = 0;
  double seconds = 0;
  double flops = 0;
  double flopsPerSecond = 0;
  /// flopsPerSecond / (tiles x fp32 matmul FLOP/cycle x clock).
  double utilization = 0;
  uint32_t tiles = 0;
  uint32_t tilesUsed = 0; // tiles with any mapped bytes
  uint64_t peakTileMemoryBytes = 0;
  uint32_t peakTile = 0;
  /// Mean over the tiles in use.
  double meanTileMemoryBytes = 0;
  uint64_t sramBytesPerTile = 0;
  uint64_t exchangeBytes = 0;
  /// Up to five compute sets with the most cycles (compute + sync).
  std::vector<StepProfile> topComputeSets;

  /// Multi-line human-readable report (what ipu-run prints).
  std::string format() const;
};

class SimDevice {
public:
  /// Builds tile memories, scatters constants and parameters, and prepares
  /// every step. Fails (null, `error` set) when the plan has no tile program,
  /// a tensor the tile program uses has no mapping, a mapping does not fit,
  /// or (checked mode) a vertex operand lives off its tile. `plan` must
  /// outlive the device.
  static std::unique_ptr<SimDevice> create(const plan::LoadedPlan &plan,
                                           const SimOptions &options,
                                           std::string &error);
  ~SimDevice();
  SimDevice(const SimDevice &) = delete;
  SimDevice &operator=(const SimDevice &) = delete;

  const DeviceModel &device() const;
  const std::vector<BindingInfo> &inputs() const;
  const std::vector<BindingInfo> &outputs() const;
  std::string describeInputs() const;

  bool setInput(const std::string &name, plan::DType dtype,
                const std::vector<int64_t> &shape, const void *data,
                size_t bytes, std::string &error);
  bool isInputSet(const std::string &name) const;

  /// Runs the tile program once. Inputs with no HostWrite step are written
  /// before the first step, outputs with no HostRead are read after the last.
  /// Parameters keep their tile-memory values between runs.
  bool run(std::string &error);

  const void *outputData(const std::string &name) const;
  const BindingInfo *findOutput(const std::string &name) const;

  /// Keeps each `{input, output}` pair's input resident in tile memory
  /// across runs, as a training step's parameters and optimizer state are:
  /// at the end of every run, the output (same dtype and shape) is copied
  /// onto the input's tiles by an on-device exchange, charged by the cost
  /// model and profiled as the exchange "resident update"; run() no longer
  /// streams the input from the host nor the output to it (outputData() of
  /// such an output is not refreshed). setInput() of a resident input
  /// streams it onto the tiles at once (initial values, a resume), and
  /// readResident() streams its current value back (checkpoints, saving).
  /// Pairs already resident are left as they are.
  bool
  makeResident(const std::vector<std::pair<std::string, std::string>> &pairs,
               std::string &error);
  /// Copies resident input `name`'s current value (`bytes` bytes) off the
  /// tiles into `out`.
  bool readResident(const std::string &name, void *out, size_t bytes,
                    std::string &error) const;
  const StreamCounters &streamCounters() const;

  /// Cycle accounting of the last run().
  const SimSummary &summary() const;
  const std::vector<StepProfile> &steps() const;
  /// Bytes in use on each tile (union of its mapped address ranges).
  const std::vector<uint64_t> &tileMemoryBytes() const;
  /// Compute cycles each tile was busy in the last run.
  const std::vector<uint64_t> &tileBusyCycles() const;
  /// How much of the program set-up decoded and how much it shared.
  SimDecodeStats decodeStats() const;

  /// The profile JSON (docs/profile-format.md). `extraMembers`, if not
  /// empty, is appended to the top-level object as further `"key": value`
  /// members (the training loop adds its per-step traffic).
  std::string profileJson(const std::string &extraMembers = "") const;
  bool writeProfile(const std::string &path, std::string &error) const;

  /// Gathers a whole tensor out of tile memory (tests, debugging). False if
  /// the tensor is not mapped.
  bool readTensor(uint32_t tensor, std::vector<uint8_t> &out) const;

  struct Impl;

private:
  explicit SimDevice(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace ipuc::sim

#endif // IPUC_SIM_SIMDEVICE_H

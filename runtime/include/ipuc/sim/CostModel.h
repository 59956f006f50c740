//===- CostModel.h - Cycle model of the BSP tile machine --------*- C++ -*-===//
//
// The one place cycles are computed. The simulator charges every superstep
// with these functions, and the compiler's partitioner calls the same ones
// when it chooses how to split work over tiles, so a plan's predicted and
// simulated cycles agree by construction. Every constant and its source is
// written down in docs/cost-model.md.
//
// Nothing here depends on MLIR; the only plan dependency is the generated
// schema header (for DType, Instr and the Device table).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_COSTMODEL_H
#define IPUC_SIM_COSTMODEL_H

#include "ipuc/plan/plan_generated.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ipuc::sim {

/// The device description as plain numbers (mirrors plan::Device).
struct DeviceModel {
  std::string name = "gc200";
  uint32_t numChips = 1;
  uint32_t tilesPerChip = 1472;
  uint64_t sramBytesPerTile = 624 * 1024;
  double clockHz = 1.325e9;
  uint32_t workersPerTile = 6;
  double fp32MatmulFlopsPerCycle = 32;
  double fp16MatmulFlopsPerCycle = 128;
  double elementwiseF32PerCycle = 2;
  double exchangeBytesPerCycle = 4;
  uint32_t syncCycles = 150;
  uint32_t chipLinks = 10;
  double chipLinkGbitPerS = 128;
  double chipLinkEfficiency = 0.85;

  static DeviceModel gc200();
  static DeviceModel gc2();
  /// Fields absent or zero in the plan keep their GC200 default.
  static DeviceModel fromPlan(const plan::Device *device);

  uint32_t totalTiles() const { return numChips * tilesPerChip; }
  /// tiles x fp32 matmul FLOP/cycle x clock (62.4e12 for GC200).
  double peakFp32FlopsPerSecond() const;
  /// Bytes one chip can push over all its links in one cycle.
  double chipLinkBytesPerCycle() const;
};

// --- Constants (sources in docs/cost-model.md) -----------------------------

/// Launching a vertex: worker context setup plus codelet prologue/epilogue.
constexpr double kVertexOverheadCycles = 50;
/// On-tile copies and fills: one 64-bit load/store per cycle.
constexpr double kCopyBytesPerCycle = 8;
/// Fixed cost of an exchange phase that moves any bytes (exchange program
/// setup, first-word latency across the fabric).
constexpr double kExchangeSetupCycles = 32;

// --- Work of one vertex ------------------------------------------------------

/// 2 * batch * m * n * k.
double matMulFlops(int64_t batch, int64_t m, int64_t n, int64_t k);
/// 2 * n * oh * ow * f * kh * kw * (c / groups).
double conv2DFlops(int64_t n, int64_t oh, int64_t ow, int64_t f, int64_t kh,
                   int64_t kw, int64_t c, int64_t groups);

/// Cycles of a matmul/conv vertex's `flops` on the AMP unit (FP16 rate for
/// F16/BF16, FP32 rate otherwise), without the vertex overhead.
double matMulWorkCycles(const DeviceModel &dev, plan::DType dtype,
                        double flops);

/// Instruction-weight of one iteration of a Generic program: Yield and
/// constants are free, transcendental ops cost kTranscendentalWeight, divides
/// and square roots kDivideWeight, everything else 1. At least 1.
constexpr double kTranscendentalWeight = 8;
constexpr double kDivideWeight = 4;
double genericWeightPerIteration(const plan::Instr *program, size_t size);

/// Lanes per cycle of the elementwise datapath for elements of `elemBytes`:
/// elementwise_f32_per_cycle x 4 / elemBytes (64-bit datapath: 2 f32, 4 f16,
/// 1 f64 per cycle), for elemBytes in 1..8.
double elementwiseLanes(const DeviceModel &dev, size_t elemBytes);

/// Cycles of a Generic vertex: iterations x weight / lanes.
double genericWorkCycles(const DeviceModel &dev, int64_t iterations,
                         double weightPerIteration, size_t elemBytes);

/// Cycles of an on-tile Copy or Fill of `bytes`.
double copyWorkCycles(int64_t bytes);

/// Work of one vertex as the simulator charges it.
struct VertexCost {
  double workCycles = 0; // without the vertex overhead
  double flops = 0;      // modelled arithmetic (0 for Copy/Fill)
};

/// Cost of a Vertex of a tile program; `plan` supplies operand dtypes.
VertexCost vertexCost(const DeviceModel &dev, const plan::Plan &plan,
                      const plan::Vertex &vertex);

// --- Phases
// --------------------------------------------------------------------

/// A tile's compute phase: its vertices share the tile's issue bandwidth
/// (work adds up) while their launch overheads overlap across the worker
/// threads: sum(work) + ceil(vertices / workers) * kVertexOverheadCycles,
/// rounded up to whole cycles. 0 for a tile with no vertices.
uint64_t tileComputeCycles(const DeviceModel &dev,
                           const std::vector<double> &vertexWorkCycles);
/// The same from totals.
uint64_t tileComputeCycles(const DeviceModel &dev, double totalWorkCycles,
                           size_t numVertices);

/// A tile's exchange cycles: max(sent, received) / exchange bytes per cycle.
double tileExchangeCycles(const DeviceModel &dev, uint64_t bytesSent,
                          uint64_t bytesReceived);

/// An exchange phase: kExchangeSetupCycles + max over tiles of
/// tileExchangeCycles, and for multi-chip devices at least the slowest chip's
/// link time (max(chip bytes out, in) / chipLinkBytesPerCycle). 0 when no
/// bytes move. `maxTileCycles` is the max of tileExchangeCycles over tiles.
uint64_t exchangePhaseCycles(const DeviceModel &dev, double maxTileCycles,
                             uint64_t maxChipLinkBytes = 0);

/// compute + sync + exchange: what one BSP superstep costs.
inline uint64_t superstepCycles(const DeviceModel &dev, uint64_t compute,
                                uint64_t exchange) {
  return compute + dev.syncCycles + exchange;
}

} // namespace ipuc::sim

#endif // IPUC_SIM_COSTMODEL_H

//===- CostModel.cpp - Cycle model of the BSP tile machine ----------------===//

#include "ipuc/sim/CostModel.h"
#include "ipuc/plan/Plan.h"

#include <algorithm>
#include <cmath>

namespace ipuc::sim {

using namespace plan;

DeviceModel DeviceModel::gc200() { return DeviceModel(); }

DeviceModel DeviceModel::gc2() {
  DeviceModel d;
  d.name = "gc2";
  d.tilesPerChip = 1216;
  d.sramBytesPerTile = 256 * 1024;
  d.clockHz = 1.6e9;
  d.fp32MatmulFlopsPerCycle = 16;
  d.fp16MatmulFlopsPerCycle = 64;
  // Mk1 systems are single-chip here: no chip-to-chip links are modelled.
  d.chipLinks = 0;
  d.chipLinkGbitPerS = 0;
  d.chipLinkEfficiency = 0;
  return d;
}

DeviceModel DeviceModel::fromPlan(const Device *p) {
  DeviceModel d;
  if (!p)
    return d;
  if (p->name())
    d.name = p->name()->str();
  auto set = [](auto &field, auto value) {
    if (value > 0)
      field = value;
  };
  set(d.numChips, p->num_chips());
  set(d.tilesPerChip, p->tiles_per_chip());
  set(d.sramBytesPerTile, p->sram_bytes_per_tile());
  set(d.clockHz, p->clock_hz());
  set(d.workersPerTile, p->worker_threads_per_tile());
  set(d.fp32MatmulFlopsPerCycle, p->fp32_matmul_flops_per_cycle());
  set(d.fp16MatmulFlopsPerCycle, p->fp16_matmul_flops_per_cycle());
  set(d.elementwiseF32PerCycle, p->elementwise_f32_per_cycle());
  set(d.exchangeBytesPerCycle, p->exchange_bytes_per_cycle());
  set(d.syncCycles, p->sync_cycles());
  set(d.chipLinks, p->chip_links());
  set(d.chipLinkGbitPerS, p->chip_link_gbit_per_s());
  set(d.chipLinkEfficiency, p->chip_link_efficiency());
  return d;
}

double DeviceModel::peakFp32FlopsPerSecond() const {
  return static_cast<double>(totalTiles()) * fp32MatmulFlopsPerCycle * clockHz;
}

double DeviceModel::chipLinkBytesPerCycle() const {
  return chipLinks * chipLinkGbitPerS * 1e9 / 8 * chipLinkEfficiency / clockHz;
}

double matMulFlops(int64_t batch, int64_t m, int64_t n, int64_t k) {
  return 2.0 * batch * m * n * k;
}

double conv2DFlops(int64_t n, int64_t oh, int64_t ow, int64_t f, int64_t kh,
                   int64_t kw, int64_t c, int64_t groups) {
  return 2.0 * n * oh * ow * f * kh * kw *
         static_cast<double>(groups > 0 ? c / groups : c);
}

double matMulWorkCycles(const DeviceModel &dev, DType dtype, double flops) {
  bool half = dtype == DType::F16 || dtype == DType::BF16;
  return flops /
         (half ? dev.fp16MatmulFlopsPerCycle : dev.fp32MatmulFlopsPerCycle);
}

double genericWeightPerIteration(const Instr *program, size_t size) {
  double w = 0;
  for (size_t i = 0; i < size; ++i) {
    switch (program[i].opcode()) {
    case Opcode::ConstF:
    case Opcode::ConstI:
    case Opcode::Yield:
      break;
    case Opcode::Exp:
    case Opcode::Exp2:
    case Opcode::Expm1:
    case Opcode::Log:
    case Opcode::Log2:
    case Opcode::Log1p:
    case Opcode::Tanh:
    case Opcode::Erf:
    case Opcode::PowF:
    case Opcode::FPowI:
    case Opcode::IPowI:
    case Opcode::Sin:
    case Opcode::Cos:
    case Opcode::Tan:
    case Opcode::Atan:
    case Opcode::Atan2:
    case Opcode::Asin:
    case Opcode::Acos:
    case Opcode::Sinh:
    case Opcode::Cosh:
    case Opcode::Asinh:
    case Opcode::Acosh:
    case Opcode::Atanh:
      w += kTranscendentalWeight;
      break;
    case Opcode::DivF:
    case Opcode::RemF:
    case Opcode::DivSI:
    case Opcode::DivUI:
    case Opcode::RemSI:
    case Opcode::RemUI:
    case Opcode::CeilDivSI:
    case Opcode::FloorDivSI:
    case Opcode::Sqrt:
    case Opcode::Rsqrt:
      w += kDivideWeight;
      break;
    default:
      w += 1;
    }
  }
  return std::max(1.0, w);
}

double elementwiseLanes(const DeviceModel &dev, size_t elemBytes) {
  elemBytes = std::clamp<size_t>(elemBytes, 1, 8);
  return dev.elementwiseF32PerCycle * 4.0 / static_cast<double>(elemBytes);
}

double genericWorkCycles(const DeviceModel &dev, int64_t iterations,
                         double weightPerIteration, size_t elemBytes) {
  return static_cast<double>(iterations) * weightPerIteration /
         elementwiseLanes(dev, elemBytes);
}

double copyWorkCycles(int64_t bytes) {
  return static_cast<double>(bytes) / kCopyBytesPerCycle;
}

VertexCost vertexCost(const DeviceModel &dev, const Plan &p, const Vertex &v) {
  VertexCost c;
  auto *ops = v.operands();
  auto operandDType = [&](uint32_t i) {
    if (!ops || i >= ops->size())
      return DType::F32;
    return p.tensors()->Get(ops->Get(i)->tensor())->dtype();
  };
  auto operandElems = [&](uint32_t i) -> int64_t {
    if (!ops || i >= ops->size())
      return 0;
    int64_t n = 1;
    if (auto *s = ops->Get(i)->sizes())
      for (int64_t d : *s)
        n *= d;
    return n;
  };
  switch (v.codelet_type()) {
  case KernelBody::MatMul: {
    const MatMul &m = *v.codelet_as_MatMul();
    c.flops = matMulFlops(m.batch(), m.m(), m.n(), m.k());
    c.workCycles = matMulWorkCycles(dev, operandDType(m.lhs()), c.flops);
    break;
  }
  case KernelBody::Conv2D: {
    const Conv2D &k = *v.codelet_as_Conv2D();
    c.flops = conv2DFlops(k.n(), k.oh(), k.ow(), k.f(), k.kh(), k.kw(), k.c(),
                          k.groups());
    c.workCycles = matMulWorkCycles(dev, operandDType(k.input()), c.flops);
    break;
  }
  case KernelBody::Generic: {
    const Generic &g = *v.codelet_as_Generic();
    int64_t iters = 1;
    if (g.loop_bounds())
      for (int64_t b : *g.loop_bounds())
        iters *= b;
    size_t progSize = g.program() ? g.program()->size() : 0;
    double w = genericWeightPerIteration(
        progSize ? g.program()->Get(0) : nullptr, progSize);
    // The widest operand element decides how many lanes the datapath holds.
    size_t elem = 1;
    auto widen = [&](auto *list) {
      if (list)
        for (const Operand *o : *list)
          elem = std::max(elem, dtypeSize(operandDType(o->tensor())));
    };
    widen(g.inputs());
    widen(g.outputs());
    c.workCycles = genericWorkCycles(dev, iters, w, elem);
    c.flops = static_cast<double>(iters) * w;
    break;
  }
  case KernelBody::Copy: {
    const Copy &k = *v.codelet_as_Copy();
    int64_t n = 1;
    if (k.sizes())
      for (int64_t s : *k.sizes())
        n *= s;
    c.workCycles = copyWorkCycles(
        n * static_cast<int64_t>(dtypeSize(operandDType(k.src()))));
    break;
  }
  case KernelBody::Fill: {
    const Fill &k = *v.codelet_as_Fill();
    c.workCycles =
        copyWorkCycles(operandElems(k.dst()) *
                       static_cast<int64_t>(dtypeSize(operandDType(k.dst()))));
    break;
  }
  default:
    break;
  }
  if (v.flops() > 0)
    c.flops = v.flops();
  return c;
}

uint64_t tileComputeCycles(const DeviceModel &dev, double totalWorkCycles,
                           size_t numVertices) {
  if (numVertices == 0)
    return 0;
  size_t workers = std::max<uint32_t>(1, dev.workersPerTile);
  size_t rounds = (numVertices + workers - 1) / workers;
  return static_cast<uint64_t>(
      std::ceil(totalWorkCycles + rounds * kVertexOverheadCycles));
}

uint64_t tileComputeCycles(const DeviceModel &dev,
                           const std::vector<double> &vertexWorkCycles) {
  double total = 0;
  for (double w : vertexWorkCycles)
    total += w;
  return tileComputeCycles(dev, total, vertexWorkCycles.size());
}

double tileExchangeCycles(const DeviceModel &dev, uint64_t bytesSent,
                          uint64_t bytesReceived) {
  return static_cast<double>(std::max(bytesSent, bytesReceived)) /
         dev.exchangeBytesPerCycle;
}

uint64_t exchangePhaseCycles(const DeviceModel &dev, double maxTileCycles,
                             uint64_t maxChipLinkBytes) {
  double cycles = maxTileCycles;
  if (maxChipLinkBytes)
    cycles = std::max(cycles, static_cast<double>(maxChipLinkBytes) /
                                  dev.chipLinkBytesPerCycle());
  if (cycles <= 0)
    return 0;
  return static_cast<uint64_t>(std::ceil(cycles + kExchangeSetupCycles));
}

} // namespace ipuc::sim

//===- Layouts.cpp - Tensor layouts and tile footprints of a plan --------===//
//
// Before anything is decoded, every tensor's mapping becomes a TensorLayout
// (its intervals in element order, grouped into row blocks), each interval
// is checked against its tile's memory, and the union of the address ranges
// in use gives each tile's footprint and the size its memory must have.
//
//===----------------------------------------------------------------------===//

#include "Program.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace ipuc::sim {

using namespace plan;

bool buildLayouts(const Plan &plan, const DeviceModel &dev,
                  std::vector<TensorLayout> &layouts,
                  std::vector<uint64_t> &tileBytes,
                  std::unique_ptr<TileMemory> &memory, std::string &error) {
  const auto *tensors = plan.tensors();
  size_t n = tensors ? tensors->size() : 0;
  layouts.assign(n, TensorLayout());
  for (size_t i = 0; i < n; ++i) {
    const Tensor &t = *tensors->Get(i);
    layouts[i].elemSize = dtypeSize(t.dtype());
    if (t.shape())
      layouts[i].shape.assign(t.shape()->begin(), t.shape()->end());
  }
  // Per tile, the address ranges in use: their union is the footprint, their
  // highest end what the tile's memory must hold.
  std::vector<std::vector<std::pair<uint64_t, uint64_t>>> ranges(
      dev.totalTiles());
  if (auto *maps = plan.tile_program()->mappings())
    for (const TensorMapping *m : *maps) {
      TensorLayout &l = layouts[m->tensor()];
      l.mapped = true;
      if (m->intervals())
        l.intervals.reserve(l.intervals.size() + m->intervals()->size());
      if (m->intervals())
        for (const TileInterval *iv : *m->intervals()) {
          uint64_t bytes =
              static_cast<uint64_t>(iv->end() - iv->begin()) * l.elemSize;
          if (iv->tile() >= dev.totalTiles() ||
              iv->address() + bytes > dev.sramBytesPerTile)
            return (error = fmt::format(
                        "tensor {} does not fit: elements [{}, {}) at address "
                        "{} need {} bytes on tile {}, which has {} bytes",
                        tensorLabel(plan, m->tensor()), iv->begin(), iv->end(),
                        iv->address(), bytes, iv->tile(), dev.sramBytesPerTile),
                    false);
          // An empty interval maps nothing, and boxSegments steps from an
          // interval straight to the next one, so only non-empty ones are
          // kept (the plan verifier accepts empty ones).
          if (!bytes)
            continue;
          l.intervals.push_back(
              {iv->begin(), iv->end(), iv->tile(), iv->address()});
          ranges[iv->tile()].push_back({iv->address(), iv->address() + bytes});
        }
      std::sort(l.intervals.begin(), l.intervals.end(),
                [](const Interval &a, const Interval &b) {
                  return a.begin < b.begin;
                });
    }
  // Blocks of row intervals let a box on one tile be a strided copy.
  std::vector<int32_t> openBlock(dev.totalTiles(), -1);
  for (TensorLayout &l : layouts)
    if (l.mapped)
      l.buildBlocks(openBlock);
  tileBytes.assign(dev.totalTiles(), 0);
  // The SRAM check above keeps every extent within the device's capacity.
  std::vector<uint64_t> extents(dev.totalTiles(), 0);
  for (uint32_t tile = 0; tile < dev.totalTiles(); ++tile) {
    auto &rs = ranges[tile];
    if (rs.empty())
      continue;
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
      extents[tile] = std::max(extents[tile], e);
    }
    used += curE - curB;
    tileBytes[tile] = used;
  }
  memory = std::make_unique<TileMemory>(extents);
  return true;
}

} // namespace ipuc::sim

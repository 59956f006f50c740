//===- Layouts.cpp - Tensor layouts and tile footprints of a plan --------===//
//
// Before anything is decoded, every tensor's mapping becomes a TensorLayout
// (its intervals in element order, grouped into row blocks), each interval
// is checked against its tile's memory, and the union of the address ranges
// in use gives each tile's footprint and the size its memory must have.
//
//===----------------------------------------------------------------------===//

#include "Program.h"

#include "ThreadPool.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <tuple>
#include <utility>

namespace ipuc::sim {

using namespace plan;

namespace {

/// Calls fn(i) for i in [0, n) on the pool (inline without one); an
/// exception thrown by any call is rethrown here, after all have returned.
void forEachIndex(ThreadPool *pool, size_t n,
                  const std::function<void(size_t)> &fn) {
  if (!pool) {
    for (size_t i = 0; i < n; ++i)
      fn(i);
    return;
  }
  std::mutex mutex;
  std::exception_ptr thrown;
  pool->parallelFor(n, [&](size_t i) {
    try {
      fn(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!thrown)
        thrown = std::current_exception();
    }
  });
  if (thrown)
    std::rethrow_exception(thrown);
}

/// The footprints of tileFootprints with each address range stored as a
/// `Range` made by pack(begin, end) and read back by unpack.
template <typename Range, typename Pack, typename Unpack>
void footprints(const std::vector<TensorLayout> &layouts, uint32_t tiles,
                ThreadPool *pool, Pack pack, Unpack unpack,
                std::vector<uint64_t> &tileBytes,
                std::vector<uint64_t> &extents) {
  // Per tile, the address ranges in use: their union is the footprint, their
  // highest end what the tile's memory must hold. Gathered into one array,
  // tile by tile (counted first), then each tile's sorted and merged.
  std::vector<uint64_t> start(tiles + 1, 0);
  for (const TensorLayout &l : layouts)
    if (l.equalTo < 0)
      l.forEachAddressRange(
          [&](uint32_t tile, uint64_t, uint64_t) { ++start[tile + 1]; });
  for (uint32_t t = 0; t < tiles; ++t)
    start[t + 1] += start[t];
  std::vector<Range> ranges(start[tiles]);
  {
    std::vector<uint64_t> cursor(start.begin(), start.end() - 1);
    for (const TensorLayout &l : layouts)
      if (l.equalTo < 0)
        l.forEachAddressRange([&](uint32_t tile, uint64_t b, uint64_t e) {
          ranges[cursor[tile]++] = pack(b, e);
        });
  }
  forEachIndex(pool, tiles, [&](size_t tile) {
    auto b = ranges.begin() + start[tile], e = ranges.begin() + start[tile + 1];
    if (b == e)
      return;
    std::sort(b, e);
    auto [curB, curE] = unpack(*b);
    uint64_t used = 0;
    for (auto it = b; it != e; ++it) {
      auto [first, second] = unpack(*it);
      if (first > curE) {
        used += curE - curB;
        curB = first;
        curE = second;
      } else {
        curE = std::max(curE, second);
      }
      extents[tile] = std::max(extents[tile], second);
    }
    used += curE - curB;
    tileBytes[tile] = used;
  });
}

/// Checks that every interval of mapping `m` fits its tile and makes them
/// `l.intervals`: a view of the plan's own array when they are already as a
/// layout keeps them (all non-empty, in element order; what the compiler
/// writes), otherwise a sorted copy without the empty ones.
bool readIntervals(const Plan &plan, const TensorMapping &m, uint32_t tiles,
                   uint64_t sramBytesPerTile, TensorLayout &l,
                   std::string &misfit) {
  const auto *ivs = m.intervals();
  if (!ivs || ivs->size() == 0)
    return true;
  bool asKept = true;
  int64_t lastBegin = std::numeric_limits<int64_t>::min();
  for (const TileInterval *iv : *ivs) {
    uint64_t bytes =
        static_cast<uint64_t>(iv->end() - iv->begin()) * l.elemSize;
    if (iv->tile() >= tiles || iv->address() + bytes > sramBytesPerTile) {
      misfit =
          fmt::format("tensor {} does not fit: elements [{}, {}) at "
                      "address {} need {} bytes on tile {}, which has {} "
                      "bytes",
                      tensorLabel(plan, m.tensor()), iv->begin(), iv->end(),
                      iv->address(), bytes, iv->tile(), sramBytesPerTile);
      return false;
    }
    asKept = asKept && bytes && iv->begin() >= lastBegin;
    lastBegin = iv->begin();
  }
  if (asKept) {
    l.intervals.view(reinterpret_cast<const Interval *>(ivs->Get(0)),
                     ivs->size());
    return true;
  }
  // An empty interval maps nothing, and boxSegments steps from an interval
  // straight to the next one, so only non-empty ones are kept (the plan
  // verifier accepts empty ones).
  std::vector<Interval> kept;
  kept.reserve(ivs->size());
  for (const TileInterval *iv : *ivs)
    if (iv->end() > iv->begin())
      kept.push_back({iv->begin(), iv->end(), iv->tile(), iv->address()});
  std::stable_sort(
      kept.begin(), kept.end(),
      [](const Interval &a, const Interval &b) { return a.begin < b.begin; });
  l.intervals = std::move(kept);
  return true;
}

} // namespace

void tileFootprints(const std::vector<TensorLayout> &layouts, uint32_t tiles,
                    uint64_t sramBytesPerTile, ThreadPool *pool,
                    std::vector<uint64_t> &tileBytes,
                    std::vector<uint64_t> &extents) {
  tileBytes.assign(tiles, 0);
  extents.assign(tiles, 0);
  using Pair = std::pair<uint64_t, uint64_t>;
  if (sramBytesPerTile > UINT32_MAX) {
    footprints<Pair>(
        layouts, tiles, pool, [](uint64_t b, uint64_t e) { return Pair(b, e); },
        [](const Pair &r) { return r; }, tileBytes, extents);
    return;
  }
  // Every end fits 32 bits: one 64-bit key per range (begin, then end) sorts
  // like the pair it packs, in half the memory (a 12-layer encoder has
  // 4.4 M intervals) and with cheaper comparisons.
  footprints<uint64_t>(
      layouts, tiles, pool, [](uint64_t b, uint64_t e) { return b << 32 | e; },
      [](uint64_t r) { return Pair(r >> 32, r & UINT32_MAX); }, tileBytes,
      extents);
}

bool buildLayouts(const Plan &plan, const DeviceModel &dev,
                  std::vector<TensorLayout> &layouts,
                  std::vector<uint64_t> &tileBytes,
                  std::unique_ptr<TileMemory> &memory, ThreadPool *pool,
                  std::string &error) {
  const auto *tensors = plan.tensors();
  size_t n = tensors ? tensors->size() : 0;
  layouts.assign(n, TensorLayout());
  const auto *maps = plan.tile_program()->mappings();
  size_t nmaps = maps ? maps->size() : 0;
  uint32_t tiles = dev.totalTiles();
  // Mappings are independent, so they are read in parallel, in chunks that
  // each have their own block scratch (one -1 per tile); a misfit is
  // reported for the first mapping that has one, as reading them in order
  // would.
  //
  // The compiler writes one interval vector per distinct mapping and shares
  // it among the tensors of that mapping (the activations of repeated
  // layers). Such tensors with equal element sizes and shapes have equal
  // layouts: the first is built and the others copy it (`firstOf`, then
  // TensorLayout::equalTo), and walks over all tensors' memory skip them.
  std::vector<int64_t> firstOf(nmaps, -1);
  {
    std::map<std::tuple<const void *, size_t, std::vector<int64_t>>, size_t>
        seen;
    for (size_t mi = 0; mi < nmaps; ++mi) {
      const TensorMapping &m = *maps->Get(mi);
      if (!m.intervals() || m.tensor() >= n)
        continue;
      const Tensor &t = *tensors->Get(m.tensor());
      std::vector<int64_t> shape;
      if (t.shape())
        shape.assign(t.shape()->begin(), t.shape()->end());
      auto [it, inserted] = seen.try_emplace(
          {m.intervals(), dtypeSize(t.dtype()), std::move(shape)}, mi);
      if (!inserted)
        firstOf[mi] = static_cast<int64_t>(it->second);
    }
  }
  std::vector<size_t> built;
  for (size_t mi = 0; mi < nmaps; ++mi)
    if (firstOf[mi] < 0)
      built.push_back(mi);
  size_t nbuilt = built.size();
  size_t chunks = pool ? std::min<size_t>(nbuilt, 8 * pool->size()) : 1;
  std::vector<std::string> misfit(nmaps);
  std::vector<char> failed(nmaps, 0);
  forEachIndex(pool, chunks, [&](size_t c) {
    std::vector<int32_t> openBlock(tiles, -1);
    for (size_t j = nbuilt * c / chunks; j < nbuilt * (c + 1) / chunks; ++j) {
      size_t mi = built[j];
      const TensorMapping &m = *maps->Get(mi);
      TensorLayout &l = layouts[m.tensor()];
      const Tensor &t = *tensors->Get(m.tensor());
      l.elemSize = dtypeSize(t.dtype());
      if (t.shape())
        l.shape.assign(t.shape()->begin(), t.shape()->end());
      l.mapped = true;
      if (!readIntervals(plan, m, tiles, dev.sramBytesPerTile, l, misfit[mi])) {
        failed[mi] = 1;
        continue;
      }
      // Blocks of row intervals let a box on one tile be a strided copy.
      l.buildBlocks(openBlock);
      l.buildIndex();
    }
  });
  // A copy's misfit would be its first's, which comes before it.
  for (size_t mi = 0; mi < nmaps; ++mi)
    if (failed[mi])
      return (error = std::move(misfit[mi]), false);
  forEachIndex(pool, nmaps, [&](size_t mi) {
    if (firstOf[mi] < 0)
      return;
    uint32_t first = maps->Get(firstOf[mi])->tensor();
    TensorLayout &l = layouts[maps->Get(mi)->tensor()];
    l = layouts[first];
    l.equalTo = first;
  });
  // Tensors without a mapping still have their shape (errors name them).
  for (size_t i = 0; i < n; ++i)
    if (!layouts[i].mapped) {
      const Tensor &t = *tensors->Get(i);
      layouts[i].elemSize = dtypeSize(t.dtype());
      if (t.shape())
        layouts[i].shape.assign(t.shape()->begin(), t.shape()->end());
    }
  tileBytes.assign(tiles, 0);
  // The SRAM check above keeps every extent within the device's capacity.
  std::vector<uint64_t> extents(tiles, 0);
  tileFootprints(layouts, tiles, dev.sramBytesPerTile, pool, tileBytes,
                 extents);
  memory = std::make_unique<TileMemory>(extents);
  return true;
}

} // namespace ipuc::sim

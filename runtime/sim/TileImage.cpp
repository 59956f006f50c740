//===- TileImage.cpp - Loading the plan's tile image into tile memory -----===//
//
// A 12-layer encoder's image is 340 MB of weights. Copied into the arena it
// is as many fresh pages, which on this project's VMs cost more than the
// host device's whole run (docs/benchmarks.md, stop 15); mapped from the
// plan file they are page-cache pages the loader has already read, and only
// a page a vertex writes is ever copied (copy-on-write).
//
// That copy is a page fault, and with the pool's threads on other cores a
// TLB shootdown: an interrupt to every core, which a VM takes as an exit.
// The encoder wrote 3 900 image pages (16 MB) that way, a page holding both
// the end of a constant and the start of an activation, and the faults and
// shootdowns were ~5 % of the whole run's samples. So a page that holds a
// byte of any tensor the program may write (every mapped tensor but the
// image's constants) is copied up front instead; only pages of nothing but
// image constants are mapped.
//
//===----------------------------------------------------------------------===//

#include "Program.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ipuc::sim {

namespace {

/// Per tile, a flag per whole page of its image range, set where the page
/// holds a byte of a tensor the program may write: every mapped tensor but
/// the constants in the image, whose bytes nothing writes.
std::vector<std::vector<bool>>
writablePages(const plan::Plan &plan, const plan::TileImage &image,
              const std::vector<TensorLayout> &layouts, size_t numTiles) {
  constexpr uint64_t kPage = plan::kTileImagePageBytes;
  std::vector<std::pair<uint64_t, uint64_t>> range(numTiles, {0, 0});
  std::vector<std::vector<bool>> pages(numTiles);
  for (const plan::TileImageRange *r : *image.ranges())
    if (r->tile() < numTiles) {
      range[r->tile()] = {r->address(), r->address() + r->size()};
      pages[r->tile()].assign(r->size() / kPage, false);
    }
  const auto *tensors = plan.tensors();
  auto writable = [&](size_t t) {
    return layouts[t].mapped &&
           !(tensors && plan::constantInTileImage(plan, *tensors->Get(t)));
  };
  for (size_t t = 0; t < layouts.size(); ++t) {
    // A tensor with an earlier one's layout marks the same pages.
    if (!writable(t) || (layouts[t].equalTo >= 0 &&
                         writable(static_cast<size_t>(layouts[t].equalTo))))
      continue;
    layouts[t].forEachAddressRange([&](uint32_t tile, uint64_t b, uint64_t e) {
      if (tile >= numTiles || b >= range[tile].second || e <= range[tile].first)
        return;
      std::vector<bool> &written = pages[tile];
      const uint64_t begin = std::max(b, range[tile].first) - range[tile].first;
      const uint64_t end = std::min(e, range[tile].second) - range[tile].first;
      // The range's partial last page is copied anyway.
      for (uint64_t i = begin / kPage; i < written.size() && i * kPage < end;
           ++i)
        written[i] = true;
    });
  }
  return pages;
}

} // namespace

TileImageStats uploadTileImage(const plan::LoadedPlan &loaded,
                               const std::vector<TensorLayout> &layouts,
                               TileMemory &memory) {
  TileImageStats stats;
  const plan::TileProgram *tp = loaded.plan().tile_program();
  const plan::TileImage *image = tp ? tp->image() : nullptr;
  if (!image || !image->ranges() || !image->bytes())
    return stats;
  constexpr uint64_t kPage = plan::kTileImagePageBytes;
  // Each mapped run of pages splits the arena's mapping into up to two more
  // areas, and Linux allows 65 530 per process by default
  // (vm.max_map_count): past this many runs (a 16-chip plan) the rest is
  // copied, so that no mmap fails for want of one (mapPagesAt would then
  // put zero pages back and the run be copied, but each failure costs two
  // system calls).
  constexpr size_t kMaxMappedRuns = 16384;
  size_t mappedRuns = 0;
  const auto writable =
      writablePages(loaded.plan(), *image, layouts, memory.numTiles());
  const uint8_t *bytes = image->bytes()->data();
  for (const plan::TileImageRange *r : *image->ranges()) {
    // Verified: the range is inside the image and inside its tile, and the
    // tile's memory reaches it (its constants' intervals end there).
    uint8_t *tileBase = memory.tile(r->tile());
    if (!tileBase || !r->size())
      continue;
    uint8_t *dest = tileBase + r->address();
    const uint8_t *src = bytes + r->offset();
    const std::vector<bool> &written = writable[r->tile()];
    const uint64_t pages = written.size();
    // Runs of unwritten pages are mapped, the rest copied.
    uint64_t copyFrom = 0;
    auto copyTo = [&](uint64_t end) {
      std::memcpy(dest + copyFrom, src + copyFrom, end - copyFrom);
      stats.copiedBytes += end - copyFrom;
    };
    for (uint64_t i = 0; i < pages;) {
      if (written[i]) {
        ++i;
        continue;
      }
      uint64_t j = i;
      while (j < pages && !written[j])
        ++j;
      if (mappedRuns < kMaxMappedRuns &&
          loaded.mapPagesAt(src + i * kPage, (j - i) * kPage,
                            dest + i * kPage)) {
        copyTo(i * kPage);
        copyFrom = j * kPage;
        stats.mappedBytes += (j - i) * kPage;
        ++mappedRuns;
      }
      i = j;
    }
    copyTo(r->size());
  }
  return stats;
}

} // namespace ipuc::sim

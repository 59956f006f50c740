//===- TileImage.cpp - Loading the plan's tile image into tile memory -----===//
//
// A 12-layer encoder's image is 340 MB of weights. Copied into the arena it
// is as many fresh pages, which on this project's VMs cost more than the
// host device's whole run (docs/benchmarks.md, stop 15); mapped from the
// plan file they are page-cache pages the loader has already read, and only
// a page a vertex writes is ever copied (copy-on-write).
//
//===----------------------------------------------------------------------===//

#include "Program.h"

#include <cstring>

namespace ipuc::sim {

TileImageStats uploadTileImage(const plan::LoadedPlan &loaded,
                               TileMemory &memory) {
  TileImageStats stats;
  const plan::TileProgram *tp = loaded.plan().tile_program();
  const plan::TileImage *image = tp ? tp->image() : nullptr;
  if (!image || !image->ranges() || !image->bytes())
    return stats;
  constexpr uint64_t kPage = plan::kTileImagePageBytes;
  // Each mapped range splits the arena's mapping into up to two more areas,
  // and Linux allows 65 530 per process by default (vm.max_map_count):
  // past this many ranges (a 16-chip plan) the rest is copied, so that no
  // mmap fails for want of one (mapPagesAt would then put zero pages back
  // and the range be copied, but each failure costs two system calls).
  constexpr size_t kMaxMappedRanges = 16384;
  size_t mappedRanges = 0;
  const uint8_t *bytes = image->bytes()->data();
  for (const plan::TileImageRange *r : *image->ranges()) {
    // Verified: the range is inside the image and inside its tile, and the
    // tile's memory reaches it (its constants' intervals end there).
    uint8_t *dest = memory.tile(r->tile());
    if (!dest || !r->size())
      continue;
    dest += r->address();
    const uint8_t *src = bytes + r->offset();
    uint64_t pages = r->size() / kPage * kPage;
    uint64_t done = 0;
    if (pages && mappedRanges < kMaxMappedRanges &&
        loaded.mapPagesAt(src, pages, dest)) {
      done = pages;
      ++mappedRanges;
    }
    std::memcpy(dest + done, src + done, r->size() - done);
    stats.mappedBytes += done;
    stats.copiedBytes += r->size() - done;
  }
  return stats;
}

} // namespace ipuc::sim

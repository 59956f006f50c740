//===- TileMemory.cpp - Tile memories and tensor layouts ------------------===//

#include "TileMemory.h"

#include "ipuc/plan/Plan.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include <sys/mman.h>

namespace ipuc::sim {

namespace {
/// Arenas from this size on are mmapped with huge pages requested.
constexpr uint64_t kHugeArenaBytes = 4 << 20;
/// The page tiles of a mapped arena start on: the tile image's.
constexpr uint64_t kPageBytes = plan::kTileImagePageBytes;
} // namespace

bool TensorLayout::boxSegments(const int64_t *offsets, const int64_t *sizes,
                               std::vector<Segment> &out,
                               int64_t &unmappedElement) const {
  int rank = static_cast<int>(shape.size());
  for (int d = 0; d < rank; ++d)
    if (sizes[d] == 0)
      return true;
  // Row-major strides; the box is walked in runs that are contiguous in the
  // tensor: the innermost partial dimension times all full dims inside it.
  // Stack storage for the usual ranks: this runs for every operand box of
  // every vertex when a device is created.
  constexpr int kInlineRank = 8;
  int64_t inlineBuf[2 * kInlineRank];
  std::vector<int64_t> heapBuf;
  int64_t *strides = inlineBuf, *idx = inlineBuf + kInlineRank;
  if (rank > kInlineRank) {
    heapBuf.assign(2 * static_cast<size_t>(rank), 0);
    strides = heapBuf.data();
    idx = heapBuf.data() + rank;
  }
  if (rank)
    strides[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  int k = rank - 1;
  while (k > 0 && sizes[k] == shape[k] && offsets[k] == 0)
    --k;
  int64_t runLen =
      rank ? sizes[std::max(k, 0)] * (k >= 0 ? strides[std::max(k, 0)] : 1) : 1;
  std::fill(idx, idx + std::max(k, 0), 0);
  uint64_t bufOffset = 0;
  // The interval that resolved the previous run: boxes walk a tensor in
  // order, so the next run is usually in it or the one after.
  auto last = intervals.end();
  // The block of `last`, when blocks are built: a box's runs are mostly
  // further rows of the same block, which are then placed by arithmetic on
  // the block instead of a search through the intervals (a cache miss per
  // run on a tensor with many intervals).
  const Block *block = nullptr;
  bool haveBlocks = !blocks.empty() && blockOf.size() == intervals.size();
  auto emit = [&](uint32_t tile, uint64_t address, uint64_t bytes,
                  int64_t element) {
    // Merge with the previous segment when contiguous on the same tile.
    if (!out.empty() && out.back().tile == tile &&
        out.back().address + out.back().bytes == address &&
        out.back().bufOffset + out.back().bytes == bufOffset)
      out.back().bytes += bytes;
    else
      out.push_back({tile, address, bufOffset, bytes, element});
    bufOffset += bytes;
  };
  for (;;) {
    int64_t flat = 0;
    for (int d = 0; d < k; ++d)
      flat += (offsets[d] + idx[d]) * strides[d];
    if (rank)
      flat += offsets[std::max(k, 0)] * strides[std::max(k, 0)];
    int64_t pos = flat, end = flat + runLen;
    // Inside one row of the last block: that row is an interval, so this
    // gives the segment the interval search below would.
    bool placed = false;
    if (block && pos >= block->begin) {
      int64_t row = (pos - block->begin) / block->flatStride;
      int64_t col = pos - block->begin - row * block->flatStride;
      if (row < block->rows && col + (end - pos) <= block->rowLen) {
        emit(block->tile,
             block->address + static_cast<uint64_t>(row) * block->addrStride +
                 static_cast<uint64_t>(col) * elemSize,
             static_cast<uint64_t>(end - pos) * elemSize, pos);
        placed = true;
      }
    }
    if (!placed) {
      // Resolve [flat, flat + runLen) through the sorted intervals.
      auto it = last;
      if (it != intervals.end() && it->end <= pos &&
          std::next(it) != intervals.end())
        ++it;
      if (it == intervals.end() || pos < it->begin || pos >= it->end) {
        auto before = [](int64_t v, const Interval &iv) {
          return v < iv.begin;
        };
        if (last != intervals.end() && last->begin <= pos) {
          // Usually a few intervals on (a box's rows are interleaved with
          // other tiles' pieces of the same rows): gallop forward from the
          // last interval, then search only the bracket found, instead of
          // binary-searching all of a big tensor's intervals for every run.
          auto lo = last;
          size_t step = 1;
          while (static_cast<size_t>(intervals.end() - lo) > step &&
                 (lo + step)->begin <= pos) {
            lo += step;
            step *= 2;
          }
          auto bound = static_cast<size_t>(intervals.end() - lo) > step
                           ? lo + step
                           : intervals.end();
          it = std::prev(std::upper_bound(lo + 1, bound, pos, before));
        } else {
          it =
              std::upper_bound(intervals.begin(), intervals.end(), pos, before);
          if (it == intervals.begin()) {
            unmappedElement = pos;
            return false;
          }
          --it;
        }
      }
      while (pos < end) {
        if (it == intervals.end() || pos < it->begin || pos >= it->end) {
          unmappedElement = pos;
          return false;
        }
        int64_t stop = std::min(end, it->end);
        emit(it->tile,
             it->address + static_cast<uint64_t>(pos - it->begin) * elemSize,
             static_cast<uint64_t>(stop - pos) * elemSize, pos);
        pos = stop;
        last = it;
        ++it;
      }
      if (haveBlocks)
        block = &blocks[blockOf[last - intervals.begin()]];
    }
    // Next run.
    int d = k - 1;
    for (; d >= 0; --d) {
      if (++idx[d] < sizes[d])
        break;
      idx[d] = 0;
    }
    if (d < 0)
      return true;
  }
}

void TensorLayout::buildBlocks(std::vector<int32_t> &openBlock) {
  std::vector<Block> &blocks = this->blocks.own();
  std::vector<uint32_t> &blockOf = this->blockOf.own();
  blocks.clear();
  // At most one block per interval. Reserved, not grown: growing a big
  // tensor's blocks by doubling faulted in about twice their final pages;
  // the untouched tail of the reserve costs only address space.
  blocks.reserve(intervals.size());
  blockOf.assign(intervals.size(), 0);
  for (size_t i = 0; i < intervals.size(); ++i) {
    const Interval &iv = intervals[i];
    int64_t len = iv.end - iv.begin;
    // Rows of one tile's block alternate with other tiles' rows in flat
    // order, so each tile has its own open block.
    int32_t &open = openBlock[iv.tile];
    if (open >= 0) {
      Block &b = blocks[open];
      int64_t lastBegin = b.begin + (b.rows - 1) * b.flatStride;
      uint64_t lastAddress = b.address + (b.rows - 1) * b.addrStride;
      // A row continues the block if it is as long and steps by the same
      // flat and address distances. Steps are increasing and rows never
      // overlap, so a block's bytes lie in
      // [address, address + (rows - 1) * addrStride + rowLen * elemSize).
      int64_t step = iv.begin - lastBegin;
      bool fits = len == b.rowLen && step >= len &&
                  iv.address >= lastAddress + len * elemSize;
      if (fits && b.rows == 1) {
        b.flatStride = step;
        b.addrStride = iv.address - lastAddress;
      }
      if (fits && step == b.flatStride &&
          iv.address - lastAddress == b.addrStride) {
        ++b.rows;
        blockOf[i] = static_cast<uint32_t>(open);
        continue;
      }
    }
    open = static_cast<int32_t>(blocks.size());
    blockOf[i] = static_cast<uint32_t>(blocks.size());
    blocks.push_back({iv.begin, len, len, 1, iv.tile, iv.address, 0});
  }
  for (const Block &b : blocks)
    openBlock[b.tile] = -1;
  this->blocks.sync();
  this->blockOf.sync();
}

void TensorLayout::buildIndex() {
  std::vector<uint32_t> &bucketFirst = this->bucketFirst.own();
  bucketFirst.clear();
  this->bucketFirst.sync();
  bucketShift = 0;
  // A few intervals are found in a probe or two without one.
  constexpr size_t kMinIndexedIntervals = 16;
  size_t n = intervals.size();
  if (n < kMinIndexedIntervals || n > UINT32_MAX)
    return;
  int64_t numel = 1;
  for (int64_t d : shape)
    numel *= d;
  numel = std::max(numel, intervals.back().end);
  // Buckets of the smallest power of two elements that makes them no more
  // than the intervals.
  while ((static_cast<uint64_t>(numel) >> bucketShift) > n)
    ++bucketShift;
  size_t buckets = ((static_cast<uint64_t>(numel) - 1) >> bucketShift) + 1;
  bucketFirst.resize(buckets);
  size_t i = 0;
  for (size_t b = 0; b < buckets; ++b) {
    int64_t first = static_cast<int64_t>(b << bucketShift);
    while (i + 1 < n && intervals[i + 1].begin <= first)
      ++i;
    bucketFirst[b] = static_cast<uint32_t>(i);
  }
  this->bucketFirst.sync();
}

std::string TensorLayout::elementString(int64_t flat) const {
  std::vector<int64_t> idx(shape.size());
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    if (shape[d] > 0) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
  }
  std::string s = "[";
  for (size_t d = 0; d < idx.size(); ++d)
    s += (d ? ", " : "") + std::to_string(idx[d]);
  return s + "]";
}

TileMemory::TileMemory(const std::vector<uint64_t> &extents)
    : bases_(extents.size(), nullptr) {
  // Tiles start on 64-byte boundaries so that no two tiles share a cache
  // line: compute phases write different tiles from different threads. In a
  // mapped arena they start on pages, so that the plan file's pages of the
  // tile image can be mapped into them (uploadTileImage).
  auto layOut = [&](uint64_t align) {
    std::vector<uint64_t> offsets(extents.size());
    arenaBytes_ = 0;
    for (size_t t = 0; t < extents.size(); ++t) {
      offsets[t] = arenaBytes_;
      arenaBytes_ += (extents[t] + align - 1) / align * align;
    }
    return offsets;
  };
  constexpr uint64_t kAlign = 64;
  std::vector<uint64_t> offsets = layOut(kAlign);
  if (!arenaBytes_)
    return;
  if (arenaBytes_ >= kHugeArenaBytes)
    offsets = layOut(kPageBytes);
  if (arenaBytes_ > kMaxArenaBytes)
    throw std::bad_alloc();
  uint8_t *aligned = nullptr;
  if (arenaBytes_ >= kHugeArenaBytes) {
    // A large arena is mapped directly, zeroed by the kernel, and asks for
    // transparent huge pages: a matmul plan touches ~150 MB of tile memory,
    // and faulting that in 4 KiB pages costs more system time than the
    // simulation. Without huge pages it still works, in small pages.
    void *p = mmap(nullptr, arenaBytes_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      throw std::bad_alloc();
    madvise(p, arenaBytes_, MADV_HUGEPAGE);
    mapped_ = true;
    arena_ = aligned = static_cast<uint8_t *>(p);
  } else {
    // Zeroed, as the tile memory of a freshly loaded device reads.
    arena_ = static_cast<uint8_t *>(std::calloc(arenaBytes_ + kAlign, 1));
    if (!arena_)
      throw std::bad_alloc();
    aligned = arena_ +
              (kAlign - reinterpret_cast<uintptr_t>(arena_) % kAlign) % kAlign;
  }
  begin_ = aligned;
  for (size_t t = 0; t < extents.size(); ++t)
    if (extents[t])
      bases_[t] = aligned + offsets[t];
}

TileMemory::~TileMemory() {
  if (mapped_)
    munmap(arena_, arenaBytes_);
  else
    std::free(arena_);
}

} // namespace ipuc::sim

//===- TileMemory.h - Tile memories and tensor layouts ----------*- C++ -*-===//
//
// Each tile's memory is a real byte array. The device's SRAM size is the
// capacity every mapping is checked against, but only the bytes up to the
// tile's highest mapped address are allocated: all tiles share one zeroed
// arena, so a plan using 1024 tiles of 1 KiB costs 1 MiB of host memory and
// one allocation, not 1024 x 624 KiB. A tensor's layout says which
// element intervals live where; boxes are resolved once, when the device is
// created, into segments (tile, address, bytes) so that running a step is
// just memcpys and kernel calls.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_TILEMEMORY_H
#define IPUC_SIM_TILEMEMORY_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ipuc::sim {

/// Elements [begin, end) of a tensor at byte `address` of `tile`. Its
/// fields lie exactly as those of the plan's TileInterval struct (tile, four
/// bytes of padding, begin, end, address; little-endian, as FlatBuffers
/// stores them and as x86 and Arm read them), so that a layout can read a
/// mapping's intervals where the plan has them (IntervalList::view) instead
/// of copying millions of them into fresh memory. may_alias: those bytes
/// are a TileInterval object, only ever read.
struct __attribute__((may_alias)) Interval {
  Interval() = default;
  Interval(int64_t begin, int64_t end, uint32_t tile, uint64_t address)
      : tile(tile), begin(begin), end(end), address(address) {}

  uint32_t tile = 0;
  uint32_t padding = 0;
  int64_t begin = 0, end = 0;
  uint64_t address = 0;
};
static_assert(sizeof(Interval) == 32 && alignof(Interval) == 8,
              "Interval must lie like plan::TileInterval");

/// A layout's intervals: either its own array, or a read-only view of
/// intervals that live elsewhere (the plan's, which outlive the device).
/// Reading is the same either way; changing the list makes it its own
/// array first.
class IntervalList {
public:
  IntervalList() = default;
  IntervalList(const IntervalList &other) { *this = other; }
  IntervalList(IntervalList &&other) noexcept { *this = std::move(other); }
  IntervalList &operator=(const IntervalList &other) {
    if (this == &other)
      return *this;
    owned_ = other.owned_;
    data_ = other.isView() ? other.data_ : owned_.data();
    size_ = other.size_;
    return *this;
  }
  IntervalList &operator=(IntervalList &&other) noexcept {
    bool otherView = other.isView();
    owned_ = std::move(other.owned_);
    data_ = otherView ? other.data_ : owned_.data();
    size_ = other.size_;
    other.owned_.clear();
    other.sync();
    return *this;
  }

  /// Its own array, `intervals`.
  IntervalList &operator=(std::vector<Interval> intervals) {
    owned_ = std::move(intervals);
    sync();
    return *this;
  }

  /// Views the `n` intervals at `data`, which must outlive the list.
  void view(const Interval *data, size_t n) {
    owned_.clear();
    owned_.shrink_to_fit();
    data_ = data;
    size_ = n;
  }
  bool isView() const { return size_ && data_ != owned_.data(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Interval *data() const { return data_; }
  const Interval *begin() const { return data_; }
  const Interval *end() const { return data_ + size_; }
  const Interval &operator[](size_t i) const { return data_[i]; }
  const Interval &back() const { return data_[size_ - 1]; }

  /// Changing access, only by name (a non-const begin() would copy a view
  /// behind a loop's back): the list's own array, copied from a view first
  /// (the list then reads it). Call sync() after resizing it.
  std::vector<Interval> &own() {
    if (isView()) {
      owned_.assign(data_, data_ + size_);
      sync();
    }
    return owned_;
  }
  void push_back(const Interval &iv) {
    own().push_back(iv);
    sync();
  }
  void erase(const Interval *at) {
    std::vector<Interval> &v = own();
    v.erase(v.begin() + (at - data_));
    sync();
  }

  void sync() {
    data_ = owned_.data();
    size_ = owned_.size();
  }

private:
  std::vector<Interval> owned_;
  const Interval *data_ = nullptr;
  size_t size_ = 0;
};

/// A contiguous run of a box: `bytes` bytes at `address` on `tile`, which
/// are bytes [bufOffset, bufOffset + bytes) of the box's row-major packing
/// and start at flat element `element` of the tensor.
struct Segment {
  uint32_t tile = 0;
  uint64_t address = 0;
  uint64_t bufOffset = 0;
  uint64_t bytes = 0;
  int64_t element = 0;
};

/// Consecutive intervals of a tensor that tile a regular 2-D pattern on one
/// tile: `rows` intervals of `rowLen` elements, interval r starting at flat
/// element begin + r * flatStride and at address address + r * addrStride.
/// A tensor split over tiles in blocks of rows and columns is one such block
/// per tile, where it would be one interval per row; a box inside a block is
/// then a strided region of one tile's memory (StridedCopy.h).
struct Block {
  int64_t begin = 0, rowLen = 0, flatStride = 0, rows = 0;
  uint32_t tile = 0;
  uint64_t address = 0, addrStride = 0;
};

/// A read-only array that copies share until one is changed through own():
/// tensors of one mapping have equal layouts (buildLayouts), and copying
/// their blocks and index for each was 90 MB of fresh pages on a 12-layer
/// encoder. Reading is straight through the data pointer.
template <typename T> class SharedArray {
public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T &operator[](size_t i) const { return data_[i]; }
  const T *begin() const { return data_; }
  const T *end() const { return data_ + size_; }
  /// The array to change, copied first if another shares it. Call sync()
  /// after changing its size.
  std::vector<T> &own() {
    if (!vec_)
      vec_ = std::make_shared<std::vector<T>>();
    else if (vec_.use_count() > 1)
      vec_ = std::make_shared<std::vector<T>>(*vec_);
    sync();
    return *vec_;
  }
  void sync() {
    data_ = vec_ ? vec_->data() : nullptr;
    size_ = vec_ ? vec_->size() : 0;
  }

private:
  std::shared_ptr<std::vector<T>> vec_;
  const T *data_ = nullptr;
  size_t size_ = 0;
};

struct TensorLayout {
  bool mapped = false;
  /// An earlier tensor with an equal layout (buildLayouts), or -1: a walk
  /// over the memory of every tensor may skip this one.
  int64_t equalTo = -1;
  size_t elemSize = 1;
  std::vector<int64_t> shape;
  IntervalList intervals; // non-empty, sorted by begin
  /// The intervals grouped into blocks, in order; blockOf[i] is the block
  /// interval i belongs to.
  SharedArray<Block> blocks;
  SharedArray<uint32_t> blockOf;
  /// An index into the intervals, for a tensor with many: elements are cut
  /// into buckets of 2^bucketShift, and bucketFirst[b] is the last interval
  /// that starts at or before element b << bucketShift (or 0). The interval
  /// of an element is then among the few between its bucket's entry and the
  /// next one's, where a guess from interval lengths missed on irregular
  /// mappings and galloped through a cache line per probe. Empty: no index.
  SharedArray<uint32_t> bucketFirst;
  uint32_t bucketShift = 0;

  /// Fills `blocks` and `blockOf` from the sorted intervals. `openBlock`
  /// is scratch with one -1 per tile, left as it was found.
  void buildBlocks(std::vector<int32_t> &openBlock);
  /// Fills `bucketFirst` from the sorted intervals (if there are enough of
  /// them to need it), with about one bucket per interval.
  void buildIndex();
  /// Through the index: true with `index` set to the last interval starting
  /// at or before `e` (or 0), as detail::findInterval defines it; false if
  /// there is no index or `e` is outside it.
  bool lookUp(int64_t e, uint32_t &index) const {
    if (bucketFirst.empty() || e < 0)
      return false;
    uint64_t b = static_cast<uint64_t>(e) >> bucketShift;
    if (b >= bucketFirst.size())
      return false;
    // The answer is monotonic in e: between this bucket's and the next's.
    uint32_t lo = bucketFirst[b];
    uint32_t hi = b + 1 < bucketFirst.size()
                      ? bucketFirst[b + 1] + 1
                      : static_cast<uint32_t>(intervals.size());
    while (lo + 1 < hi && intervals[lo + 1].begin <= e) {
      // Usually one or two steps; a bucket holding many starts is halved.
      uint32_t mid = lo + (hi - lo) / 2;
      if (intervals[mid].begin <= e)
        lo = mid;
      else
        hi = mid;
    }
    index = lo;
    return true;
  }

  /// Calls f(tile, begin, end) for address ranges whose union is that of
  /// the intervals: one per block whose rows lie end to end in memory (what
  /// the memory planner gives a tensor on a tile), one per interval
  /// otherwise. A 12-layer encoder's 4.4 M intervals are far fewer blocks,
  /// and the ranges are sorted per tile.
  template <typename F> void forEachAddressRange(F f) const {
    if (blocks.empty() || blockOf.size() != intervals.size()) {
      for (const Interval &iv : intervals)
        f(iv.tile, iv.address,
          iv.address + static_cast<uint64_t>(iv.end - iv.begin) * elemSize);
      return;
    }
    for (const Block &b : blocks) {
      uint64_t row = static_cast<uint64_t>(b.rowLen) * elemSize;
      if (b.rows == 1 || b.addrStride == row) {
        f(b.tile, b.address, b.address + static_cast<uint64_t>(b.rows) * row);
        continue;
      }
      for (int64_t r = 0; r < b.rows; ++r) {
        uint64_t at = b.address + static_cast<uint64_t>(r) * b.addrStride;
        f(b.tile, at, at + row);
      }
    }
  }

  /// Appends the segments of the box (offsets/sizes of the tensor's rank).
  /// Returns false with `unmappedElement` set if an element has no interval.
  bool boxSegments(const int64_t *offsets, const int64_t *sizes,
                   std::vector<Segment> &out, int64_t &unmappedElement) const;
  /// "[i, j, k]" for a flat element index.
  std::string elementString(int64_t flat) const;
};

class TileMemory {
public:
  /// `extents[t]` is the number of bytes of tile t that mappings use (its
  /// highest mapped address + 1); the caller has checked each against the
  /// device's SRAM size. Throws std::bad_alloc if the arena cannot be had
  /// (or is above kMaxArenaBytes).
  explicit TileMemory(const std::vector<uint64_t> &extents);
  ~TileMemory();
  TileMemory(const TileMemory &) = delete;
  TileMemory &operator=(const TileMemory &) = delete;

  /// Null for a tile no mapping uses.
  uint8_t *tile(uint32_t t) { return bases_[t]; }
  const uint8_t *tile(uint32_t t) const { return bases_[t]; }
  uint32_t numTiles() const { return static_cast<uint32_t>(bases_.size()); }
  uint64_t allocatedBytes() const { return arenaBytes_; }
  /// Where tile 0's memory starts; every tile's lies in
  /// [arenaBegin(), arenaBegin() + allocatedBytes()).
  const uint8_t *arenaBegin() const { return begin_; }
  uint8_t *arenaBegin() { return begin_; }
  /// The most tile memory the simulator addresses (OperandRuns keeps 40
  /// bits of offset); a larger arena is refused like one the host cannot
  /// allocate.
  static constexpr uint64_t kMaxArenaBytes = uint64_t(1) << 40;

  /// Copies the segments between tile memory and a packed buffer.
  void gather(const std::vector<Segment> &segs, uint8_t *buf) const {
    for (const Segment &s : segs)
      std::memcpy(buf + s.bufOffset, bases_[s.tile] + s.address, s.bytes);
  }
  void scatter(const std::vector<Segment> &segs, const uint8_t *buf) {
    for (const Segment &s : segs)
      std::memcpy(bases_[s.tile] + s.address, buf + s.bufOffset, s.bytes);
  }

private:
  uint8_t *arena_ = nullptr;
  uint8_t *begin_ = nullptr; // arena_, aligned
  bool mapped_ = false; // arena_ is an mmap, not a calloc
  uint64_t arenaBytes_ = 0;
  std::vector<uint8_t *> bases_;
};

} // namespace ipuc::sim

#endif // IPUC_SIM_TILEMEMORY_H

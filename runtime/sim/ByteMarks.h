//===- ByteMarks.h - One bit per byte of tile memory ------------*- C++ -*-===//
//
// Whether an exchange may copy straight from sources to destinations comes
// down to overlap tests between the byte ranges it reads and writes
// (Decode.cpp, chooseDirect). An exchange of a big plan has millions of
// them, in no particular address order: sorting them was most of the time
// spent deciding. Marking the destination bytes in a bitmap of the tile
// memory arena instead answers both questions (does a destination overlap
// another; does a source overlap a destination) in one pass over the
// ranges, a few word operations each. Afterwards only the stretches of the
// bitmap that were marked are zeroed (a second, coarse bitmap says which),
// so one per decoding thread serves every exchange without a pass over
// its ranges to unmark them.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_BYTEMARKS_H
#define IPUC_SIM_BYTEMARKS_H

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace ipuc::sim {

class ByteMarks {
public:
  /// Covers the `size` bytes from `base`, none marked. Only pages that are
  /// marked are ever touched (calloc of a large block maps zero pages).
  void reset(const uint8_t *base, uint64_t size) {
    base_ = reinterpret_cast<uintptr_t>(base);
    size_t words = static_cast<size_t>((size + 63) / 64);
    bits_.reset(words ? static_cast<uint64_t *>(std::calloc(words, 8))
                      : nullptr);
    size_t stretches = (words + kStretchWords - 1) / kStretchWords;
    dirty_.reset(stretches ? static_cast<uint64_t *>(
                                 std::calloc((stretches + 63) / 64, 8))
                           : nullptr);
    if (words && (!bits_ || !dirty_))
      throw std::bad_alloc();
    words_ = words;
  }
  bool covers(const uint8_t *base) const {
    return reinterpret_cast<uintptr_t>(base) == base_ && bits_;
  }
  /// From now on one bit stands for 2^shift bytes: exact for ranges whose
  /// offsets from the base and lengths are all multiples of that, and four
  /// times fewer cache lines to touch for 4-byte elements. Only while no
  /// byte is marked.
  void setGranule(unsigned shift) { shift_ = shift; }
  /// The largest granule (at most 64 bytes) that is exact for a range at `p`
  /// of `n` bytes and for everything `alignment` was exact for: start with
  /// alignment = 0 and fold in every range.
  uint64_t foldAlignment(uint64_t alignment, const void *p, uint64_t n) const {
    return alignment | (reinterpret_cast<uintptr_t>(p) - base_) | n;
  }
  static unsigned granuleShift(uint64_t alignment) {
    unsigned shift = 0;
    while (shift < 6 && !(alignment & (uint64_t(1) << shift)))
      ++shift;
    return shift;
  }

  /// Marks bytes [p, p + n), all inside the covered region; false if any of
  /// them was marked already.
  bool mark(const void *p, uint64_t n) {
    bool fresh = true;
    forWords(p, n, [&](uint64_t &w, uint64_t m) {
      size_t stretch = static_cast<size_t>(&w - bits_.get()) / kStretchWords;
      uint64_t &dirty = dirty_[stretch / 64], bit = uint64_t(1)
                                                    << (stretch % 64);
      // A clean stretch is all zero: its word is written without being
      // read (anyMarked says why a read first would cost).
      if (!(dirty & bit)) {
        w = m;
        dirty |= bit;
        return;
      }
      fresh &= (w & m) == 0;
      w |= m;
    });
    return fresh;
  }
  /// True if any byte of [p, p + n) is marked. A word of a stretch never
  /// marked is known to be zero and is not read: reading a page of the
  /// calloc'd bitmap that no mark has touched maps the shared zero page,
  /// and the first mark on it must then replace that mapping, which flushes
  /// the TLB of every core running the process (an inter-processor
  /// interrupt per page: ~9 % of the 12-layer encoder's set-up).
  bool anyMarked(const void *p, uint64_t n) {
    bool any = false;
    forWords(p, n, [&](uint64_t &w, uint64_t m) {
      size_t stretch = static_cast<size_t>(&w - bits_.get()) / kStretchWords;
      any |= (dirty_[stretch / 64] >> (stretch % 64) & 1) && (w & m) != 0;
    });
    return any;
  }
  /// Asks for the word holding p's bit to be brought into cache: a lookup
  /// soon after (anyMarked) then need not wait for it.
  void prefetch(const void *p) const {
    __builtin_prefetch(bits_.get() +
                       ((reinterpret_cast<uintptr_t>(p) - base_) >> shift_) /
                           64);
  }
  /// Unmarks bytes [p, p + n).
  void clear(const void *p, uint64_t n) {
    forWords(p, n, [](uint64_t &w, uint64_t m) { w &= ~m; });
  }
  /// Unmarks every byte, in time proportional to the stretches of the
  /// bitmap that were marked since the last clearAll (or reset).
  void clearAll() {
    size_t stretches = (words_ + kStretchWords - 1) / kStretchWords;
    for (size_t d = 0; d < (stretches + 63) / 64; ++d)
      for (uint64_t bits = dirty_[d]; bits; bits &= bits - 1) {
        size_t first = (d * 64 + __builtin_ctzll(bits)) * kStretchWords;
        size_t n = std::min<size_t>(kStretchWords, words_ - first);
        std::memset(bits_.get() + first, 0, n * 8);
      }
    if (stretches)
      std::memset(dirty_.get(), 0, (stretches + 63) / 64 * 8);
  }

private:
  /// Calls f(word, mask) for each word holding bits of [p, p + n).
  template <typename F> void forWords(const void *p, uint64_t n, F &&f) {
    if (!n)
      return;
    uint64_t b = (reinterpret_cast<uintptr_t>(p) - base_) >> shift_,
             e = b + (n >> shift_);
    uint64_t wb = b / 64, we = (e - 1) / 64;
    uint64_t first = ~0ull << (b % 64);
    uint64_t last = ~0ull >> (63 - (e - 1) % 64);
    if (wb == we)
      return f(bits_[wb], first & last);
    f(bits_[wb], first);
    for (uint64_t w = wb + 1; w < we; ++w)
      f(bits_[w], ~0ull);
    f(bits_[we], last);
  }

  struct Free {
    void operator()(uint64_t *p) const { std::free(p); }
  };
  /// Words of the bitmap per bit of `dirty_` (a cache line is 8).
  static constexpr size_t kStretchWords = 64;
  uintptr_t base_ = 0;
  unsigned shift_ = 0;
  size_t words_ = 0;
  std::unique_ptr<uint64_t[], Free> bits_;
  /// One bit per kStretchWords words of `bits_`: set if any was marked.
  std::unique_ptr<uint64_t[], Free> dirty_;
};

} // namespace ipuc::sim

#endif // IPUC_SIM_BYTEMARKS_H

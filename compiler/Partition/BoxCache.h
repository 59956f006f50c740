//===- BoxCache.h - Memoized #bsp.box attributes ----------------*- C++ -*-===//
//
// A big program builds millions of #bsp.box attributes, most of them many
// times over within one op (a matmul's A chunk for every n block, B rows for
// every m block, a staged box for its copy and again for the vertex reading
// it). Uniquing one in the context is costly: the uniquer's probes compare
// every candidate through its storage and out-of-line arrays (cache misses
// in tables of millions), and a threaded context inserts it into a
// thread-local table too. This cache answers a box asked for before with one
// lookup of its 64-bit hash and one check of the found attribute's values,
// and falls back to the context otherwise. It lives for a whole pass: the
// layers of a transformer read the same boxes again, so it stays as small as
// one layer's distinct boxes (16 bytes each) while later layers hit it.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PARTITION_BOXCACHE_H
#define IPUC_COMPILER_PARTITION_BOXCACHE_H

#include "dialects/Bsp/IR/BspAttrs.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"

namespace ipuc::partition {

class BoxCache {
public:
  explicit BoxCache(mlir::MLIRContext *ctx) : ctx(ctx) {}

  /// `#bsp.box<offsets, sizes>`, the same attribute BoxAttr::get returns.
  bsp::BoxAttr get(llvm::ArrayRef<int64_t> offsets,
                   llvm::ArrayRef<int64_t> sizes) {
    uint64_t key = llvm::hash_combine(
        offsets.size(),
        llvm::hash_combine_range(offsets.begin(), offsets.end()),
        llvm::hash_combine_range(sizes.begin(), sizes.end()));
    // The map's empty and tombstone keys.
    if (key >= ~uint64_t(0) - 1)
      key -= 2;
    auto [it, isNew] = boxes.try_emplace(key);
    if (!isNew && it->second.getOffsets() == offsets &&
        it->second.getSizes() == sizes)
      return it->second;
    bsp::BoxAttr box = bsp::BoxAttr::get(ctx, offsets, sizes);
    // A 64-bit hash collision keeps the first box cached: still correct.
    if (isNew)
      it->second = box;
    return box;
  }
  void clear() { boxes.clear(); }

private:
  mlir::MLIRContext *ctx;
  /// By the hash of rank, offsets and sizes.
  llvm::DenseMap<uint64_t, bsp::BoxAttr> boxes;
};

} // namespace ipuc::partition

#endif // IPUC_COMPILER_PARTITION_BOXCACHE_H

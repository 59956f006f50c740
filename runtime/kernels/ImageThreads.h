//===- ImageThreads.h - Threads for kernels that split images -*- C++ -*-===//
//
// The convolution kernels split their batch of images over threads; both
// choose the count the same way.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_IMAGETHREADS_H
#define IPUC_KERNELS_IMAGETHREADS_H

#include <algorithm>
#include <cstdint>
#include <thread>

namespace ipuc::kernels {

/// Threads for `images` independent images of `work` multiply-adds in all:
/// `requested` (0 = one per core), at most one per image, and fewer when a
/// thread would get less than about a million multiply-adds, below which
/// starting it costs more than it saves.
inline int imageThreads(int requested, int64_t images, int64_t work) {
  int threads =
      requested > 0
          ? requested
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return static_cast<int>(
      std::max<int64_t>(1, std::min<int64_t>({threads, images, work >> 20})));
}

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_IMAGETHREADS_H

// The simulator's exchange copy loop (runtime/sim/MoveList.h copyRuns, which
// prefetches the source of the move 8 on) against the same moves copied by a
// plain memcpy per move, on moves shaped like the 12-layer encoder's staging
// gathers (docs/benchmarks.md, branch simdecode): 2.6 GB per pass inside a
// 900 MB arena of 1472 "tiles", runs of ~25 moves of 4-300 bytes (mean
// ~150) each from a random tile, written one after another. The two loops
// alternate pass by pass, so that the machine's drift hits both. Not part of
// the build:
//   g++ -O2 -march=native -I runtime/sim -o /tmp/move_list_copy \
//       bench/move_list_copy.cpp
#include "MoveList.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <sys/mman.h>

int main() {
  const size_t tiles = 1472, tileBytes = 600 << 10;
  const size_t arena = tiles * tileBytes, total = 2584ull << 20;
  uint8_t *a =
      static_cast<uint8_t *>(mmap(nullptr, arena, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  madvise(a, arena, MADV_HUGEPAGE);
  std::memset(a, 1, arena);
  ipuc::sim::MoveList list;
  list.reset(a);
  std::mt19937 rng(1);
  // Sources in the first half of each tile, destinations in the second.
  size_t bytes = 0, moves = 0;
  while (bytes < total) {
    size_t dt = rng() % tiles,
           d = dt * tileBytes + tileBytes / 2 + rng() % (tileBytes / 2 - 8192);
    for (int k = 0, n = 5 + rng() % 40; k < n; ++k) {
      size_t len = 4 * (1 + rng() % 75);
      size_t s = rng() % tiles * tileBytes + rng() % (tileBytes / 2 - 400);
      list.append(a + s, a + d, len, false);
      d += len;
      bytes += len;
      ++moves;
    }
  }
  std::printf("%zu moves, %zu runs, %.2f GB per pass\n", moves, list.numRuns(),
              bytes / 1e9);
  auto now = [] { return std::chrono::steady_clock::now(); };
  double best[2] = {1e9, 1e9};
  for (int pass = 0; pass < 10; ++pass) {
    int which = pass % 2;
    auto t0 = now();
    if (which == 0)
      list.copyRuns(0, list.numRuns());
    else
      list.forEachPiece([](const uint8_t *s, uint8_t *d, uint64_t n) {
        std::memcpy(d, s, n);
      });
    double t = std::chrono::duration<double>(now() - t0).count();
    best[which] = std::min(best[which], t);
    std::printf("%s %.3f s\n", which ? "plain   " : "copyRuns", t);
  }
  std::printf("best: copyRuns %.3f s, plain %.3f s\n", best[0], best[1]);
}

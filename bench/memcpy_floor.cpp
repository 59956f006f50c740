// The memcpy floor the simulator's exchanges are measured against
// (docs/benchmarks.md, branch simxchg): 2.6 GB per pass, the 12-layer
// encoder's exchange bytes per run, copied inside a 900 MB arena like the
// tile memories, in big pieces and in small scattered ones, on 1 and 2
// threads. Not part of the build:
//   g++ -O2 -march=native -o /tmp/memcpy_floor bench/memcpy_floor.cpp -lpthread
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <thread>
#include <vector>
int main(int argc, char **argv) {
  size_t arena = 900ull << 20, total = 2584ull << 20;
  uint8_t *a = (uint8_t *)mmap(nullptr, arena, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  madvise(a, arena, MADV_HUGEPAGE);
  memset(a, 1, arena);
  auto now = [] { return std::chrono::steady_clock::now(); };
  for (int threads : {1, 2}) {
    for (size_t piece :
         {size_t(1) << 20, size_t(4096), size_t(165), size_t(64)}) {
      auto t0 = now();
      std::vector<std::thread> ts;
      for (int t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
          size_t half = arena / 2, per = total / threads;
          // src from the first half, dst into the second, strided so pieces are
          // scattered.
          size_t s = (t * 7919 * 4096) % half, d = (t * 104729 * 4096) % half;
          size_t stride = piece < 4096 ? 4096 + 64 : piece;
          for (size_t done = 0; done < per; done += piece) {
            memcpy(a + half + d, a + s, piece);
            s += stride;
            if (s + piece > half)
              s = (s + 64) % 4096;
            d += piece;
            if (d + piece > half)
              d = 0;
          }
        });
      for (auto &t : ts)
        t.join();
      double sec = std::chrono::duration<double>(now() - t0).count();
      printf("threads %d piece %7zu: %.3f s  %.2f GB/s\n", threads, piece, sec,
             total / sec / 1e9);
    }
  }
}

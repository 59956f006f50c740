//===- SimThreadPoolTest.cpp - The simulator's fork-join pool -------------===//

#include "ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace {

// Many short jobs back to back, as a plan's compute sets are: every index
// runs exactly once per job even when workers wake late, and everything a
// job wrote is visible when parallelFor returns.
TEST(SimThreadPool, EveryIndexOnceAndVisibleOnReturn) {
  for (unsigned threads : {0u, 1u, 2u, 4u}) {
    ipuc::sim::ThreadPool pool(threads);
    std::vector<int> hits(64);
    for (int job = 0; job < 3000; ++job) {
      size_t n = job % 64;
      std::fill(hits.begin(), hits.end(), 0);
      pool.parallelFor(n, [&](size_t i) { ++hits[i]; });
      for (size_t i = 0; i < hits.size(); ++i)
        ASSERT_EQ(hits[i], i < n ? 1 : 0)
            << "threads " << threads << " job " << job << " index " << i;
    }
  }
}

TEST(SimThreadPool, UsesItsWorkers) {
  ipuc::sim::ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  std::atomic<int> sum{0};
  pool.parallelFor(1000, [&](size_t i) { sum += static_cast<int>(i); });
  EXPECT_EQ(sum.load(), 999 * 1000 / 2);
}

} // namespace

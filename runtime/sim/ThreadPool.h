//===- ThreadPool.h - A small fork-join pool for compute phases -*- C++ -*-===//
//
// Compute sets run thousands of times inside Repeat loops, so threads are
// started once per device rather than once per compute set.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_THREADPOOL_H
#define IPUC_SIM_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ipuc::sim {

class ThreadPool {
public:
  /// `threads` includes the calling thread; 0 or 1 runs everything inline.
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned size() const { return static_cast<unsigned>(workers_.size()) + 1; }

  /// Calls fn(i) for every i in [0, n), in any order and on any thread, and
  /// returns when all calls have returned. Not reentrant.
  void parallelFor(size_t n, const std::function<void(size_t)> &fn);

private:
  void workerLoop();
  void drain();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(size_t)> *fn_ = nullptr;
  size_t n_ = 0;
  std::atomic<size_t> next_{0};
  size_t active_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

} // namespace ipuc::sim

#endif // IPUC_SIM_THREADPOOL_H

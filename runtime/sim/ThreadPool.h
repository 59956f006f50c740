//===- ThreadPool.h - A small fork-join pool for compute phases -*- C++ -*-===//
//
// Compute sets run thousands of times inside Repeat loops, so threads are
// started once per device rather than once per compute set.
//
// A parallelFor returns as soon as every index has run, without waiting for
// workers that never got to it: on a loaded host a woken worker may not be
// scheduled for milliseconds, and a plan runs hundreds of small compute sets.
// Each call therefore gets its own job object; a late worker finds that job
// exhausted and cannot claim indices of a later one.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_THREADPOOL_H
#define IPUC_SIM_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
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
  struct Job {
    const std::function<void(size_t)> *fn = nullptr;
    size_t n = 0;
    std::atomic<size_t> next{0}, done{0};
  };

  void workerLoop();
  /// Runs indices of `job` until none is left; true if this call finished
  /// the job's last index.
  static bool drain(Job &job);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::shared_ptr<Job> job_;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

} // namespace ipuc::sim

#endif // IPUC_SIM_THREADPOOL_H

//===- OrderedJobs.h - Parallel jobs that fail as a sequential run --------===//
//
// The plan verifier and the simulator's decoder both check or decode
// millions of independent records on threads, yet must report the error a
// sequential run would: the first failing job in order. Jobs are claimed in
// order and a thread stops only after one of its own fails, so every job
// before the first failure has run to completion; a job's exception is
// rethrown as the sequential run would have thrown it.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SUPPORT_ORDEREDJOBS_H
#define IPUC_SUPPORT_ORDEREDJOBS_H

#include <atomic>
#include <cstddef>
#include <exception>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace ipuc::support {

class OrderedJobs {
public:
  explicit OrderedJobs(size_t n) : n_(n), errors_(n), thrown_(n), failed_(n) {}

  /// Runs `check(j, error)` for jobs claimed in order, on any number of
  /// threads at once, until none are left or one of this caller's fails.
  template <typename Check> void drain(Check check) {
    while (!stop_.load(std::memory_order_relaxed)) {
      size_t j = next_.fetch_add(1);
      if (j >= n_)
        return;
      bool ok = false;
      try {
        ok = check(j, errors_[j]);
      } catch (...) {
        thrown_[j] = std::current_exception();
      }
      if (!ok) {
        failed_[j] = 1;
        stop_ = true;
        return;
      }
    }
  }

  /// Once every drain has returned: the first failed job with its error, or
  /// n if none failed; rethrows that job's exception if it threw.
  size_t firstFailure(std::string &error) {
    for (size_t j = 0; j < n_; ++j) {
      if (!failed_[j])
        continue;
      if (thrown_[j])
        std::rethrow_exception(thrown_[j]);
      error = std::move(errors_[j]);
      return j;
    }
    return n_;
  }

private:
  size_t n_;
  std::vector<std::string> errors_;
  std::vector<std::exception_ptr> thrown_;
  std::vector<char> failed_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false};
};

/// Runs `drain()` on the calling thread and on `threads - 1` std::threads
/// started for it, and returns once every one has returned. If no more
/// threads can be started, those running (at least the caller) drain what
/// is left, so the work is done either way.
template <typename Drain> void runDrains(unsigned threads, Drain drain) {
  std::vector<std::thread> pool;
  try {
    for (unsigned t = 1; t < threads; ++t)
      pool.emplace_back(drain);
  } catch (const std::system_error &) {
  }
  drain();
  for (std::thread &t : pool)
    t.join();
}

} // namespace ipuc::support

#endif // IPUC_SUPPORT_ORDEREDJOBS_H

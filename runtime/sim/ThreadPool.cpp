//===- ThreadPool.cpp - A small fork-join pool for compute phases ---------===//

#include "ThreadPool.h"

namespace ipuc::sim {

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i)
    workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread &t : workers_)
    t.join();
}

bool ThreadPool::drain(Job &job) {
  bool last = false;
  for (size_t i = job.next.fetch_add(1); i < job.n; i = job.next.fetch_add(1)) {
    (*job.fn)(i);
    // acq_rel: the caller that sees done == n also sees every write fn made.
    last = job.done.fetch_add(1, std::memory_order_acq_rel) + 1 == job.n;
  }
  return last;
}

void ThreadPool::workerLoop() {
  uint64_t seen = 0;
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_)
        return;
      seen = generation_;
      job = job_;
    }
    if (drain(*job)) {
      // Under the mutex, so the notification cannot fall between the
      // caller's check of `done` and its wait.
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
  }
}

void ThreadPool::parallelFor(size_t n, const std::function<void(size_t)> &fn) {
  if (n == 0)
    return;
  if (workers_.empty() || n == 1) {
    for (size_t i = 0; i < n; ++i)
      fn(i);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = job;
    ++generation_;
  }
  wake_.notify_all();
  drain(*job);
  if (job->done.load(std::memory_order_acquire) == n)
    return;
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock,
             [&] { return job->done.load(std::memory_order_acquire) == n; });
}

} // namespace ipuc::sim

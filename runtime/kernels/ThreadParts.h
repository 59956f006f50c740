//===- ThreadParts.h - Run a kernel's parts on threads ----------*- C++ -*-===//
//
// The Generic interpreter's box walk and its streaming path both split their
// iteration space into `threads` parts, run part 0 on the calling thread and
// the rest on threads of their own, and report the first failing part's
// error; one function does that for both.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_THREADPARTS_H
#define IPUC_KERNELS_THREADPARTS_H

#include <string>
#include <thread>
#include <vector>

namespace ipuc::kernels {

/// Runs `part(t, error)` for t in [0, threads) concurrently; false with the
/// lowest failing part's error if any part returns false.
template <typename Part>
bool runThreadParts(int threads, Part part, std::string &error) {
  std::vector<std::string> errors(threads);
  std::vector<char> ok(threads, 1);
  auto run = [&](int t) { ok[t] = part(t, errors[t]); };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t)
    pool.emplace_back(run, t);
  run(0);
  for (auto &th : pool)
    th.join();
  for (int t = 0; t < threads; ++t)
    if (!ok[t]) {
      error = errors[t];
      return false;
    }
  return true;
}

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_THREADPARTS_H

//===- PhaseTimes.h - Wall time of ipu-run's phases -------------*- C++ -*-===//
//
// --timing: where a run's wall time goes (plan load, device set-up, run,
// outputs), so the simulator's one-off decode can be told apart from the
// cost of executing the plan.
//
//===----------------------------------------------------------------------===//

#ifndef IPUC_IPURUN_PHASETIMES_H
#define IPUC_IPURUN_PHASETIMES_H

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace ipurun {

class PhaseTimes {
public:
  explicit PhaseTimes(bool enabled) : enabled_(enabled) {}
  ~PhaseTimes() { print(); }

  /// Ends the phase running since the previous mark (or construction).
  void mark(const char *phase) {
    auto now = Clock::now();
    phases_.emplace_back(phase,
                         std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

private:
  using Clock = std::chrono::steady_clock;

  void print() const {
    if (!enabled_ || phases_.empty())
      return;
    double total = 0;
    for (const auto &p : phases_)
      total += p.second;
    fmt::print(stderr, "ipu-run: timing (wall seconds)\n");
    for (const auto &[name, s] : phases_)
      fmt::print(stderr, "  {:<12} {:9.3f}  {:5.1f} %\n", name, s,
                 total > 0 ? 100 * s / total : 0.0);
    fmt::print(stderr, "  {:<12} {:9.3f}\n", "total", total);
  }

  bool enabled_;
  Clock::time_point last_ = Clock::now();
  std::vector<std::pair<const char *, double>> phases_;
};

} // namespace ipurun

#endif // IPUC_IPURUN_PHASETIMES_H

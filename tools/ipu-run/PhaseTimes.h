//===- PhaseTimes.h - Wall time of ipu-run's phases -------------*- C++ -*-===//
//
// --timing: where a run's wall time goes (plan load, device set-up, run,
// outputs), so the simulator's one-off decode can be told apart from the
// cost of executing the plan; and the process's CPU time in each phase,
// which over the wall time says how many cores the phase kept busy.
//
//===----------------------------------------------------------------------===//

#ifndef IPUC_IPURUN_PHASETIMES_H
#define IPUC_IPURUN_PHASETIMES_H

#include <fmt/format.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace ipurun {

class PhaseTimes {
public:
  explicit PhaseTimes(bool enabled)
      : enabled_(enabled), lastCpu_(cpuSeconds()) {}
  ~PhaseTimes() { print(); }

  /// Prints the report now (a process about to _Exit runs no destructor);
  /// nothing is printed again.
  void printNow() {
    print();
    phases_.clear();
  }

  /// Ends the phase running since the previous mark (or construction).
  void mark(const char *phase) {
    auto now = Clock::now();
    double cpu = cpuSeconds();
    Phase p{phase, std::chrono::duration<double>(now - last_).count(),
            cpu - lastCpu_, -1, -1};
    if (enabled_)
      readResident(p.anonMiB, p.fileMiB);
    phases_.push_back(p);
    last_ = now;
    lastCpu_ = cpu;
  }

private:
  using Clock = std::chrono::steady_clock;

  void print() const {
    if (!enabled_ || phases_.empty())
      return;
    double total = 0, totalCpu = 0;
    for (const Phase &p : phases_) {
      total += p.seconds;
      totalCpu += p.cpuSeconds;
    }
    fmt::print(stderr, "ipu-run: timing (wall seconds; CPU seconds, user + "
                       "system, of all threads; resident MiB at the phase's "
                       "end, anonymous + file-backed)\n");
    for (const Phase &p : phases_)
      fmt::print(stderr,
                 "  {:<12} {:9.3f}  {:5.1f} %  cpu {:7.3f}  {:>7} + {:>7} "
                 "MiB\n",
                 p.name, p.seconds, total > 0 ? 100 * p.seconds / total : 0.0,
                 p.cpuSeconds, p.anonMiB, p.fileMiB);
    fmt::print(stderr, "  {:<12} {:9.3f}           cpu {:7.3f}\n", "total",
               total, totalCpu);
  }

  struct Phase {
    const char *name;
    double seconds, cpuSeconds;
    long anonMiB, fileMiB;
  };

  /// The process's user + system time so far.
  static double cpuSeconds() {
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0)
      return 0;
    auto sec = [](const timeval &t) { return t.tv_sec + t.tv_usec * 1e-6; };
    return sec(u.ru_utime) + sec(u.ru_stime);
  }

  /// The RssAnon and RssFile lines of /proc/self/status, in MiB; left -1
  /// where there are none (not Linux). Fresh anonymous memory costs a page
  /// fault and zeroing per page, which is much of the simulator's set-up on
  /// a VM.
  static void readResident(long &anonMiB, long &fileMiB) {
    std::FILE *f = std::fopen("/proc/self/status", "r");
    if (!f)
      return;
    char line[256];
    auto field = [&](const char *key, long &mib) {
      size_t n = std::strlen(key);
      if (std::strncmp(line, key, n))
        return false;
      mib = std::strtol(line + n, nullptr, 10) / 1024;
      return true;
    };
    while (std::fgets(line, sizeof line, f))
      if (field("RssAnon:", anonMiB) || field("RssFile:", fileMiB))
        if (anonMiB >= 0 && fileMiB >= 0)
          break;
    std::fclose(f);
  }

  bool enabled_;
  Clock::time_point last_ = Clock::now();
  double lastCpu_ = 0;
  std::vector<Phase> phases_;
};

} // namespace ipurun

#endif // IPUC_IPURUN_PHASETIMES_H

//===- SimTestSupport.h - Loading and running plans in sim tests -*- C++ -*-===//
//
// The steps every simulator test repeats: load built plan bytes (a failure is
// a test failure with the loader's message), create the device on two threads
// (so compute phases really run in parallel), read a float output, and run a
// plan and read one output in one call.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_TEST_UNIT_SIMTESTSUPPORT_H
#define IPUC_TEST_UNIT_SIMTESTSUPPORT_H

#include "ipuc/plan/Plan.h"
#include "ipuc/sim/SimDevice.h"

#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

namespace ipuc::test {

inline plan::LoadedPlan load(std::vector<uint8_t> bytes) {
  plan::LoadedPlan p;
  std::string err;
  EXPECT_TRUE(plan::loadPlanBuffer(std::move(bytes), p, err)) << err;
  return p;
}

inline std::unique_ptr<sim::SimDevice> makeSim(const plan::LoadedPlan &p,
                                               bool checked = true) {
  sim::SimOptions o;
  o.checked = checked;
  o.threads = 2;
  std::string err;
  auto dev = sim::SimDevice::create(p, o, err);
  EXPECT_TRUE(dev) << err;
  return dev;
}

inline std::vector<float> output(const sim::SimDevice &dev,
                                 const std::string &name, size_t n) {
  const float *d = static_cast<const float *>(dev.outputData(name));
  return d ? std::vector<float>(d, d + n) : std::vector<float>();
}

/// n consecutive floats from `from` (test data whose every element differs).
inline std::vector<float> iota(size_t n, float from = 0) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), from);
  return v;
}

/// Every step of two runs has the same name, executions, cycles and bytes:
/// a simulator option that must not change the profile did not.
inline void expectSameProfiles(const std::vector<sim::StepProfile> &on,
                               const std::vector<sim::StepProfile> &off) {
  ASSERT_EQ(on.size(), off.size());
  for (size_t i = 0; i < on.size(); ++i) {
    const sim::StepProfile &a = on[i], &b = off[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.executions, b.executions) << a.name;
    EXPECT_EQ(a.computeCycles, b.computeCycles) << a.name;
    EXPECT_EQ(a.syncCycles, b.syncCycles) << a.name;
    EXPECT_EQ(a.exchangeCycles, b.exchangeCycles) << a.name;
    EXPECT_EQ(a.exchangeBytes, b.exchangeBytes) << a.name;
  }
}

/// Runs `lp` on a checked sim device with `threads` host threads and returns
/// the first n floats of output `name` (empty, with a test failure, if the
/// device could not be made or run).
inline std::vector<float> runAndRead(const plan::LoadedPlan &lp,
                                     const std::string &name, size_t n,
                                     unsigned threads = 2) {
  sim::SimOptions o;
  o.threads = threads;
  std::string err;
  auto dev = sim::SimDevice::create(lp, o, err);
  EXPECT_TRUE(dev) << err;
  if (!dev)
    return {};
  EXPECT_TRUE(dev->run(err)) << err;
  return output(*dev, name, n);
}

} // namespace ipuc::test

#endif // IPUC_TEST_UNIT_SIMTESTSUPPORT_H

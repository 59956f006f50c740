//===- TrainingLoopTest.cpp - ipu-run's training loop --------------------===//
//
// The loop over a fake device whose "step" is known: loss = the sum of the
// batch's x, and w.next = w + 1. So batching, wrapping, shuffling and the
// feedback of `.next` outputs are all visible in the losses and state.
//
//===----------------------------------------------------------------------===//

#include "ipuc/train/TrainingLoop.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

using namespace ipuc;
using namespace ipuc::train;

namespace {

host::BindingInfo binding(const std::string &name, std::vector<int64_t> shape,
                          plan::DType dtype = plan::DType::F32) {
  host::BindingInfo b;
  b.name = name;
  b.shape = std::move(shape);
  b.dtype = dtype;
  return b;
}

/// x: f32[2] batch, w: f32[1] carried; loss = sum(x) + w, w.next = w + 1.
class FakeDevice : public StepDevice {
public:
  FakeDevice() {
    ins = {binding("x", {2}), binding("w", {1})};
    outs = {binding("loss", {1}), binding("w.next", {1})};
  }
  const std::vector<host::BindingInfo> &inputs() const override { return ins; }
  const std::vector<host::BindingInfo> &outputs() const override {
    return outs;
  }
  bool setInput(const host::BindingInfo &in, const void *data,
                std::string &) override {
    std::memcpy(in.name == "x" ? x : &w, data, in.byteSize());
    return true;
  }
  bool run(std::string &) override {
    loss = x[0] + x[1] + w;
    wNext = w + 1;
    return true;
  }
  const void *outputData(const std::string &name) const override {
    return name == "loss" ? &loss : &wNext;
  }
  std::vector<host::BindingInfo> ins, outs;
  float x[2] = {0, 0}, w = 0, loss = 0, wNext = 0;
};

/// Samples 0..n-1 with x[i] = {i, 0}.
std::vector<std::pair<std::string, support::NpyArray>> samples(int n) {
  support::NpyArray x;
  x.descr = "<f4";
  x.shape = {n};
  for (int i = 0; i < n; ++i) {
    float v = float(i);
    const auto *b = reinterpret_cast<const uint8_t *>(&v);
    x.data.insert(x.data.end(), b, b + 4);
  }
  // The plan's x is f32[2]: batches of 2 samples of shape [].
  return {{"x", x}};
}

StepSignature signature(FakeDevice &dev) {
  StepSignature s;
  s.data = {binding("x", {2})};
  s.carried = {binding("w", {1})};
  s.lossOutput = "loss";
  s.batchSize = 2;
  s.lr = 0.5;
  (void)dev;
  return s;
}

TrainState startState(float w) {
  TrainState state;
  support::NpyArray arr;
  arr.descr = "<f4";
  arr.shape = {1};
  arr.data.resize(4);
  std::memcpy(arr.data.data(), &w, 4);
  state.tensors["w"] = arr;
  return state;
}

std::vector<double> train(int steps, bool shuffle, uint64_t seed,
                          TrainState &state, int numSamples = 6,
                          const std::string &ckpt = "") {
  FakeDevice dev;
  StepSignature sig = signature(dev);
  Dataset data;
  std::string error;
  EXPECT_TRUE(data.init(samples(numSamples), sig.data, 2, shuffle, seed, error))
      << error;
  LoopOptions options;
  options.steps = steps;
  options.progress = false;
  options.checkpointDir = ckpt;
  std::vector<double> losses;
  EXPECT_TRUE(runTrainingLoop(dev, sig, data, state, options, error,
                              [&](const StepRecord &r) {
                                losses.push_back(r.loss);
                                EXPECT_EQ(r.lr, 0.5);
                              }))
      << error;
  return losses;
}

std::string tempDir(const char *name) {
  auto dir =
      std::filesystem::temp_directory_path() /
      (std::string("ipuc-train-") + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(TrainingLoop, BatchesInOrderWrapAndFeedBackNext) {
  TrainState state = startState(10);
  // Batches {0,1}, {2,3}, {4,5}, then wrap; w grows by one per step.
  std::vector<double> losses = train(4, false, 0, state);
  EXPECT_EQ(losses, (std::vector<double>{1 + 10, 5 + 11, 9 + 12, 1 + 13}));
  EXPECT_EQ(state.step, 4);
  float w;
  std::memcpy(&w, state.tensors["w"].data.data(), 4);
  EXPECT_EQ(w, 14);
}

TEST(TrainingLoop, IncompleteLastBatchIsDropped) {
  // 7 samples, batches of 2: sample 6 is never used, as with drop_last.
  TrainState state = startState(0);
  std::vector<double> losses = train(4, false, 0, state, 7);
  EXPECT_EQ(losses[3], 1 + 3);
}

TEST(TrainingLoop, ShuffleIsSeededAndAPermutationPerEpoch) {
  FakeDevice dev;
  StepSignature sig = signature(dev);
  auto epochSamples = [&](uint64_t seed, int64_t epoch) {
    Dataset data;
    std::string error;
    EXPECT_TRUE(data.init(samples(6), sig.data, 2, true, seed, error));
    std::vector<int64_t> all;
    for (int64_t s = epoch * 3; s < epoch * 3 + 3; ++s)
      for (int64_t i : data.batchSamples(s))
        all.push_back(i);
    return all;
  };
  std::vector<int64_t> a = epochSamples(1, 0);
  EXPECT_EQ(a, epochSamples(1, 0));
  EXPECT_EQ(std::set<int64_t>(a.begin(), a.end()).size(), 6u);
  EXPECT_NE(a, epochSamples(2, 0));
  EXPECT_NE(a, epochSamples(1, 1));
  TrainState s1 = startState(0), s2 = startState(0);
  EXPECT_EQ(train(7, true, 3, s1), train(7, true, 3, s2));
}

TEST(TrainingLoop, CheckpointRoundTripResumesTheSameRun) {
  std::string dir = tempDir("roundtrip");
  TrainState straight = startState(0);
  std::vector<double> all = train(6, true, 5, straight);
  TrainState first = startState(0);
  train(3, true, 5, first, 6, dir);
  TrainState resumed;
  std::string error;
  ASSERT_TRUE(loadCheckpoint(dir, resumed, error)) << error;
  EXPECT_EQ(resumed.step, 3);
  std::vector<double> rest = train(3, true, 5, resumed);
  EXPECT_EQ(rest, std::vector<double>(all.begin() + 3, all.end()));
  EXPECT_EQ(resumed.tensors["w"].data, straight.tensors["w"].data);
  std::filesystem::remove_all(dir);
}

TEST(TrainingLoop, CorruptOrTruncatedCheckpointIsAnError) {
  std::string dir = tempDir("corrupt");
  TrainState state = startState(2);
  state.step = 9;
  std::string error;
  ASSERT_TRUE(saveCheckpoint(dir, state, error)) << error;
  std::string file = dir + "/checkpoint.ipuckpt";
  auto size = std::filesystem::file_size(file);
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(size / 2));
    f.put('\x7f');
  }
  TrainState loaded;
  EXPECT_FALSE(loadCheckpoint(dir, loaded, error));
  EXPECT_NE(error.find("not a valid ipuc checkpoint"), std::string::npos)
      << error;
  std::filesystem::resize_file(file, size - 5);
  EXPECT_FALSE(loadCheckpoint(dir, loaded, error));
  EXPECT_FALSE(loadCheckpoint(dir + "/missing", loaded, error));
  std::filesystem::remove_all(dir);
}

TEST(TrainingLoop, CheckpointMustMatchThePlan) {
  FakeDevice dev;
  StepSignature sig = signature(dev);
  TrainState state;
  std::string error;
  EXPECT_FALSE(checkStateMatches(state, sig, error));
  EXPECT_NE(error.find("no tensor 'w'"), std::string::npos) << error;
}

TEST(TrainingLoop, DatasetErrorsNameTheArray) {
  FakeDevice dev;
  StepSignature sig = signature(dev);
  Dataset data;
  std::string error;
  EXPECT_FALSE(data.init({}, sig.data, 2, false, 0, error));
  EXPECT_NE(error.find("no array 'x'"), std::string::npos) << error;
  EXPECT_FALSE(data.init(samples(1), sig.data, 2, false, 0, error));
  EXPECT_NE(error.find("fewer than one batch"), std::string::npos) << error;
}

/// The fake step on a device that keeps w itself: w becomes w.next at the
/// end of every run, and every host transfer is counted (4 bytes a float).
class ResidentFakeDevice : public FakeDevice {
public:
  bool supportsResident() const override { return true; }
  bool makeResident(const std::vector<host::BindingInfo> &carried,
                    std::string &) override {
    resident = carried.size() == 1 && carried[0].name == "w";
    return resident;
  }
  bool setInput(const host::BindingInfo &in, const void *data,
                std::string &error) override {
    toDevice += int64_t(in.byteSize());
    wUploads += in.name == "w";
    return FakeDevice::setInput(in, data, error);
  }
  bool run(std::string &error) override {
    bool ok = FakeDevice::run(error);
    fromDevice += 4; // the loss
    if (resident)
      w = wNext;
    else
      fromDevice += 4; // w.next, read by the loop
    return ok;
  }
  bool readResident(const host::BindingInfo &, void *out,
                    std::string &) override {
    fromDevice += 4;
    std::memcpy(out, &w, 4);
    return true;
  }
  int64_t bytesToDevice() const override { return toDevice; }
  int64_t bytesFromDevice() const override { return fromDevice; }
  bool resident = false;
  int wUploads = 0;
  int64_t toDevice = 0, fromDevice = 0;
};

TEST(TrainingLoop, ResidentStateIsUploadedOnceAndDownloadedWhenNeeded) {
  for (bool resident : {true, false}) {
    ResidentFakeDevice dev;
    StepSignature sig = signature(dev);
    Dataset data;
    std::string error;
    ASSERT_TRUE(data.init(samples(6), sig.data, 2, false, 0, error)) << error;
    TrainState state = startState(10);
    LoopOptions options;
    options.steps = 5;
    options.progress = false;
    options.resident = resident;
    options.checkpointDir = tempDir(resident ? "resident" : "stream");
    options.checkpointEvery = 2;
    StateTraffic traffic;
    options.traffic = &traffic;
    std::vector<StepRecord> records;
    ASSERT_TRUE(
        runTrainingLoop(dev, sig, data, state, options, error,
                        [&](const StepRecord &r) { records.push_back(r); }))
        << error;
    std::vector<double> losses;
    for (const StepRecord &r : records)
      losses.push_back(r.loss);
    // The same numbers either way.
    EXPECT_EQ(losses,
              (std::vector<double>{1 + 10, 5 + 11, 9 + 12, 1 + 13, 5 + 14}));
    float w;
    std::memcpy(&w, state.tensors["w"].data.data(), 4);
    EXPECT_EQ(w, 15);
    // The final checkpoint holds the downloaded w.
    TrainState saved;
    ASSERT_TRUE(loadCheckpoint(options.checkpointDir, saved, error)) << error;
    EXPECT_EQ(saved.step, 5);
    std::memcpy(&w, saved.tensors["w"].data.data(), 4);
    EXPECT_EQ(w, 15);
    EXPECT_EQ(dev.resident, resident);
    EXPECT_EQ(dev.wUploads, resident ? 1 : 5);
    EXPECT_EQ(traffic.uploadBytes, resident ? 4 : 0);
    EXPECT_EQ(traffic.downloadBytes, resident ? 4 : 0);
    for (const StepRecord &r : records) {
      // x (8 bytes) in and the loss out; w both ways on the round trip.
      EXPECT_EQ(r.bytesToDevice, resident ? 8 : 12) << r.step;
      EXPECT_EQ(r.bytesFromDevice, resident ? 4 : 8) << r.step;
      bool checkpoint = resident && (r.step == 1 || r.step == 3);
      EXPECT_EQ(r.checkpointBytes, checkpoint ? 4 : 0) << r.step;
    }
    std::filesystem::remove_all(options.checkpointDir);
  }
}

} // namespace

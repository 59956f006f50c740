//===- TrainingLoop.h - Run a training-step plan for many steps -*- C++ -*-===//
//
// A plan compiled with `ipuc --train` is one step: its inputs are the data
// (a batch), the parameters and the optimizer state; its outputs are the
// loss and `<name>.next` for every carried input `<name>`. The loop binds
// batch after batch from a dataset, runs the step and feeds every `.next`
// output back into its input, starting from the initial values the plan
// stores as the data of those inputs. On a device that supports it (the
// simulator) that feedback stays on the device: the state is uploaded once
// and downloaded only for checkpoints and at the end, so a step streams
// only its batch, its learning rate and its loss. Devices are behind
// StepDevice so the loop is the same on the host and on the simulator.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_TRAIN_TRAININGLOOP_H
#define IPUC_TRAIN_TRAININGLOOP_H

#include "ipuc/host/Bindings.h"
#include "ipuc/plan/Plan.h"
#include "ipuc/support/Npy.h"
#include "ipuc/train/LrSchedule.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ipuc::train {

/// What the loop needs of a device.
class StepDevice {
public:
  virtual ~StepDevice() = default;
  virtual const std::vector<host::BindingInfo> &inputs() const = 0;
  virtual const std::vector<host::BindingInfo> &outputs() const = 0;
  virtual bool setInput(const host::BindingInfo &input, const void *data,
                        std::string &error) = 0;
  virtual bool run(std::string &error) = 0;
  virtual const void *outputData(const std::string &name) const = 0;
  /// Simulated cycles of the last run, or -1 on a device without a clock.
  virtual int64_t lastRunCycles() const { return -1; }
  /// The simulated device clock (Hz), or 0.
  virtual double clockHz() const { return 0.0; }

  /// Whether the device can keep carried state between runs itself
  /// (makeResident); the host device does not, and gets the state bound
  /// and read back every step.
  virtual bool supportsResident() const { return false; }
  /// Keeps each carried input on the device: after every run its
  /// `<name>.next` output becomes its value there, with no host traffic.
  /// setInput() of such an input uploads it; readResident() downloads it.
  virtual bool makeResident(const std::vector<host::BindingInfo> &carried,
                            std::string &error) {
    error = "this device cannot keep state resident";
    return false;
  }
  virtual bool readResident(const host::BindingInfo &input, void *out,
                            std::string &error) {
    error = "this device cannot keep state resident";
    return false;
  }
  /// Host <-> device stream bytes so far, or -1 where the device has no
  /// such boundary (the host device).
  virtual int64_t bytesToDevice() const { return -1; }
  virtual int64_t bytesFromDevice() const { return -1; }
};

/// The step's inputs sorted into data (bound from the dataset) and carried
/// state (bound from the previous step's `.next` output), plus the loss.
struct StepSignature {
  std::vector<host::BindingInfo> data;
  std::vector<host::BindingInfo> carried;
  std::string lossOutput;
  int64_t batchSize = 0;
  /// The Training table's values, or "" / 0 for a plan without one.
  std::string optimizer;
  double lr = 0.0;
  /// The rate per step; schedule.lr is `lr`.
  LrSchedule schedule;
  /// The f32 scalar input the loop feeds each step's rate to, when the plan
  /// follows a schedule (Training.lr_input); it is neither data nor carried.
  bool hasLrInput = false;
  host::BindingInfo lrInput;
};
bool describeStep(const plan::Plan &plan,
                  const std::vector<host::BindingInfo> &inputs,
                  const std::vector<host::BindingInfo> &outputs,
                  StepSignature &out, std::string &error);

/// Batches of a dataset: arrays named like the data inputs, whose first
/// dimension counts samples. Step `s` takes batch `s mod batchesPerEpoch`
/// of epoch `s / batchesPerEpoch`; with shuffling each epoch draws its own
/// sample permutation from (seed, epoch), so a run is reproducible and a
/// resumed run takes the same batches as an uninterrupted one.
class Dataset {
public:
  bool init(std::vector<std::pair<std::string, support::NpyArray>> arrays,
            const std::vector<host::BindingInfo> &dataInputs, int64_t batch,
            bool shuffle, uint64_t seed, std::string &error);
  int64_t numSamples() const { return numSamples_; }
  int64_t batchesPerEpoch() const { return numSamples_ / batch_; }
  /// The sample indices of step `step`'s batch.
  std::vector<int64_t> batchSamples(int64_t step) const;
  /// The bytes of input `index` (in dataInputs order) for the samples.
  std::vector<uint8_t> gather(size_t index,
                              const std::vector<int64_t> &samples) const;

private:
  std::vector<support::NpyArray> arrays_;
  std::vector<size_t> sampleBytes_;
  int64_t numSamples_ = 0, batch_ = 0;
  bool shuffle_ = false;
  uint64_t seed_ = 0;
};

/// The carried tensors by input name, and the number of steps taken.
struct TrainState {
  int64_t step = 0;
  std::map<std::string, support::NpyArray> tensors;
};

/// The initial state: each carried input's data stored in the plan.
bool initialState(const plan::Plan &plan, const StepSignature &signature,
                  TrainState &state, std::string &error);

/// Writes `state` to DIR/checkpoint.ipuckpt through a temporary file, fsync
/// and rename, so an interrupted save leaves the previous one intact.
bool saveCheckpoint(const std::string &dir, const TrainState &state,
                    std::string &error);
/// Reads it back, rejecting truncated or corrupted files (checksum).
bool loadCheckpoint(const std::string &dir, TrainState &state,
                    std::string &error);
/// Checks that a restored state has every carried input with its shape.
bool checkStateMatches(const TrainState &state, const StepSignature &signature,
                       std::string &error);

/// The carried inputs that are parameters, not optimizer state: those not
/// named `<another carried input>.<state>`.
std::vector<std::string> parameterNames(const StepSignature &signature);
/// Writes the parameters of `state` as an .npz keyed by parameter name.
bool saveWeights(const std::string &path, const TrainState &state,
                 const StepSignature &signature, std::string &error);

/// Host <-> device bytes of the carried state outside the steps: the upload
/// before the first step, and downloads for checkpoints and at the end.
struct StateTraffic {
  int64_t uploadBytes = 0;
  int64_t downloadBytes = 0;
};

struct LoopOptions {
  int64_t steps = 0;
  /// Keep the carried state on the device between steps when it can
  /// (StepDevice::supportsResident); false streams it every step.
  bool resident = true;
  StateTraffic *traffic = nullptr; // filled in when set
  std::string logPath;             // one JSON line per step
  std::string checkpointDir; // saved every checkpointEvery steps and at end
  int64_t checkpointEvery = 0;
  bool progress = true; // progress line on stderr
};

/// The outcome of one step, as written to the JSON log.
struct StepRecord {
  int64_t step = 0;
  double loss = 0.0;
  double lr = 0.0;
  int64_t cycles = -1;
  /// Host <-> device stream bytes of the step (inputs, loss, and on the
  /// round-trip path the carried state), or -1 on the host device.
  int64_t bytesToDevice = -1;
  int64_t bytesFromDevice = -1;
  /// Carried state downloaded after the step for a checkpoint.
  int64_t checkpointBytes = 0;
};

/// Runs `options.steps` steps from `state` (which it updates in place; with
/// resident state only at checkpoints and at the end, so after a failure it
/// may hold an earlier step's tensors). `onStep`, if set, sees every record
/// (tests use it).
bool runTrainingLoop(
    StepDevice &device, const StepSignature &signature, const Dataset &dataset,
    TrainState &state, const LoopOptions &options, std::string &error,
    const std::function<void(const StepRecord &)> &onStep = {});

/// The plan's dtype for an .npy descr, and back; false if there is none.
bool dtypeForDescr(const std::string &descr, plan::DType &dtype);
const char *descrForDtype(plan::DType dtype);

} // namespace ipuc::train

#endif // IPUC_TRAIN_TRAININGLOOP_H

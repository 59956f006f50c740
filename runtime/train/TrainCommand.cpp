//===- TrainCommand.cpp - ipu-run's training mode ------------------------===//
//
//   ipu-run STEP.ipuplan --dataset DATA.npz --steps N [--device=host|sim]
//        [--shuffle] [--seed S] [--log FILE.jsonl]
//        [--save-weights FILE.npz|FILE.onnx [--model MODEL.onnx]]
//        [--checkpoint DIR [--checkpoint-every K]] [--resume DIR]
//        [--profile FILE.json] [--stream-state] [--quiet]
//
// Kept out of ipu-run.cpp so that the tool only dispatches here.
//
//===----------------------------------------------------------------------===//

#include "ipuc/train/TrainCommand.h"

#include "ipuc/support/AtomicFile.h"
#include "ipuc/train/Devices.h"
#include "ipuc/train/OnnxWeights.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

namespace ipuc::train {
namespace {

struct TrainArgs {
  std::string plan, device = "host", dataset, save, resume, model, profile;
  bool shuffle = false, checked = true;
  uint64_t seed = 0;
  LoopOptions loop;
};

int userError(const std::string &message) {
  fmt::print(stderr, "ipu-run: error: {}\n", message);
  return 1;
}

bool parseInt(const std::string &flag, const std::string &text, int64_t &out,
              std::string &error) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < 0) {
    error =
        fmt::format("{} expects a non-negative integer, got '{}'", flag, text);
    return false;
  }
  out = v;
  return true;
}

bool parse(int argc, char **argv, TrainArgs &a, std::string &error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    size_t eq = arg.find('=');
    bool inlineValue = arg.rfind("--", 0) == 0 && eq != std::string::npos;
    if (inlineValue) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto next = [&]() -> bool {
      if (inlineValue)
        return true;
      if (i + 1 >= argc) {
        error = arg + " needs a value";
        return false;
      }
      value = argv[++i];
      return true;
    };
    int64_t n = 0;
    if (arg == "--device") {
      if (!next())
        return false;
      a.device = value;
    } else if (arg == "--dataset") {
      if (!next())
        return false;
      a.dataset = value;
    } else if (arg == "--steps") {
      if (!next() || !parseInt(arg, value, a.loop.steps, error))
        return false;
    } else if (arg == "--seed") {
      if (!next() || !parseInt(arg, value, n, error))
        return false;
      a.seed = uint64_t(n);
    } else if (arg == "--shuffle") {
      a.shuffle = true;
    } else if (arg == "--log") {
      if (!next())
        return false;
      a.loop.logPath = value;
    } else if (arg == "--save-weights") {
      if (!next())
        return false;
      a.save = value;
    } else if (arg == "--checkpoint") {
      if (!next())
        return false;
      a.loop.checkpointDir = value;
    } else if (arg == "--checkpoint-every") {
      if (!next() || !parseInt(arg, value, a.loop.checkpointEvery, error))
        return false;
    } else if (arg == "--model") {
      if (!next())
        return false;
      a.model = value;
    } else if (arg == "--profile") {
      if (!next())
        return false;
      a.profile = value;
    } else if (arg == "--stream-state") {
      a.loop.resident = false;
    } else if (arg == "--resume") {
      if (!next())
        return false;
      a.resume = value;
    } else if (arg == "--quiet" || arg == "-q") {
      a.loop.progress = false;
    } else if (arg == "--checked" || arg == "--unchecked") {
      a.checked = arg == "--checked";
    } else if (arg.size() > 1 && arg[0] == '-') {
      error = "unknown option '" + arg + "' in training mode (--dataset)";
      return false;
    } else if (a.plan.empty()) {
      a.plan = arg;
    } else {
      error = "more than one plan given ('" + a.plan + "' and '" + arg + "')";
      return false;
    }
  }
  if (a.plan.empty())
    error = "no plan given (usage: ipu-run STEP.ipuplan --dataset DATA.npz "
            "--steps N)";
  else if (a.dataset.empty())
    error = "training needs --dataset DATA.npz";
  else if (a.device != "host" && a.device != "sim")
    error = "unknown --device '" + a.device + "': expected host or sim";
  else if (!a.profile.empty() && a.device != "sim")
    error = "--profile needs --device=sim (the host device has no cycles or "
            "host streams to profile)";
  else if (!a.model.empty() && !isOnnxPath(a.save))
    error = "--model is the ONNX model --save-weights FILE.onnx rewrites; "
            "it needs --save-weights with a .onnx name";
  return error.empty();
}

bool writeProfile(const std::string &path, const std::string &json,
                  std::string &error) {
  return support::writeFileAtomically(path, json.data(), json.size(), error);
}

/// The profile's "training" member (docs/profile-format.md).
std::string trainingJson(bool resident, const StateTraffic &traffic,
                         const std::vector<StepRecord> &records) {
  std::string j = fmt::format(
      "\"training\": {{\"resident_state\": {}, "
      "\"state_upload_bytes\": {}, \"state_download_bytes\": {}, "
      "\"steps\": [",
      resident ? "true" : "false", traffic.uploadBytes, traffic.downloadBytes);
  for (size_t i = 0; i < records.size(); ++i) {
    const StepRecord &r = records[i];
    j += fmt::format("{}\n    {{\"step\": {}, \"cycles\": {}, "
                     "\"host_to_device_bytes\": {}, "
                     "\"device_to_host_bytes\": {}, "
                     "\"checkpoint_bytes\": {}}}",
                     i ? "," : "", r.step, r.cycles, r.bytesToDevice,
                     r.bytesFromDevice, r.checkpointBytes);
  }
  return j + (records.empty() ? "]}" : "\n  ]}");
}

int train(StepDevice &device, const plan::LoadedPlan &loaded,
          const TrainArgs &a, const sim::SimDevice *sim = nullptr) {
  std::string error;
  StepSignature signature;
  if (!describeStep(loaded.plan(), device.inputs(), device.outputs(), signature,
                    error))
    return userError(error);
  std::vector<std::pair<std::string, support::NpyArray>> arrays;
  if (!support::readNpzFile(a.dataset, arrays, error))
    return userError(error);
  Dataset dataset;
  if (!dataset.init(std::move(arrays), signature.data, signature.batchSize,
                    a.shuffle, a.seed, error))
    return userError(a.dataset + ": " + error);
  TrainState state;
  if (!a.resume.empty()) {
    if (!loadCheckpoint(a.resume, state, error) ||
        !checkStateMatches(state, signature, error))
      return userError(error);
  } else if (!initialState(loaded.plan(), signature, state, error)) {
    return userError(error);
  }
  // An .onnx save reads its model before training, so that a missing or
  // unfit model is reported before the steps are spent.
  OnnxWeightWriter onnx;
  if (isOnnxPath(a.save)) {
    std::string model = a.model;
    if (model.empty()) {
      const flatbuffers::String *source = loaded.plan().source();
      model = source ? source->str() : "";
    }
    if (!onnx.load(model, signature, state, error))
      return userError(error);
  }
  LoopOptions loop = a.loop;
  StateTraffic traffic;
  loop.traffic = &traffic;
  std::vector<StepRecord> records;
  if (!runTrainingLoop(device, signature, dataset, state, loop, error,
                       [&](const StepRecord &r) { records.push_back(r); }))
    return userError(error);
  if (!a.save.empty()) {
    bool ok = isOnnxPath(a.save) ? onnx.write(a.save, state, error)
                                 : saveWeights(a.save, state, signature, error);
    if (!ok)
      return userError(error);
  }
  if (sim && !a.profile.empty() &&
      !writeProfile(
          a.profile,
          sim->profileJson(trainingJson(
              loop.resident && device.supportsResident(), traffic, records)),
          error))
    return userError(error);
  return 0;
}

} // namespace

bool isTrainingCommand(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--dataset", 9) == 0)
      return true;
  return false;
}

int trainMain(int argc, char **argv) {
  TrainArgs a;
  std::string error;
  if (!parse(argc, argv, a, error))
    return userError(error);
  plan::LoadedPlan loaded;
  if (!plan::loadPlanFile(a.plan, loaded, error))
    return userError(error);
  if (a.device == "sim") {
    sim::SimOptions options;
    options.checked = a.checked;
    auto dev = sim::SimDevice::create(loaded, options, error);
    if (!dev)
      return userError(error);
    return train(*wrapDevice(*dev), loaded, a, dev.get());
  }
  host::HostDevice dev(loaded);
  return train(*wrapDevice(dev), loaded, a);
}

} // namespace ipuc::train

//===- TrainingLoop.cpp - Run a training-step plan for many steps --------===//

#include "ipuc/train/TrainingLoop.h"

#include "ipuc/plan/plan_generated.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace ipuc::train {

static bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool dtypeForDescr(const std::string &descr, plan::DType &dtype) {
  for (int i = 0; i <= int(plan::DType::MAX); ++i)
    if (descr == descrForDtype(plan::DType(i)) &&
        plan::DType(i) != plan::DType::BF16) {
      dtype = plan::DType(i);
      return true;
    }
  return false;
}

const char *descrForDtype(plan::DType dtype) {
  switch (dtype) {
  case plan::DType::F32:
    return "<f4";
  case plan::DType::F16:
    return "<f2";
  case plan::DType::F64:
    return "<f8";
  case plan::DType::I1:
    return "|b1";
  case plan::DType::I8:
    return "|i1";
  case plan::DType::I16:
    return "<i2";
  case plan::DType::I32:
    return "<i4";
  case plan::DType::I64:
    return "<i8";
  case plan::DType::BF16:
    return "<V2"; // no NumPy equivalent
  }
  return "";
}

bool describeStep(const plan::Plan &plan,
                  const std::vector<host::BindingInfo> &inputs,
                  const std::vector<host::BindingInfo> &outputs,
                  StepSignature &out, std::string &error) {
  out = StepSignature();
  auto hasOutput = [&](const std::string &name) {
    for (const host::BindingInfo &o : outputs)
      if (o.name == name)
        return true;
    return false;
  };
  const plan::Training *training = plan.training();
  std::string lrInput = training && training->lr_input()
                            ? training->lr_input()->str()
                            : std::string();
  for (const host::BindingInfo &in : inputs) {
    if (!lrInput.empty() && in.name == lrInput) {
      if (in.numElements() != 1 || in.dtype != plan::DType::F32) {
        error = fmt::format("the plan's learning rate input {} is not a "
                            "float32 scalar",
                            in.describe());
        return false;
      }
      out.hasLrInput = true;
      out.lrInput = in;
      continue;
    }
    (hasOutput(in.name + ".next") ? out.carried : out.data).push_back(in);
  }
  if (!lrInput.empty() && !out.hasLrInput) {
    error = fmt::format("the plan's Training table names a learning rate "
                        "input '{}' that the plan does not have",
                        lrInput);
    return false;
  }
  for (const host::BindingInfo &o : outputs)
    if (!endsWith(o.name, ".next")) {
      if (o.numElements() != 1 || o.dtype != plan::DType::F32) {
        error = fmt::format("the plan's output {} is not a float32 scalar "
                            "loss; is it a training step (ipuc --train)?",
                            o.describe());
        return false;
      }
      out.lossOutput = o.name;
      break;
    }
  if (out.carried.empty() || out.lossOutput.empty()) {
    error = "the plan is not a training step: it needs a loss output and "
            "inputs fed back from '<name>.next' outputs (compile it with "
            "ipuc --train)";
    return false;
  }
  // Every data input is a batch of the same size.
  out.batchSize = -1;
  for (const host::BindingInfo &in : out.data) {
    int64_t b = in.shape.empty() ? -1 : in.shape[0];
    if (b < 1 || (out.batchSize >= 0 && b != out.batchSize)) {
      error = fmt::format("data input {} has no batch dimension matching the "
                          "other data inputs",
                          in.describe());
      return false;
    }
    out.batchSize = b;
  }
  if (out.batchSize < 0)
    out.batchSize = 1;
  if (const plan::Training *t = training) {
    out.optimizer = t->optimizer() ? t->optimizer()->str() : "";
    out.lr = t->lr();
    LrSchedule &s = out.schedule;
    s.lr = t->lr();
    if (t->lr_schedule())
      s.kind = t->lr_schedule()->str();
    s.warmup = t->warmup();
    s.stepSize = t->lr_step_size();
    s.gamma = t->lr_gamma();
    s.lrMin = t->lr_min();
    s.totalSteps = t->total_steps();
    if (!validate(s, error)) {
      error = "the plan's lr schedule is invalid: " + error;
      return false;
    }
  }
  return true;
}

bool initialState(const plan::Plan &plan, const StepSignature &signature,
                  TrainState &state, std::string &error) {
  state = TrainState();
  for (const host::BindingInfo &in : signature.carried) {
    const plan::Tensor *t = plan.tensors()->Get(in.tensor);
    if (!t->data() || t->data()->size() != in.byteSize()) {
      error = fmt::format("the plan has no initial value for {}, which its "
                          "output '{}.next' updates (recompile with a newer "
                          "ipuc --train, or --resume a checkpoint)",
                          in.describe(), in.name);
      return false;
    }
    support::NpyArray arr;
    arr.descr = descrForDtype(in.dtype);
    arr.shape = in.shape;
    arr.data.assign(t->data()->begin(), t->data()->end());
    state.tensors[in.name] = std::move(arr);
  }
  return true;
}

namespace {
/// The loss output as a double (f32 checked by describeStep).
double readLoss(const void *data) {
  float f;
  std::memcpy(&f, data, sizeof f);
  return f;
}

/// Copies the resident state off the device into `state`.
bool downloadState(StepDevice &device, const StepSignature &signature,
                   TrainState &state, std::string &error) {
  for (const host::BindingInfo &in : signature.carried)
    if (!device.readResident(in, state.tensors.at(in.name).data.data(), error))
      return false;
  return true;
}

bool appendLine(std::FILE *f, const StepRecord &r, std::string &error) {
  std::string line =
      fmt::format(R"({{"step": {}, "loss": {}, "lr": {})", r.step,
                  std::isfinite(r.loss) ? fmt::format("{:.9g}", r.loss)
                                        : std::string("null"),
                  r.lr);
  if (r.cycles >= 0)
    line += fmt::format(R"(, "cycles": {})", r.cycles);
  line += "}\n";
  if (std::fputs(line.c_str(), f) < 0 || std::fflush(f) != 0) {
    error = "cannot write the training log";
    return false;
  }
  return true;
}
} // namespace

bool runTrainingLoop(StepDevice &device, const StepSignature &signature,
                     const Dataset &dataset, TrainState &state,
                     const LoopOptions &options, std::string &error,
                     const std::function<void(const StepRecord &)> &onStep) {
  std::FILE *log = nullptr;
  if (!options.logPath.empty()) {
    // A resumed run continues the log; a fresh one starts it.
    log = std::fopen(options.logPath.c_str(), state.step > 0 ? "a" : "w");
    if (!log) {
      error = fmt::format("cannot open --log {}: {}", options.logPath,
                          std::strerror(errno));
      return false;
    }
  }
  auto fail = [&](std::string message) {
    if (log)
      std::fclose(log);
    error = std::move(message);
    return false;
  };
  StateTraffic traffic;
  // The state goes onto the device once; the steps then update it there.
  bool resident = options.resident && device.supportsResident();
  if (resident) {
    int64_t before = device.bytesToDevice();
    if (!device.makeResident(signature.carried, error))
      return fail(error);
    for (const host::BindingInfo &in : signature.carried)
      if (!device.setInput(in, state.tensors.at(in.name).data.data(), error))
        return fail(error);
    traffic.uploadBytes = device.bytesToDevice() - before;
  }
  auto start = std::chrono::steady_clock::now();
  int64_t first = state.step;
  for (int64_t i = 0; i < options.steps; ++i) {
    int64_t toBefore = device.bytesToDevice();
    int64_t fromBefore = device.bytesFromDevice();
    std::vector<int64_t> samples = dataset.batchSamples(state.step);
    for (size_t d = 0; d < signature.data.size(); ++d) {
      std::vector<uint8_t> bytes = dataset.gather(d, samples);
      if (!device.setInput(signature.data[d], bytes.data(), error))
        return fail(error);
    }
    if (!resident)
      for (const host::BindingInfo &in : signature.carried)
        if (!device.setInput(in, state.tensors.at(in.name).data.data(), error))
          return fail(error);
    // A resumed run continues the schedule from its step.
    double lr = signature.hasLrInput
                    ? learningRate(signature.schedule, state.step)
                    : signature.lr;
    if (signature.hasLrInput) {
      float rate = float(lr);
      if (!device.setInput(signature.lrInput, &rate, error))
        return fail(error);
    }
    if (!device.run(error))
      return fail(fmt::format("step {}: {}", state.step, error));
    StepRecord record;
    record.step = state.step;
    record.loss = readLoss(device.outputData(signature.lossOutput));
    record.lr = lr;
    record.cycles = device.lastRunCycles();
    if (!resident)
      for (const host::BindingInfo &in : signature.carried) {
        const auto *next =
            static_cast<const uint8_t *>(device.outputData(in.name + ".next"));
        std::memcpy(state.tensors.at(in.name).data.data(), next, in.byteSize());
      }
    if (toBefore >= 0) {
      record.bytesToDevice = device.bytesToDevice() - toBefore;
      record.bytesFromDevice = device.bytesFromDevice() - fromBefore;
    }
    ++state.step;
    bool lastStep = i + 1 == options.steps;
    bool checkpoint = !options.checkpointDir.empty() &&
                      (lastStep || (options.checkpointEvery > 0 &&
                                    state.step % options.checkpointEvery == 0));
    if (resident && (checkpoint || lastStep)) {
      int64_t before = device.bytesFromDevice();
      if (!downloadState(device, signature, state, error))
        return fail(error);
      int64_t bytes = device.bytesFromDevice() - before;
      (lastStep ? traffic.downloadBytes : record.checkpointBytes) += bytes;
    }
    if (log && !appendLine(log, record, error))
      return fail(error);
    if (onStep)
      onStep(record);
    if (options.progress) {
      double seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
      double stepsPerSecond = seconds > 0 ? (state.step - first) / seconds : 0;
      std::string line =
          fmt::format("step {}/{}  loss {:.6g}  {:.1f} steps/s", state.step,
                      first + options.steps, record.loss, stepsPerSecond);
      if (record.cycles > 0 && device.clockHz() > 0)
        line += fmt::format("  {:.0f} simulated samples/s",
                            double(signature.batchSize) * device.clockHz() /
                                double(record.cycles));
      std::fprintf(stderr, "\r%-78s", line.c_str());
      if (i + 1 == options.steps)
        std::fputc('\n', stderr);
    }
    if (checkpoint && !saveCheckpoint(options.checkpointDir, state, error))
      return fail(error);
  }
  if (options.traffic)
    *options.traffic = traffic;
  if (log && std::fclose(log) != 0) {
    error = "cannot close the training log";
    return false;
  }
  return true;
}

} // namespace ipuc::train

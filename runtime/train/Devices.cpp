//===- Devices.cpp - The host and simulated devices as StepDevices -------===//

#include "ipuc/train/Devices.h"

namespace ipuc::train {
namespace {

template <typename Device> class Adapter : public StepDevice {
public:
  explicit Adapter(Device &device) : device(device) {}
  const std::vector<host::BindingInfo> &inputs() const override {
    return device.inputs();
  }
  const std::vector<host::BindingInfo> &outputs() const override {
    return device.outputs();
  }
  bool setInput(const host::BindingInfo &input, const void *data,
                std::string &error) override {
    return device.setInput(input.name, input.dtype, input.shape, data,
                           input.byteSize(), error);
  }
  bool run(std::string &error) override { return device.run(error); }
  const void *outputData(const std::string &name) const override {
    return device.outputData(name);
  }

protected:
  Device &device;
};

/// A device that keeps the training state between runs: each input `<p>`
/// is updated from its output `<p>.next` on the device itself.
template <typename Device> class ResidentAdapter : public Adapter<Device> {
public:
  using Adapter<Device>::Adapter;
  bool supportsResident() const override { return true; }
  bool makeResident(const std::vector<host::BindingInfo> &carried,
                    std::string &error) override {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const host::BindingInfo &in : carried)
      pairs.emplace_back(in.name, in.name + ".next");
    return this->device.makeResident(pairs, error);
  }
  bool readResident(const host::BindingInfo &input, void *out,
                    std::string &error) override {
    return this->device.readResident(input.name, out, input.byteSize(),
                                     error);
  }
};

class SimAdapter : public ResidentAdapter<sim::SimDevice> {
public:
  using ResidentAdapter::ResidentAdapter;
  int64_t lastRunCycles() const override {
    return int64_t(device.summary().totalCycles);
  }
  double clockHz() const override { return device.summary().clockHz; }
  int64_t bytesToDevice() const override {
    return int64_t(device.streamCounters().toDevice);
  }
  int64_t bytesFromDevice() const override {
    return int64_t(device.streamCounters().fromDevice);
  }
};

} // namespace

std::unique_ptr<StepDevice> wrapDevice(host::HostDevice &device) {
  return std::make_unique<ResidentAdapter<host::HostDevice>>(device);
}
std::unique_ptr<StepDevice> wrapDevice(sim::SimDevice &device) {
  return std::make_unique<SimAdapter>(device);
}

} // namespace ipuc::train

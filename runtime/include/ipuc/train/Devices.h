//===- Devices.h - The host and simulated devices as StepDevices -*- C++
//-*-===//
#ifndef IPUC_TRAIN_DEVICES_H
#define IPUC_TRAIN_DEVICES_H

#include "ipuc/host/HostDevice.h"
#include "ipuc/sim/SimDevice.h"
#include "ipuc/train/TrainingLoop.h"

#include <memory>

namespace ipuc::train {

/// Views a device as a StepDevice (the device must outlive the view). The
/// simulator's view reports each run's cycles and its clock.
std::unique_ptr<StepDevice> wrapDevice(host::HostDevice &device);
std::unique_ptr<StepDevice> wrapDevice(sim::SimDevice &device);

} // namespace ipuc::train

#endif // IPUC_TRAIN_DEVICES_H

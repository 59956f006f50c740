//===- PlanBufferAllocator.h - Builder memory for large plans ---*- C++ -*-===//
//
// A 12-layer encoder's tile plan is ~650 MB, built in one FlatBufferBuilder
// sized up front. Filling it touched each 4 KiB page for the first time, one
// page fault each (~160 k faults, a tenth of serialization on this VM). The
// allocator below maps a large buffer on its own and asks for transparent
// huge pages, so the kernel backs it 2 MiB at a time; small buffers come from
// the heap as with FlatBuffers' default allocator.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_PLANBUFFERALLOCATOR_H
#define IPUC_COMPILER_PLAN_PLANBUFFERALLOCATOR_H

#include <flatbuffers/flatbuffers.h>

#include <cstddef>
#include <cstdint>

namespace ipuc {

class PlanBufferAllocator : public flatbuffers::Allocator {
public:
  uint8_t *allocate(size_t size) override;
  void deallocate(uint8_t *p, size_t size) override;
};

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_PLANBUFFERALLOCATOR_H

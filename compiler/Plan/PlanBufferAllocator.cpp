//===- PlanBufferAllocator.cpp - Builder memory for large plans -----------===//

#include "compiler/Plan/PlanBufferAllocator.h"

#include <new>

#include <sys/mman.h>
#include <unistd.h>

namespace {
// Below this the heap serves the buffer: a mapping of its own (and huge
// pages) only pays for buffers of many megabytes.
constexpr size_t kMappedBytes = size_t(16) << 20;
constexpr size_t kHugePageBytes = size_t(2) << 20;
} // namespace

uint8_t *ipuc::PlanBufferAllocator::allocate(size_t size) {
  if (size < kMappedBytes)
    return new uint8_t[size];
  // Mapped with a huge page of slack and trimmed to a huge-page boundary:
  // the kernel only backs aligned 2 MiB ranges with huge pages.
  size_t mapped = size + kHugePageBytes;
  void *raw = mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED)
    throw std::bad_alloc();
  auto begin = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = (begin + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  if (aligned != begin)
    munmap(raw, aligned - begin);
  // The tail is unmapped from the page after the buffer's last byte.
  auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t end = begin + mapped;
  uintptr_t used = (aligned + size + page - 1) & ~(page - 1);
  if (end != used)
    munmap(reinterpret_cast<void *>(used), end - used);
  auto *p = reinterpret_cast<uint8_t *>(aligned);
#ifdef MADV_HUGEPAGE
  // Only advice: without transparent huge pages the buffer is still valid.
  (void)madvise(p, size, MADV_HUGEPAGE);
#endif
  return p;
}

void ipuc::PlanBufferAllocator::deallocate(uint8_t *p, size_t size) {
  if (size < kMappedBytes) {
    delete[] p;
    return;
  }
  munmap(p, size);
}

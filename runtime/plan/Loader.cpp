//===- Loader.cpp - Reading plan files into aligned, verified memory ------===//

#include "ipuc/plan/Plan.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <new>

namespace ipuc::plan {

LoadedPlan::LoadedPlan(LoadedPlan &&other) noexcept
    : bytes_(other.bytes_), size_(other.size_) {
  other.bytes_ = nullptr;
  other.size_ = 0;
}

LoadedPlan &LoadedPlan::operator=(LoadedPlan &&other) noexcept {
  if (this != &other) {
    reset();
    bytes_ = other.bytes_;
    size_ = other.size_;
    other.bytes_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

LoadedPlan::~LoadedPlan() { reset(); }

void LoadedPlan::reset() {
  if (bytes_)
    ::operator delete[](bytes_, std::align_val_t(16));
  bytes_ = nullptr;
  size_ = 0;
}

// Plans carry tensor data with force_align: 16, so the buffer itself must be
// 16-byte aligned for kernels to read constants in place; std::vector gives no
// such guarantee, hence the copy into an aligned allocation.
bool loadPlanBuffer(std::vector<uint8_t> bytes, LoadedPlan &out,
                    std::string &error) {
  if (bytes.size() < 8) {
    error = fmt::format("not an ipuc plan: only {} bytes", bytes.size());
    return false;
  }
  if (!PlanBufferHasIdentifier(bytes.data())) {
    error = "not an ipuc plan: missing the 'IPUP' file identifier";
    return false;
  }
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    error = "plan is larger than 2 GiB";
    return false;
  }
  auto *aligned = static_cast<uint8_t *>(
      ::operator new[](bytes.size(), std::align_val_t(16)));
  std::memcpy(aligned, bytes.data(), bytes.size());
  LoadedPlan tmp;
  tmp.bytes_ = aligned;
  tmp.size_ = bytes.size();
  bytes.clear();
  bytes.shrink_to_fit();

  flatbuffers::Verifier::Options opts;
  opts.max_tables = 100000000;
  opts.max_depth = 64;
  flatbuffers::Verifier verifier(tmp.bytes_, tmp.size_, opts);
  if (!VerifyPlanBuffer(verifier)) {
    error = "corrupt or truncated plan (FlatBuffers verification failed)";
    return false;
  }
  const Plan &plan = tmp.plan();
  if (plan.format_version() != kFormatVersion) {
    error = fmt::format("plan format version {} is not supported by this "
                        "runtime (expects {}); recompile the model",
                        plan.format_version(), kFormatVersion);
    return false;
  }
  std::string hash = plan.schema_hash() ? plan.schema_hash()->str() : "";
  if (hash != schemaHash()) {
    error = fmt::format("plan schema hash '{}' does not match this runtime's "
                        "'{}'; the plan was built by a different ipuc version",
                        hash.substr(0, 16), std::string(schemaHash()).substr(0, 16));
    return false;
  }
  std::string semantic = verifyPlanSemantics(plan);
  if (!semantic.empty()) {
    error = "invalid plan: " + semantic;
    return false;
  }
  out = std::move(tmp);
  return true;
}

bool loadPlanFile(const std::string &path, LoadedPlan &out,
                  std::string &error) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = fmt::format("{}: cannot open: {}", path, std::strerror(errno));
    return false;
  }
  std::vector<uint8_t> bytes;
  // Read a regular file in one piece into a buffer of its size: growing the
  // buffer chunk by chunk copied and page-faulted a 1.7 GB plan about twice
  // over. The chunk loop remains for what has no size (pipes).
  if (std::fseek(f, 0, SEEK_END) == 0) {
    long size = std::ftell(f);
    if (size > 0 && std::fseek(f, 0, SEEK_SET) == 0) {
      bytes.resize(static_cast<size_t>(size));
      bytes.resize(std::fread(bytes.data(), 1, bytes.size(), f));
    } else {
      std::rewind(f);
    }
  }
  uint8_t chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0)
    bytes.insert(bytes.end(), chunk, chunk + n);
  bool readError = std::ferror(f);
  std::fclose(f);
  if (readError) {
    error = fmt::format("{}: read error", path);
    return false;
  }
  if (!loadPlanBuffer(std::move(bytes), out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

} // namespace ipuc::plan

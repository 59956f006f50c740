//===- Loader.cpp - Reading plan files into aligned, verified memory ------===//

#include "ipuc/plan/Plan.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ipuc::plan {

LoadedPlan::LoadedPlan(LoadedPlan &&other) noexcept
    : bytes_(other.bytes_), size_(other.size_), mapped_(other.mapped_),
      fd_(other.fd_) {
  other.bytes_ = nullptr;
  other.size_ = 0;
  other.mapped_ = false;
  other.fd_ = -1;
}

LoadedPlan &LoadedPlan::operator=(LoadedPlan &&other) noexcept {
  if (this != &other) {
    reset();
    bytes_ = other.bytes_;
    size_ = other.size_;
    mapped_ = other.mapped_;
    fd_ = other.fd_;
    other.bytes_ = nullptr;
    other.size_ = 0;
    other.mapped_ = false;
    other.fd_ = -1;
  }
  return *this;
}

LoadedPlan::~LoadedPlan() { reset(); }

void LoadedPlan::reset() {
  if (bytes_ && mapped_)
    munmap(bytes_, size_);
  else if (bytes_)
    ::operator delete[](bytes_, std::align_val_t(16));
  if (fd_ >= 0)
    ::close(fd_);
  bytes_ = nullptr;
  size_ = 0;
  mapped_ = false;
  fd_ = -1;
}

bool LoadedPlan::mapPagesAt(const uint8_t *at, size_t bytes, void *dest) const {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  if (!mapped_ || fd_ < 0 || !bytes || at < bytes_ ||
      static_cast<size_t>(at - bytes_) > size_ ||
      bytes > size_ - static_cast<size_t>(at - bytes_))
    return false;
  size_t offset = static_cast<size_t>(at - bytes_);
  if (offset % page || bytes % page || reinterpret_cast<uintptr_t>(dest) % page)
    return false;
  // The file's bytes are the plan's: the whole file is mapped from offset 0.
  void *p = ::mmap(dest, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
                   fd_, static_cast<off_t>(offset));
  if (p == dest)
    return true;
  // A failed MAP_FIXED may already have unmapped what was at `dest`: the
  // caller's memory there is put back (zeroed, as it was untouched) for it
  // to copy into instead.
  if (::mmap(dest, bytes, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != dest)
    throw std::bad_alloc();
  return false;
}

namespace {

uint8_t *allocateAligned(size_t size) {
  return static_cast<uint8_t *>(::operator new[](size, std::align_val_t(16)));
}

/// The checks on the raw bytes that come before anything else reads them.
bool checkHeader(const uint8_t *bytes, size_t size, std::string &error) {
  if (size < 8) {
    error = fmt::format("not an ipuc plan: only {} bytes", size);
    return false;
  }
  if (!PlanBufferHasIdentifier(bytes)) {
    error = "not an ipuc plan: missing the 'IPUP' file identifier";
    return false;
  }
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    error = "plan is larger than 2 GiB";
    return false;
  }
  return true;
}

/// Verifies the plan in `tmp` (which owns an aligned buffer) and moves it
/// into `out` if it is valid.
bool verifyAndTake(LoadedPlan &tmp, LoadedPlan &out, std::string &error);

} // namespace

// Plans carry tensor data with force_align: 16, so the buffer itself must be
// 16-byte aligned for kernels to read constants in place; std::vector gives no
// such guarantee, hence the copy into an aligned allocation. loadPlanFile
// reads regular files straight into one.
bool loadPlanBuffer(std::vector<uint8_t> bytes, LoadedPlan &out,
                    std::string &error) {
  if (!checkHeader(bytes.data(), bytes.size(), error))
    return false;
  uint8_t *aligned = allocateAligned(bytes.size());
  std::memcpy(aligned, bytes.data(), bytes.size());
  LoadedPlan tmp;
  tmp.bytes_ = aligned;
  tmp.size_ = bytes.size();
  bytes.clear();
  bytes.shrink_to_fit();
  return verifyAndTake(tmp, out, error);
}

namespace {

bool verifyAndTake(LoadedPlan &tmp, LoadedPlan &out, std::string &error) {
  if (!verifyPlanStructure(tmp.data(), tmp.size())) {
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
                        hash.substr(0, 16),
                        std::string(schemaHash()).substr(0, 16));
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

/// Maps the open file read-only if it is a regular, non-empty file (the
/// bytes are unverified). Null if it is not one or cannot be mapped; the
/// caller then reads it instead.
uint8_t *mapRegularFile(std::FILE *f, size_t &size) {
  struct stat st;
  if (::fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
    return nullptr;
  // Populated up front: the verifiers and the simulator read nearly every
  // page anyway, and one populate call is cheaper than a fault per page.
  void *p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                   MAP_PRIVATE | MAP_POPULATE, fileno(f), 0);
  if (p == MAP_FAILED)
    return nullptr;
  size = static_cast<size_t>(st.st_size);
  return static_cast<uint8_t *>(p);
}

} // namespace

bool loadPlanFile(const std::string &path, LoadedPlan &out,
                  std::string &error) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = fmt::format("{}: cannot open: {}", path, std::strerror(errno));
    return false;
  }
  // A whole file's bytes in `tmp`: check, verify and take them.
  auto takeWhole = [&](LoadedPlan &tmp) {
    if (!checkHeader(tmp.data(), tmp.size(), error) ||
        !verifyAndTake(tmp, out, error)) {
      error = path + ": " + error;
      return false;
    }
    return true;
  };
  // A regular file is mapped, not read: a 770 MB plan is then neither
  // copied out of the page cache nor backed by fresh zeroed pages, and
  // the kernels read constants straight from the page cache (pages are
  // aligned far beyond the 16 bytes force_align needs). The mapping is
  // read-only; the plan verifier rejects any kernel writing a constant.
  // Like any mapped file, truncating it while the plan runs is not
  // supported.
  {
    LoadedPlan tmp;
    if ((tmp.bytes_ = mapRegularFile(f, tmp.size_))) {
      tmp.mapped_ = true;
      tmp.fd_ = ::dup(fileno(f));
      std::fclose(f);
      return takeWhole(tmp);
    }
  }
  // Not mappable (a pipe, or mmap failed): a file with a size is read in
  // one piece straight into the aligned buffer the plan is verified and run
  // from. If it turns out to be longer than its size said, the bytes read
  // so far go through the chunk loop below with the rest.
  std::vector<uint8_t> bytes;
  if (std::fseek(f, 0, SEEK_END) == 0) {
    long size = std::ftell(f);
    if (size > 0 && std::fseek(f, 0, SEEK_SET) == 0) {
      LoadedPlan tmp;
      tmp.bytes_ = allocateAligned(static_cast<size_t>(size));
      tmp.size_ = std::fread(tmp.bytes_, 1, static_cast<size_t>(size), f);
      int next = std::fgetc(f);
      if (next == EOF && !std::ferror(f)) {
        std::fclose(f);
        return takeWhole(tmp);
      }
      if (std::ferror(f)) {
        std::fclose(f);
        error = fmt::format("{}: read error", path);
        return false;
      }
      // Grew while being read: it cannot be taken as one piece. The bytes
      // so far, and the one fgetc read, go first.
      bytes.assign(tmp.data(), tmp.data() + tmp.size());
      bytes.push_back(static_cast<uint8_t>(next));
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

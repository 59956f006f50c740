//===- Checkpoint.cpp - Save and restore a training run's state ----------===//
//
// One file, DIR/checkpoint.ipuckpt: "IPUCKPT1", the step, then per tensor
// its name, .npy descr, shape and bytes, and an FNV-1a checksum of all that,
// so a truncated or corrupted file is an error and never a wrong resume.
// It is written with writeFileAtomically (temporary, fsync, rename): a kill
// during a save leaves the previous checkpoint as it was.
//
//===----------------------------------------------------------------------===//

#include "ipuc/support/AtomicFile.h"
#include "ipuc/train/TrainingLoop.h"

#include <fmt/format.h>

#include <cstring>

namespace ipuc::train {
namespace {

constexpr char kMagic[8] = {'I', 'P', 'U', 'C', 'K', 'P', 'T', '1'};

uint64_t fnv1a(const uint8_t *data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i)
    h = (h ^ data[i]) * 0x100000001b3ull;
  return h;
}

void putU64(std::vector<uint8_t> &out, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(uint8_t(v >> (8 * i)));
}
void putString(std::vector<uint8_t> &out, const std::string &s) {
  putU64(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

/// A bounds-checked reader over the file image.
struct Reader {
  const uint8_t *p, *end;
  bool ok = true;
  uint64_t u64() {
    if (end - p < 8)
      return ok = false, 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= uint64_t(p[i]) << (8 * i);
    p += 8;
    return v;
  }
  bool bytes(uint64_t n, const uint8_t *&out) {
    if (!ok || uint64_t(end - p) < n)
      return ok = false;
    out = p;
    p += n;
    return true;
  }
  std::string string() {
    uint64_t n = u64();
    const uint8_t *s;
    return bytes(n, s) ? std::string(reinterpret_cast<const char *>(s), n)
                       : std::string();
  }
};

std::string path(const std::string &dir) { return dir + "/checkpoint.ipuckpt"; }

} // namespace

bool saveCheckpoint(const std::string &dir, const TrainState &state,
                    std::string &error) {
  if (!support::createDirectories(dir, error))
    return false;
  std::vector<uint8_t> out(kMagic, kMagic + 8);
  putU64(out, uint64_t(state.step));
  putU64(out, state.tensors.size());
  for (const auto &[name, arr] : state.tensors) {
    putString(out, name);
    putString(out, arr.descr);
    putU64(out, arr.shape.size());
    for (int64_t d : arr.shape)
      putU64(out, uint64_t(d));
    putU64(out, arr.data.size());
    out.insert(out.end(), arr.data.begin(), arr.data.end());
  }
  putU64(out, fnv1a(out.data(), out.size()));
  return support::writeFileAtomically(path(dir), out.data(), out.size(), error);
}

bool loadCheckpoint(const std::string &dir, TrainState &state,
                    std::string &error) {
  std::string file = path(dir), bytes;
  if (!support::readFile(file, bytes, error))
    return false;
  auto corrupt = [&](const char *why) {
    error = fmt::format("{}: not a valid ipuc checkpoint ({})", file, why);
    return false;
  };
  const auto *b = reinterpret_cast<const uint8_t *>(bytes.data());
  if (bytes.size() < 16 || std::memcmp(b, kMagic, 8) != 0)
    return corrupt("bad header");
  Reader sum{b + bytes.size() - 8, b + bytes.size()};
  if (sum.u64() != fnv1a(b, bytes.size() - 8))
    return corrupt("checksum mismatch: truncated or corrupted");
  Reader r{b + 8, b + bytes.size() - 8};
  TrainState loaded;
  loaded.step = int64_t(r.u64());
  uint64_t count = r.u64();
  for (uint64_t i = 0; r.ok && i < count; ++i) {
    std::string name = r.string();
    support::NpyArray arr;
    arr.descr = r.string();
    uint64_t rank = r.u64();
    for (uint64_t d = 0; r.ok && d < rank; ++d)
      arr.shape.push_back(int64_t(r.u64()));
    uint64_t size = r.u64();
    const uint8_t *data;
    if (!r.bytes(size, data))
      break;
    arr.data.assign(data, data + size);
    if (support::npyDescrSize(arr.descr) == 0 ||
        size_t(arr.numElements()) * support::npyDescrSize(arr.descr) != size)
      return corrupt("a tensor's size does not match its shape");
    loaded.tensors[name] = std::move(arr);
  }
  if (!r.ok || r.p != r.end)
    return corrupt("malformed contents");
  state = std::move(loaded);
  return true;
}

bool checkStateMatches(const TrainState &state, const StepSignature &signature,
                       std::string &error) {
  for (const host::BindingInfo &input : signature.carried) {
    auto it = state.tensors.find(input.name);
    if (it == state.tensors.end()) {
      error = fmt::format("the checkpoint has no tensor '{}' that the plan "
                          "carries between steps ({})",
                          input.name, input.describe());
      return false;
    }
    if (it->second.shape != input.shape ||
        it->second.descr != descrForDtype(input.dtype)) {
      error = fmt::format("checkpoint tensor '{}' ({} with {} dims) does not "
                          "match the plan's {}",
                          input.name, it->second.descr, it->second.shape.size(),
                          input.describe());
      return false;
    }
  }
  return true;
}

} // namespace ipuc::train

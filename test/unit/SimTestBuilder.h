//===- SimTestBuilder.h - Build small tile plans in unit tests --*- C++ -*-===//
//
// Like PlanTestBuilder, but for target "ipu": tensors with tile mappings and a
// tile program of compute sets, exchanges, repeats and host streams. Steps are
// recorded as closures and serialized children-first in finish().
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_TEST_UNIT_SIMTESTBUILDER_H
#define IPUC_TEST_UNIT_SIMTESTBUILDER_H

#include "PlanTestBuilder.h"

#include <algorithm>
#include <memory>

namespace ipuc::test {

struct BoxSpec {
  uint32_t tensor;
  std::vector<int64_t> offsets, sizes;
};

using B = flatbuffers::FlatBufferBuilder;

struct CodeletSpec {
  plan::KernelBody type = plan::KernelBody::NONE;
  std::function<flatbuffers::Offset<void>(B &)> build;
};

inline CodeletSpec matmulCodelet(uint32_t lhs, uint32_t rhs, int32_t init,
                                 uint32_t result, int64_t m, int64_t n,
                                 int64_t k) {
  return {plan::KernelBody::MatMul, [=](B &b) {
            return plan::CreateMatMul(b, lhs, rhs, init, result, 1, m, n, k)
                .Union();
          }};
}
inline CodeletSpec fillCodelet(uint32_t dst, double value) {
  return {plan::KernelBody::Fill,
          [=](B &b) { return plan::CreateFill(b, dst, value, 0).Union(); }};
}
inline CodeletSpec genericCodelet(GenericSpec g) {
  return {plan::KernelBody::Generic,
          [g](B &b) { return buildGeneric(b, g).Union(); }};
}

/// One table for every vertex that uses `spec`, across steps, as the
/// compiler shares Generic tables by content over the whole plan.
inline CodeletSpec sharedCodelet(CodeletSpec spec) {
  auto cache = std::make_shared<std::pair<B *, flatbuffers::Offset<void>>>();
  CodeletSpec shared;
  shared.type = spec.type;
  shared.build = [spec, cache](B &b) {
    if (cache->first != &b)
      *cache = {&b, spec.build(b)};
    return cache->second;
  };
  return shared;
}

/// out(operand 2) = in0 + in1 over `n` contiguous f32 elements.
inline CodeletSpec addCodelet(int64_t n, uint32_t a = 0, uint32_t b = 1,
                              uint32_t out = 2) {
  GenericSpec g;
  g.bounds = {n};
  g.inputs = {{a, 0, {1}}, {b, 0, {1}}};
  g.outputs = {{out, 0, {1}}};
  g.program = {instr(plan::Opcode::AddF, plan::DType::F32, 3, 0, 1),
               instr(plan::Opcode::Yield, plan::DType::F32, 0, 0, 3)};
  return genericCodelet(g);
}

struct VertexSpec {
  uint32_t tile;
  std::vector<BoxSpec> operands;
  CodeletSpec codelet;
  double flops = 0;
};

struct DeviceSpec {
  uint32_t tiles = 4;
  uint64_t sram = 4096;
  double clock = 1e9;
  uint32_t workers = 6;
  uint32_t sync = 150;
};

class TilePlanBuilder {
public:
  using StepFn = std::function<flatbuffers::Offset<plan::Step>(B &)>;

  uint32_t addTensor(const std::string &name, plan::DType dtype,
                     std::vector<int64_t> shape,
                     plan::TensorRole role = plan::TensorRole::Intermediate,
                     std::vector<uint8_t> data = {}) {
    tensors.push_back({name, dtype, std::move(shape), role, std::move(data)});
    return static_cast<uint32_t>(tensors.size() - 1);
  }
  uint32_t addF32(const std::string &name, std::vector<int64_t> shape) {
    return addTensor(name, plan::DType::F32, std::move(shape));
  }
  uint32_t addConstant(const std::string &name, std::vector<int64_t> shape,
                       const std::vector<float> &v) {
    std::vector<uint8_t> bytes(v.size() * 4);
    std::memcpy(bytes.data(), v.data(), bytes.size());
    return addTensor(name, plan::DType::F32, std::move(shape),
                     plan::TensorRole::Constant, std::move(bytes));
  }
  uint32_t addInput(const std::string &name, std::vector<int64_t> shape) {
    uint32_t t = addTensor(name, plan::DType::F32, std::move(shape),
                           plan::TensorRole::Input);
    inputs.push_back({name, t});
    return t;
  }
  uint32_t addOutput(const std::string &name, std::vector<int64_t> shape) {
    uint32_t t = addTensor(name, plan::DType::F32, std::move(shape),
                           plan::TensorRole::Output);
    outputs.push_back({name, t});
    return t;
  }
  /// (tile, begin, end, address) per interval.
  void map(uint32_t tensor, std::vector<plan::TileInterval> intervals) {
    mappings.push_back({tensor, std::move(intervals)});
  }
  void mapOn(uint32_t tensor, uint32_t tile, int64_t n, uint64_t address) {
    map(tensor, {plan::TileInterval(tile, 0, n, address)});
  }
  /// Maps `tensor` with the interval vector of the mapping of `as` (mapped
  /// before), as ipuc shares one among the tensors of one mapping.
  void mapSharing(uint32_t tensor, uint32_t as) {
    for (size_t m = 0; m < mappings.size(); ++m)
      if (mappings[m].first == as) {
        sharedMappings.push_back({mappings.size(), m});
        mappings.push_back({tensor, mappings[m].second});
        return;
      }
  }

  static StepFn computeSet(std::string name, std::string loc,
                           std::vector<VertexSpec> vertices) {
    return [=](B &b) {
      std::vector<flatbuffers::Offset<plan::Vertex>> vs;
      for (const auto &v : vertices) {
        auto ops = boxes(b, v.operands);
        auto codelet = v.codelet.build(b);
        vs.push_back(plan::CreateVertex(b, v.tile, ops, v.codelet.type, codelet,
                                        v.flops));
      }
      auto cs = plan::CreateComputeSet(b, b.CreateString(name),
                                       b.CreateString(loc), b.CreateVector(vs));
      return plan::CreateStep(b, plan::StepBody::ComputeSet, cs.Union());
    };
  }
  /// A compute set whose vertices all refer to one table of `codelet`, as
  /// the compiler shares a codelet among the vertices of an op (each
  /// vertex's own `codelet` is ignored).
  static StepFn computeSetSharing(std::string name, std::string loc,
                                  CodeletSpec codelet,
                                  std::vector<VertexSpec> vertices) {
    return [=](B &b) {
      auto shared = codelet.build(b);
      std::vector<flatbuffers::Offset<plan::Vertex>> vs;
      for (const auto &v : vertices) {
        auto ops = boxes(b, v.operands);
        vs.push_back(
            plan::CreateVertex(b, v.tile, ops, codelet.type, shared, v.flops));
      }
      auto cs = plan::CreateComputeSet(b, b.CreateString(name),
                                       b.CreateString(loc), b.CreateVector(vs));
      return plan::CreateStep(b, plan::StepBody::ComputeSet, cs.Union());
    };
  }
  static StepFn exchange(std::string name,
                         std::vector<std::pair<BoxSpec, BoxSpec>> copies) {
    return [=](B &b) {
      std::vector<flatbuffers::Offset<plan::ExchangeCopy>> cs;
      for (const auto &[src, dst] : copies) {
        auto s = box(b, src), d = box(b, dst);
        cs.push_back(plan::CreateExchangeCopy(b, s, d));
      }
      auto ex = plan::CreateExchange(b, b.CreateString(name),
                                     b.CreateString(name + ".loc"),
                                     b.CreateVector(cs));
      return plan::CreateStep(b, plan::StepBody::Exchange, ex.Union());
    };
  }
  /// An exchange of transposing copies: dst box dim i is src dim perm[i].
  struct PermCopy {
    BoxSpec src, dst;
    std::vector<int64_t> perm;
  };
  static StepFn permutedExchange(std::string name,
                                 std::vector<PermCopy> copies) {
    return [=](B &b) {
      std::vector<flatbuffers::Offset<plan::ExchangeCopy>> cs;
      for (const auto &c : copies) {
        auto s = box(b, c.src), d = box(b, c.dst);
        cs.push_back(plan::CreateExchangeCopy(b, s, d, b.CreateVector(c.perm)));
      }
      auto ex = plan::CreateExchange(b, b.CreateString(name),
                                     b.CreateString(name + ".loc"),
                                     b.CreateVector(cs));
      return plan::CreateStep(b, plan::StepBody::Exchange, ex.Union());
    };
  }
  static StepFn repeat(int64_t count, std::vector<StepFn> body) {
    return [=](B &b) {
      std::vector<flatbuffers::Offset<plan::Step>> ss;
      for (const auto &s : body)
        ss.push_back(s(b));
      auto r = plan::CreateRepeat(b, count, b.CreateVector(ss));
      return plan::CreateStep(b, plan::StepBody::Repeat, r.Union());
    };
  }
  /// A rerun of pre-order step `step`, renaming from[i] to to[i].
  static StepFn rerun(std::string name, uint32_t step,
                      std::vector<uint32_t> from, std::vector<uint32_t> to) {
    return [=](B &b) {
      auto r = plan::CreateRerun(b, b.CreateString(name),
                                 b.CreateString(name + ".loc"), step,
                                 b.CreateVector(from), b.CreateVector(to));
      return plan::CreateStep(b, plan::StepBody::Rerun, r.Union());
    };
  }
  static StepFn hostWrite(std::string binding, uint32_t tensor) {
    return [=](B &b) {
      auto w = plan::CreateHostWrite(b, b.CreateString(binding), tensor);
      return plan::CreateStep(b, plan::StepBody::HostWrite, w.Union());
    };
  }
  static StepFn hostRead(std::string binding, uint32_t tensor) {
    return [=](B &b) {
      auto r = plan::CreateHostRead(b, b.CreateString(binding), tensor);
      return plan::CreateStep(b, plan::StepBody::HostRead, r.Union());
    };
  }
  void add(StepFn s) { steps.push_back(std::move(s)); }
  /// A tile image (plan.fbs TileImage); `bytes` starts on a page
  /// (plan::kTileImagePageBytes) of the finished buffer, as ipuc writes it.
  void setImage(std::vector<plan::TileImageRange> ranges,
                std::vector<uint8_t> bytes) {
    imageRanges = std::move(ranges);
    imageBytes = std::move(bytes);
    hasImage = true;
  }

  std::vector<uint8_t> finish(const DeviceSpec &dev = {}) {
    B b;
    std::vector<flatbuffers::Offset<plan::Tensor>> ts;
    for (const auto &t : tensors) {
      auto name = b.CreateString(t.name);
      auto shape = b.CreateVector(t.shape);
      flatbuffers::Offset<flatbuffers::Vector<uint8_t>> data;
      if (!t.data.empty()) {
        b.ForceVectorAlignment(t.data.size(), 1, 16);
        data = b.CreateVector(t.data);
      }
      ts.push_back(plan::CreateTensor(b, name, t.dtype, shape, t.role, data));
    }
    auto bindings =
        [&](const std::vector<std::pair<std::string, uint32_t>> &v) {
          std::vector<flatbuffers::Offset<plan::Binding>> out;
          for (const auto &[n, t] : v)
            out.push_back(plan::CreateBinding(b, b.CreateString(n), t));
          return b.CreateVector(out);
        };
    auto ins = bindings(inputs), outs = bindings(outputs);
    std::vector<flatbuffers::Offset<plan::TensorMapping>> ms;
    std::vector<
        flatbuffers::Offset<flatbuffers::Vector<const plan::TileInterval *>>>
        vectors;
    for (size_t m = 0; m < mappings.size(); ++m) {
      auto shared = std::find_if(sharedMappings.begin(), sharedMappings.end(),
                                 [&](auto &p) { return p.first == m; });
      vectors.push_back(shared != sharedMappings.end()
                            ? vectors[shared->second]
                            : b.CreateVectorOfStructs(mappings[m].second));
      ms.push_back(plan::CreateTensorMapping(b, mappings[m].first, vectors[m]));
    }
    std::vector<flatbuffers::Offset<plan::Step>> ss;
    for (const auto &s : steps)
      ss.push_back(s(b));
    flatbuffers::Offset<plan::TileImage> image;
    if (hasImage) {
      b.PreAlign(imageBytes.size(), plan::kTileImagePageBytes);
      auto bytes = b.CreateVector(imageBytes);
      image =
          plan::CreateTileImage(b, b.CreateVectorOfStructs(imageRanges), bytes);
    }
    auto tp = plan::CreateTileProgram(b, b.CreateVector(ms), b.CreateVector(ss),
                                      image);
    auto device =
        plan::CreateDevice(b, b.CreateString("test"), 1, dev.tiles, dev.sram,
                           dev.clock, dev.workers, 32, 128, 2, 4, dev.sync);
    auto root = plan::CreatePlan(
        b, plan::kFormatVersion, b.CreateString(plan::schemaHash()),
        b.CreateString("test"), b.CreateString("test.mlir"),
        b.CreateString("ipu"), device, b.CreateVector(ts), ins, outs, 0, tp);
    plan::FinishPlanBuffer(b, root);
    return std::vector<uint8_t>(b.GetBufferPointer(),
                                b.GetBufferPointer() + b.GetSize());
  }

private:
  static flatbuffers::Offset<plan::Box> box(B &b, const BoxSpec &s) {
    return plan::CreateBox(b, s.tensor, b.CreateVector(s.offsets),
                           b.CreateVector(s.sizes));
  }
  static flatbuffers::Offset<
      flatbuffers::Vector<flatbuffers::Offset<plan::Box>>>
  boxes(B &b, const std::vector<BoxSpec> &v) {
    std::vector<flatbuffers::Offset<plan::Box>> out;
    for (const auto &s : v)
      out.push_back(box(b, s));
    return b.CreateVector(out);
  }
  struct TensorSpec {
    std::string name;
    plan::DType dtype;
    std::vector<int64_t> shape;
    plan::TensorRole role;
    std::vector<uint8_t> data;
  };
  std::vector<TensorSpec> tensors;
  std::vector<std::pair<std::string, uint32_t>> inputs, outputs;
  std::vector<std::pair<uint32_t, std::vector<plan::TileInterval>>> mappings;
  /// (mapping, earlier mapping whose interval vector it shares).
  std::vector<std::pair<size_t, size_t>> sharedMappings;
  std::vector<StepFn> steps;
  std::vector<plan::TileImageRange> imageRanges;
  std::vector<uint8_t> imageBytes;
  bool hasImage = false;
};

/// Maps `tensor` of `n` elements in intervals of `len` on tiles 0, 1, 2,
/// 0, ... at increasing addresses from `base`, as the partitioner splits a
/// tensor over tiles in flat order.
inline void mapSplit(TilePlanBuilder &b, uint32_t tensor, int64_t n, int64_t len, uint64_t base) {
  std::vector<plan::TileInterval> ivs;
  uint64_t next[3] = {base, base, base};
  for (int64_t i = 0; i * len < n; ++i) {
    int64_t e = std::min(n, (i + 1) * len);
    uint32_t tile = static_cast<uint32_t>(i % 3);
    ivs.push_back(plan::TileInterval(tile, i * len, e, next[tile]));
    next[tile] += static_cast<uint64_t>(e - i * len) * 4;
  }
  b.map(tensor, ivs);
}

} // namespace ipuc::test

#endif // IPUC_TEST_UNIT_SIMTESTBUILDER_H

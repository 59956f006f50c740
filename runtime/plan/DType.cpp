//===- DType.cpp - Element types, roles, opcode metadata, labels ----------===//

#include "ipuc/plan/Plan.h"

#include <fmt/format.h>

namespace ipuc::plan {

const char *schemaHash() { return IPUC_PLAN_SCHEMA_HASH; }

bool isValidDType(DType dtype) {
  return static_cast<unsigned>(dtype) <= static_cast<unsigned>(DType::MAX);
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32: return "f32";
  case DType::F16: return "f16";
  case DType::BF16: return "bf16";
  case DType::F64: return "f64";
  case DType::I1: return "bool";
  case DType::I8: return "i8";
  case DType::I16: return "i16";
  case DType::I32: return "i32";
  case DType::I64: return "i64";
  }
  return "<invalid dtype>";
}

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32: return 4;
  case DType::F16: return 2;
  case DType::BF16: return 2;
  case DType::F64: return 8;
  case DType::I1: return 1;
  case DType::I8: return 1;
  case DType::I16: return 2;
  case DType::I32: return 4;
  case DType::I64: return 8;
  }
  return 0;
}

bool isFloatDType(DType dtype) {
  return dtype == DType::F32 || dtype == DType::F16 || dtype == DType::BF16 ||
         dtype == DType::F64;
}

const char *roleName(TensorRole role) {
  switch (role) {
  case TensorRole::Intermediate: return "intermediate";
  case TensorRole::Input: return "input";
  case TensorRole::Output: return "output";
  case TensorRole::Constant: return "constant";
  case TensorRole::Parameter: return "parameter";
  }
  return "<invalid role>";
}

unsigned opcodeArity(Opcode op) {
  switch (op) {
  case Opcode::ConstF:
  case Opcode::ConstI:
  case Opcode::Index:
  case Opcode::Extract:
  case Opcode::Yield:
    return 0;
  case Opcode::Select:
  case Opcode::Fma:
    return 3;
  case Opcode::AddF: case Opcode::SubF: case Opcode::MulF: case Opcode::DivF:
  case Opcode::RemF: case Opcode::MaxF: case Opcode::MinF:
  case Opcode::MaxNumF: case Opcode::MinNumF:
  case Opcode::AddI: case Opcode::SubI: case Opcode::MulI: case Opcode::DivSI:
  case Opcode::DivUI: case Opcode::RemSI: case Opcode::RemUI:
  case Opcode::MaxSI: case Opcode::MinSI: case Opcode::MaxUI:
  case Opcode::MinUI: case Opcode::AndI: case Opcode::OrI: case Opcode::XorI:
  case Opcode::ShLI: case Opcode::ShRSI: case Opcode::ShRUI:
  case Opcode::CeilDivSI: case Opcode::FloorDivSI:
  case Opcode::CmpF: case Opcode::CmpI:
  case Opcode::PowF: case Opcode::FPowI: case Opcode::IPowI:
  case Opcode::Atan2: case Opcode::CopySign:
    return 2;
  default:
    return 1;
  }
}

std::string tensorLabel(const Plan &plan, uint32_t t) {
  const Tensor *ts = plan.tensors()->Get(t);
  return fmt::format("%{} '{}'", t, ts->name() ? ts->name()->str() : "");
}

std::string shapeString(const flatbuffers::Vector<int64_t> *shape) {
  std::string s;
  if (!shape)
    return s;
  for (size_t i = 0; i < shape->size(); ++i) {
    if (i)
      s += 'x';
    s += std::to_string(shape->Get(i));
  }
  return s;
}

bool constantInTileImage(const Plan &plan, const Tensor &t) {
  return t.role() == TensorRole::Constant && !t.data() && plan.tile_program() &&
         plan.tile_program()->image();
}

int64_t numElements(const flatbuffers::Vector<int64_t> *shape) {
  if (!shape)
    return 1;
  // Called for every box of a plan (millions in a big tile program), so in
  // 64 bits: a product that overflows them is past the limit below anyway.
  int64_t n = 1;
  for (int64_t d : *shape) {
    // 2^56 elements is far beyond any device; the limit keeps later offset
    // arithmetic (element count times element size) free of overflow.
    if (d < 0 || __builtin_mul_overflow(n, d, &n) ||
        n > (static_cast<int64_t>(1) << 56))
      return -1;
  }
  return n;
}

} // namespace ipuc::plan

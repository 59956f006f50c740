//===- ProgramVerifierTest.cpp - ipuc::bsp::verifyConcurrently ------------===//
//
// verifyConcurrently must accept what mlir::verify accepts and reject what
// it rejects, with the same first error, with and without threads; so must
// verifyOpsConcurrently with its final checks in BackgroundChecks, which
// also hold back what the caller emits meanwhile. The
// programs are parsed without verification, so that broken ones reach the
// verifiers; the reference is mlir::verify on a second parse of the text.
//
//===----------------------------------------------------------------------===//

#include "dialects/Bsp/IR/ProgramVerifier.h"
#include "dialects/Bsp/IR/BspDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mlir;

namespace {

const char *kDevice =
    "#bsp.device<name = \"gc200\", tiles = 4, sram_bytes = 638976, clock_hz "
    "= 1325000000, workers = 6, fp32_flops_per_cycle = 32, "
    "fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, "
    "exchange_bytes_per_cycle = 4, sync_cycles = 150>";

/// A valid program (ipuc --emit=bsp of a 2x3 add on 4 tiles, with a second
/// compute set) with `@...@` markers replaced to break it in one place.
std::string program(const std::string &x = "x", const std::string &xTile = "0",
                    const std::string &vertexTile = "0",
                    const std::string &first = "",
                    const std::string &last = "") {
  std::string box = "[#bsp.box<offsets = [0, 0], sizes = [2, 3]>]";
  std::string buf = "!bsp.buffer<2x3xf32>";
  std::string add =
      "      bsp.generic_vertex tile(" + vertexTile + ") ins(%0 " + box +
      " : " + buf + ", %3 " + box + " : " + buf + ") outs(%2 " + box + " : " +
      buf +
      ") attributes {indexing_maps = [#map, #map, #map], iterator_types = "
      "[\"parallel\", \"parallel\"], loop_bounds = array<i64: 2, 3>} {\n"
      "      ^bb0(%arg0: f32, %arg1: f32, %arg2: f32):\n"
      "        %4 = arith.addf %arg0, %arg1 : f32\n"
      "        bsp.yield %4 : f32\n"
      "      }\n";
  return "#map = affine_map<(d0, d1) -> (d0, d1)>\n"
         "module {\n"
         "  bsp.program @main attributes {device = " +
         std::string(kDevice) + "} {\n" + first + "    %0 = bsp.tensor \"" + x +
         "\" role(input) mapping "
         "[#bsp.interval<" +
         xTile + ", 0, 6, 0>] : " + buf +
         "\n"
         "    %1 = bsp.tensor \"input1\" role(input) mapping "
         "[#bsp.interval<1, 0, 6, 0>] : " +
         buf +
         "\n"
         "    %2 = bsp.tensor \"output0\" role(output) mapping "
         "[#bsp.interval<0, 0, 6, 24>] : " +
         buf +
         "\n"
         "    %3 = bsp.tensor \"input1.t0.0\" role(intermediate) mapping "
         "[#bsp.interval<0, 0, 6, 48>] : " +
         buf +
         "\n"
         "    bsp.host_write %0 \"x\" : " +
         buf +
         "\n"
         "    bsp.host_write %1 \"input1\" : " +
         buf +
         "\n"
         "    bsp.exchange \"gather\" {\n"
         "      bsp.copy %1 " +
         box + " : " + buf + " -> %3 " + box + " : " + buf +
         "\n"
         "    }\n"
         "    bsp.compute_set \"add\" {\n" +
         add +
         "    }\n"
         "    bsp.compute_set \"add.again\" {\n" +
         add +
         "    }\n"
         "    bsp.host_read %2 \"output0\" : " +
         buf + "\n" + last +
         "  }\n"
         "}\n";
}

/// `text` parsed unverified into a fresh context (on threads or not) with
/// the bsp and arith dialects; every error diagnostic it reports, while
/// parsing or later, is appended to `errors`.
struct Parsed {
  Parsed(const std::string &text, bool threads,
         std::vector<std::string> &errors)
      : context(registry(), threads ? MLIRContext::Threading::ENABLED
                                    : MLIRContext::Threading::DISABLED),
        handler(&context, [&errors](Diagnostic &diag) {
          if (diag.getSeverity() == DiagnosticSeverity::Error)
            errors.push_back(diag.str());
          return success();
        }) {
    context.loadAllAvailableDialects();
    ParserConfig config(&context, /*verifyAfterParse=*/false);
    module = parseSourceString<ModuleOp>(text, config);
    EXPECT_TRUE(module) << "does not parse:\n" << text;
  }
  static DialectRegistry registry() {
    DialectRegistry registry;
    registry.insert<ipuc::bsp::BspDialect, arith::ArithDialect>();
    return registry;
  }
  MLIRContext context;
  ScopedDiagnosticHandler handler;
  OwningOpRef<ModuleOp> module;
};

struct Outcome {
  bool ok;
  std::vector<std::string> errors;
};

/// Parses `text` unverified into a fresh context and verifies it with
/// verifyConcurrently (or mlir::verify), collecting the diagnostics.
Outcome check(const std::string &text, bool concurrently, bool threads) {
  Outcome outcome{false, {}};
  Parsed parsed(text, threads, outcome.errors);
  if (!parsed.module)
    return outcome;
  OwningOpRef<ModuleOp> &module = parsed.module;
  outcome.ok = succeeded(concurrently ? ipuc::bsp::verifyConcurrently(*module)
                                      : verify(*module));
  return outcome;
}

/// verifyConcurrently agrees with mlir::verify on `text`, threaded or not;
/// returns mlir::verify's first error ("" when valid).
std::string expectSameVerdict(const std::string &text) {
  Outcome reference = check(text, /*concurrently=*/false, /*threads=*/false);
  for (bool threads : {false, true}) {
    Outcome outcome = check(text, /*concurrently=*/true, threads);
    EXPECT_EQ(outcome.ok, reference.ok) << "threads=" << threads;
    EXPECT_EQ(outcome.ok, outcome.errors.empty());
    if (!reference.ok && !outcome.errors.empty() && !reference.errors.empty()) {
      EXPECT_EQ(outcome.errors.front(), reference.errors.front())
          << "threads=" << threads;
    }
  }
  return reference.errors.empty() ? "" : reference.errors.front();
}

TEST(ProgramVerifier, AcceptsAValidProgram) {
  EXPECT_EQ(expectSameVerdict(program()), "");
}

// Both compute sets' vertices are off the device: the first one is reported.
TEST(ProgramVerifier, RejectsAVertexOffTheDevice) {
  std::string error = expectSameVerdict(program("x", "0", "7"));
  EXPECT_NE(error.find("is on tile 7, but device 'gc200' has 4 tiles"),
            std::string::npos)
      << error;
}

TEST(ProgramVerifier, RejectsAnInputOnAnotherTile) {
  std::string error = expectSameVerdict(program("x", "2"));
  EXPECT_NE(error.find("input #0 box [0:2, 0:3] of 'x' is not on tile 0: "
                       "element 0 lives on tile 2"),
            std::string::npos)
      << error;
}

// A region invariant of bsp.program, checked after its tensors.
TEST(ProgramVerifier, RejectsADuplicateTensorName) {
  std::string error = expectSameVerdict(program("input1"));
  EXPECT_NE(error.find("name 'input1' is already used"), std::string::npos)
      << error;
}

// Dominance of the program body's own operands.
TEST(ProgramVerifier, RejectsAStepBeforeItsTensor) {
  std::string error =
      expectSameVerdict(program("x", "0", "0",
                                "    bsp.host_read %2 \"early\" : "
                                "!bsp.buffer<2x3xf32>\n"));
  EXPECT_NE(error.find("does not dominate this use"), std::string::npos)
      << error;
}

// Dominance of a use nested in a step, verified on a worker thread.
TEST(ProgramVerifier, RejectsAVertexBeforeItsTensor) {
  std::string error = expectSameVerdict(program(
      "x", "0", "0",
      "    bsp.compute_set \"early\" {\n"
      "      bsp.copy_vertex tile(0) ins(%0 [#bsp.box<offsets = [0, 0], "
      "sizes = [2, 3]>] : !bsp.buffer<2x3xf32>) outs(%2 [#bsp.box<offsets = "
      "[0, 0], sizes = [2, 3]>] : !bsp.buffer<2x3xf32>)\n"
      "    }\n"));
  EXPECT_NE(error.find("does not dominate this use"), std::string::npos)
      << error;
}

// An op the program may not hold, after the valid steps.
TEST(ProgramVerifier, RejectsAForeignOpInAComputeSet) {
  std::string error =
      expectSameVerdict(program("x", "0", "0", "",
                                "    bsp.compute_set \"late\" {\n"
                                "      %c = arith.constant 1.0 : f32\n"
                                "    }\n"));
  EXPECT_NE(error.find("may only contain vertices, found 'arith.constant'"),
            std::string::npos)
      << error;
}

/// A compute set of two generic vertices adding x and input1.t0.0 into
/// output0: the first with the valid body `a + b`, then `a + b` again; the
/// second on `tile` with `body` (its ops on %arg0, %arg1, yielding %6).
std::string twoVertices(const std::string &tile, const std::string &body) {
  std::string box = "[#bsp.box<offsets = [0, 0], sizes = [2, 3]>]";
  std::string buf = "!bsp.buffer<2x3xf32>";
  auto vertex = [&](const std::string &t, const std::string &ops) {
    return "      bsp.generic_vertex tile(" + t + ") ins(%0 " + box + " : " +
           buf + ", %3 " + box + " : " + buf + ") outs(%2 " + box + " : " +
           buf +
           ") attributes {indexing_maps = [#map, #map, #map], "
           "iterator_types = [\"parallel\", \"parallel\"], loop_bounds = "
           "array<i64: 2, 3>} {\n"
           "      ^bb0(%arg0: f32, %arg1: f32, %arg2: f32):\n" +
           ops + "        bsp.yield %6 : f32\n      }\n";
  };
  return "    bsp.compute_set \"pair\" {\n" +
         vertex("0", "        %5 = arith.addf %arg0, %arg1 : f32\n"
                     "        %6 = arith.addf %5, %arg1 : f32\n") +
         vertex(tile, body) + "    }\n";
}

// The second vertex's body is the first's, which is verified once: what is
// the vertex's own is still checked.
TEST(ProgramVerifier, ChecksAVertexWhoseBodyWasVerifiedBefore) {
  std::string same = "        %5 = arith.addf %arg0, %arg1 : f32\n"
                     "        %6 = arith.addf %5, %arg1 : f32\n";
  EXPECT_EQ(
      expectSameVerdict(program("x", "0", "0", "", twoVertices("0", same))),
      "");
  std::string error =
      expectSameVerdict(program("x", "0", "0", "", twoVertices("9", same)));
  EXPECT_NE(error.find("is on tile 9, but device 'gc200' has 4 tiles"),
            std::string::npos)
      << error;
}

// Bodies alike but for the order of their ops are not the same body: the
// second one's is verified (and its use before the definition found).
TEST(ProgramVerifier, VerifiesABodyThatOnlyLooksLikeTheLastOne) {
  std::string error = expectSameVerdict(program(
      "x", "0", "0", "",
      twoVertices("0", "        %5 = arith.addf %6, %arg1 : f32\n"
                       "        %6 = arith.addf %arg0, %arg1 : f32\n")));
  EXPECT_NE(error.find("does not dominate this use"), std::string::npos)
      << error;
  // Another op in the same place is not the same body either (and valid).
  EXPECT_EQ(expectSameVerdict(program(
                "x", "0", "0", "",
                twoVertices("0", "        %5 = arith.addf %arg0, %arg1 : f32\n"
                                 "        %6 = arith.mulf %5, %arg1 : f32\n"))),
            "");
}

/// `text` (a module holding one program) with a copy of its program, under
/// the same name, after it.
std::string withProgramTwice(std::string text) {
  size_t begin = text.find("  bsp.program"), end = text.rfind("}\n");
  text.insert(end, text.substr(begin, end - begin));
  return text;
}

// A region invariant of the module (its symbol table), checked beside the
// programs' own checks.
TEST(ProgramVerifier, RejectsTwoProgramsOfOneName) {
  std::string error = expectSameVerdict(withProgramTwice(program()));
  EXPECT_NE(error.find("redefinition of symbol named 'main'"),
            std::string::npos)
      << error;
}

// The first program's own check fails as well as the module's: the program's
// error, which mlir::verify meets first, comes first.
TEST(ProgramVerifier, ReportsAProgramCheckBeforeTheModules) {
  std::string error = expectSameVerdict(withProgramTwice(program("input1")));
  EXPECT_NE(error.find("name 'input1' is already used"), std::string::npos)
      << error;
}
/// verifyOpsConcurrently, then its final checks in BackgroundChecks while
/// the caller emits an error of its own (as ipuc's serializer might); the
/// errors as they come out, and whether verifyOpsConcurrently and wait()
/// succeeded.
struct BackgroundOutcome {
  bool opsOk = false, checksOk = false;
  std::vector<std::string> errors;
};
BackgroundOutcome checkInBackground(const std::string &text, bool threads) {
  BackgroundOutcome outcome;
  Parsed parsed(text, threads, outcome.errors);
  if (!parsed.module)
    return outcome;
  OwningOpRef<ModuleOp> &module = parsed.module;
  MLIRContext &context = parsed.context;
  std::vector<Operation *> finalChecks;
  outcome.opsOk =
      succeeded(ipuc::bsp::verifyOpsConcurrently(*module, finalChecks));
  if (!outcome.opsOk)
    return outcome;
  EXPECT_EQ(finalChecks.back(), module->getOperation());
  ipuc::bsp::BackgroundChecks checks(&context, std::move(finalChecks));
  emitError(module->getLoc(), "the caller's error");
  outcome.checksOk = succeeded(checks.wait());
  // Nothing is held back any more.
  emitError(module->getLoc(), "after wait");
  EXPECT_EQ(succeeded(checks.wait()), outcome.checksOk);
  return outcome;
}

// The final checks pass: the caller's error comes out, in order.
TEST(BackgroundChecks, PassesTheCallersDiagnosticsOn) {
  for (bool threads : {false, true}) {
    BackgroundOutcome outcome = checkInBackground(program(), threads);
    EXPECT_TRUE(outcome.opsOk && outcome.checksOk) << "threads=" << threads;
    EXPECT_EQ(outcome.errors,
              (std::vector<std::string>{"the caller's error", "after wait"}))
        << "threads=" << threads;
  }
}

// A final check fails (the program's own: a duplicate tensor name): its error
// is the answer, the one mlir::verify reports, and what the caller emitted
// meanwhile is dropped on threads. Without threads the checks ran (and
// reported) before the caller went on, so its error follows theirs.
TEST(BackgroundChecks, ReportsAFailedProgramCheck) {
  std::string reference = expectSameVerdict(program("input1"));
  ASSERT_NE(reference.find("name 'input1' is already used"), std::string::npos)
      << reference;
  BackgroundOutcome threaded = checkInBackground(program("input1"), true);
  EXPECT_TRUE(threaded.opsOk);
  EXPECT_FALSE(threaded.checksOk);
  EXPECT_EQ(threaded.errors,
            (std::vector<std::string>{reference, "after wait"}));
  BackgroundOutcome serial = checkInBackground(program("input1"), false);
  EXPECT_TRUE(serial.opsOk);
  EXPECT_FALSE(serial.checksOk);
  EXPECT_EQ(serial.errors, (std::vector<std::string>{
                               reference, "the caller's error", "after wait"}));
}

// The program's check and the module's both fail: on threads both report,
// the program's first (as verifyConcurrently's side-by-side checks do);
// without threads only the program's.
TEST(BackgroundChecks, ReportsBothFinalChecksInOrder) {
  std::string text = withProgramTwice(program("input1"));
  BackgroundOutcome threaded = checkInBackground(text, true);
  EXPECT_FALSE(threaded.checksOk);
  ASSERT_GE(threaded.errors.size(), 3u);
  EXPECT_NE(threaded.errors[0].find("name 'input1' is already used"),
            std::string::npos)
      << threaded.errors[0];
  EXPECT_NE(threaded.errors[threaded.errors.size() - 2].find(
                "redefinition of symbol named 'main'"),
            std::string::npos)
      << threaded.errors[threaded.errors.size() - 2];
  for (const std::string &error : threaded.errors)
    EXPECT_EQ(error.find("the caller's error"), std::string::npos);
  BackgroundOutcome serial = checkInBackground(text, false);
  EXPECT_FALSE(serial.checksOk);
  ASSERT_EQ(serial.errors.size(), 3u);
  EXPECT_NE(serial.errors[0].find("name 'input1' is already used"),
            std::string::npos)
      << serial.errors[0];
}

// An op's own error stops verifyOpsConcurrently before any final check.
TEST(BackgroundChecks, LeavesNoFinalChecksAfterAnOpError) {
  BackgroundOutcome outcome = checkInBackground(program("x", "0", "7"), true);
  EXPECT_FALSE(outcome.opsOk);
  ASSERT_FALSE(outcome.errors.empty());
  EXPECT_NE(outcome.errors.front().find("is on tile 7"), std::string::npos)
      << outcome.errors.front();
}
} // namespace

//===- ipuc.cpp - The ipuc compiler driver -------------------------------===//
//
//   ipuc MODEL.{onnx,onnxtxt,mlir,mlirbc} -o MODEL.ipuplan [--target=host]
//        [--device=gc200|gc2|FILE.json] [--tiles=N] [--input-shape NAME=2x3]
//        [--emit=tosa|linalg|bsp|plan] [MLIR debugging flags]
//        [--train --optimizer=sgd|adam|adamw|adagrad|rmsprop|lamb|lookahead|
//         learned --lr=X ...
//         --loss=cross_entropy --logits=T --labels=N | --loss=mse --output=T
//         --targets=N | --loss-tensor=T  [--freeze=REGEX]]
//
// Imports the model to func+tosa, lowers it with the ipuc-host-pipeline and
// writes the host plan (runtime/plan/plan.fbs) atomically to -o.
//
//===----------------------------------------------------------------------===//

#include "compiler/Autodiff/Differentiate.h"
#include "compiler/Autodiff/Loss.h"
#include "compiler/Autodiff/Passes.h"
#include "compiler/Import/OnnxImporter.h"
#include "compiler/Partition/Passes.h"
#include "compiler/Pipelines/HostPipeline.h"
#include "compiler/Plan/BspToPlan.h"
#include "compiler/Plan/Device.h"
#include "compiler/Plan/EmitHostPlan.h"
#include "compiler/Plan/LocationString.h"
#include "compiler/Plan/PlanBufferAllocator.h"
#include "dialects/Bsp/IR/ProgramVerifier.h"
#include "dialects/Optimizer/IR/OptimizerDialect.h"

#include "ipuc/plan/Plan.h"
#include "ipuc/train/LrSchedule.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <future>
#include <optional>

using namespace llvm;

namespace {
enum class EmitKind { Binary, Tosa, Linalg, Bsp, Plan };

cl::OptionCategory ipucCategory("ipuc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model>"),
                               cl::Required, cl::cat(ipucCategory));
cl::opt<std::string>
    outputFile("o",
               cl::desc("Output file: the binary plan (required), or the IR "
                        "/ plan text with --emit (default: stdout)"),
               cl::value_desc("MODEL.ipuplan"), cl::cat(ipucCategory));
cl::opt<std::string>
    targetOpt("target",
              cl::desc("Plan target: 'host' (op-level kernels run on the CPU "
                       "by ipu-run --device=host) or 'ipu' (tile plan)"),
              cl::init("host"), cl::cat(ipucCategory));
cl::opt<std::string>
    deviceOpt("device",
              cl::desc("Device the plan is compiled for: gc200 (default), gc2 "
                       "or a JSON device file (FILE.json)"),
              cl::init("gc200"), cl::cat(ipucCategory));
cl::opt<int64_t>
    tilesOpt("tiles",
             cl::desc("Number of tiles per chip (default: the device's)"),
             cl::init(0), cl::cat(ipucCategory));
cl::opt<bool> planGridsOpt(
    "plan-grids",
    cl::desc("With --target=ipu, run ipuc-plan-matmul-grids before "
             "partitioning so that the matmul/conv grid decisions show on "
             "linalg (implied by --emit=linalg); off by default because it "
             "costs a second partitioning walk and the partitioner makes the "
             "same decisions itself"),
    cl::init(false), cl::cat(ipucCategory));
cl::opt<bool> planMappingsOpt(
    "plan-mappings",
    cl::desc("With --target=ipu, results of elementwise and other ops "
             "split along their output get the cheapest mapping by the cost "
             "model (an operand's, so that no exchange is needed, or a fresh "
             "linear one); "
             "shown on linalg by ipuc-plan-tile-mapping with --emit=linalg "
             "or --plan-grids (default on; =false for the linear mappings)"),
    cl::init(true), cl::cat(ipucCategory));
cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Fix the shape of a model input with dynamic "
                         "dimensions, e.g. --input-shape x=1x3x224x224"),
                cl::value_desc("NAME=DxDx..."), cl::cat(ipucCategory));
// Training (--train): one step of gradients and optimizer updates. An MLIR
// model marks its trainable arguments `ipuc.param` and returns the loss; an
// ONNX model trains its float initializers against the loss --loss or
// --loss-tensor names. See ipuc-training-step for the step's inputs/outputs.
cl::OptionCategory trainCategory("ipuc training options");
cl::opt<bool> trainOpt("train",
                       cl::desc("Compile one training step instead of "
                                "inference"),
                       cl::cat(trainCategory));
cl::opt<std::string> optimizerOpt(
    "optimizer",
    cl::desc("Update rule: sgd, adam, adamw, adagrad, rmsprop, lamb, "
             "lookahead (around --lookahead-inner) or learned "
             "(--learned-weights)"),
    cl::init("sgd"), cl::cat(trainCategory));
cl::opt<double> lrOpt("lr",
                      cl::desc("Learning rate (default: torch.optim's; sgd "
                               "needs one)"),
                      cl::init(-1.0), cl::cat(trainCategory));
cl::opt<double> momentumOpt("momentum", cl::desc("Momentum (sgd, rmsprop)"),
                            cl::init(0.0), cl::cat(trainCategory));
cl::opt<double> dampeningOpt("dampening",
                             cl::desc("Dampening of the momentum (sgd)"),
                             cl::init(0.0), cl::cat(trainCategory));
cl::opt<bool> nesterovOpt("nesterov", cl::desc("Nesterov momentum (sgd)"),
                          cl::cat(trainCategory));
cl::opt<double> beta1Opt("beta1", cl::desc("beta1 (adam, adamw, lamb)"),
                         cl::init(0.9), cl::cat(trainCategory));
cl::opt<double> beta2Opt("beta2", cl::desc("beta2 (adam, adamw, lamb)"),
                         cl::init(0.999), cl::cat(trainCategory));
cl::opt<double> epsOpt("eps",
                       cl::desc("Epsilon (adam, adamw, adagrad, rmsprop, "
                                "lamb; default: torch.optim's, lamb 1e-6)"),
                       cl::init(-1.0), cl::cat(trainCategory));
cl::opt<double>
    weightDecayOpt("weight-decay",
                   cl::desc("Weight decay (default: 0, or 0.01 for adamw)"),
                   cl::init(-1.0), cl::cat(trainCategory));
cl::opt<double> alphaOpt("alpha",
                         cl::desc("Smoothing constant (rmsprop; default "
                                  "0.99)"),
                         cl::init(0.99), cl::cat(trainCategory));
cl::opt<bool> centeredOpt("centered", cl::desc("Centered RMSprop (rmsprop)"),
                          cl::cat(trainCategory));
cl::opt<double> lrDecayOpt("lr-decay",
                           cl::desc("Learning rate decay (adagrad)"),
                           cl::init(0.0), cl::cat(trainCategory));
cl::opt<double> clampValueOpt("clamp-value",
                              cl::desc("Clamp of the weight norm in the "
                                       "trust ratio (lamb; default 10)"),
                              cl::init(10.0), cl::cat(trainCategory));
cl::opt<bool> debiasOpt("debias", cl::desc("Bias-correct the moments (lamb)"),
                        cl::cat(trainCategory));
cl::opt<std::string> lookaheadInnerOpt(
    "lookahead-inner",
    cl::desc("The fast rule lookahead wraps: sgd, adam, adamw, adagrad, "
             "rmsprop, lamb or learned; its flags apply to it"),
    cl::init("sgd"), cl::cat(trainCategory));
cl::opt<int64_t>
    lookaheadKOpt("lookahead-k",
                  cl::desc("Fast steps per slow update (lookahead; default 5)"),
                  cl::init(5), cl::cat(trainCategory));
cl::opt<double> lookaheadAlphaOpt(
    "lookahead-alpha",
    cl::desc("Slow weights' step towards the fast ones (lookahead; default "
             "0.5)"),
    cl::init(0.5), cl::cat(trainCategory));
cl::opt<std::string> learnedWeightsOpt(
    "learned-weights",
    cl::desc("The learned optimizer's MLP as .npz arrays decays [D], "
             "w1 [2+D, H], b1 [H], w2 [H, 2], b2 [2] and optionally the "
             "scalar mag_scale (learned)"),
    cl::value_desc("FILE.npz"), cl::cat(trainCategory));
cl::opt<double> clipGradNormOpt(
    "clip-grad-norm",
    cl::desc("Clip the gradients to this global L2 norm before the updates "
             "(torch.nn.utils.clip_grad_norm_)"),
    cl::init(-1.0), cl::cat(trainCategory));
// The lr schedule, with torch.optim.lr_scheduler's semantics; ipu-run's loop
// computes each step's rate and feeds it to the step's `lr` input.
cl::opt<std::string> lrScheduleOpt(
    "lr-schedule",
    cl::desc("constant, step (--lr-step-size, --lr-gamma), cosine or linear "
             "(to --lr-min at --total-steps)"),
    cl::init("constant"), cl::cat(trainCategory));
cl::opt<int64_t> warmupOpt("warmup",
                           cl::desc("Steps of linear lr warm-up from 0"),
                           cl::init(0), cl::cat(trainCategory));
cl::opt<int64_t> lrStepSizeOpt("lr-step-size",
                               cl::desc("Steps between lr decays (step)"),
                               cl::init(1), cl::cat(trainCategory));
cl::opt<double> lrGammaOpt("lr-gamma", cl::desc("lr decay factor (step)"),
                           cl::init(0.1), cl::cat(trainCategory));
cl::opt<double> lrMinOpt("lr-min", cl::desc("Final lr (cosine, linear)"),
                         cl::init(0.0), cl::cat(trainCategory));
cl::opt<int64_t>
    totalStepsOpt("total-steps",
                  cl::desc("Steps of the whole schedule, warm-up included "
                           "(cosine, linear)"),
                  cl::init(0), cl::cat(trainCategory));

// Training ONNX models: the loss ipuc appends, and what trains.
cl::opt<std::string>
    lossOpt("loss",
            cl::desc("Loss appended to an ONNX model: cross_entropy "
                     "(--logits, --labels) or mse (--output, --targets)"),
            cl::cat(trainCategory));
cl::opt<std::string> logitsOpt("logits",
                               cl::desc("Tensor holding the [batch, classes] "
                                        "logits (--loss=cross_entropy)"),
                               cl::cat(trainCategory));
cl::opt<std::string>
    labelsOpt("labels",
              cl::desc("Name of the new int64 [batch] labels input "
                       "(--loss=cross_entropy)"),
              cl::init("label"), cl::cat(trainCategory));
cl::opt<std::string> predictionOpt("output",
                                   cl::desc("Tensor holding the predictions "
                                            "(--loss=mse)"),
                                   cl::cat(trainCategory));
cl::opt<std::string>
    targetsOpt("targets",
               cl::desc("Name of the new targets input (--loss=mse)"),
               cl::init("target"), cl::cat(trainCategory));
cl::opt<std::string>
    lossTensorOpt("loss-tensor",
                  cl::desc("Tensor holding a scalar loss the ONNX model "
                           "computes itself"),
                  cl::cat(trainCategory));
cl::opt<std::string>
    freezeOpt("freeze",
              cl::desc("Initializers whose name matches this regular "
                       "expression stay constants (ONNX)"),
              cl::cat(trainCategory));

cl::opt<EmitKind> emitOpt(
    "emit", cl::desc("Stop after a stage and print its result"),
    cl::values(clEnumValN(EmitKind::Tosa, "tosa",
                          "the imported func + tosa module"),
               clEnumValN(EmitKind::Linalg, "linalg",
                          "fused linalg-on-tensors after the host pipeline"),
               clEnumValN(EmitKind::Bsp, "bsp",
                          "the tile-level bsp program (--target=ipu)"),
               clEnumValN(EmitKind::Plan, "plan", "the plan as text")),
    cl::init(EmitKind::Binary), cl::cat(ipucCategory));

/// Prints diagnostics as "<readable location>: error: message". ONNX
/// locations point into binary files, so they are not quoted as source lines.
struct LocationDiagnosticHandler : public mlir::ScopedDiagnosticHandler {
  explicit LocationDiagnosticHandler(mlir::MLIRContext *ctx)
      : ScopedDiagnosticHandler(ctx) {
    setHandler([](mlir::Diagnostic &diag) {
      auto print = [](mlir::Diagnostic &d) {
        std::string loc = ipuc::formatLocation(d.getLocation());
        const char *severity = "error";
        switch (d.getSeverity()) {
        case mlir::DiagnosticSeverity::Warning:
          severity = "warning";
          break;
        case mlir::DiagnosticSeverity::Note:
          severity = "note";
          break;
        case mlir::DiagnosticSeverity::Remark:
          severity = "remark";
          break;
        default:
          break;
        }
        errs() << (loc.empty() ? "ipuc" : loc) << ": " << severity << ": "
               << d.str() << "\n";
      };
      print(diag);
      for (mlir::Diagnostic &note : diag.getNotes())
        print(note);
      return mlir::success();
    });
  }
};

int fail(const Twine &message) {
  errs() << "ipuc: error: " << message << "\n";
  return 1;
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, so a failed compile never leaves a truncated plan. The
/// rename waits for `beforeRename`, if given, and is left out (the
/// temporary removed) when it returns false.
bool writeAtomically(StringRef path, ArrayRef<uint8_t> bytes,
                     std::string &error,
                     function_ref<bool()> beforeRename = nullptr) {
  SmallString<256> tmp(path);
  tmp += ".tmp-%%%%%%";
  int fd;
  SmallString<256> tmpPath;
  if (std::error_code ec = sys::fs::createUniqueFile(tmp, fd, tmpPath)) {
    error = "cannot create '" + tmpPath.str().str() + "': " + ec.message();
    return false;
  }
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    os.close();
    if (os.has_error()) {
      error =
          "cannot write '" + tmpPath.str().str() + "': " + os.error().message();
      os.clear_error();
      sys::fs::remove(tmpPath);
      return false;
    }
  }
  if (beforeRename && !beforeRename()) {
    sys::fs::remove(tmpPath);
    return false;
  }
  if (std::error_code ec = sys::fs::rename(tmpPath, path)) {
    error = "cannot rename '" + tmpPath.str().str() + "' to '" + path.str() +
            "': " + ec.message();
    sys::fs::remove(tmpPath);
    return false;
  }
  return true;
}

/// Prints text to -o, or stdout without -o.
int writeText(StringRef text) {
  std::string error;
  auto file = mlir::openOutputFile(
      outputFile.empty() ? "-" : outputFile.getValue(), &error);
  if (!file)
    return fail(error);
  file->os() << text;
  file->keep();
  return 0;
}
} // namespace

/// Rejects hyper-parameter flags the chosen update rule does not have, so
/// that a mistyped rule or flag does not silently train something else. A
/// lookahead's fast rule takes the flags of --lookahead-inner.
static bool checkOptimizerFlags(std::string &error) {
  struct Flag {
    const cl::Option &option;
    std::vector<StringRef> rules;
  };
  const std::vector<StringRef> decaying = {"sgd",     "adam",    "adamw",
                                           "adagrad", "rmsprop", "lamb"};
  const std::vector<StringRef> epsilon = {"adam", "adamw", "adagrad", "rmsprop",
                                          "lamb"};
  const Flag flags[] = {
      {momentumOpt, {"sgd", "rmsprop"}},
      {dampeningOpt, {"sgd"}},
      {nesterovOpt, {"sgd"}},
      {beta1Opt, {"adam", "adamw", "lamb"}},
      {beta2Opt, {"adam", "adamw", "lamb"}},
      {epsOpt, epsilon},
      {weightDecayOpt, decaying},
      {alphaOpt, {"rmsprop"}},
      {centeredOpt, {"rmsprop"}},
      {lrDecayOpt, {"adagrad"}},
      {clampValueOpt, {"lamb"}},
      {debiasOpt, {"lamb"}},
      {learnedWeightsOpt, {"learned"}},
      {lookaheadInnerOpt, {"lookahead"}},
      {lookaheadKOpt, {"lookahead"}},
      {lookaheadAlphaOpt, {"lookahead"}},
  };
  bool lookahead = optimizerOpt == "lookahead";
  StringRef rule = lookahead ? StringRef(lookaheadInnerOpt) : optimizerOpt;
  for (const Flag &flag : flags) {
    if (!flag.option.getNumOccurrences())
      continue;
    StringRef name = flag.option.ArgStr;
    bool own = name.starts_with("lookahead-");
    StringRef against = own ? StringRef(optimizerOpt) : rule;
    if (llvm::is_contained(flag.rules, against))
      continue;
    error = "--" + name.str() +
            " does not apply to --optimizer=" + optimizerOpt.getValue();
    if (lookahead && !own)
      error += " around --lookahead-inner=" + lookaheadInnerOpt.getValue();
    error += " (it is for ";
    for (size_t i = 0; i < flag.rules.size(); ++i)
      error += (i ? ", " : "") + flag.rules[i].str();
    error += ")";
    return false;
  }
  return true;
}

/// Checks the ONNX loss options of --train and tells the importer which
/// tensor to return and that initializers train.
static bool parseLoss(ipuc::autodiff::LossSpec &loss,
                      ipuc::OnnxImportOptions &importOptions,
                      std::string &error) {
  using ipuc::autodiff::LossKind;
  if (lossOpt.empty() == lossTensorOpt.empty()) {
    error = "--train on an ONNX model needs exactly one of "
            "--loss=cross_entropy|mse or --loss-tensor=NAME";
    return false;
  }
  std::string tensor;
  if (!lossTensorOpt.empty()) {
    loss.kind = LossKind::Tensor;
    tensor = lossTensorOpt;
  } else if (lossOpt == "cross_entropy") {
    loss.kind = LossKind::CrossEntropy;
    tensor = logitsOpt;
    loss.target = labelsOpt;
    if (tensor.empty()) {
      error = "--loss=cross_entropy needs --logits=NAME (the tensor holding "
              "the [batch, classes] logits)";
      return false;
    }
  } else if (lossOpt == "mse") {
    loss.kind = LossKind::MeanSquaredError;
    tensor = predictionOpt;
    loss.target = targetsOpt;
    if (tensor.empty()) {
      error = "--loss=mse needs --output=NAME (the tensor holding the "
              "predictions)";
      return false;
    }
  } else {
    error = "unknown --loss='" + lossOpt +
            "': expected cross_entropy or mse (or --loss-tensor=NAME)";
    return false;
  }
  importOptions.outputs = {tensor};
  importOptions.trainableInitializers = true;
  importOptions.freeze = freezeOpt;
  return true;
}

static mlir::OwningOpRef<mlir::ModuleOp>
loadModel(mlir::MLIRContext &context, llvm::SourceMgr &sourceMgr,
          const ipuc::OnnxImportOptions &importOptions) {
  StringRef ext = sys::path::extension(inputFile);
  if (ext == ".onnx" || ext == ".onnxtxt")
    return ipuc::importOnnxModel(context, inputFile, importOptions);
  if (ext == ".mlir" || ext == ".mlirbc") {
    std::string error;
    auto buffer = mlir::openInputFile(inputFile, &error);
    if (!buffer) {
      fail(error);
      return nullptr;
    }
    sourceMgr.AddNewSourceBuffer(std::move(buffer), SMLoc());
    mlir::ParserConfig config(&context);
    return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, config);
  }
  fail("cannot tell the format of '" + inputFile +
       "': expected .onnx, .onnxtxt, .mlir or .mlirbc");
  return nullptr;
}

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  cl::ParseCommandLineOptions(
      argc, argv,
      "ipuc: compiles an ONNX or MLIR (func + tosa/linalg) model into an "
      "ipuc execution plan for ipu-run\n");

  if (emitOpt == EmitKind::Binary && outputFile.empty())
    return fail("no output file: pass -o MODEL.ipuplan (or --emit=... to "
                "print an intermediate stage)");
  if (targetOpt != "host" && targetOpt != "ipu")
    return fail("unknown --target='" + targetOpt +
                "': expected 'host' or 'ipu'");
  ipuc::PlanOptions planOptions;
  planOptions.source = inputFile;
  std::string error;
  if (!ipuc::resolveDevice(deviceOpt, planOptions.device, error) ||
      !ipuc::applyTileCount(tilesOpt, planOptions.device, error))
    return fail(error);
  ipuc::OnnxImportOptions importOptions;
  for (const std::string &shape : inputShapes)
    if (!ipuc::parseInputShapeOption(shape, importOptions, error))
      return fail("--input-shape " + shape + ": " + error);
  StringRef ext = sys::path::extension(inputFile);
  bool isMlir = ext == ".mlir" || ext == ".mlirbc";
  ipuc::autodiff::LossSpec loss;
  if (trainOpt && !isMlir) {
    if (!parseLoss(loss, importOptions, error))
      return fail(error);
  } else if (!lossOpt.empty() || !lossTensorOpt.empty() || !freezeOpt.empty()) {
    return fail(trainOpt ? "--loss, --loss-tensor and --freeze are for ONNX "
                           "models; an MLIR model marks its parameters "
                           "'ipuc.param' and returns its loss"
                         : "--loss, --loss-tensor and --freeze need --train");
  }

  // One timing manager for the whole compile: with --mlir-timing its report
  // shows ipuc's phases (import, verification, serialization, writing) with
  // each pass manager's passes nested under its phase, instead of one report
  // per pass manager whose "Rest" hid everything outside the passes.
  mlir::DefaultTimingManager timing;
  mlir::applyDefaultTimingManagerCLOptions(timing);
  mlir::TimingScope rootTiming = timing.getRootScope();

  mlir::DialectRegistry registry;
  registry.insert<ipuc::bsp::BspDialect, ipuc::optimizer::OptimizerDialect,
                  mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::math::MathDialect,
                  mlir::tensor::TensorDialect, mlir::tosa::TosaDialect>();
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  // MLIR inputs get source-line diagnostics; ONNX ones readable node names.
  std::unique_ptr<mlir::ScopedDiagnosticHandler> handler;
  if (isMlir)
    handler =
        std::make_unique<mlir::SourceMgrDiagnosticHandler>(sourceMgr, &context);
  else
    handler = std::make_unique<LocationDiagnosticHandler>(&context);

  mlir::TimingScope importTiming = rootTiming.nest("Import");
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loadModel(context, sourceMgr, importOptions);
  importTiming.stop();
  if (!module)
    return 1;
  mlir::TimingScope verifyInputTiming = rootTiming.nest("Verify input");
  if (failed(mlir::verify(*module)))
    return 1;
  verifyInputTiming.stop();

  if (trainOpt) {
    if (!isMlir)
      for (auto func : module->getOps<mlir::func::FuncOp>())
        if (failed(ipuc::autodiff::appendLoss(func, loss)))
          return 1;
    bool hasParam = false;
    module->walk([&](mlir::func::FuncOp func) {
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        hasParam |= bool(func.getArgAttr(i, "ipuc.param"));
    });
    if (!hasParam)
      return fail(isMlir ? "--train: no argument of the model is marked "
                           "'ipuc.param', so nothing would train"
                         : "--train: the model has no float initializer to "
                           "train (or --freeze matches them all)");
    mlir::TimingScope trainTiming = rootTiming.nest("Training step");
    mlir::PassManager trainPm(&context);
    if (failed(mlir::applyPassManagerCLOptions(trainPm)))
      return 1;
    trainPm.enableTiming(trainTiming);
    if (!checkOptimizerFlags(error))
      return fail(error);
    ipuc::TrainingStepOptions step;
    step.optimizer = optimizerOpt;
    step.lr = lrOpt;
    step.momentum = momentumOpt;
    step.dampening = dampeningOpt;
    step.nesterov = nesterovOpt;
    step.beta1 = beta1Opt;
    step.beta2 = beta2Opt;
    step.eps = epsOpt;
    step.weightDecay = weightDecayOpt;
    step.alpha = alphaOpt;
    step.centered = centeredOpt;
    step.lrDecay = lrDecayOpt;
    step.clampValue = clampValueOpt;
    step.debias = debiasOpt;
    step.lookaheadInner = lookaheadInnerOpt;
    step.lookaheadK = lookaheadKOpt;
    step.lookaheadAlpha = lookaheadAlphaOpt;
    step.learnedWeights = learnedWeightsOpt;
    step.clipGradNorm = clipGradNormOpt;
    ipuc::train::LrSchedule schedule;
    schedule.kind = lrScheduleOpt;
    schedule.warmup = warmupOpt;
    schedule.stepSize = lrStepSizeOpt;
    schedule.gamma = lrGammaOpt;
    schedule.lrMin = lrMinOpt;
    schedule.totalSteps = totalStepsOpt;
    std::string scheduleError;
    if (!ipuc::train::validate(schedule, scheduleError))
      return fail(scheduleError);
    // A constant rate stays baked into the kernels, as before schedules.
    step.lrInput = schedule.kind != "constant" || schedule.warmup > 0;
    // The rule whose learning rate --lr is (lookahead has none of its own).
    StringRef rateRule = optimizerOpt == "lookahead"
                             ? StringRef(lookaheadInnerOpt)
                             : StringRef(optimizerOpt);
    if (step.lrInput && rateRule == "sgd" && lrOpt < 0.0)
      return fail("--lr-schedule: sgd needs --lr, the schedule's base rate");
    trainPm.addPass(ipuc::createTrainingStep(step));
    if (failed(trainPm.run(*module)))
      return 1;
    planOptions.optimizer =
        optimizerOpt == "lookahead"
            ? "lookahead(" + lookaheadInnerOpt.getValue() + ")"
            : optimizerOpt.getValue();
    // torch.optim's default learning rates where sgd needs none given.
    planOptions.lr = lrOpt >= 0.0                                     ? lrOpt
                     : rateRule == "adagrad" || rateRule == "rmsprop" ? 0.01
                                                                      : 0.001;
    planOptions.lrSchedule = lrScheduleOpt;
    planOptions.warmup = warmupOpt;
    planOptions.lrStepSize = lrStepSizeOpt;
    planOptions.lrGamma = lrGammaOpt;
    planOptions.lrMin = lrMinOpt;
    planOptions.totalSteps = totalStepsOpt;
    if (step.lrInput)
      planOptions.lrInput = "lr";
    // The loop's initial parameters and state travel in the plan, and the
    // Training table lists each parameter with its state.
    module->walk([&](mlir::func::FuncOp func) {
      auto &trained = planOptions.trainedParameters;
      for (unsigned i = 0; i < func.getNumArguments(); ++i) {
        std::string name = ipuc::autodiff::argumentName(func, i);
        if (auto value = func.getArgAttr(i, ipuc::autodiff::kInitialAttr))
          planOptions.initialValues[name] = value;
        if (func.getArgAttr(i, ipuc::autodiff::kParamAttr))
          trained.push_back({name, {}});
        // State arguments follow all parameters (ipuc-training-step).
        if (auto of = func.getArgAttrOfType<mlir::StringAttr>(
                i, ipuc::autodiff::kStateOfAttr))
          for (auto &[param, state] : trained)
            if (param == of.getValue())
              state.push_back(name);
      }
    });
  }

  if (emitOpt == EmitKind::Tosa) {
    mlir::TimingScope printTiming = rootTiming.nest("Print");
    std::string text;
    raw_string_ostream os(text);
    module->print(os);
    os << "\n";
    return writeText(os.str());
  }
  mlir::TimingScope hostTiming = rootTiming.nest("Host pipeline");
  mlir::PassManager pm(&context);
  if (failed(mlir::applyPassManagerCLOptions(pm)))
    return 1;
  pm.enableTiming(hostTiming);
  ipuc::buildHostPipeline(pm, /*forHostTarget=*/targetOpt == "host");
  if (failed(pm.run(*module)))
    return 1;
  hostTiming.stop();

  // The ipu target's per-op grid decisions, shown on linalg when asked for.
  if (targetOpt == "ipu" && (planGridsOpt || emitOpt == EmitKind::Linalg)) {
    ipuc::PlanMatMulGridsOptions gridOptions;
    gridOptions.device = deviceOpt;
    gridOptions.tiles = tilesOpt;
    mlir::TimingScope gridTiming = rootTiming.nest("Grid planning");
    mlir::PassManager gridPm(&context);
    if (failed(mlir::applyPassManagerCLOptions(gridPm)))
      return 1;
    gridPm.enableTiming(gridTiming);
    // Grids depend on where operands live: mappings are planned first.
    if (planMappingsOpt) {
      ipuc::PlanTileMappingOptions mappingOptions;
      mappingOptions.device = deviceOpt;
      mappingOptions.tiles = tilesOpt;
      gridPm.addPass(ipuc::createPlanTileMapping(mappingOptions));
    }
    gridPm.addPass(ipuc::createPlanMatMulGrids(gridOptions));
    if (failed(gridPm.run(*module)))
      return 1;
  }

  if (emitOpt == EmitKind::Linalg) {
    mlir::TimingScope printTiming = rootTiming.nest("Print");
    std::string text;
    raw_string_ostream os(text);
    module->print(os);
    os << "\n";
    return writeText(os.str());
  }

  if (emitOpt == EmitKind::Bsp && targetOpt != "ipu")
    return fail("--emit=bsp needs --target=ipu");

  std::vector<uint8_t> bytes;
  // The tile plan is written straight from the builder: a 12-layer encoder's
  // plan is ~0.8 GB, and copying it into `bytes` first cost a second buffer.
  // It is made once the program is known, sized for it up front, in huge
  // pages where the kernel has them (PlanBufferAllocator.h).
  ipuc::PlanBufferAllocator tileAllocator;
  std::optional<flatbuffers::FlatBufferBuilder> tileFbb;
  ipuc::bsp::ProgramOp tileProgram;
  // The tile program's own checks and the module's, run while its plan is
  // serialized and written; the plan is renamed into place only once they
  // have passed.
  std::optional<ipuc::bsp::BackgroundChecks> tileChecks;
  ArrayRef<uint8_t> planBytes;
  if (targetOpt == "ipu") {
    // Partition over tiles, gather remote operands by exchange, plan tile
    // memory, serialize the bsp program.
    mlir::TimingScope tileTiming = rootTiming.nest("Tile pipeline");
    mlir::PassManager ipuPm(&context);
    if (failed(mlir::applyPassManagerCLOptions(ipuPm)))
      return 1;
    ipuPm.enableTiming(tileTiming);
    ipuc::PartitionToBspOptions partitionOptions;
    partitionOptions.device = deviceOpt;
    partitionOptions.tiles = tilesOpt;
    // Mappings not already recorded on linalg (--plan-grids) are chosen by
    // the partitioner itself: the same decisions ipuc-plan-tile-mapping
    // records, without its second partitioning walk (half the compile time
    // of a large model).
    partitionOptions.planMappings = planMappingsOpt;
    ipuPm.addPass(ipuc::createPartitionToBsp(partitionOptions));
    ipuPm.addPass(ipuc::createInsertExchanges());
    ipuPm.addPass(ipuc::createPlanTileMemory());
    // The bsp program is verified once, after memory planning, rather than
    // after each pass: on a 12-layer transformer (a million vertices) each
    // verification is seconds, and the partitioner's output is only planned
    // in between. ipu-opt still verifies after every pass.
    ipuPm.enableVerifier(false);
    if (failed(ipuPm.run(*module)))
      return 1;
    tileTiming.stop();
    mlir::TimingScope verifyTiming = rootTiming.nest("Verify tile program");
    // The program's steps are verified on both cores: serially, this was
    // the longest phase outside the passes. What is left once every op is
    // verified (the program's and the module's own checks, each a walk of
    // all ops) only reads the IR, as serialization does, which needs every
    // op verified but not these: they run beside it (BackgroundChecks).
    std::vector<mlir::Operation *> finalChecks;
    if (failed(ipuc::bsp::verifyOpsConcurrently(*module, finalChecks)))
      return 1;
    tileChecks.emplace(&context, std::move(finalChecks));
    if (emitOpt == EmitKind::Bsp && failed(tileChecks->wait()))
      return 1;
    verifyTiming.stop();
    if (emitOpt == EmitKind::Bsp) {
      mlir::TimingScope printTiming = rootTiming.nest("Print");
      std::string text;
      raw_string_ostream os(text);
      module->print(os);
      os << "\n";
      return writeText(os.str());
    }
    auto programs = llvm::to_vector(module->getOps<ipuc::bsp::ProgramOp>());
    if (programs.size() != 1)
      return fail("internal error: expected one bsp.program after "
                  "partitioning");
    planOptions.producer = ipuc::defaultProducer();
    mlir::TimingScope serializeTiming = rootTiming.nest("Serialize plan");
    tileProgram = programs.front();
    // The FlatBuffers verifier runs on the finished plan while it is written
    // (below): serially it was a tenth of serialization.
    if (failed(ipuc::buildBspPlan(tileProgram, planOptions, &tileAllocator,
                                  tileFbb))) {
      // The serializer's errors, unless the program's own checks failed.
      (void)tileChecks->wait();
      return 1;
    }
    planBytes =
        ArrayRef<uint8_t>(tileFbb->GetBufferPointer(), tileFbb->GetSize());
  } else {
    mlir::TimingScope serializeTiming = rootTiming.nest("Serialize plan");
    if (failed(ipuc::emitHostPlan(*module, planOptions, bytes)))
      return 1;
    planBytes = bytes;
  }
  // Tearing down a module of millions of ops takes seconds and the process
  // exits next, so the module is left to the OS (as clang's -disable-free).
  (void)module.release();
  if (emitOpt == EmitKind::Plan) {
    if (tileChecks && failed(tileChecks->wait()))
      return 1;
    mlir::TimingScope printTiming = rootTiming.nest("Print");
    ipuc::plan::LoadedPlan loaded;
    std::vector<uint8_t> copy(planBytes.begin(), planBytes.end());
    if (!ipuc::plan::loadPlanBuffer(std::move(copy), loaded, error))
      return fail("internal error: the emitted plan is invalid: " + error);
    return writeText(ipuc::plan::printPlan(loaded.plan()));
  }
  mlir::TimingScope writeTiming = rootTiming.nest("Write plan");
  if (!tileProgram) {
    if (!writeAtomically(outputFile, planBytes, error))
      return fail(error);
    return 0;
  }
  // The tile plan is verified on another thread while this one copies it to
  // the file (both only read the buffer), and renamed into place only once
  // it has passed and so has the program (tileChecks).
  std::shared_future<bool> verified;
  if (context.isMultithreadingEnabled())
    verified = context.getThreadPool().async(
        [&] { return ipuc::verifyTilePlanBuffer(planBytes); });
  bool programValid = true, planValid = true;
  auto waitForVerifiers = [&] {
    programValid = succeeded(tileChecks->wait());
    planValid = verified.valid() ? verified.get()
                                 : ipuc::verifyTilePlanBuffer(planBytes);
    return programValid && planValid;
  };
  bool written =
      writeAtomically(outputFile, planBytes, error, waitForVerifiers);
  if (verified.valid())
    verified.wait();
  // The program's errors are out (BackgroundChecks::wait); they are the
  // answer even when the file could not be written, as they were when the
  // program was checked before anything was written.
  if (!written)
    programValid = succeeded(tileChecks->wait());
  if (!programValid)
    return 1;
  if (!planValid) {
    (void)ipuc::reportUnverifiedTilePlan(tileProgram);
    return 1;
  }
  if (!written)
    return fail(error);
  return 0;
}

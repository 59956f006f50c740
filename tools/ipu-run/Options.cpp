//===- Options.cpp - ipu-run's command line -------------------------------===//

#include "Options.h"

#include <cstdlib>

namespace ipurun {

const char *helpText() {
  return R"(USAGE: ipu-run MODEL.ipuplan [options]

Loads an ipuc execution plan, verifies it, runs it and writes its outputs.

OPTIONS:
  --device=host|sim       Device to run on (default: host). `host` runs the
                          plan's kernels on the CPU; `sim` is the BSP tile
                          simulator and needs a plan compiled with --target=ipu.
  --input NAME=@FILE.npy  Bind model input NAME to a NumPy array (dtype and
                          shape must match the plan exactly). Repeatable; also
                          accepted as --input=NAME=@FILE.npy. FILE.npz binds
                          every array in the archive by its name.
  --random-inputs         Fill every input not given with --input from a seeded
                          RNG: floats uniform in [-1, 1), integers in [0, 10),
                          booleans at random.
  --seed N                Seed for --random-inputs (default 0).
  --output-dir DIR        Write each output to DIR/<name>.npy ('/' in names
                          becomes '_'); DIR is created if missing. Files are
                          written atomically.
  --profile FILE.json     (sim) Write per-superstep cycles, FLOPs, exchange
                          bytes and per-tile memory/busy cycles as JSON
                          (docs/profile-format.md). Written atomically.
  --checked, --unchecked  (sim) Checked mode (default) rejects any vertex whose
                          operand boxes are not all on the vertex's own tile.
  --dump                  Print the plan in human-readable form and exit.
  --quiet                 Do not print the output summary.
  --timing                Print the wall time of each phase (plan load and
                          verification, device set-up, inputs, run, outputs)
                          and the resident memory at its end to stderr.
  --help                  Print this help.

TRAINING (a plan compiled with ipuc --train; runtime/train/TrainCommand.cpp):
  --dataset FILE.npz      Run the training loop: arrays named like the plan's
                          data inputs, batched along their first dimension,
                          wrapping at the end (an incomplete batch is dropped).
                          Every output <p>.next is fed back into input <p>;
                          on sim that stays on the device (weights and state
                          are resident: uploaded once, downloaded only for
                          checkpoints and at the end).
  --steps N               Number of training steps.
  --shuffle               Shuffle the samples each epoch (seeded by --seed).
  --log FILE.jsonl        One JSON line per step: step, loss, lr (and cycles
                          on sim).
  --save-weights FILE.npz Write the trained parameters at the end; a name
                          ending in .onnx writes the model the plan was
                          compiled from (or --model MODEL.onnx) with its
                          trained initializers replaced.
  --profile FILE.json     (sim) The last step's profile plus per-step host
                          stream bytes (docs/profile-format.md).
  --stream-state          Copy weights and optimizer state in and out every
                          step instead of keeping them resident on the device
                          (on the host device resident state is a buffer swap
                          of <p> and <p>.next; for comparisons).
  --checkpoint DIR        Save parameters, optimizer state and step atomically
                          (every --checkpoint-every K steps, and at the end).
  --resume DIR            Continue from a checkpoint.

EXIT STATUS: 0 on success, 1 for user errors (bad plan, bad inputs, bad
options), 2 when a kernel fails at run time.

EXAMPLES:
  ipu-run model.ipuplan --input x=@x.npy --output-dir out
  ipu-run train.ipuplan --device=sim --dataset data.npz --steps 200 --log t.jsonl
)";
}

bool parseOptions(int argc, char **argv, Options &o, std::string &error) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    bool hasValue = false;
    if (a.rfind("--", 0) == 0) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        hasValue = true;
      }
    }
    auto takeValue = [&](const char *what) {
      if (hasValue)
        return true;
      if (i + 1 >= args.size()) {
        error = std::string(a) + " needs " + what;
        return false;
      }
      value = args[++i];
      return true;
    };
    auto noValue = [&]() {
      if (hasValue)
        error = a + " takes no value";
      return !hasValue;
    };
    if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--device") {
      if (!takeValue("host or sim"))
        return false;
      if (value != "host" && value != "sim") {
        error = "--device must be host or sim, not '" + value + "'";
        return false;
      }
      o.device = value;
    } else if (a == "--input") {
      if (!takeValue("NAME=@FILE.npy"))
        return false;
      size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 >= value.size() ||
          value[eq + 1] != '@' || eq + 2 >= value.size()) {
        error = "--input expects NAME=@FILE.npy, got '" + value + "'";
        return false;
      }
      o.inputs.emplace_back(value.substr(0, eq), value.substr(eq + 2));
    } else if (a == "--random-inputs") {
      if (!noValue())
        return false;
      o.randomInputs = true;
    } else if (a == "--seed") {
      if (!takeValue("a number"))
        return false;
      char *end = nullptr;
      o.seed = std::strtoull(value.c_str(), &end, 0);
      if (value.empty() || *end) {
        error = "--seed expects a number, got '" + value + "'";
        return false;
      }
    } else if (a == "--output-dir") {
      if (!takeValue("a directory"))
        return false;
      o.outputDir = value;
    } else if (a == "--profile") {
      if (!takeValue("a file name"))
        return false;
      o.profilePath = value;
    } else if (a == "--checked" || a == "--unchecked") {
      if (!noValue())
        return false;
      o.checked = a == "--checked";
    } else if (a == "--dump") {
      if (!noValue())
        return false;
      o.dump = true;
    } else if (a == "--quiet" || a == "-q") {
      if (!noValue())
        return false;
      o.quiet = true;
    } else if (a == "--timing") {
      if (!noValue())
        return false;
      o.timing = true;
    } else if (a.size() > 1 && a[0] == '-') {
      error = "unknown option '" + args[i] + "' (see --help)";
      return false;
    } else if (o.planPath.empty()) {
      o.planPath = a;
    } else {
      error = "more than one plan given: '" + o.planPath + "' and '" + a + "'";
      return false;
    }
  }
  if (!o.help && o.planPath.empty()) {
    error = "no plan given (usage: ipu-run MODEL.ipuplan [options]; see --help)";
    return false;
  }
  return true;
}

} // namespace ipurun

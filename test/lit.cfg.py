# lit configuration for ipuc: every *.mlir, *.onnxtxt and *.test file under
# test/ is a test; RUN lines use the tools built into build/bin.
import os
import lit.formats

config.name = "ipuc"
config.test_format = lit.formats.ShTest(not lit_config.isWindows)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ipuc_obj_root, "test")

# Tools first from this build, then LLVM's FileCheck/not/count.
config.environment["PATH"] = os.pathsep.join(
    [config.ipuc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%ipuc_src", config.ipuc_src_root))
if not config.ipuc_build_compiler:
    config.unsupported = True

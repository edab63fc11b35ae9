# lit configuration of lmc's IR and pass tests. A test is a .lir graph whose
# `// RUN:` lines run `lmc opt` on it and whose `// CHECK:` lines FileCheck matches
# (the IR parser skips `//` comments, so the test file is itself valid input).
import os
import shutil

import lit.formats

config.name = "lmc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".lir"]
config.test_source_root = os.path.dirname(__file__)

if not hasattr(config, "lmc_path"):
    lit_config.fatal("run lit on the build tree (<build>/tests/lit), where CMake wrote lit.site.cfg.py")
config.test_exec_root = config.lmc_lit_binary_dir

# lmc, FileCheck and not come first on PATH, so RUN lines read like a shell session.
config.environment["PATH"] = os.pathsep.join(
    [os.path.dirname(config.lmc_path), os.path.dirname(config.filecheck_path), config.environment["PATH"]])

# Tests that write artifacts seal them with a key of their own (lit passes no HOME).
config.environment["LMC_KEY_FILE"] = os.path.join(config.test_exec_root, "artifact.key")
# Weights given to lmc run compile into a cache here, not the user's.
config.environment["XDG_CACHE_HOME"] = os.path.join(config.test_exec_root, "cache")
# A diagnostic on a part split-file cut out of a test names the test's line instead
# (tools/lmc/lit/lit_source_place.h): the parts live in the exec root, perhaps a scratch folder.
config.environment["LMC_LIT_ROOTS"] = config.test_source_root + ":" + config.test_exec_root

config.substitutions.append(("%norm_into_linear_plugin", config.norm_into_linear_plugin))
config.substitutions.append(("%faulty_passes_plugin", config.faulty_passes_plugin))
config.substitutions.append(("%lmc_source_dir", config.lmc_source_dir))
# %python is the build's Python (scripts/setup.sh: .venv/bin/python3, with numpy), for RUN
# lines that compute in Python.
config.substitutions.append(("%python", config.python_executable))

# Graphviz renders .dot dumps to .svg when installed; tests of that say REQUIRES: graphviz.
if shutil.which("dot"):
    config.available_features.add("graphviz")

# Tests that make a device node (mknod) to give lmc as an output run as root.
if os.geteuid() == 0:
    config.available_features.add("root")

# Tests that run a real model need its weights (scripts/setup.sh fetches them).
if os.path.exists(os.path.join(config.lmc_source_dir, "models/weights/SmolLM2-135M-Instruct.Q4_1.gguf")):
    config.available_features.add("smollm2-weights")

# The lit configuration lmc_add_lit_test() (cmake/lmcLit.cmake) runs a plugin's tests with:
# a test is a .lir graph whose `// RUN:` lines run lmc and whose `// CHECK:` lines FileCheck
# matches, as in lmc's own tests/lit. lit.site.cfg.py, written by CMake, says where lmc,
# FileCheck and the plugins are.
import os

import lit.formats

config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".lir"]

# lmc, FileCheck and not come first on PATH, so RUN lines read like a shell session.
config.environment["PATH"] = os.pathsep.join(
    [os.path.dirname(config.lmc_path), os.path.dirname(config.filecheck_path), config.environment["PATH"]])
# Tests that write artifacts seal them with a key of their own, and weights given to lmc run
# compile into a cache here, not the user's (lit passes no HOME).
config.environment["LMC_KEY_FILE"] = os.path.join(config.test_exec_root, "artifact.key")
config.environment["XDG_CACHE_HOME"] = os.path.join(config.test_exec_root, "cache")
# A diagnostic on a part split-file cut out of a test names the test's line instead
# (tools/lmc/lit/lit_source_place.h): the parts live in the exec root, perhaps a scratch folder.
config.environment["LMC_LIT_ROOTS"] = config.test_source_root + ":" + config.test_exec_root

# lit substitutes in this order, so a name that starts another comes after it (%lmc after
# %lmc_x_plugin, a plugin after the ones its name is a prefix of).
for target, path in sorted(config.lmc_plugins.items(), key=lambda item: -len(item[0])):
    config.substitutions.append((f"%{target}_plugin", path))
if config.lmc_first_plugin:
    config.substitutions.append(("%plugin", config.lmc_plugins[config.lmc_first_plugin]))
config.substitutions.append(("%lmc", config.lmc_path))
config.substitutions.append(("%python", config.python_executable))

# lmc_add_lit_test(<name> <test-dir> [PLUGINS <target>...]): the lit/FileCheck harness lmc's
# own IR and pass tests run on, for a plugin's tests in or out of lmc's tree (find_package
# gives it). Every .lir file below <test-dir> is a test: its `// RUN:` lines run with lmc,
# FileCheck and not first on PATH, and these substitutions:
#   %lmc        the lmc executable (lmc::lmc)
#   %plugin     the first plugin's library;  %<target>_plugin  each plugin's, by target name
#   %python     the Python lit runs under
# ctest runs the directory as one test, <name>. lit and FileCheck come from LLVM 19's tools
# (Debian's llvm-19-tools); LMC_LIT and LMC_FILECHECK point elsewhere. The Python is
# LMC_PYTHON: from the installed package, the one lmc's own tests ran on (its virtual
# environment, with numpy), not whichever python3 comes first on PATH; unset or gone, the
# Python CMake finds.
include_guard(GLOBAL)
set(LMC_LIT /usr/lib/llvm-19/build/utils/lit/lit.py CACHE FILEPATH "lit from LLVM 19 (llvm-19-tools)")
set(LMC_FILECHECK /usr/lib/llvm-19/bin/FileCheck CACHE FILEPATH "FileCheck from LLVM 19 (llvm-19-tools)")
set(LMC_LIT_CONFIG ${CMAKE_CURRENT_LIST_DIR}/lmc_lit.cfg.py)

function(lmc_add_lit_test name test_dir)
  cmake_parse_arguments(L "" "" "PLUGINS" ${ARGN})
  if(LMC_PYTHON AND EXISTS "${LMC_PYTHON}")
    set(python ${LMC_PYTHON})
  else()
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    set(python ${Python3_EXECUTABLE})
  endif()
  foreach(path LMC_LIT LMC_FILECHECK)
    if(NOT EXISTS ${${path}})
      message(FATAL_ERROR "lmc_add_lit_test(${name}): ${path} ${${path}} does not exist (install llvm-19-tools, "
                          "or set ${path})")
    endif()
  endforeach()
  get_filename_component(source_root ${test_dir} ABSOLUTE)
  set(exec_root ${CMAKE_CURRENT_BINARY_DIR}/${name})
  set(plugins "")
  set(first "")
  if(L_PLUGINS)
    list(GET L_PLUGINS 0 first)
  endif()
  foreach(target ${L_PLUGINS})
    string(APPEND plugins "    \"${target}\": \"$<TARGET_FILE:${target}>\",\n")
  endforeach()
  file(GENERATE OUTPUT ${exec_root}/lit.site.cfg.py CONTENT
"# Written by lmc_add_lit_test(${name}) (lmcLit.cmake).
config.name = \"${name}\"
config.lmc_path = \"$<TARGET_FILE:lmc::lmc>\"
config.filecheck_path = \"${LMC_FILECHECK}\"
config.python_executable = \"${python}\"
config.test_source_root = \"${source_root}\"
config.test_exec_root = \"${exec_root}\"
config.lmc_plugins = {
${plugins}}
config.lmc_first_plugin = \"${first}\"
lit_config.load_config(config, \"${LMC_LIT_CONFIG}\")
")
  add_test(NAME ${name} COMMAND ${python} ${LMC_LIT} -sv ${exec_root})
  set_tests_properties(${name} PROPERTIES TIMEOUT 600)
endfunction()

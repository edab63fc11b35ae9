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
# Python CMake finds. `lmc lit FOLDER --load-pass-plugin=LIB` runs such a folder on the same
# harness without CMake: both write the site configuration cmake/lmc_lit.site.cfg.py.in.
include_guard(GLOBAL)
set(LMC_LIT /usr/lib/llvm-19/build/utils/lit/lit.py CACHE FILEPATH "lit from LLVM 19 (llvm-19-tools)")
set(LMC_FILECHECK /usr/lib/llvm-19/bin/FileCheck CACHE FILEPATH "FileCheck from LLVM 19 (llvm-19-tools)")
set(LMC_LIT_CONFIG ${CMAKE_CURRENT_LIST_DIR}/lmc_lit.cfg.py)
set(LMC_LIT_SITE_TEMPLATE ${CMAKE_CURRENT_LIST_DIR}/lmc_lit.site.cfg.py.in)

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
  get_filename_component(LMC_LIT_SOURCE_ROOT ${test_dir} ABSOLUTE)
  set(exec_root ${CMAKE_CURRENT_BINARY_DIR}/${name})
  set(LMC_LIT_PLUGINS "")
  set(LMC_LIT_FIRST_PLUGIN "")
  if(L_PLUGINS)
    list(GET L_PLUGINS 0 LMC_LIT_FIRST_PLUGIN)
  endif()
  foreach(target ${L_PLUGINS})
    string(APPEND LMC_LIT_PLUGINS "    \"${target}\": \"$<TARGET_FILE:${target}>\",\n")
  endforeach()
  set(LMC_LIT_WRITER "lmc_add_lit_test(${name}) (lmcLit.cmake)")
  set(LMC_LIT_NAME ${name})
  set(LMC_LIT_LMC "$<TARGET_FILE:lmc::lmc>")
  set(LMC_LIT_FILECHECK ${LMC_FILECHECK})
  set(LMC_LIT_PYTHON ${python})
  set(LMC_LIT_EXEC_ROOT ${exec_root})
  # Two steps because target paths are generator expressions, known only at generation.
  configure_file(${LMC_LIT_SITE_TEMPLATE} ${exec_root}/lit.site.cfg.py.configured @ONLY)
  file(GENERATE OUTPUT ${exec_root}/lit.site.cfg.py INPUT ${exec_root}/lit.site.cfg.py.configured)
  add_test(NAME ${name} COMMAND ${python} ${LMC_LIT} -sv ${exec_root})
  set_tests_properties(${name} PROPERTIES TIMEOUT 600)
endfunction()

# What `cmake --install build --prefix P` puts in P, so a pass plugin builds outside the
# tree (docs/writing-a-pass.md): the lmc executable, the headers a pass includes (as
# P/include/lmc/ir/x.h, so `#include "ir/x.h"` reads the same in and out of the tree), the
# IR and pass libraries, and the CMake package P/lib/cmake/lmc (cmake/lmcConfig.cmake.in).
include(CMakePackageConfigHelpers)

set(LMC_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/lmc)
set(LMC_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/lmc)

# A plugin is a MODULE whose calls into the IR and passes resolve against the lmc that
# loads it (lmc is built with ENABLE_EXPORTS), so it links nothing of lmc's. "-z undefs"
# says so to the linker even where a toolchain defaults to -z defs. Sanitizer builds pass
# their flags on: a plugin shares lmc's objects, so it must be built as lmc was.
add_library(lmc_plugin INTERFACE)
target_include_directories(lmc_plugin INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
target_compile_features(lmc_plugin INTERFACE cxx_std_20)
target_link_options(lmc_plugin INTERFACE LINKER:-z,undefs)
if(LMC_SANITIZE)
  target_compile_options(lmc_plugin INTERFACE ${LMC_SANITIZE_FLAGS})
  target_link_options(lmc_plugin INTERFACE ${LMC_SANITIZE_FLAGS})
endif()

# The names the package exports; in the tree the same names are aliases, so a plugin's
# CMakeLists reads the same both ways.
set_target_properties(lmc_plugin PROPERTIES EXPORT_NAME plugin)
set_target_properties(lmc_ir PROPERTIES EXPORT_NAME ir)
set_target_properties(lmc_passes PROPERTIES EXPORT_NAME passes)
add_library(lmc::plugin ALIAS lmc_plugin)
add_library(lmc::ir ALIAS lmc_ir)
add_library(lmc::passes ALIAS lmc_passes)
add_executable(lmc::lmc ALIAS lmc)

# The installed lmc finds its libraries where the build found them, and the code generator
# module in lib/lmc when a sanitizer build links it (lmc_codegen_preload).
set_target_properties(lmc PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON
                      INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}/lmc")

install(TARGETS lmc EXPORT lmcTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# lmc's modules, where the installed lmc looks for them (support/shared_module.h): the code
# generator, the kernel loader, lmc serve's HTTP server and the MPI world; they find their
# libraries (libLLVM, Open MPI) where the build found them.
foreach(module lmc_codegen_llvm lmc_kernel_loader lmc_serve lmc_mpi)
  if(TARGET ${module})
    set_target_properties(${module} PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)
    install(TARGETS ${module} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/lmc)
  endif()
endforeach()
install(TARGETS lmc_support lmc_ir lmc_passes_api lmc_passes_text lmc_passes_transforms lmc_passes lmc_plugin EXPORT lmcTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${LMC_INSTALL_INCLUDEDIR})
foreach(dir support ir passes)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${LMC_INSTALL_INCLUDEDIR}/${dir}
          FILES_MATCHING PATTERN "*.h" PATTERN "*.def")
endforeach()

install(EXPORT lmcTargets NAMESPACE lmc:: DESTINATION ${LMC_INSTALL_CMAKEDIR})
# The package remembers the Python lmc's tests run on (scripts/setup.sh's virtual
# environment), for a plugin's lit tests (cmake/lmcLit.cmake).
find_package(Python3 COMPONENTS Interpreter)
set(LMC_PYTHON_DEFAULT "${Python3_EXECUTABLE}")
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/lmcConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/lmcConfig.cmake
                              INSTALL_DESTINATION ${LMC_INSTALL_CMAKEDIR})
# Before 1.0 a minor version may change the headers' ABI; the plugin API version, checked
# when lmc loads a plugin, is the final word.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lmcConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/lmcConfig.cmake ${PROJECT_BINARY_DIR}/lmcConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/lmcLit.cmake ${CMAKE_CURRENT_LIST_DIR}/lmc_lit.cfg.py
              ${CMAKE_CURRENT_LIST_DIR}/lmc_lit.site.cfg.py.in
        DESTINATION ${LMC_INSTALL_CMAKEDIR})

# The model definitions, where an installed lmc looks for the one that serves a GGUF's or
# a Hugging Face folder's architecture (driver/model_definitions.h).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/models/ DESTINATION ${CMAKE_INSTALL_DATADIR}/lmc/models
        FILES_MATCHING PATTERN "*.yaml" PATTERN "weights" EXCLUDE PATTERN "chat" EXCLUDE
        PATTERN "formats" EXCLUDE PATTERN "quant" EXCLUDE PATTERN "tokenizer" EXCLUDE)

# The compiler cache: ccache as the C and C++ compiler launcher when it is installed
# (scripts/setup.sh installs Debian's), so that CI's fresh clone in another folder, a second
# worktree, or a re-run after a small change compiles only what changed.
#
# - base_dir is the source tree: ccache rewrites the absolute paths under it to paths relative
#   to the build folder before hashing, so two clones in different folders share their objects.
# - hash_dir off: the build folder's own path is not hashed (the sanitizer tree's -g1 line
#   tables would otherwise key every object by the clone's folder). A debugger then finds the
#   sources relative to the folder the object was first built in; both trees keep their
#   sources at the same place relative to the build folder, so nothing moves.
# - The sloppiness a precompiled header needs (the test binaries' gtest header), and no more.
#   Not include_file_mtime: a header changed while a compile ran (a merge during a build)
#   would be stored with its new text's key and the old text's object, and served later.
# - The precompiled header is hashed by its sum (pch_external_checksum): the .sum file that
#   cmake/pch_checksum.sh writes beside it from what it is made of. Clang's header holds the
#   build folder's path, so hashed itself it keyed the sanitizer tree's 147 test objects to
#   the clone's folder, and a second clone missed on all of them. For the same reason clang's
#   test objects take it by the driver's -include-pch, whose path ccache makes relative,
#   rather than CMake's -Xclang pair, whose path ccache hashes as it is written.
# - The cache lives outside the clone (ccache's own default, ~/.cache/ccache, or $CCACHE_DIR)
#   and is bounded (LMC_CCACHE_MAX_SIZE; ccache evicts the least recently used).
#
# Everything that changes an object is in ccache's hash: the compiler's identity (its mtime and
# size), every flag on the command line (sanitizers, -Werror, -DLMC_FUZZ's libFuzzer flags,
# -O levels, defines) and the preprocessed input, so no object crosses configurations.
option(LMC_CCACHE "Compile through ccache when it is installed" ON)
set(LMC_CCACHE_MAX_SIZE 8G CACHE STRING "Bound on the compiler cache's size (ccache's max_size)")
find_program(LMC_CCACHE_PROGRAM ccache)
if(LMC_CCACHE AND LMC_CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(launcher /usr/bin/env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} CCACHE_NOHASHDIR=true
      CCACHE_MAXSIZE=${LMC_CCACHE_MAX_SIZE}
      CCACHE_SLOPPINESS=pch_defines,time_macros CCACHE_PCH_EXTSUM=true
      ${LMC_CCACHE_PROGRAM})
  set(CMAKE_C_COMPILER_LAUNCHER ${launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${launcher})
  set(LMC_PCH_LAUNCHER ${CMAKE_CURRENT_LIST_DIR}/pch_checksum.sh ${PROJECT_SOURCE_DIR} ${launcher})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    set(CMAKE_CXX_COMPILE_OPTIONS_USE_PCH -include-pch <PCH_FILE>)
  endif()
  message(STATUS "lmc: compiling through ${LMC_CCACHE_PROGRAM} (base dir ${PROJECT_SOURCE_DIR})")
endif()

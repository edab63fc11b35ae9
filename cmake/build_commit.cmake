# Writes OUT, a C++ file defining lmc::tools::build_commit() and build_number(): the commit
# this build is of (git's short hash, "+" when the tree has changes) and how many commits lead
# to it, as llama.cpp's builds say them. Run at every build; the file is rewritten only when
# the commit changes, so nothing recompiles otherwise. Without git or a repository: "unknown", 0.
execute_process(COMMAND git -C ${SOURCE} rev-parse --short=8 HEAD OUTPUT_VARIABLE commit
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
execute_process(COMMAND git -C ${SOURCE} rev-list --count HEAD OUTPUT_VARIABLE number
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git -C ${SOURCE} status --porcelain --untracked-files=no OUTPUT_VARIABLE changes
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(failed OR commit STREQUAL "")
  set(commit "unknown")
  set(number 0)
elseif(NOT changes STREQUAL "")
  string(APPEND commit "+")
endif()
if(NOT number MATCHES "^[0-9]+$")
  set(number 0)
endif()
set(text "// Written by cmake/build_commit.cmake at build time.\n#include \"tools/lmc/llama/build_commit.h\"\n\n"
         "namespace lmc::tools {\n\nconst char* build_commit() { return \"${commit}\"; }\n"
         "int build_number() { return ${number}; }\n\n}  // namespace lmc::tools\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()

# Writes a C++ source whose function returns a text file's bytes, so a page or a script
# ships inside the binary and is still edited as its own file:
#   cmake -DIN=page.html -DOUT=page.cpp -DHEADER=dir/page.h -DFUNCTION=ns::name -P embed_text.cmake
# The text goes in a raw string literal; a file holding its delimiter is refused.
file(READ "${IN}" text)
set(delimiter "lmc_embedded")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter )${delimiter}\"")
endif()
string(REGEX MATCH "^(.*)::([^:]+)$" _ "${FUNCTION}")
set(namespace "${CMAKE_MATCH_1}")
set(name "${CMAKE_MATCH_2}")
file(WRITE "${OUT}.tmp"
     "// Generated from ${IN} by cmake/embed_text.cmake.\n#include \"${HEADER}\"\n\n"
     "namespace ${namespace} {\n\nstd::string_view ${name}() {\n  return R\"${delimiter}(${text})${delimiter}\";\n}\n\n}\n")
file(RENAME "${OUT}.tmp" "${OUT}")

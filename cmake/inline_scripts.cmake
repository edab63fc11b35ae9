# Writes a page with each `/*inline NAME*/` marker replaced by the text of a file, so
# libraries ship inside the page (nothing fetched at run time) while still coming from
# their Debian packages, and the page's own style and scripts are edited as files of their own:
#   cmake -DIN=page.html -DOUT=built.html -DFILES="marked=/path/marked.js|hljs=/path/hl.js" -P inline_scripts.cmake
# A file holding "</script" would end its <script> element early, so it is refused.
file(READ "${IN}" page)
string(REPLACE "|" ";" entries "${FILES}")
foreach(entry IN LISTS entries)
  string(REGEX MATCH "^([^=]+)=(.*)$" _ "${entry}")
  set(name "${CMAKE_MATCH_1}")
  set(path "${CMAKE_MATCH_2}")
  file(READ "${path}" text)
  string(TOLOWER "${text}" lowered)
  string(FIND "${lowered}" "</script" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${path} contains </script and cannot be inlined into ${IN}")
  endif()
  string(FIND "${page}" "/*inline ${name}*/" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${IN} has no /*inline ${name}*/ marker")
  endif()
  string(REPLACE "/*inline ${name}*/" "${text}" page "${page}")
endforeach()
file(WRITE "${OUT}.tmp" "${page}")
file(RENAME "${OUT}.tmp" "${OUT}")

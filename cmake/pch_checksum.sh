#!/bin/sh
# Compiler launcher of the target that makes the tests' precompiled header: runs the compile
# (the rest of the command line, through ccache) and writes <header>.sum beside the header it
# made. ccache hashes that file in place of the header itself (CCACHE_PCH_EXTSUM,
# cmake/compiler_cache.cmake), because clang's header holds the build folder's path: hashed
# as it is, it keyed every test object to the clone's folder.
#
# The sum is of what the header is made from: the compile's arguments, with the source
# tree's path (ccache's base_dir, the first argument) written as <src>, then the text of every
# file the compile read (its dependency file), so that a change to any of them changes it.
#
# Usage: pch_checksum.sh <source dir> <compiler command...>
set -eu
src=$1
shift
out= dep= prev=
for arg in "$@"; do
  case $prev in
    -o) out=$arg ;;
    -MF) dep=$arg ;;
  esac
  prev=$arg
done
case $out in
  *.pch | *.gch) rm -f "$out.sum" ;;
  *) exec "$@" ;;
esac
"$@"
{
  printf '%s\n' "$@" | awk -v s="$src" '{
    while ((i = index($0, s)) > 0) $0 = substr($0, 1, i - 1) "<src>" substr($0, i + length(s))
    print }'
  sed -e '1s/^[^:]*://' -e 's/\\$//' "$dep" | tr ' ' '\n' | grep -v '^$' | xargs cat
} | sha256sum > "$out.sum.tmp"
mv "$out.sum.tmp" "$out.sum"

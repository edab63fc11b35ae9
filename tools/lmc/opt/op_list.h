// `lmc opt --list-ops`: every op of the op table with its operands, attributes and traits,
// each line starting with the op's name so that `grep '^rms_norm:'` shows one op and
// `grep ': expr'` every elementwise op's scalar expression.
#pragma once
#include <ostream>

namespace lmc::tools {

void list_ops(std::ostream& os);

}  // namespace lmc::tools

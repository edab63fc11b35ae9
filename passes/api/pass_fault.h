// An error in a pass's own code rather than in its input: a pattern that does not parse,
// a Rewriter::fuse() of ops its guard should have refused. The pass manager catches it,
// names the pass and writes out the graph as the pass left it; errors about the input
// (a rank count that does not divide the heads) stay plain lmc::Errors.
#pragma once
#include "support/error.h"

namespace lmc::passes {

class PassFault : public Error {
 public:
  using Error::Error;
};

}  // namespace lmc::passes

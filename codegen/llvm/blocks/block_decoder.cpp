#include "codegen/llvm/blocks/block_decoder.h"

namespace lmc::codegen {

namespace {

// Indexed by ir::DType; null for the plain types and the panels (read by their base's).
const BlockDecoder* const kDecoders[] = {
#define LMC_PLAIN(name, GgufName) nullptr,
#define LMC_BLOCKS(name, GgufName, decoder, ...) &decoder,
#define LMC_PANELS(name, base) nullptr,
#include "ir/block_types.def"
};

}  // namespace

const BlockDecoder& block_decoder(ir::DType t) { return *kDecoders[static_cast<size_t>(ir::panel_base(t))]; }

}  // namespace lmc::codegen

// POST /slots/ID?action=erase|save|restore, llama-server's slot actions: erase forgets what
// the slot's KV cache holds ({"id_slot", "n_erased"}); save writes it to a file under
// --slot-save-path named by the body's "filename" ({"id_slot", "filename", "n_saved",
// "n_written", "timings": {"save_ms"}}), restore reads one back into the slot
// ({"id_slot", "filename", "n_restored", "n_read", "timings": {"restore_ms"}}), after which a
// prompt sharing its tokens starts from them. The file's format is runtime/kv_snapshot.h's;
// a slot that runs a request is a 400, as erase's is.
#pragma once
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/serve/engine/serve_engine.h"

namespace lmc::tools {

// `save_dir`: --slot-save-path ("": save and restore are a 501, as llama-server answers
// without one). A running slot, an unknown action, a body without a plain file name (no `/`,
// no `..`) or a file that cannot be written or restored (another model's, damaged) is a 400.
nlohmann::json slot_action(ServeEngine& engine, size_t slot, const std::string& query, const std::string& body,
                           const std::string& save_dir);

}  // namespace lmc::tools

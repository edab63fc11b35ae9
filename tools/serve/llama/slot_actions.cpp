#include "tools/serve/llama/slot_actions.h"

#include <cstdio>

#include "support/error.h"
#include "tools/serve/fields/request_fields.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

using nlohmann::json;

namespace {

[[noreturn]] void bad_filename(const std::string& why) { invalid_field("filename", "'filename' " + why); }

// The body's "filename": a plain name in the save folder, never a path out of it.
std::string file_name(const std::string& body) {
  const json b = request_object(body.empty() ? "{}" : body);
  const json* given = given_field(b, "filename");
  if (!given || !given->is_string()) bad_filename("must be given, as a string");
  const std::string name = given->get<std::string>();
  if (name.empty() || name.size() > 255) bad_filename("must be 1 to 255 bytes");
  if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos)
    bad_filename("must be a file name, without '/' or '\\'");
  if (name.find("..") != std::string::npos || name.front() == '.') bad_filename("must not hold '..' or start with '.'");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) bad_filename("must not hold control characters");
  return name;
}

}  // namespace

json slot_action(ServeEngine& engine, size_t slot, const std::string& query, const std::string& body,
                 const std::string& save_dir) {
  const std::string action = query.starts_with("action=") ? query.substr(7) : "";
  if (action != "erase" && action != "save" && action != "restore")
    throw ApiError(400, "invalid_request_error", "a slot's action is ?action=erase, save or restore", "action");
  if (action != "erase" && save_dir.empty())
    throw ApiError(501, "not_supported_error",
                   "slot " + action + " needs a folder for the files: start lmc serve with --slot-save-path DIR");
  std::string name, path;
  try {
    if (action == "erase") return {{"id_slot", slot}, {"n_erased", engine.erase_slot(slot)}};
    name = file_name(body);
    path = save_dir + "/" + name;
    const bool save = action == "save";
    const SlotFile f = save ? engine.save_slot(slot, path) : engine.restore_slot(slot, path);
    return {{"id_slot", slot},
            {"filename", name},
            {save ? "n_saved" : "n_restored", f.tokens},
            {save ? "n_written" : "n_read", f.bytes},
            {"timings", {{save ? "save_ms" : "restore_ms", f.seconds * 1e3}}}};
  } catch (const Error& e) {
    // The client named the file; where the server keeps it is the server's: the log has it.
    std::string message = e.what();
    if (!path.empty()) {
      std::fprintf(stderr, "lmc: slot %zu: %s\n", slot, message.c_str());
      for (size_t at; (at = message.find(path)) != std::string::npos;) message.replace(at, path.size(), name);
    }
    throw ApiError(400, "invalid_request_error", message);
  }
}

}  // namespace lmc::tools

// OpenAI's image content parts, {"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}},
// as llama-server reads them: the image's bytes, and a media marker <__media__> where the part
// stood in the message's text, where the image's tokens go (driver/image_prompt.h). Only data
// URIs are read: an http(s) URL is a 400, as lmc fetches nothing a request names.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "tools/serve/engine/request_image.h"

namespace lmc::tools {

// llama.cpp's mtmd_default_marker(), which a chat's text holds where each image goes.
inline constexpr const char* kImageMarker = "<__media__>";

// Whether `part` is an image part (type image_url).
bool is_image_part(const nlohmann::json& part);

// The image of an image part at `param`. Throws ApiError (400 naming `param`) for a part
// without a string url, a URL that is not a base64 data URI, or base64 that does not decode.
RequestImage image_of_part(const nlohmann::json& part, const std::string& param);

}  // namespace lmc::tools

// OpenAI's image content parts, {"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}},
// as llama-server reads them: the image's bytes, and a media marker <__media__> where the part
// stood in the message's text, where the image's tokens go (driver/image_prompt.h). Only data
// URIs are read: an http(s) URL is a 400, as lmc fetches nothing a request names. The base64
// of llama-server's multimodal_data is read here too.
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

// Where the base64 of the data URI `url` starts. Throws ApiError (400 naming `param`) for an
// http(s) URL or a URL that is not a base64 data URI.
size_t data_uri_payload(const std::string& url, const std::string& param);

// The image whose file `base64` holds (llama-server's multimodal_data entries, a data URI's
// payload). Throws ApiError (400 naming `param`) when it is empty or does not decode.
RequestImage image_of_base64(const std::string& base64, const std::string& param);

}  // namespace lmc::tools

#include "tools/serve/request/image_parts.h"

#include <nettle/base64.h>

#include <optional>

#include "tools/serve/fields/request_fields.h"

namespace lmc::tools {
namespace {

// The bytes of `text` in base64 (RFC 4648, padded); nullopt when it is not.
std::optional<std::string> base64_bytes(const std::string& text) {
  base64_decode_ctx ctx;
  base64_decode_init(&ctx);
  std::string out(BASE64_DECODE_LENGTH(text.size()), '\0');
  size_t n = out.size();
  if (!base64_decode_update(&ctx, &n, reinterpret_cast<uint8_t*>(out.data()), text.size(), text.data()) ||
      !base64_decode_final(&ctx))
    return std::nullopt;
  out.resize(n);
  return out;
}

}  // namespace

bool is_image_part(const nlohmann::json& part) { return part.is_object() && part.value("type", "") == "image_url"; }

RequestImage image_of_part(const nlohmann::json& part, const std::string& param) {
  const nlohmann::json* url = part.contains("image_url") ? &part["image_url"] : nullptr;
  if (url && url->is_object() && url->contains("url")) url = &(*url)["url"];
  if (!url || !url->is_string())
    invalid_field(param, "'" + param + "' must be {\"type\": \"image_url\", \"image_url\": {\"url\": \"data:...\"}}");
  const std::string u = url->get<std::string>();
  return image_of_base64(u.substr(data_uri_payload(u, param)), param);
}

size_t data_uri_payload(const std::string& url, const std::string& param) {
  if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0)
    invalid_field(param, "'" + param + "' is an http(s) URL, which lmc serve does not fetch: send the image as a " +
                             "data URI, data:image/png;base64,...");
  const size_t comma = url.find(',');
  if (url.rfind("data:", 0) != 0 || comma == std::string::npos || url.rfind(";base64", comma) == std::string::npos ||
      url.rfind(";base64", comma) + 7 != comma)
    invalid_field(param, "'" + param + "' must be a base64 data URI, data:image/png;base64,...");
  return comma + 1;
}

RequestImage image_of_base64(const std::string& base64, const std::string& param) {
  if (base64.empty()) invalid_field(param, "'" + param + "' holds no image: its base64 is empty");
  std::optional<std::string> bytes = base64_bytes(base64);
  if (!bytes) invalid_field(param, "'" + param + "' holds base64 that does not decode");
  return {std::move(*bytes), param};
}

}  // namespace lmc::tools

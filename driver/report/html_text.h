// Text made safe for an HTML page: every character with a meaning in markup or in an
// attribute value (& < > " ') written as its entity, and bytes that are not valid UTF-8 as
// U+FFFD, so a weight name or an error from a file cannot open a tag or break the page's
// encoding.
#pragma once
#include <string>
#include <string_view>

namespace lmc::report {

std::string html_escape(std::string_view text);

// "data:image/svg+xml;base64,...": a picture an <img> shows without any fetch, and which
// cannot run a script in the page.
std::string svg_data_uri(std::string_view svg);

}  // namespace lmc::report

#include "driver/image_layout.h"

#include <sstream>
#include <vector>

#include "support/error.h"

namespace lmc::driver {

namespace {

const std::string* hyper(const ir::ModelInfo& info, const std::string& name) {
  for (const auto& [key, value] : info.hyper)
    if (key == name) return &value;
  return nullptr;
}

// A parameter as the integers it prints as ("3" or "[1, 2, 3]").
std::vector<double> numbers(const std::string& text, const std::string& name, const std::string& definition) {
  std::string plain = text;
  for (char& c : plain)
    if (c == '[' || c == ']' || c == ',') c = ' ';
  std::istringstream in(plain);
  std::vector<double> out;
  for (double v; in >> v;) out.push_back(v);
  if (!in.eof() || out.empty())
    throw error_at(definition, "parameter '" + name + "' is '" + text + "', expected numbers");
  return out;
}

}  // namespace

ImageLayout image_layout(const ir::ModelInfo& info, int64_t rows, const std::string& definition) {
  ImageLayout l;
  if (const std::string* pad = hyper(info, "image_pad")) {
    const std::vector<double> rgb = numbers(*pad, "image_pad", definition);
    if (rgb.size() != 3) throw error_at(definition, "parameter 'image_pad' needs 3 values (R, G, B)");
    for (size_t c = 0; c < 3; ++c) {
      if (!(rgb[c] >= 0 && rgb[c] <= 255)) throw error_at(definition, "parameter 'image_pad' is outside 0..255");
      l.pad[c] = static_cast<uint8_t>(rgb[c]);
    }
  }
  if (const std::string* filter = hyper(info, "image_resample")) {
    if (*filter == "bicubic")
      l.resample = models::ResampleFilter::bicubic;
    else if (*filter != "bilinear")
      throw error_at(definition, "parameter 'image_resample' is '" + *filter + "', expected bilinear or bicubic");
  }
  if (const std::string* row = hyper(info, "class_row")) {
    const double r = numbers(*row, "class_row", definition).at(0);
    if (!(r >= 0 && r < static_cast<double>(rows)))
      throw error_at(definition,
                     "parameter 'class_row' is " + *row + ", outside the step's " + std::to_string(rows) + " rows");
    l.class_row = static_cast<int64_t>(r);
  }
  if (const std::string* begin = hyper(info, "image_begin")) l.begin = *begin;
  if (const std::string* end = hyper(info, "image_end")) l.end = *end;
  if (const std::string* both = hyper(info, "image_bidirectional"))
    l.bidirectional = numbers(*both, "image_bidirectional", definition).at(0) != 0;
  return l;
}

}  // namespace lmc::driver

// JSON schema's `format` values that structured output writes by construction: each is a
// fixed grammar (byte_dfa.h) that a string's text follows byte by byte, so an answer is a
// valid date, time, UUID, ... and never a near miss. The grammars are RFC 3339's (date,
// time, date-time), RFC 4122's UUID text, a dotted IPv4 address without leading zeros, and an
// e-mail address of plain dot-atoms (RFC 5321's common case). Each is at least as strict
// as the usual validators (Python's datetime and ipaddress): a date's day exists in its month,
// February 29 only in a leap year; a time's seconds stop at 59; letters are upper case (T, Z).
// Other formats (uri, hostname, ipv6, duration, ...) have none.
#pragma once
#include <memory>
#include <string_view>

#include "structured/byte_dfa.h"

namespace lmc::structured {

// The grammar of the format `name`, built once; nullptr for a format without one.
std::shared_ptr<const ByteDfa> string_format(std::string_view name);

}  // namespace lmc::structured

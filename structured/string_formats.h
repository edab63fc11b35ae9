// JSON schema's `format` values that structured output writes by construction: each is a
// fixed grammar (byte_dfa.h) that a string's text follows byte by byte, so an answer is a
// valid date, time, UUID, ... and never a near miss. The grammars are RFC 3339's (date,
// time, date-time), RFC 4122's UUID text, a dotted IPv4 address without leading zeros, an
// IPv6 address in RFC 4291's text (lower case, "::" for zeros, no embedded IPv4), and, for
// email, hostname and uri, the common case each validator takes (string_formats.cpp): an
// address of dot-atoms at a domain, the domain, an http(s) URL at it. Each is at least as
// strict as the usual validators (Pydantic with email-validator, Python's datetime and
// ipaddress, jsonschema's FormatChecker): a date's day exists in its month, February 29 only
// in a leap year; a time's seconds stop at 59; letters are upper case (T, Z); a domain ends
// in a common top-level domain. Other formats (duration, uri-reference, ...) have none.
#pragma once
#include <memory>
#include <string_view>

#include "structured/byte_dfa.h"

namespace lmc::structured {

// The grammar of the format `name`, built once; nullptr for a format without one.
std::shared_ptr<const ByteDfa> string_format(std::string_view name);
// The grammar that judges a value of the format after decoding: string_format's where it
// takes the format's common texts (date, time, date-time, uuid, ipv4), nullptr for the
// formats whose grammar writes only a part of them (ipv6, email, hostname, uri).
std::shared_ptr<const ByteDfa> format_check(std::string_view name);

}  // namespace lmc::structured

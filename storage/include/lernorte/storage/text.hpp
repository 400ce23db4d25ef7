#pragma once
// German-aware text folding for full-text search, used both for the FTS5 index in the
// store and the in-memory index of the read model, so both match the same way.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lernorte::storage {

/// Lowercases, folds umlauts and ß (ä->a, ö->o, ü->u, ß->ss, and other Latin diacritics
/// to their base letter), splits on anything that is not a letter or digit. Invalid
/// UTF-8 bytes are treated as separators.
[[nodiscard]] std::vector<std::string> tokenize(std::string_view text);

/// A light German stemmer on a folded token: strips one common inflection suffix
/// (-ern, -em, -en, -er, -es, -e, -n, -s; the longest that leaves at least 4 characters),
/// so that "bibliotheken", "bibliothek" and "bibliotheks" share the stem "bibliothek".
/// Tokens containing digits are returned unchanged.
[[nodiscard]] std::string stem(std::string_view folded_token);

/// tokenize() then stem() each token. A stem that ends in a common German compound head
/// ("...strass", "...bibliothek", "...schul", "...gart", ...) is followed by that head as an
/// extra term, so "Straße" finds "Pfotenhauerstraße" although matching is by prefix.
[[nodiscard]] std::vector<std::string> search_terms(std::string_view text);

/// Calls `sink` with each term of search_terms(text) without building strings: the views are
/// valid only during the call. For building indexes over many documents.
void for_each_search_term(std::string_view text, const std::function<void(std::string_view)>& sink);

/// The space-joined search_terms() of a text: what the FTS5 table stores and matches.
[[nodiscard]] std::string search_document(std::string_view text);

/// Whether a byte string is valid UTF-8.
[[nodiscard]] bool valid_utf8(std::string_view s) noexcept;

}  // namespace lernorte::storage

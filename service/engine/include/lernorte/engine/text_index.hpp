#pragma once
// In-memory full-text index of the read model. Terms come from storage::search_terms, so
// the folding and stemming are those of the store's FTS5 table.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <lernorte/engine/binary_io.hpp>

namespace lernorte::engine {

/// One document's fields with their weights (name counts more than description).
struct TextField {
    std::string_view text;
    float weight = 1.0F;
};

class TextIndex {
public:
    /// Documents are numbered 0..n-1 in the order of the outer vector.
    explicit TextIndex(const std::vector<std::vector<TextField>>& documents);
    /// The same without a vector per document: `fields(doc, add)` calls add(text, weight)
    /// for each field of document doc, for doc = 0..documents-1 in order.
    using FieldSink = std::function<void(std::string_view text, float weight)>;
    TextIndex(std::uint32_t documents, const std::function<void(std::uint32_t doc, const FieldSink& add)>& fields);
    TextIndex() = default;

    struct Hit {
        std::uint32_t doc = 0;
        float score = 0.0F;
    };
    /// Documents that match every query term, best first (ties by document number). A query
    /// term matches an indexed term that starts with it, and, for terms of five letters or
    /// more, one that contains it (German compounds: "bibliothek" finds "zentralbibliothek"),
    /// at a lower weight. Query syntax is never interpreted: quotes, stars and operators are
    /// separators. An empty query matches nothing.
    [[nodiscard]] std::vector<Hit> search(std::string_view query) const;

    [[nodiscard]] std::size_t term_count() const noexcept { return m_terms.size(); }

    void write(BinaryWriter& out) const;
    /// Reads what write() wrote for an index of `documents` documents; a damaged file throws
    /// SnapshotError.
    static TextIndex read(BinaryReader& in, std::uint32_t documents);

private:
    struct Posting {
        std::uint32_t doc;
        float weight;  // summed field weights of the term's occurrences in the document
    };
    std::vector<std::string> m_terms;              // sorted, unique
    std::vector<std::uint32_t> m_posting_start;    // size terms+1
    std::vector<Posting> m_postings;               // grouped by term, ascending doc
    std::uint32_t m_documents = 0;
};

}  // namespace lernorte::engine

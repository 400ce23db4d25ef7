#include <lernorte/engine/text_index.hpp>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <lernorte/storage/text.hpp>

namespace lernorte::engine {

namespace {
struct TermHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
}  // namespace

TextIndex::TextIndex(const std::vector<std::vector<TextField>>& documents)
    : TextIndex(static_cast<std::uint32_t>(documents.size()), [&documents](std::uint32_t doc, const FieldSink& add) {
          for (const TextField& field : documents[doc]) add(field.text, field.weight);
      }) {}

TextIndex::TextIndex(std::uint32_t documents, const std::function<void(std::uint32_t doc, const FieldSink& add)>& fields)
    : m_documents(documents) {
    // Terms are interned once (an id per distinct term), so a document costs no string per
    // occurrence; postings are collected per term id in ascending document order.
    std::unordered_map<std::string, std::uint32_t, TermHash, std::equal_to<>> ids;
    std::vector<std::string> names;
    std::vector<std::vector<Posting>> by_term;
    std::vector<std::pair<std::uint32_t, float>> in_doc;  // a document has few distinct terms
    std::vector<float> lengths(documents, 0.0F);
    double total_length = 0.0;
    for (std::uint32_t doc = 0; doc < documents; ++doc) {
        in_doc.clear();
        fields(doc, [&](std::string_view text, float weight) {
            storage::for_each_search_term(text, [&](std::string_view term) {
                auto it = ids.find(term);
                if (it == ids.end()) {
                    it = ids.emplace(std::string(term), static_cast<std::uint32_t>(names.size())).first;
                    names.emplace_back(term);
                    by_term.emplace_back();
                }
                const std::uint32_t id = it->second;
                const auto same = std::find_if(in_doc.begin(), in_doc.end(), [id](const auto& e) { return e.first == id; });
                if (same == in_doc.end()) in_doc.emplace_back(id, weight); else same->second += weight;
                lengths[doc] += weight;
            });
        });
        total_length += lengths[doc];
        for (const auto& [id, weight] : in_doc) by_term[id].push_back(Posting{doc, weight});
    }
    // BM25 term-frequency saturation with length normalisation (k1 = 1.2, b = 0.75): a word
    // in a short name weighs more than the same word in a long description.
    const double average = documents == 0 ? 1.0 : std::max(1e-9, total_length / static_cast<double>(documents));
    for (auto& postings : by_term) {
        for (Posting& p : postings) {
            const double norm = 1.2 * (0.25 + 0.75 * lengths[p.doc] / average);
            p.weight = static_cast<float>(p.weight * 2.2 / (p.weight + norm));
        }
    }
    std::vector<std::uint32_t> order(names.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return names[a] < names[b]; });
    m_terms.reserve(names.size());
    m_posting_start.reserve(names.size() + 1);
    std::size_t total = 0;
    for (const auto& list : by_term) total += list.size();
    m_postings.reserve(total);
    for (std::uint32_t id : order) {
        m_terms.push_back(std::move(names[id]));
        m_posting_start.push_back(static_cast<std::uint32_t>(m_postings.size()));
        m_postings.insert(m_postings.end(), by_term[id].begin(), by_term[id].end());
        std::vector<Posting>().swap(by_term[id]);
    }
    m_posting_start.push_back(static_cast<std::uint32_t>(m_postings.size()));
}

void TextIndex::write(BinaryWriter& out) const {
    out.strings(m_terms);
    out.array(m_posting_start);
    out.array(m_postings);
}

TextIndex TextIndex::read(BinaryReader& in, std::uint32_t documents) {
    TextIndex t;
    t.m_documents = documents;
    t.m_terms = in.strings();
    t.m_posting_start = in.array<std::uint32_t>();
    t.m_postings = in.array<Posting>();
    const auto bad = [] { throw SnapshotError("snapshot file: the text index is damaged"); };
    if (t.m_posting_start.size() != t.m_terms.size() + 1 || t.m_posting_start.front() != 0 ||
        t.m_posting_start.back() != t.m_postings.size()) {
        bad();
    }
    for (std::size_t i = 1; i < t.m_posting_start.size(); ++i) {
        if (t.m_posting_start[i] < t.m_posting_start[i - 1]) bad();
    }
    for (std::size_t i = 1; i < t.m_terms.size(); ++i) {
        if (!(t.m_terms[i - 1] < t.m_terms[i])) bad();  // search relies on the sorted vocabulary
    }
    for (const Posting& p : t.m_postings) {
        if (p.doc >= documents) bad();
    }
    return t;
}

std::vector<TextIndex::Hit> TextIndex::search(std::string_view query) const {
    const std::vector<std::string> query_terms = storage::search_terms(query);
    if (query_terms.empty() || m_documents == 0) return {};

    // Per query term: score per document (dense when small, sparse otherwise).
    std::unordered_map<std::uint32_t, float> scores;  // docs matching all terms so far
    bool first = true;
    for (const std::string& q : query_terms) {
        std::unordered_map<std::uint32_t, float> term_scores;
        const auto add_term = [&](std::size_t t, float factor) {
            const std::uint32_t begin = m_posting_start[t];
            const std::uint32_t end = m_posting_start[t + 1];
            // BM25-like idf: rare terms weigh more.
            const double df = end - begin;
            const auto idf = static_cast<float>(std::log(1.0 + (m_documents - df + 0.5) / (df + 0.5)));
            for (std::uint32_t i = begin; i < end; ++i) {
                float& s = term_scores[m_postings[i].doc];
                s = std::max(s, factor * idf * m_postings[i].weight);
            }
        };
        // Prefix matches: a contiguous run of the sorted vocabulary.
        auto it = std::lower_bound(m_terms.begin(), m_terms.end(), q);
        for (; it != m_terms.end() && it->compare(0, q.size(), q) == 0; ++it) {
            const float factor = it->size() == q.size() ? 1.0F : 0.8F;
            add_term(static_cast<std::size_t>(it - m_terms.begin()), factor);
        }
        // Infix matches for longer terms (compounds); a scan of the vocabulary.
        if (q.size() >= 5) {
            for (std::size_t t = 0; t < m_terms.size(); ++t) {
                const std::string& term = m_terms[t];
                if (term.size() > q.size() && term.find(q, 1) != std::string::npos) {
                    add_term(t, 0.5F);
                }
            }
        }
        if (first) {
            scores = std::move(term_scores);
            first = false;
        } else {
            std::unordered_map<std::uint32_t, float> both;
            for (const auto& [doc, s] : scores) {
                if (auto found = term_scores.find(doc); found != term_scores.end()) {
                    both.emplace(doc, s + found->second);
                }
            }
            scores = std::move(both);
        }
        if (scores.empty()) return {};
    }
    std::vector<Hit> hits;
    hits.reserve(scores.size());
    for (const auto& [doc, s] : scores) hits.push_back(Hit{doc, s});
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
        return a.score != b.score ? a.score > b.score : a.doc < b.doc;
    });
    return hits;
}

}  // namespace lernorte::engine

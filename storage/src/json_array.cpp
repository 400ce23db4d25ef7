#include <lernorte/storage/detail/json_array.hpp>

#include <stdexcept>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace lernorte::storage::detail {

std::string write_json_string_array(const std::vector<std::string>& items) {
    if (items.empty()) return "[]";  // most lists of most places: no buffer for them
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (const auto& item : items) writer.String(item.data(), static_cast<rapidjson::SizeType>(item.size()));
    writer.EndArray();
    return {buffer.GetString(), buffer.GetSize()};
}

std::vector<std::string> parse_json_string_array(std::string_view json) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
    if (doc.HasParseError()) {
        throw std::invalid_argument("not a JSON array of strings: " +
                                    std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " at offset " +
                                    std::to_string(doc.GetErrorOffset()));
    }
    if (!doc.IsArray()) throw std::invalid_argument("not a JSON array of strings: not an array at offset 0");
    std::vector<std::string> out;
    out.reserve(doc.Size());
    for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
        const auto& v = doc[i];
        if (!v.IsString()) {
            throw std::invalid_argument("not a JSON array of strings: element " + std::to_string(i) + " is not a string");
        }
        out.emplace_back(v.GetString(), v.GetStringLength());
    }
    return out;
}

}  // namespace lernorte::storage::detail

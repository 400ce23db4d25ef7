#pragma once
// Little helpers to write and read the read-model snapshot file: fixed-width integers, byte
// runs and arrays of trivially copyable values, every read bounds-checked. The file is read
// only by the build that wrote it (the header names its layout), so values are written in
// the machine's own byte order.

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace lernorte::engine {

/// A snapshot file that cannot be used: missing, of another layout, or damaged.
class SnapshotError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class BinaryWriter {
public:
    /// Opens `path` for writing (truncating it).
    explicit BinaryWriter(const std::string& path);
    BinaryWriter(const BinaryWriter&) = delete;
    BinaryWriter& operator=(const BinaryWriter&) = delete;
    ~BinaryWriter();

    void bytes(const void* data, std::size_t size);
    void u64(std::uint64_t v) { bytes(&v, sizeof v); }
    void i64(std::int64_t v) { bytes(&v, sizeof v); }
    void string(std::string_view s) {
        u64(s.size());
        bytes(s.data(), s.size());
    }
    template <typename T>
    void array(const std::vector<T>& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        u64(v.size());
        bytes(v.data(), v.size() * sizeof(T));
    }
    void strings(const std::vector<std::string>& v) {
        u64(v.size());
        for (const auto& s : v) string(s);
    }
    /// Flushes and fsyncs; throws SnapshotError when the data did not reach the disk.
    void finish();

private:
    std::FILE* m_file = nullptr;
    std::string m_path;
};

class BinaryReader {
public:
    /// Opens the file; throws SnapshotError when it cannot be read.
    explicit BinaryReader(const std::string& path);
    BinaryReader(const BinaryReader&) = delete;
    BinaryReader& operator=(const BinaryReader&) = delete;
    ~BinaryReader();

    /// Small reads come from a buffer, large ones go straight into `out`.
    void bytes(void* out, std::size_t size);
    std::uint64_t u64() {
        std::uint64_t v = 0;
        bytes(&v, sizeof v);
        return v;
    }
    std::int64_t i64() {
        std::int64_t v = 0;
        bytes(&v, sizeof v);
        return v;
    }
    std::string string() {
        const std::uint64_t n = count(1);
        std::string s(n, '\0');
        bytes(s.data(), n);
        return s;
    }
    template <typename T>
    std::vector<T> array() {
        static_assert(std::is_trivially_copyable_v<T>);
        const std::uint64_t n = count(sizeof(T));
        std::vector<T> v(n);
        bytes(v.data(), n * sizeof(T));
        return v;
    }
    std::vector<std::string> strings() {
        const std::uint64_t n = count(sizeof(std::uint64_t));
        std::vector<std::string> v;
        v.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) v.push_back(string());
        return v;
    }
    [[nodiscard]] bool at_end() const noexcept { return m_pos == m_size; }

private:
    void need(std::size_t size) const {
        if (size > m_size - m_pos) throw SnapshotError("snapshot file is truncated");
    }
    /// A count of elements of `element_size` bytes that fits in the rest of the file.
    std::uint64_t count(std::size_t element_size) {
        const std::uint64_t n = u64();
        if (n > (m_size - m_pos) / element_size) throw SnapshotError("snapshot file is truncated");
        return n;
    }
    void fill(void* out, std::size_t size);  // read(2) exactly size bytes
    int m_fd = -1;
    std::string m_path;
    std::size_t m_size = 0;  // of the file
    std::size_t m_pos = 0;   // logical position in the file
    std::vector<char> m_buffer;
    std::size_t m_buffer_pos = 0;
    std::size_t m_buffer_end = 0;
};

}  // namespace lernorte::engine

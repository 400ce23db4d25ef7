#include <lernorte/engine/binary_io.hpp>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lernorte::engine {

BinaryWriter::BinaryWriter(const std::string& path) : m_file(std::fopen(path.c_str(), "wb")), m_path(path) {
    if (m_file == nullptr) throw SnapshotError("cannot write " + path + ": " + std::strerror(errno));
    std::setvbuf(m_file, nullptr, _IOFBF, std::size_t{1} << 20);
}

BinaryWriter::~BinaryWriter() {
    if (m_file != nullptr) std::fclose(m_file);
}

void BinaryWriter::bytes(const void* data, std::size_t size) {
    if (size > 0 && std::fwrite(data, 1, size, m_file) != size) {
        throw SnapshotError("cannot write " + m_path + ": " + std::strerror(errno));
    }
}

void BinaryWriter::finish() {
    const bool ok = std::fflush(m_file) == 0 && ::fsync(::fileno(m_file)) == 0;
    const int error = errno;
    const bool closed = std::fclose(m_file) == 0;
    m_file = nullptr;
    if (!ok || !closed) throw SnapshotError("cannot write " + m_path + ": " + std::strerror(error));
}

BinaryReader::BinaryReader(const std::string& path) : m_path(path), m_buffer(std::size_t{1} << 16) {
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) throw SnapshotError("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(m_fd);
        throw SnapshotError(path + " is not a regular file");
    }
    m_size = static_cast<std::size_t>(st.st_size);
}

BinaryReader::~BinaryReader() { ::close(m_fd); }

void BinaryReader::fill(void* out, std::size_t size) {
    auto* to = static_cast<char*>(out);
    while (size > 0) {
        const ssize_t n = ::read(m_fd, to, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw SnapshotError("cannot read " + m_path);
        to += n;
        size -= static_cast<std::size_t>(n);
    }
}

void BinaryReader::bytes(void* out, std::size_t size) {
    need(size);
    auto* to = static_cast<char*>(out);
    const std::size_t buffered = std::min(size, m_buffer_end - m_buffer_pos);
    if (buffered > 0) std::memcpy(to, m_buffer.data() + m_buffer_pos, buffered);
    m_buffer_pos += buffered;
    to += buffered;
    std::size_t rest = size - buffered;
    m_pos += size;
    if (rest == 0) return;
    if (rest >= m_buffer.size()) {
        fill(to, rest);  // large arrays: straight from the file, no copy
        return;
    }
    const std::size_t chunk = std::min(m_buffer.size(), m_size - (m_pos - rest));
    fill(m_buffer.data(), chunk);
    m_buffer_end = chunk;
    std::memcpy(to, m_buffer.data(), rest);
    m_buffer_pos = rest;
}

}  // namespace lernorte::engine

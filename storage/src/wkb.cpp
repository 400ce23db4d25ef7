#include <lernorte/storage/detail/wkb.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace lernorte::storage::detail {
namespace {

constexpr std::uint32_t wkb_point = 1;
constexpr std::uint32_t wkb_polygon = 3;
constexpr std::uint32_t wkb_multipolygon = 6;

template <class T>
T byteswap(T v) noexcept {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    for (std::size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
    std::memcpy(&v, b, sizeof(T));
    return v;
}

class Writer {
public:
    void byte(unsigned char b) { m_out.push_back(b); }
    template <class T>
    void little(T v) {
        if constexpr (std::endian::native == std::endian::big) v = byteswap(v);
        const auto* p = reinterpret_cast<const unsigned char*>(&v);
        m_out.insert(m_out.end(), p, p + sizeof(T));
    }
    void count(std::size_t n) {
        if (n > UINT32_MAX) throw std::invalid_argument("WKB: too many elements");
        little(static_cast<std::uint32_t>(n));
    }
    std::vector<unsigned char> take() { return std::move(m_out); }

private:
    std::vector<unsigned char> m_out;
};

class Reader {
public:
    explicit Reader(std::span<const unsigned char> wkb) : m_wkb(wkb) {}

    /// Reads a geometry header; returns its type and sets the byte order for what follows.
    std::uint32_t header() {
        const unsigned char order = bytes(1)[0];
        if (order > 1) fail("bad byte order marker");
        m_swap = (order == 1) != (std::endian::native == std::endian::little);
        return u32();
    }
    std::uint32_t u32() { return value<std::uint32_t>(); }
    double f64() { return value<double>(); }
    /// A count that must fit in the remaining bytes at `min_size` bytes per element.
    std::uint32_t count(std::size_t min_size) {
        const std::uint32_t n = u32();
        if (static_cast<std::size_t>(n) > (m_wkb.size() - m_pos) / min_size) fail("count exceeds the data");
        return n;
    }
    geo::Point point() {
        const double x = f64();
        const double y = f64();
        return {x, y};
    }
    void finish() const {
        if (m_pos != m_wkb.size()) fail("trailing bytes");
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw std::invalid_argument("WKB: " + what + " at byte " + std::to_string(m_pos) + " of " +
                                    std::to_string(m_wkb.size()));
    }

private:
    std::span<const unsigned char> bytes(std::size_t n) {
        if (m_wkb.size() - m_pos < n) fail("truncated");
        const auto s = m_wkb.subspan(m_pos, n);
        m_pos += n;
        return s;
    }
    template <class T>
    T value() {
        T v;
        std::memcpy(&v, bytes(sizeof(T)).data(), sizeof(T));
        return m_swap ? byteswap(v) : v;
    }

    std::span<const unsigned char> m_wkb;
    std::size_t m_pos = 0;
    bool m_swap = false;
};

void write_polygon(Writer& w, const geo::Polygon& poly) {
    w.byte(1);
    w.little(wkb_polygon);
    w.count(poly.rings.size());
    for (const geo::Ring& ring : poly.rings) {
        w.count(ring.size());
        for (const geo::Point& p : ring) {
            w.little(p.x);
            w.little(p.y);
        }
    }
}

geo::Polygon read_polygon_body(Reader& r) {
    geo::Polygon poly;
    const std::uint32_t rings = r.count(4);
    poly.rings.reserve(rings);
    for (std::uint32_t i = 0; i < rings; ++i) {
        const std::uint32_t points = r.count(16);
        geo::Ring ring;
        ring.reserve(points);
        for (std::uint32_t k = 0; k < points; ++k) ring.push_back(r.point());
        poly.rings.push_back(std::move(ring));
    }
    return poly;
}

}  // namespace

std::vector<unsigned char> write_wkb(const geo::MultiPolygon& mp) {
    Writer w;
    w.byte(1);  // little endian
    w.little(wkb_multipolygon);
    w.count(mp.polygons.size());
    for (const geo::Polygon& poly : mp.polygons) write_polygon(w, poly);
    return w.take();
}

geo::MultiPolygon read_wkb_multipolygon(std::span<const unsigned char> wkb) {
    Reader r(wkb);
    geo::MultiPolygon mp;
    const std::uint32_t type = r.header();
    if (type == wkb_polygon) {
        mp.polygons.push_back(read_polygon_body(r));
    } else if (type == wkb_multipolygon) {
        const std::uint32_t n = r.count(9);
        mp.polygons.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) {
            // Each member carries its own byte order.
            if (r.header() != wkb_polygon) r.fail("multipolygon member is not a polygon");
            mp.polygons.push_back(read_polygon_body(r));
        }
    } else {
        r.fail("geometry type " + std::to_string(type) + " is not a 2D polygon or multipolygon");
    }
    r.finish();
    return mp;
}

geo::Point read_wkb_point(std::span<const unsigned char> wkb) {
    Reader r(wkb);
    const std::uint32_t type = r.header();
    if (type != wkb_point) r.fail("geometry type " + std::to_string(type) + " is not a 2D point");
    const geo::Point p = r.point();
    r.finish();
    return p;
}

SpatialitePoint spatialite_point_blob(const geo::Point& p, std::int32_t srid) {
    SpatialitePoint out{};
    std::size_t at = 0;
    const auto put = [&](auto v) {
        if constexpr (std::endian::native == std::endian::big) v = byteswap(v);
        std::memcpy(out.data() + at, &v, sizeof v);
        at += sizeof v;
    };
    out[at++] = 0x00;  // start
    out[at++] = 0x01;  // little-endian
    put(srid);
    for (const double v : {p.x, p.y, p.x, p.y}) put(v);  // the MBR of a point is the point
    out[at++] = 0x7C;  // end of the MBR
    put(static_cast<std::int32_t>(wkb_point));
    put(p.x);
    put(p.y);
    out[at++] = 0xFE;  // end
    return out;
}

}  // namespace lernorte::storage::detail

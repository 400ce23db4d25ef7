-- Loads the SYNTHETIC places (the generator's CSV on psql's standard input) and the Stadträume (already
-- copied by ogr2ogr into bench_stadtraeume_src, EPSG:3857) for the PostGIS ST_AsMVT anchor.
-- Geometries in EPSG:3857 with a GIST index; the places table clustered on it (the usual set-up
-- of a PostGIS tile server; it also matches Lernorte's spatially ordered places).
\set ON_ERROR_STOP on
\timing on
CREATE EXTENSION IF NOT EXISTS postgis;
DROP TABLE IF EXISTS bench_staging, bench_places, bench_stadtraeume;
CREATE UNLOGGED TABLE bench_staging (
    id text, name text, category text, description text, street text, postcode text, city text,
    tags text, lon float8, lat float8);
\copy bench_staging FROM pstdin WITH (FORMAT csv, HEADER true)
-- fid: the running number n of the id "syn-<seed>-<n>" (an integer feature id for ST_AsMVT).
CREATE TABLE bench_places AS
SELECT split_part(id, '-', 3)::int AS fid, id, name, category, 'unknown'::text AS wheelchair,
       ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 3857)::geometry(Point, 3857) AS geom
FROM bench_staging;
DROP TABLE bench_staging;
ALTER TABLE bench_places ADD PRIMARY KEY (fid);
CREATE INDEX bench_places_geom ON bench_places USING gist (geom);
CLUSTER bench_places USING bench_places_geom;
-- The Stadträume with the properties of our layer: nr, short name, population, places per 10,000.
CREATE TABLE bench_stadtraeume AS
SELECT s.stadtraum_nr::int AS nr, s.stadtraum_kurz::text AS name, s.ew_2025::bigint AS population,
       round((10000.0 * (SELECT count(*) FROM bench_places p WHERE ST_Intersects(s.geom, p.geom))
              / nullif(s.ew_2025, 0))::numeric, 2)::float8 AS per_10k,
       s.geom::geometry(MultiPolygon, 3857) AS geom
FROM bench_stadtraeume_src s;
CREATE INDEX bench_stadtraeume_geom ON bench_stadtraeume USING gist (geom);
VACUUM ANALYZE bench_places;
VACUUM ANALYZE bench_stadtraeume;
SELECT count(*) AS places FROM bench_places;
SELECT count(*) AS stadtraeume, sum(population) AS population FROM bench_stadtraeume;
SELECT postgis_full_version();

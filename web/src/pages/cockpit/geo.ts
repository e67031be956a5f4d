import zhejiangUrl from '../../assets/geo/zhejiang-cities.geojson?url';
import { echarts } from './EChart.tsx';

/**
 * Boundary maps the cockpit can draw, by the GB/T 2260 code of the region they show: 浙江省 with
 * its 11 cities (feature ids and `properties.code` are the cities' codes). Source and licence:
 * web/src/assets/geo/README.md. Fetched and registered on first use.
 */
const MAPS: Record<string, string> = { '330000': zhejiangUrl };

const loaded = new Map<string, Promise<string>>();

/** Whether a boundary map of the region's children exists. */
export const hasMap = (regionCode: string) => regionCode in MAPS;

/** Registers the region's map with ECharts (once) and returns its map name. */
export function loadMap(regionCode: string): Promise<string> {
  const url = MAPS[regionCode];
  if (!url) return Promise.reject(new Error(`no map for ${regionCode}`));
  let p = loaded.get(regionCode);
  if (!p) {
    const name = `region-${regionCode}`;
    p = fetch(url)
      .then((r) => {
        if (!r.ok) throw new Error(`map ${regionCode}: HTTP ${r.status}`);
        return r.json();
      })
      .then((geo) => {
        // Region names come from our own region table; the map is matched by code (nameProperty).
        echarts.registerMap(name, geo);
        return name;
      });
    p.catch(() => loaded.delete(regionCode));
    loaded.set(regionCode, p);
  }
  return p;
}

/** The grey of a region without figures, on every cockpit map. */
export const NO_DATA_GREY = '#bfbfbf';

/**
 * The ECharts `map` series of a region's children, joined by GB/T 2260 code (`nameProperty`), labelled
 * with their names: the cockpit's completion map and the risk map draw the same boundaries this way.
 */
export function regionMapSeries(mapName: string, names: Map<string, string>, data: unknown[]) {
  return {
    type: 'map' as const,
    map: mapName,
    nameProperty: 'code',
    roam: false,
    selectedMode: false as const,
    label: {
      show: true,
      fontSize: 11,
      formatter: (p: { name: string }) => names.get(p.name) ?? p.name,
    },
    itemStyle: { areaColor: NO_DATA_GREY, borderColor: '#fff' },
    emphasis: { label: { show: true }, itemStyle: { areaColor: '#69b1ff' } },
    data,
  };
}

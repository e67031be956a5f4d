/** 常用筛选: named query strings of the all-items list, kept in this browser's localStorage per user. */
export type SavedFilter = { name: string; query: string };

const keyOf = (userId: string) => `duban.savedFilters.${userId}`;

export function readSavedFilters(userId: string): SavedFilter[] {
  try {
    const raw = JSON.parse(localStorage.getItem(keyOf(userId)) ?? '[]') as unknown;
    return Array.isArray(raw)
      ? raw.filter(
          (f): f is SavedFilter =>
            typeof f === 'object' && f !== null && typeof f.name === 'string' && typeof f.query === 'string',
        )
      : [];
  } catch {
    return [];
  }
}

export function writeSavedFilters(userId: string, filters: SavedFilter[]): void {
  localStorage.setItem(keyOf(userId), JSON.stringify(filters));
}

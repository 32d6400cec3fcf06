// The dataset browser's listing: filter a judged split by kind of error and class, sort, page.
import type { DatasetFilter, DatasetItem, DatasetPage, DatasetQuery, DatasetSort } from './apiTypes.js';
import { HttpError } from './httpError.js';

const FILTERS: readonly DatasetFilter[] = ['all', 'present', 'errors', 'fp', 'fn', 'loc'];
const SORTS: readonly DatasetSort[] = ['errors', 'score', 'margin', 'id'];
/** Each sort's natural direction: most errors, highest score, smallest margin (least sure) first. */
const DEFAULT_ORDER: Record<DatasetSort, 'asc' | 'desc'> = { errors: 'desc', score: 'desc', margin: 'asc', id: 'asc' };
/** Page size when the query gives none, and the largest one allowed. */
export const DATASET_PAGE_SIZE = 50;
export const DATASET_PAGE_MAX = 500;

/**
 * Reads `filter`, `class` (a class name), `sort`, `order`, `offset`, `limit` from a query string;
 * 400 naming the parameter and its allowed values for anything else.
 */
export function parseDatasetQuery(params: URLSearchParams, classNames: readonly string[]): DatasetQuery {
  const pick = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = params.get(name);
    if (v === null || v === '') return fallback;
    if (!(allowed as readonly string[]).includes(v)) throw new HttpError(400, `bad query parameter ${name}='${v.slice(0, 40)}': expected one of ${allowed.join(', ')}`);
    return v as T;
  };
  const int = (name: string, fallback: number, max: number): number => {
    const v = params.get(name);
    if (v === null || v === '') return fallback;
    const x = Number(v);
    if (!/^\d+$/.test(v) || x > max) throw new HttpError(400, `bad query parameter ${name}='${v.slice(0, 40)}': expected an integer from 0 to ${max}`);
    return x;
  };
  let cls: number | null = null;
  const name = params.get('class');
  if (name !== null && name !== '') {
    cls = classNames.indexOf(name);
    if (cls < 0) throw new HttpError(400, `bad query parameter class='${name.slice(0, 40)}': expected one of ${classNames.join(', ')}`);
  }
  const sort = pick('sort', SORTS, 'errors');
  return {
    filter: pick('filter', FILTERS, 'all'),
    cls,
    sort,
    order: pick('order', ['asc', 'desc'] as const, DEFAULT_ORDER[sort]),
    offset: int('offset', 0, Number.MAX_SAFE_INTEGER),
    limit: Math.max(1, int('limit', DATASET_PAGE_SIZE, DATASET_PAGE_MAX)),
  };
}

/** Whether an image passes the query's filter (see {@link DatasetQuery}). */
export function matchesDatasetFilter(item: DatasetItem, q: Pick<DatasetQuery, 'filter' | 'cls'>): boolean {
  const has = (list: number[]) => (q.cls === null ? list.length > 0 : list.includes(q.cls));
  switch (q.filter) {
    case 'all':
      return true;
    case 'present':
      return q.cls === null ? item.present.length > 0 : item.present.includes(q.cls);
    case 'errors':
      return q.cls === null ? item.errors > 0 : item.missed.includes(q.cls) || item.falsePositives.includes(q.cls) || item.mislocalized.includes(q.cls);
    case 'fp':
      return has(item.falsePositives);
    case 'fn':
      return has(item.missed);
    case 'loc':
      return has(item.mislocalized);
  }
}

/** Filters, sorts (ties by id) and pages the split's images. */
export function queryDatasetItems(items: readonly DatasetItem[], q: DatasetQuery): DatasetPage {
  const key = (it: DatasetItem): number => {
    switch (q.sort) {
      case 'errors':
        return it.errors;
      case 'score':
        return q.cls !== null ? it.scores[q.cls]! : Math.max(...it.scores);
      case 'margin':
        return it.margin ?? Infinity;
      case 'id':
        return 0;
    }
  };
  const sign = q.order === 'asc' ? 1 : -1;
  const matching = items.filter((it) => matchesDatasetFilter(it, q));
  matching.sort((a, b) => {
    const d = key(a) - key(b);
    if (d !== 0 && !Number.isNaN(d)) return sign * d;
    const byId = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return q.sort === 'id' ? sign * byId : byId;
  });
  return { query: q, total: matching.length, items: matching.slice(q.offset, q.offset + q.limit) };
}

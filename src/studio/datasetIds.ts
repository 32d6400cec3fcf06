// Dataset image ids as they arrive in URLs. An id only ever selects an entry of the split's own
// id list; it is never joined into a path, so no id reaches a file the split does not list.
import { HttpError } from './httpError.js';

/** VOC ids are file stems: letters, digits, '_', '-', '.' (not leading), at most 128 characters. */
const ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/**
 * The split index of a URL path segment naming a dataset image: 400 when it is not a well-formed
 * id (percent-decoding fails, or it holds '/', '\', '..', a leading '.', a drive or anything but
 * [A-Za-z0-9_.-]), 404 when it is well-formed but not in the split.
 */
export function resolveDatasetId(segment: string, index: ReadonlyMap<string, number>): number {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `invalid dataset id '${segment.slice(0, 80)}': bad percent-encoding`);
  }
  if (!ID_PATTERN.test(id) || id.includes('..')) {
    throw new HttpError(400, `invalid dataset id '${id.slice(0, 80)}': ids are file stems of letters, digits, '_', '-' and '.' (no paths)`);
  }
  const i = index.get(id);
  if (i === undefined) throw new HttpError(404, `no image '${id}' in this split`);
  return i;
}

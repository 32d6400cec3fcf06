// The page's calls to the studio API (README "wildcat studio"); errors carry the server's reason.
import type { DatasetImageDetail, DatasetPage, ImageMapsMeta, ImageSegmentationAnswer, StudioInfo } from '../apiTypes.js';
import { decodeMapsMessage, MAPS_MESSAGE_TYPE } from '../mapsMessage.js';

/** An image's maps as the page uses them. */
export interface PageMaps {
  meta: ImageMapsMeta;
  /** [C] the run's scores. */
  scores: Float32Array;
  /** [C, h, w]. */
  classMaps: Float32Array;
  /** [C·M, h, w]. */
  modalityMaps: Float32Array;
}

async function failure(res: Response): Promise<Error> {
  let reason = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: string };
    if (body.error) reason = `${res.status}: ${body.error}`;
  } catch {
    // not JSON: keep the status line
  }
  return new Error(reason);
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

async function jsonAnswer<T>(res: Response): Promise<T> {
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

async function maps(res: Response): Promise<PageMaps> {
  if (!res.ok) throw await failure(res);
  const m = decodeMapsMessage<ImageMapsMeta>(await res.arrayBuffer());
  const get = (name: string): Float32Array => {
    const a = m.arrays[name];
    if (!a) throw new Error(`the server's maps message has no '${name}' array`);
    return a.data;
  };
  return { meta: m.meta, scores: get('scores'), classMaps: get('classMaps'), modalityMaps: get('modalityMaps') };
}

export const api = {
  info: () => json<StudioInfo>('/api/info'),
  /** Sends the file itself as the body (no form). */
  predict: async (file: Blob) => maps(await fetch('/api/predict', { method: 'POST', body: file, headers: { 'Content-Type': file.type || 'application/octet-stream', Accept: MAPS_MESSAGE_TYPE } })),
  /** Segments the file with the run's settings (the file itself as the body). */
  segment: async (file: Blob) => jsonAnswer<ImageSegmentationAnswer>(await fetch('/api/segment', { method: 'POST', body: file, headers: { 'Content-Type': file.type || 'application/octet-stream', Accept: 'application/json' } })),
  datasetSegmentation: (id: string) => json<ImageSegmentationAnswer>(`/api/dataset/images/${encodeURIComponent(id)}/segmentation`),
  datasetPage: (query: URLSearchParams) => json<DatasetPage>(`/api/dataset?${query}`),
  datasetImage: (id: string) => json<DatasetImageDetail>(`/api/dataset/images/${encodeURIComponent(id)}`),
  datasetMaps: async (id: string) => maps(await fetch(`/api/dataset/images/${encodeURIComponent(id)}/maps`, { headers: { Accept: MAPS_MESSAGE_TYPE } })),
  datasetImageUrl: (id: string) => `/api/dataset/images/${encodeURIComponent(id)}/image`,
  datasetMaskUrl: (id: string) => `/api/dataset/images/${encodeURIComponent(id)}/mask`,
};

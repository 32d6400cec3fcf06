/**
 * wildcat studio: a local web app over a trained run (README "wildcat studio"). `startStudio`
 * serves it from a script as `wildcat studio` does from the command line; the in-browser pooling
 * (`poolClassMaps`, `poolingEvidence`: the engine's wildcatPool / lsePool / generalizedPool on
 * plain arrays, WILDCAT CVPR 2017 §3.3) and the maps message codec are the page's own modules,
 * usable in Node as well; the upload checks are the server's.
 */
export { startStudio, isLoopbackHost, STUDIO_DEFAULTS, type Studio, type StudioOptions } from './studioServer.js';
export { descendingRegions, poolClassMap, poolClassMaps, poolingEvidence, type MapEvidence } from './mapPooling.js';
export { MAPS_MESSAGE_TYPE, decodeMapsMessage, encodeMapsMessage, mapsMessageJson, type MapsMessage, type ShapedArray } from './mapsMessage.js';
export { checkUploadImage, readUploadBody, sniffImageFormat, type UploadFormat, type UploadHeader } from './uploadChecks.js';
export type * from './apiTypes.js';

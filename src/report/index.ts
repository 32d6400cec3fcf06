/**
 * Reports: what a trained WSL network learned, as one self-contained HTML page (run config,
 * training curves, metrics, heatmaps with positive / negative evidence and peaks).
 * Pure pieces (colormaps, resampling, overlays, SVG, HTML) work without a model.
 */
export { colormapByName, colormapTable, cssColor, jet, stopsColormap, turbo, type Colormap, type ColormapName, type Rgb8 } from './colormap.js';
export { resizeBilinear } from './resizeBilinear.js';
export { mapRange, overlayHeatmap, type HeatmapOverlayOptions, type RgbImage, type ScoreMap } from './heatmapOverlay.js';
export { annotationSvg, NEGATIVE_COLOR, POSITIVE_COLOR, type AnnotationSvgOptions, type CellSets, type DrawBox } from './annotationSvg.js';
export { escapeHtml } from './htmlEscape.js';
export { labelSize, placeLabels, type LabelRequest, type PlacedLabel } from './labelPlacement.js';
export { niceTicks } from './niceTicks.js';
export { formatNumber, lineChartSvg, type ChartPoint, type ChartSeries, type LineChartOptions } from './svgChart.js';
export { bestEpochIndex, epochRecords, type EpochRecord } from './trainingCurves.js';
export { imageVerdict, selectGallery, type ImageOutcome, type ImageVerdict } from './imageVerdict.js';
export { scoreProbabilities } from './scoreProbabilities.js';
export { scoreBarsSvg, SCORE_COLORS, type ScoreBarsOptions } from './scoreBars.js';
export { evidenceCounts, evidencePlan, type EvidencePlan } from './evidenceRegions.js';
export { loadPicture, pictureDataUri, type EncodeOptions, type Picture } from './pictures.js';
export { renderReportHtml, type MetricsRow, type PictureLabel, type ReportCard, type ReportMetrics, type ReportModel, type ReportSection, type ReportTile } from './htmlReport.js';
export { classColor, classesToShow, renderGalleryCard, type CardInput, type CardMaps, type CardObject, type CardOptions } from './galleryCard.js';
export { buildRunReport, writeRunReport, REPORT_DEFAULTS, type RunReport, type RunReportOptions } from './runReport.js';
export { judgeSplit, type SplitVerdicts } from './splitVerdicts.js';
export { galleryMaps } from './galleryMaps.js';
export { reportModel, type ReportPageInput } from './reportPage.js';

// The studio's HTML document: a shell that loads the page bundle (built by esbuild from
// src/studio/page at `make build`); the page asks /api/info for everything else.
import { escapeHtml } from '../report/htmlEscape.js';
import type { StudioInfo } from './apiTypes.js';

/** The document served at `/`. No inline script or style (the Content-Security-Policy forbids them). */
export function studioPageHtml(info: Pick<StudioInfo, 'run'>): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wildcat studio — ${escapeHtml(info.run)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/studio.css">
<script type="module" src="/assets/studio.js"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the studio… (it needs JavaScript)</p></div>
</body>
</html>
`;
}

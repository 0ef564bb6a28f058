/** Writes the report into its directory, each file atomically (temporary file + rename): CSVs and atlas.json first, index.html last. */
import fs from 'node:fs';
import path from 'node:path';
import type { AtlasAnalysis } from '../analysis/index.js';
import type { AtlasRun } from '../run.js';
import { writeFilesAtomic } from '../../util/output-file.js';
import { reportHtml } from './html.js';
import { scalePanels, scaleSvg } from './scale.js';
import { allTables, toCsv } from './tables.js';

export interface ReportFiles {
  dir: string;
  html: string;
  csv: string[];
  json: string;
  /** λ* against P per (dataset, m) with at least one SGD cell. */
  figures: string[];
}

/** Writes `text` to `file` so a reader sees the old file or the new one, never half of one. */
export function writeFileAtomic(file: string, text: string): void {
  writeFilesAtomic([[file, text]]);
}

/** Writes index.html, the CSVs and atlas.json into `dir` (created when absent). */
export async function writeAtlasReport(run: AtlasRun, analysis: AtlasAnalysis, dir: string): Promise<ReportFiles> {
  fs.mkdirSync(dir, { recursive: true });
  const tables = allTables(run, analysis);
  const csv = tables.map((t) => {
    const file = path.join(dir, t.file);
    writeFileAtomic(file, toCsv(t));
    return file;
  });
  const json = path.join(dir, 'atlas.json');
  const heuristics = analysis.heuristics.map((h) => ({ ...h, heuristic: { id: h.heuristic.id, name: h.heuristic.name, formula: h.heuristic.formula, coefficients: h.heuristic.coefficients } }));
  writeFileAtomic(json, JSON.stringify({ spec: run.spec, storage: run.storage, complete: run.complete, cells: run.cells, analysis: { ...analysis, heuristics } }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1));
  const figures = await scaleFigures(analysis, dir);
  const html = path.join(dir, 'index.html');
  writeFileAtomic(html, await reportHtml(run, analysis, tables));
  return { dir, html, csv, json, figures };
}

/** λ* against P per (dataset, m) as its own SVG file (`scale-<dataset>-m<m>.svg`), for pages that embed it. */
async function scaleFigures(analysis: AtlasAnalysis, dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const panel of scalePanels(analysis.scale.cells)) {
    const svg = await scaleSvg(analysis.scale, panel, 'cv');
    if (!svg) continue;
    const file = path.join(dir, `scale-${panel.dataset}-m${panel.m}.svg`);
    writeFileAtomic(file, svg);
    files.push(file);
  }
  return files;
}

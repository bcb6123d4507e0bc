import { round } from './stats.ts';

/** One reported figure, always next to the baseline measured in the same run. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: { readonly name: string; readonly value: number };
  /** The goal in words, when it sets one. */
  readonly goal?: string;
  /** Whether the goal is met; undefined when this run cannot judge it (e.g. below its scale). */
  readonly pass?: boolean;
}

const number = (value: number) => round(value).toLocaleString('en-US');

/** The figures as a markdown table: figure, baseline, ratio (figure / baseline), goal. */
export function markdownTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => {
    const ratio = f.value / f.baseline.value;
    const verdict = f.pass === undefined ? 'not judged here' : f.pass ? 'pass' : '**FAIL**';
    const goal = f.goal === undefined ? '' : `${f.goal}: ${verdict}`;
    return `| ${f.name} | ${number(f.value)} ${f.unit} | ${number(f.baseline.value)} (${f.baseline.name}) | ${round(ratio)} | ${goal} |`;
  });
  return [
    '| Figure | Value | Baseline (same run) | Ratio | Goal |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * The analysis judged on realistic traces, end to end: every scenario of the corpus
 * (test/fixtures/analysis-corpus/) goes as OTLP/JSON, one request per service as each service's
 * exporter would send it, into a real `tracehound start` process with DuckDB storage; each
 * trace's analysis comes back from `GET /api/v1/traces/{traceId}/analysis`. Precision and recall
 * per detector must be at least 0.95; a failure lists every mismatch with the reported summaries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FINDING_KINDS, SEVERITIES, type TraceAnalysis } from '../src/analysis/trace-analysis.ts';
import { encodeOtlpTracesJson } from '../src/ingest/otlp/encode-json.ts';
import { type Span, serviceNameOf } from '../src/model/span.ts';
import { type BuiltScenario, buildCorpus } from './fixtures/analysis-corpus/corpus.fixtures.ts';
import {
  formatMismatches,
  formatScoreTable,
  scoreCorpus,
} from './fixtures/analysis-corpus/score.fixtures.ts';
import { removeDir, type ServerProcess, startServer } from './support/server-process.ts';

const MIN_PRECISION = 0.95;
const MIN_RECALL = 0.95;
/** How far a skew adjustment may be from undoing the offset the scenario put on the clock. */
const SKEW_TOLERANCE_NS = 10_000_000;

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of the results. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/** Each service's spans, as that service's exporter sends them. */
function byService(spans: readonly Span[]): Span[][] {
  const groups = new Map<string, Span[]>();
  for (const span of spans) {
    const service = serviceNameOf(span.resource);
    groups.set(service, [...(groups.get(service) ?? []), span]);
  }
  return [...groups.values()];
}

const isInteger = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value);
const isString = (value: unknown) => typeof value === 'string';

/** Everything wrong with the shape of one analysis (empty when it is as documented). */
function shapeProblems(built: BuiltScenario, analysis: TraceAnalysis): string[] {
  const problems: string[] = [];
  const spanIds = new Set(built.spans.map((s) => s.spanId));
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  expect(analysis.traceId === built.traceId, `traceId ${analysis.traceId}`);
  expect(
    isInteger(analysis.durationNs) && analysis.durationNs > 0,
    `durationNs ${analysis.durationNs}`,
  );
  expect(
    analysis.spanCount === built.spans.length,
    `spanCount ${analysis.spanCount}, sent ${built.spans.length}`,
  );
  expect(
    Array.isArray(analysis.services) &&
      [...analysis.services].sort().join() === built.services.join(),
    `services ${JSON.stringify(analysis.services)}, sent ${JSON.stringify(built.services)}`,
  );
  expect(
    Array.isArray(analysis.incomplete?.orphanSpanIds) &&
      Array.isArray(analysis.incomplete?.missingParentIds),
    `incomplete ${JSON.stringify(analysis.incomplete)}`,
  );
  for (const adjustment of analysis.clockSkewAdjustments ?? []) {
    expect(
      spanIds.has(adjustment.spanId) &&
        isInteger(adjustment.shiftNs) &&
        isString(adjustment.reason),
      `clock-skew adjustment ${JSON.stringify(adjustment)}`,
    );
  }
  expect(
    Array.isArray(analysis.criticalPath) && analysis.criticalPath.length > 0,
    'criticalPath is empty',
  );
  for (const segment of analysis.criticalPath ?? []) {
    expect(
      spanIds.has(segment.spanId) &&
        isString(segment.service) &&
        isString(segment.operation) &&
        isInteger(segment.selfTimeNs) &&
        segment.selfTimeNs >= 0,
      `critical path segment ${JSON.stringify(segment)}`,
    );
  }
  const findings = analysis.findings ?? [];
  for (const finding of findings) {
    expect(
      (FINDING_KINDS as readonly string[]).includes(finding.kind) &&
        (SEVERITIES as readonly string[]).includes(finding.severity) &&
        isString(finding.service) &&
        isString(finding.operation) &&
        finding.spanIds.length > 0 &&
        finding.spanIds.every((id) => spanIds.has(id)) &&
        isInteger(finding.impactNs) &&
        finding.impactNs >= 0 &&
        isString(finding.summary) &&
        finding.summary !== '',
      `finding ${JSON.stringify(finding)}`,
    );
  }
  for (let i = 1; i < findings.length; i++) {
    expect(
      findings[i - 1]!.impactNs >= findings[i]!.impactNs,
      `findings not sorted by impactNs: ${findings.map((f) => f.impactNs).join(', ')}`,
    );
  }
  expect(
    Array.isArray(analysis.whyChain) &&
      analysis.whyChain.length > 0 &&
      analysis.whyChain.every((line) => isString(line) && line !== ''),
    `whyChain ${JSON.stringify(analysis.whyChain)}`,
  );
  return problems;
}

describe('trace analysis on the scenario corpus, through OTLP ingest and the HTTP API', () => {
  let server: ServerProcess;
  // A base 45 minutes ago puts every trace (about half an hour of them) in the last hour.
  const corpus = buildCorpus(BigInt(Date.now() - 45 * 60_000) * 1_000_000n);
  const analyses = new Map<string, TraceAnalysis>();

  before(async () => {
    server = await startServer();
    const requests = corpus.flatMap((built) => byService(built.spans));
    await inPool(requests, 8, async (spans) => {
      const response = await fetch(`${server.otlpHttpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(encodeOtlpTracesJson(spans)),
      });
      const body = (await response.json()) as { partialSuccess?: { rejectedSpans?: string } };
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(Number(body.partialSuccess?.rejectedSpans ?? 0), 0, JSON.stringify(body));
    });
    await inPool(corpus, 8, async (built) => {
      const response = await fetch(`${server.queryUrl}/api/v1/traces/${built.traceId}/analysis`);
      const text = await response.text();
      assert.equal(response.status, 200, `${built.scenario.name}: ${text}`);
      analyses.set(built.scenario.name, JSON.parse(text) as TraceAnalysis);
    });
  });

  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('answers every trace with an analysis of the documented shape', () => {
    const problems = corpus.flatMap((built) =>
      shapeProblems(built, analyses.get(built.scenario.name)!).map(
        (p) => `${built.scenario.name}: ${p}`,
      ),
    );
    assert.deepEqual(problems, []);
  });

  it('answers 404 for an unknown trace and 400 for a malformed id, in the Jaeger error envelope', async () => {
    const unknown = await fetch(
      `${server.queryUrl}/api/v1/traces/0123456789abcdef0123456789abcdef/analysis`,
    );
    assert.equal(unknown.status, 404);
    const unknownBody = (await unknown.json()) as {
      data: unknown;
      errors: { code: number; msg: string }[];
    };
    assert.equal(unknownBody.data, null);
    assert.equal(unknownBody.errors[0]?.code, 404);
    assert.match(unknownBody.errors[0]?.msg ?? '', /not found/);

    const malformed = await fetch(`${server.queryUrl}/api/v1/traces/not-a-trace-id/analysis`);
    assert.equal(malformed.status, 400);
    const malformedBody = (await malformed.json()) as { errors: { code: number; msg: string }[] };
    assert.equal(malformedBody.errors[0]?.code, 400);
    assert.match(malformedBody.errors[0]?.msg ?? '', /not a trace id/);
  });

  it('undoes the clock offset of callees whose clocks are off, and adjusts nothing elsewhere', () => {
    const problems: string[] = [];
    for (const built of corpus) {
      const analysis = analyses.get(built.scenario.name)!;
      const offsets = built.scenario.clockOffsetMs;
      if (offsets === undefined) {
        if (analysis.clockSkewAdjustments.length > 0) {
          problems.push(
            `${built.scenario.name}: clocks agree, yet adjusted ${analysis.clockSkewAdjustments
              .map((a) => `${built.describeSpan(a.spanId)} by ${a.shiftNs} ns (${a.reason})`)
              .join('; ')}`,
          );
        }
        continue;
      }
      for (const spanId of built.skewedSpanIds) {
        const service = built.spans.find((s) => s.spanId === spanId)!;
        const offsetNs = (offsets[serviceNameOf(service.resource)] ?? 0) * 1_000_000;
        const undone = analysis.clockSkewAdjustments.some(
          (a) => a.spanId === spanId && Math.abs(a.shiftNs + offsetNs) <= SKEW_TOLERANCE_NS,
        );
        if (!undone) {
          problems.push(
            `${built.scenario.name}: expected ${built.describeSpan(spanId)} shifted by about ${-offsetNs} ns; adjustments: ${JSON.stringify(analysis.clockSkewAdjustments)}`,
          );
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('names the missing parents and the orphans of broken traces', () => {
    for (const built of corpus.filter((b) => b.droppedSpanIds.length > 0)) {
      const { incomplete } = analyses.get(built.scenario.name)!;
      const orphanParents = new Set(
        built.spans
          .filter((s) => built.orphanSpanIds.includes(s.spanId))
          .map((s) => s.parentSpanId),
      );
      assert.deepEqual(
        [...incomplete.missingParentIds].sort(),
        [...orphanParents].sort(),
        built.scenario.name,
      );
      assert.deepEqual(
        [...incomplete.orphanSpanIds].sort(),
        [...built.orphanSpanIds].sort(),
        built.scenario.name,
      );
    }
  });

  it(`finds each kind of problem with precision >= ${MIN_PRECISION} and recall >= ${MIN_RECALL}`, (t) => {
    const score = scoreCorpus(
      corpus.map((built) => ({ built, findings: analyses.get(built.scenario.name)!.findings })),
    );
    const table = formatScoreTable(score.detectors);
    for (const line of table.split('\n')) t.diagnostic(line);
    const failing = score.detectors.filter(
      (d) => d.precision < MIN_PRECISION || d.recall < MIN_RECALL,
    );
    assert.ok(
      failing.length === 0,
      `${failing.map((d) => d.kind).join(', ')} below the bar\n${table}\n\nmismatches:\n${formatMismatches(score.mismatches)}`,
    );
  });
});

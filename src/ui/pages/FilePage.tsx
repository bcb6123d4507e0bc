import { useMemo } from 'react';
import { analyzeTrace } from '../../analysis/analyze-trace.ts';
import { EmptyState } from '../components/States.tsx';
import { TraceList } from '../components/TraceList.tsx';
import { plural } from '../format.ts';
import { openedFile } from '../local-traces.ts';
import { summariseTrace } from '../trace-summary.ts';
import { buildTraceView } from '../trace-view.ts';

/** The traces of a file opened with "Open file", when it holds more than one. */
export function FilePage() {
  const file = openedFile();
  const summaries = useMemo(
    () =>
      file?.traces.map((spans) =>
        summariseTrace(buildTraceView(spans), analyzeTrace(spans).findings),
      ) ?? [],
    [file],
  );
  if (file === null) {
    return (
      <EmptyState icon="file" title="No file open">
        <p>
          Use “Open file” above, or drop an OTLP JSON file onto the page, to view traces without a
          server.
        </p>
      </EmptyState>
    );
  }
  return (
    <div className="search-results" style={{ maxWidth: 1200, margin: '0 auto' }}>
      <div className="results-header">
        <h2>
          {file.fileName}: {plural(file.traces.length, 'trace')}
        </h2>
      </div>
      {file.problems.map((problem) => (
        <div key={problem} className="problems">
          {problem}
        </div>
      ))}
      <TraceList summaries={summaries} fromFile />
    </div>
  );
}

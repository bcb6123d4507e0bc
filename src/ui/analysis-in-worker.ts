import type { TraceAnalysis } from '../analysis/trace-analysis.ts';
import type { ColumnsAnalysisReply } from './columns-analysis.ts';

/**
 * Analyses a trace in a Web Worker, from the text of its columns body. Resolves with the
 * analysis, rejects when the worker cannot run or fails (the caller then analyses on the main
 * thread), and stops the worker when `signal` aborts. Returns null where there are no workers.
 */
export function analyzeInWorker(text: string, signal: AbortSignal): Promise<TraceAnalysis> | null {
  if (typeof Worker === 'undefined') return null;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./analysis-worker.ts', import.meta.url), { type: 'module' });
    } catch (error) {
      reject(error);
      return;
    }
    const stop = () => {
      worker.terminate();
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      stop();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort);
    worker.onmessage = (event: MessageEvent<ColumnsAnalysisReply>) => {
      stop();
      if (event.data.ok) resolve(event.data.analysis);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => {
      stop();
      reject(new Error(`the analysis worker failed: ${event.message}`));
    };
    worker.postMessage(text);
  });
}

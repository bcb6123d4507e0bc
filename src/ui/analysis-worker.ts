/**
 * The analysis worker: diagnoses a trace off the page's main thread, so that the waterfall is
 * drawn and scrolls while the detectors run. Started by analysis-in-worker.ts.
 */
import { analyzeColumnsText } from './columns-analysis.ts';

self.onmessage = (event: MessageEvent<string>) => {
  self.postMessage(analyzeColumnsText(event.data));
};

import { detectCascadingLatency } from './cascading-latency.ts';
import { detectClientServerGap } from './client-server-gap.ts';
import type { Detection, DetectorContext } from './detector.ts';
import { detectErrorOrigin } from './error-origin.ts';
import { detectFanOut } from './fan-out.ts';
import { detectNPlusOne } from './n-plus-one.ts';
import { detectRetryStorm } from './retry-storm.ts';
import { detectSequentialCalls } from './sequential-calls.ts';
import { detectSilentTimeout } from './silent-timeout.ts';

/** Every detector, in a fixed order for stable output. */
const DETECTORS = [
  detectNPlusOne,
  detectSequentialCalls,
  detectFanOut,
  detectRetryStorm,
  detectSilentTimeout,
  detectErrorOrigin,
  detectClientServerGap,
  detectCascadingLatency,
];

/**
 * Runs every detector on the same context. A detector
 * that throws (a bug, never expected) is skipped and reported in `problems`, so one broken rule
 * cannot take the whole analysis down.
 */
export function runDetectors(context: DetectorContext): {
  detections: Detection[];
  problems: string[];
} {
  const problems: string[] = [];
  const run = (detector: (context: DetectorContext) => Detection[]): Detection[] => {
    try {
      return detector(context);
    } catch (error) {
      problems.push(
        `detector ${detector.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return [];
    }
  };
  // Joined by flatMap() rather than pushed one by one into an empty array: in code run once per
  // analysis, the compiled push would be thrown away when that array first takes objects.
  return { detections: DETECTORS.flatMap(run), problems };
}

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
  const detections: Detection[] = [];
  const problems: string[] = [];
  const run = (detector: (context: DetectorContext) => Detection[]) => {
    try {
      for (const found of detector(context)) detections.push(found);
    } catch (error) {
      problems.push(
        `detector ${detector.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  for (const detector of DETECTORS) run(detector);
  return { detections, problems };
}

// `node --import tracehound/register app.js`: starts OpenTelemetry before the app's modules load.
// The distro is TypeScript; tsx's scoped tsImport compiles it without changing how the app loads.
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { tsImport } from 'tsx/esm/api';

// tsx turns on source maps for the whole process when it compiles the distro. Node would then
// read and keep the source map of every module loaded next, the OpenTelemetry packages' included:
// some 13 MB of heap that every garbage collection walks. The distro loads with source maps off,
// and then they are as the app had them (`--enable-source-maps`, or a loader such as tsx).
const sourceMapsEnabled = process.sourceMapsEnabled;
const setSourceMapsEnabled = process.setSourceMapsEnabled;
try {
  process.setSourceMapsEnabled(false);
  process.setSourceMapsEnabled = () => {};
  // ESM imports are patched by import-in-the-middle's loader, told by the instrumentations (over
  // this channel) which modules to wrap, so that no other module pays for wrapping.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const { startInstrumentation } = await tsImport('./start.ts', import.meta.url);
  startInstrumentation();
  await waitForAllMessagesAcknowledged();
} catch (error) {
  // Tracing must never keep the application from starting.
  process.stderr.write(`tracehound/register: tracing is off, it failed to start: ${error}\n`);
} finally {
  process.setSourceMapsEnabled = setSourceMapsEnabled;
  process.setSourceMapsEnabled(sourceMapsEnabled);
}

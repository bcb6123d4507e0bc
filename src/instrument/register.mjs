// `node --import tracehound/register app.js`: starts OpenTelemetry before the app's modules load.
// The distro is TypeScript; tsx's scoped tsImport compiles it without changing how the app loads.
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { tsImport } from 'tsx/esm/api';

try {
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
}

// `import { logJson, traceLogFields } from 'tracehound/log'`: JSON console logs with trace ids.
import { tsImport } from 'tsx/esm/api';

const jsonLog = await tsImport('./json-log.ts', import.meta.url);
export const { LOG_LEVELS, jsonLogLine, logJson, traceLogFields } = jsonLog;

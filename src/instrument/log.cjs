// `require('tracehound/log')`: JSON console logs with trace ids, for CommonJS apps.
const { require: tsRequire } = require('tsx/cjs/api');

module.exports = tsRequire('./json-log.ts', __filename);

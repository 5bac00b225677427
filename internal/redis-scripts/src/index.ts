/**
 * The Lua scripts behind the Redis and Upstash persistence layers, and the code that turns
 * requests into script arguments and replies into records. Private: each adapter bundles it.
 *
 * @module
 */
export { REPLY_STRING_PREFIX, STEP_FIELD_PREFIX } from './lua.js';
export { ScriptReplyError } from './reply.js';
export { isNoScriptError, runScript, type ScriptRunner, scriptSha1 } from './run.js';
export { type RecordScript, type RecordScripts, recordScripts } from './scripts.js';

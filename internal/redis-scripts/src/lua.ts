/**
 * Lua sources of the record scripts. Each script touches only KEYS[1], so Redis Cluster runs it
 * on the node of that key, and it calls only commands of Redis 6.2: TIME, HGETALL, HMGET, HKEYS,
 * HSET, HDEL, DEL and PEXPIREAT without options.
 *
 * A record is a hash with the fields `status`, `expiresAt`, `leaseExpiresAt`, `leaseToken`,
 * `payloadHash` (optional), `response` (optional) and one `step:<name>` field per step result.
 * Instants are epoch ms on the server's clock, stored as decimal strings, and the key expires at
 * `expiresAt` (PEXPIREAT).
 */

/**
 * Prefix of the hash field that stores a step's result, before the step name.
 *
 * @example
 * ```ts
 * await redis.hget(`idemkit:${key}`, `${STEP_FIELD_PREFIX}charge`); // the result of step "charge"
 * ```
 */
export const STEP_FIELD_PREFIX = 'step:';

/**
 * First character of every string in a script reply. No JSON text starts with it, so a client
 * that runs `JSON.parse` on string replies (`@upstash/redis` 1.39 does by default) leaves the
 * strings as they are, and '123' or 'null' never turns into a number or null.
 *
 * @example
 * ```ts
 * const text = item.slice(REPLY_STRING_PREFIX.length); // after checking item.startsWith(REPLY_STRING_PREFIX)
 * ```
 */
export const REPLY_STRING_PREFIX = '~';

// Helpers that every script starts with.
const PRELUDE = `
local STEP_PREFIX = '${STEP_FIELD_PREFIX}'

-- Server time in epoch ms, from the seconds and microseconds that TIME returns.
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Integral number as decimal text. tostring formats with %.14g, which switches to exponent
-- notation above 14 digits.
local function int(number)
  return string.format('%.0f', number)
end

local function is_step(field)
  return string.sub(field, 1, #STEP_PREFIX) == STEP_PREFIX
end

-- Converts a field/value list, as HGETALL returns it, into a table.
local function to_table(pairs_list)
  local record = {}
  for index = 1, #pairs_list, 2 do
    record[pairs_list[index]] = pairs_list[index + 1]
  end
  return record
end

-- True for a record that has not expired at now. A hash that lacks status or leaseToken, or
-- whose times are not numbers, is treated as absent.
local function is_live(record, now)
  local expires_at = tonumber(record.expiresAt)
  if record.status == nil or record.leaseToken == nil or tonumber(record.leaseExpiresAt) == nil then return false end
  return expires_at ~= nil and expires_at > now
end

-- The live record under key when it holds token, with its times as numbers; else nil. Without
-- now (nil), the clock is not read: a key that Redis still holds has not reached expiresAt,
-- because the scripts set its expiry to expiresAt (PEXPIREAT) whenever they write it.
local function owned(key, token, now)
  local fields = redis.call('HMGET', key, 'status', 'expiresAt', 'leaseExpiresAt', 'leaseToken')
  local record = { status = fields[1] or nil, expiresAt = fields[2] or nil, leaseExpiresAt = fields[3] or nil, leaseToken = fields[4] or nil }
  if not is_live(record, now or 0) or record.leaseToken ~= token then return nil end
  record.expiresAt = tonumber(record.expiresAt)
  record.leaseExpiresAt = tonumber(record.leaseExpiresAt)
  return record
end

-- Copies a field/value list and adds the reply prefix to every string. With keep_steps_only,
-- only the step fields are copied.
local function reply_fields(pairs_list, keep_steps_only)
  local reply = {}
  for index = 1, #pairs_list, 2 do
    local field = pairs_list[index]
    if not keep_steps_only or is_step(field) then
      reply[#reply + 1] = '${REPLY_STRING_PREFIX}' .. field
      reply[#reply + 1] = '${REPLY_STRING_PREFIX}' .. pairs_list[index + 1]
    end
  end
  return reply
end
`;

/**
 * KEYS[1] record key. ARGV: lease token, lease ms, record lifetime ms, payload hash (absent when
 * validation is off). Replies `{1, steps…}` when the caller holds the claim (steps as
 * `step:<name>`/result pairs) or `{0, fields…}` with the blocking record's fields.
 */
export const ACQUIRE_LUA: string = `${PRELUDE}
local key = KEYS[1]
local token, lease_ms, expires_after_ms, payload_hash = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local existing = redis.call('HGETALL', key)
local record = to_table(existing)

-- A COMPLETED record blocks every acquire. It needs no clock: its key expires at expiresAt
-- (PEXPIREAT, set by the script that wrote it), and Redis never returns an expired key.
if record.status == 'COMPLETED' and record.leaseToken ~= nil and tonumber(record.expiresAt) ~= nil then
  local reply = reply_fields(existing, false)
  table.insert(reply, 1, 0)
  return reply
end

local now = now_ms()

-- Writes a fresh IN_PROGRESS claim; a takeover keeps the steps and drops the other fields. The
-- expiry goes in the same script; if it cannot be set, the record is deleted and the script
-- fails, so no key is left without a TTL.
local function claim(takeover)
  local expires_at = now + expires_after_ms
  if takeover then redis.call('HDEL', key, 'payloadHash', 'response') end
  local fields = { 'status', 'IN_PROGRESS', 'expiresAt', int(expires_at),
    'leaseExpiresAt', int(math.min(now + lease_ms, expires_at)), 'leaseToken', token }
  if payload_hash ~= nil then
    fields[#fields + 1] = 'payloadHash'
    fields[#fields + 1] = payload_hash
  end
  redis.call('HSET', key, unpack(fields))
  local expired = redis.pcall('PEXPIREAT', key, int(expires_at))
  if expired ~= 1 then
    redis.call('DEL', key)
    error('idemkit: PEXPIREAT failed, so the new record was deleted: ' .. tostring(type(expired) == 'table' and expired.err or expired))
  end
end

if not is_live(record, now) then
  if #existing > 0 then redis.call('DEL', key) end
  claim(false)
  return { 1 }
end

if record.leaseToken == token and record.status == 'IN_PROGRESS' then
  local reply = reply_fields(existing, true)
  table.insert(reply, 1, 1)
  return reply
end

local lapsed = record.status == 'IN_PROGRESS' and tonumber(record.leaseExpiresAt) <= now
local same_payload = record.payloadHash == nil or payload_hash == nil or record.payloadHash == payload_hash
if lapsed and same_payload then
  claim(true)
  local reply = reply_fields(existing, true)
  table.insert(reply, 1, 1)
  return reply
end

local reply = reply_fields(existing, false)
table.insert(reply, 1, 0)
return reply
`;

/**
 * KEYS[1] record key. ARGV: lease token, response. Replies 1 when it stored the response, 0
 * when the record does not hold the token.
 */
export const COMPLETE_LUA: string = `${PRELUDE}
local key, token, response = KEYS[1], ARGV[1], ARGV[2]
local record = owned(key, token, nil)
if record == nil then return 0 end

-- The expiry is set again before the write, so an error here changes nothing.
redis.call('PEXPIREAT', key, int(record.expiresAt))
redis.call('HSET', key, 'status', 'COMPLETED', 'response', response)
return 1
`;

/**
 * KEYS[1] record key. ARGV: lease token. Deletes the record, or lapses its lease when it holds
 * steps. Replies 1, or 0 when the record does not hold the token.
 */
export const RELEASE_LUA: string = `${PRELUDE}
local key, token = KEYS[1], ARGV[1]
local now = now_ms()
local record = owned(key, token, now)
if record == nil then return 0 end

for _, field in ipairs(redis.call('HKEYS', key)) do
  if is_step(field) then
    redis.call('HSET', key, 'leaseExpiresAt', int(now))
    return 1
  end
end
redis.call('DEL', key)
return 1
`;

/**
 * KEYS[1] record key. ARGV: lease token, lease ms. Renews the lease of an IN_PROGRESS record to
 * now + lease ms, capped at its expiry. Replies 1, or 0 when the record does not hold the token.
 */
export const EXTEND_LUA: string = `${PRELUDE}
local key, token, lease_ms = KEYS[1], ARGV[1], tonumber(ARGV[2])
local now = now_ms()
local record = owned(key, token, now)
if record == nil or record.status ~= 'IN_PROGRESS' then return 0 end

redis.call('HSET', key, 'leaseExpiresAt', int(math.min(now + lease_ms, record.expiresAt)))
return 1
`;

/**
 * KEYS[1] record key. ARGV: lease token, step name, step result. Stores the result under an
 * IN_PROGRESS record. Replies 1, or 0 when the record does not hold the token.
 */
export const SAVE_STEP_LUA: string = `${PRELUDE}
local key, token, name, result = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local record = owned(key, token, nil)
if record == nil or record.status ~= 'IN_PROGRESS' then return 0 end

redis.call('HSET', key, STEP_PREFIX .. name, result)
return 1
`;

/** KEYS[1] record key. Replies the record's fields, or an empty list when it is absent or expired. */
export const GET_LUA: string = `${PRELUDE}
local existing = redis.call('HGETALL', KEYS[1])
if not is_live(to_table(existing), now_ms()) then return {} end
return reply_fields(existing, false)
`;

/** The live state's read-modify-write steps, as Lua scripts run atomically by Redis (see RedisLiveState). */
export const SCRIPTS = {
  vtpJoin: {
    keys: 3,
    lua: `
local pid = redis.call('HGET', KEYS[2], ARGV[4])
if pid then
  local raw = redis.call('HGET', KEYS[1], pid)
  if raw then
    local p = cjson.decode(raw)
    local prev = p.socketId
    local was = p.connected
    redis.call('ZREM', KEYS[3], ARGV[6] .. '|' .. pid .. '|' .. prev)
    if p.nodeId then redis.call('SREM', ARGV[7] .. 'node:' .. p.nodeId .. ':m', 'p|' .. ARGV[6] .. '|' .. pid .. '|' .. prev) end
    p.socketId = ARGV[5]
    p.connected = true
    p.disconnectedAt = cjson.null
    if ARGV[8] ~= '' then
      p.nodeId = ARGV[8]
      redis.call('SADD', ARGV[7] .. 'node:' .. ARGV[8] .. ':m', 'p|' .. ARGV[6] .. '|' .. pid .. '|' .. ARGV[5])
    end
    local out = cjson.encode(p)
    redis.call('HSET', KEYS[1], pid, out)
    local w = '0'
    if was then w = '1' end
    return {'resumed', out, prev, w}
  end
end
local n = redis.call('HLEN', KEYS[1])
if ARGV[3] ~= '1' and n >= tonumber(ARGV[2]) then return {'full'} end
local c = cjson.decode(ARGV[1])
redis.call('HSET', KEYS[1], c.id, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[4], c.id)
if ARGV[8] ~= '' then redis.call('SADD', ARGV[7] .. 'node:' .. ARGV[8] .. ':m', 'p|' .. ARGV[6] .. '|' .. c.id .. '|' .. ARGV[5]) end
return {'joined', ARGV[1], tostring(n + 1)}`,
  },
  vtpPatch: {
    keys: 1,
    lua: `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local p = cjson.decode(raw)
for k, v in pairs(cjson.decode(ARGV[3])) do if p[k] ~= v then return false end end
for k, v in pairs(cjson.decode(ARGV[2])) do
  if k == 'media' and type(v) == 'table' and type(p.media) == 'table' then
    for mk, mv in pairs(v) do p.media[mk] = mv end
  else p[k] = v end
end
local out = cjson.encode(p)
redis.call('HSET', KEYS[1], ARGV[1], out)
return out`,
  },
  vtpRemove: {
    keys: 3,
    lua: `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local p = cjson.decode(raw)
for k, v in pairs(cjson.decode(ARGV[2])) do if p[k] ~= v then return false end end
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HGET', KEYS[2], p.userId) == ARGV[1] then redis.call('HDEL', KEYS[2], p.userId) end
redis.call('ZREM', KEYS[3], ARGV[3] .. '|' .. ARGV[1] .. '|' .. p.socketId)
if p.nodeId then redis.call('SREM', ARGV[4] .. 'node:' .. p.nodeId .. ':m', 'p|' .. ARGV[3] .. '|' .. ARGV[1] .. '|' .. p.socketId) end
return raw`,
  },
  vtpTakeWaiting: {
    keys: 1,
    lua: `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
if ARGV[2] ~= '' then
  local e = cjson.decode(raw)
  if e.socketId ~= ARGV[2] then return false end
end
redis.call('HDEL', KEYS[1], ARGV[1])
return raw`,
  },
  /** A node whose alive key expired: take it out of the node set and hand over its connections (once). */
  vtpClaimNode: {
    keys: 3,
    lua: `
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return false end
local m = redis.call('SMEMBERS', KEYS[3])
redis.call('DEL', KEYS[3])
return m`,
  },
  vtpHit: {
    keys: 1,
    lua: `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`,
  },
} as const;

import AssayRedis

/// The Lua script behind ``TokenBucket``: GCRA (see ``GCRA``) over two keys at once, the request
/// limit and the token limit, with time from the Redis server so that pods with skewed clocks agree.
///
/// Both keys share the hash tag `{assay:ratelimit:<provider>}`, so they live in one Redis Cluster
/// slot, as a multi-key script requires. `TIME` in a script is allowed since Redis 7 (effects
/// replication: replicas receive the writes, not the script). TATs are microseconds since the epoch
/// on Redis's clock, stored with full double precision; keys expire once the bucket is full again.
///
/// - KEYS: `[1]` request TAT, `[2]` token TAT.
/// - ARGV: `[1]` `acquire` or `adjust`; `[2]` µs per request; `[3]` request burst; `[4]` µs per
///   token (0: no token limit); `[5]` token burst; `[6]` requests; `[7]` tokens (both may be
///   negative for `adjust`); `[8]` longest acceptable wait in µs (`acquire`).
/// - Returns `{admitted, wait_ms}`: `acquire` reserves and returns `{1, wait}` when the wait is
///   acceptable (the caller sleeps `wait` then proceeds), otherwise reserves nothing and returns
///   `{0, wait}`. `adjust` returns `{1, 0}`.
enum TokenBucketScript {
    static let script = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local limits = {
          {key = KEYS[1], interval = tonumber(ARGV[2]), burst = tonumber(ARGV[3]), units = tonumber(ARGV[6])},
          {key = KEYS[2], interval = tonumber(ARGV[4]), burst = tonumber(ARGV[5]), units = tonumber(ARGV[7])},
        }
        local function store(l, tat)
          redis.call('SET', l.key, string.format('%.17g', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
        end
        for _, l in ipairs(limits) do
          l.tat = math.max(tonumber(redis.call('GET', l.key) or now), now)
        end
        if ARGV[1] == 'adjust' then
          for _, l in ipairs(limits) do
            if l.interval > 0 and l.units ~= 0 then
              store(l, math.max(l.tat + l.units * l.interval, now))
            end
          end
          return {1, 0}
        end
        local wait = 0
        for _, l in ipairs(limits) do
          if l.interval > 0 and l.units > 0 then
            wait = math.max(wait, l.tat + (l.units - l.burst) * l.interval - now)
          end
        end
        if wait > tonumber(ARGV[8]) then
          return {0, math.ceil(wait / 1000)}
        end
        for _, l in ipairs(limits) do
          if l.interval > 0 and l.units > 0 then
            store(l, math.max(l.tat, now + wait) + l.units * l.interval)
          end
        end
        return {1, math.ceil(wait / 1000)}
        """)
}

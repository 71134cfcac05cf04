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
///   negative for `adjust`); `[8]` longest acceptable wait in µs (`acquire`); `[9]` and `[10]`
///   the caller's last known backlog (TAT minus now, µs) of the request and token limits, used
///   for a key that does not exist: after Redis lost its data (a restart without persistence),
///   the bucket continues from where the pods left it instead of starting full again.
/// - Returns `{admitted, wait_ms, request_backlog_us, token_backlog_us}`: `acquire` reserves and
///   returns `admitted` 1 when the wait is acceptable (the caller sleeps `wait` then proceeds),
///   otherwise reserves nothing and returns 0; `adjust` returns 1 and wait 0. The backlogs are
///   each limit's TAT minus now after the operation, for the caller to remember.
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
        limits[1].seed = tonumber(ARGV[9])
        limits[2].seed = tonumber(ARGV[10])
        for _, l in ipairs(limits) do
          l.tat = math.max(tonumber(redis.call('GET', l.key) or (now + l.seed)), now)
        end
        local function backlogs()
          return math.floor(limits[1].tat - now), math.floor(limits[2].tat - now)
        end
        if ARGV[1] == 'adjust' then
          for _, l in ipairs(limits) do
            if l.interval > 0 and l.units ~= 0 then
              l.tat = math.max(l.tat + l.units * l.interval, now)
              store(l, l.tat)
            end
          end
          local requests, tokens = backlogs()
          return {1, 0, requests, tokens}
        end
        local wait = 0
        for _, l in ipairs(limits) do
          if l.interval > 0 and l.units > 0 then
            wait = math.max(wait, l.tat + (l.units - l.burst) * l.interval - now)
          end
        end
        if wait > tonumber(ARGV[8]) then
          local requests, tokens = backlogs()
          return {0, math.ceil(wait / 1000), requests, tokens}
        end
        for _, l in ipairs(limits) do
          if l.interval > 0 and l.units > 0 then
            l.tat = math.max(l.tat, now + wait) + l.units * l.interval
            store(l, l.tat)
          end
        end
        local requests, tokens = backlogs()
        return {1, math.ceil(wait / 1000), requests, tokens}
        """)
}

import AssayRedis

/// The Lua scripts of ``RedisWorkQueue``. Each runs atomically on the run's slot.
enum RunScripts {
    /// KEYS: meta, cases. ARGV: group, ttl seconds, then meta field/value pairs.
    /// Creates the run's meta (unless present) and consumer group; returns how many cases are seeded.
    static let create = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 0 then
          redis.call('HSET', KEYS[1], unpack(ARGV, 3))
        end
        redis.pcall('XGROUP', 'CREATE', KEYS[2], ARGV[1], '0', 'MKSTREAM')
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        redis.call('EXPIRE', KEYS[2], ARGV[2])
        return tonumber(redis.call('HGET', KEYS[1], 'seeded') or '0')
        """)

    /// KEYS: meta, cases. ARGV: first case index, ttl seconds, then the cases' JSON.
    /// Appends the cases at and after `seeded` with ids `0-<index + 1>`, so seeding twice, or two
    /// seeders racing, queue each case once. Returns the number of cases added.
    static let seed = RedisScript(
        """
        local seeded = tonumber(redis.call('HGET', KEYS[1], 'seeded') or '0')
        local first = tonumber(ARGV[1])
        local added = 0
        for j = 3, #ARGV do
          local index = first + j - 3
          if index == seeded then
            redis.call('XADD', KEYS[2], '0-' .. (index + 1), 'case', ARGV[j])
            seeded = seeded + 1
            added = added + 1
          end
        end
        redis.call('HSET', KEYS[1], 'seeded', seeded)
        redis.call('EXPIRE', KEYS[2], ARGV[2])
        return added
        """)

    /// KEYS: cases, meta, recorded, results, counters, then latency and failing per target.
    /// ARGV: group, entry id, case id, result JSON, ttl seconds, target count, then per target its
    /// latency and 1 if it failed, then counter name/amount pairs.
    /// Records the case's result unless one is recorded already, and acknowledges the entry either
    /// way: 1 recorded, 0 duplicate, -1 cancelled (nothing written).
    static let record = RedisScript(
        """
        if redis.call('HGET', KEYS[2], 'cancelled') == '1' then return -1 end
        if redis.call('HSETNX', KEYS[3], ARGV[3], ARGV[2]) == 0 then
          redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
          return 0
        end
        redis.call('RPUSH', KEYS[4], ARGV[4])
        local targets = tonumber(ARGV[6])
        local i = 7
        for t = 1, targets do
          redis.call('ZADD', KEYS[4 + 2 * t], ARGV[i], ARGV[3])
          if ARGV[i + 1] == '1' then redis.call('ZADD', KEYS[5 + 2 * t], 0, ARGV[3]) end
          i = i + 2
        end
        while i < #ARGV do
          redis.call('HINCRBYFLOAT', KEYS[5], ARGV[i], ARGV[i + 1])
          i = i + 2
        end
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        for k = 1, #KEYS do redis.call('EXPIRE', KEYS[k], ARGV[5]) end
        return 1
        """)

    /// KEYS: meta. Marks an existing run cancelled (a missing run stays missing); returns 1 if marked.
    static let cancel = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'cancelled', '1')
        return 1
        """)
}
